/**
 * `rpcsweep probes` prints the catalogue from the registry, and docs/probes.md names every
 * registered probe: a probe added to the registry without documentation fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/probes.ts';
import { isRpcsweepError } from '../../src/core/errors.ts';
import { PROBES } from '../../src/probes/registry.ts';
import { makeCliIo } from '../support/cli-io.ts';

const probes = async (...args: string[]): Promise<{ text: string; error?: unknown }> => {
  const t = makeCliIo();
  const program = new Command('rpcsweep').exitOverride();
  register(program, t.io);
  try {
    await program.parseAsync(['probes', ...args], { from: 'user' });
    return { text: t.out() + t.err() };
  } catch (error) {
    return { text: t.out() + t.err(), error };
  }
};

test('rpcsweep probes lists every registered probe with its ports, interface and declared fields', async () => {
  const { text } = await probes('--format', 'ndjson');
  const entries = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    entries.map((e) => e.name),
    PROBES.map((p) => p.name),
  );
  for (const [i, p] of PROBES.entries()) {
    assert.deepEqual(entries[i].ports, [...p.defaultPorts]);
    assert.deepEqual(
      entries[i].fields.map((f: { name: string }) => f.name),
      p.fields.map((f) => f.name),
    );
    assert.equal(entries[i].binds !== undefined, p.rpcInterface !== undefined, p.name);
  }
  const sysact = entries.find((e) => e.name === 'ms03-039-sysact');
  assert.equal(sysact.binds, '000001a0-0000-0000-c000-000000000046 v0.0');

  const plain = await probes();
  for (const p of PROBES) assert.match(plain.text, new RegExp(`^${p.name}  ${p.transport}/`, 'm'));
  const bad = await probes('--format', 'xml');
  assert.ok(isRpcsweepError(bad.error) && bad.error.code === 'CLI_USAGE');
});

test('docs/probes.md documents every registered probe by name', () => {
  const doc = readFileSync(new URL('../../docs/probes.md', import.meta.url), 'utf8');
  const missing = PROBES.filter((p) => !doc.includes(`\`${p.name}\``)).map((p) => p.name);
  assert.deepEqual(missing, [], 'probes missing from docs/probes.md');
});
