/**
 * The seeded 20,000-input slice of bench/fuzz-dcerpc.ts (which runs ≥ 1,000,000), fast-check random
 * bytes against every decoder, and replays of inputs that once crashed a decoder.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/core/bytes.ts';
import { FUZZ_TARGETS, fuzzCase, fuzzInput, runTargets } from '../../src/protocol/dcerpc/testing/fuzz.ts';
import { loadFuzzSeeds } from './dcerpc/fuzz-seeds.ts';

const SEEDS = loadFuzzSeeds();

test('20,000 mutated real PDUs and stubs: every decoder returns a value, none throws', () => {
  const findings = [];
  for (let i = 0; i < 20_000; i++) {
    const c = fuzzCase(SEEDS, 20_030_716, i);
    findings.push(...runTargets(c.input, i, c.targets));
  }
  assert.deepEqual(
    findings.slice(0, 3).map((f) => ({ ...f, input: toHex(f.input) })),
    [],
  );
});

test('fuzz inputs are reproducible from (seed, index) alone', () => {
  assert.equal(toHex(fuzzInput(SEEDS, 7, 12345)), toHex(fuzzInput(SEEDS, 7, 12345)));
  assert.notEqual(toHex(fuzzInput(SEEDS, 7, 1)), toHex(fuzzInput(SEEDS, 7, 2)));
});

for (const target of FUZZ_TARGETS) {
  test(`fast-check random bytes: ${target.name} never throws`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        target.run(bytes);
      }),
      { numRuns: 300, seed: 42 },
    );
  });
}

test('regression inputs (crashes found by fuzzing) stay fixed', () => {
  const dir = new URL('../fixtures/dcerpc/fuzz-regressions/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.hex'));
  for (const f of files) {
    const hex = readFileSync(new URL(f, dir), 'utf8')
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('');
    assert.deepEqual(
      runTargets(fromHex(hex), 0).map((x) => x.target),
      [],
      f,
    );
  }
});
