import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ERROR_CODES, RETIRED_CODES } from '../../src/core/error-codes.ts';
import { DecodeError, decodeFail, decodeOk, orThrow } from '../../src/core/errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Set([...doc.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));

test('every error code is documented in docs/errors.md', () => {
  const missing = Object.keys(ERROR_CODES).filter((c) => !documented.has(c));
  assert.deepEqual(missing, []);
});

test('docs/errors.md documents no code that does not exist', () => {
  const stale = [...documented].filter((c) => !(c in ERROR_CODES) && !RETIRED_CODES.includes(c as string));
  assert.deepEqual(stale, []);
});

test('retired codes are never reused', () => {
  for (const c of RETIRED_CODES) assert.ok(!(c in ERROR_CODES), c);
});

test('orThrow turns a failure value into a DecodeError with offset and field', () => {
  const dec = (b: number) =>
    b > 0 ? decodeOk(b, 1) : decodeFail('DCERPC_TRUNCATED', 7, 'dcerpc.x', 'short');
  assert.equal(orThrow(dec)(3), 3);
  assert.throws(
    () => orThrow(dec)(0),
    (e: unknown) => e instanceof DecodeError && e.failure.offset === 7 && e.code === 'DCERPC_TRUNCATED',
  );
});
