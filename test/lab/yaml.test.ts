import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { loadLabSpec } from '../../src/lab/index.ts';
import { parseYaml } from '../../src/lab/yaml.ts';

const ok = (text: string) => {
  const r = parseYaml(text);
  assert.ok(r.ok, r.ok ? '' : `line ${r.line}: ${r.message}`);
  return r.value;
};

test('block mappings, sequences of mappings, flow lists and maps, scalars', () => {
  assert.deepEqual(
    ok(`
name: "a # not a comment"   # a comment
seed: 12
ratio: 0.5
flag: true
none: ~
hex: 0x10
list: [127.0.40.1, '127.0.40.2-3', "x, y"]
map: { a: 1, b: [2, 3] }
hosts:
  - address: 127.0.40.1
    profile: win9x
  -
    address: 127.0.40.2
  - plain item
nested:
  deeper:
    - 1
    - 2
`),
    {
      name: 'a # not a comment',
      seed: 12,
      ratio: 0.5,
      flag: true,
      none: null,
      hex: 16,
      list: ['127.0.40.1', '127.0.40.2-3', 'x, y'],
      map: { a: 1, b: [2, 3] },
      hosts: [{ address: '127.0.40.1', profile: 'win9x' }, { address: '127.0.40.2' }, 'plain item'],
      nested: { deeper: [1, 2] },
    },
  );
});

test('a sequence may sit at the same indentation as its key', () => {
  assert.deepEqual(ok('refused:\n- 127.0.40.9\n- 127.0.40.10\nseed: 3\n'), {
    refused: ['127.0.40.9', '127.0.40.10'],
    seed: 3,
  });
});

test('keys named like Object.prototype members, escaped quotes before a #, and \\x escapes', () => {
  assert.deepEqual(ok('toString: 1\nconstructor: two\nhasOwnProperty: [3]\n'), {
    toString: 1,
    constructor: 'two',
    hasOwnProperty: [3],
  });
  assert.deepEqual(ok('name: "x\\" # y"   # the comment starts here\n'), { name: 'x" # y' });
  assert.deepEqual(ok('a: "\\x41\\u0042\\t"\n'), { a: 'AB\t' });
});

test('a spec with a toString: key is rejected as an unknown field, not as bad YAML', () => {
  assert.throws(
    () => loadLabSpec('refused: 127.0.40.1\ntoString: 1\n', 'x.yaml'),
    (e: unknown) =>
      e instanceof RpcsweepError &&
      e.code === 'LAB_SPEC_INVALID' &&
      e.message === 'x.yaml: line 2: toString: unknown field',
  );
});

test('a field the spec check rejects is named with its file and line', () => {
  const text =
    '# lab\nname: t\nhosts:\n  - address: 127.0.40.1\n    profile: win2000-sp4\n  - address: 127.0.40.2\n    profile: nonesuch\n';
  assert.throws(
    () => loadLabSpec(text, 'lab.yaml'),
    (e: unknown) =>
      e instanceof RpcsweepError &&
      e.code === 'LAB_UNKNOWN_PROFILE' &&
      /^lab\.yaml: line 7: hosts\[1\]\.profile: /.test(e.message) &&
      e.details.line === 7,
  );
  // A missing field points at the mapping that lacks it.
  assert.throws(() => loadLabSpec('hosts:\n  - address: 127.0.40.1\n', 'lab.yaml'), {
    message: /^lab\.yaml: line 2: hosts\[0\]\.profile: /,
  });
});

test('broken YAML is an error with a line number, never a guess', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['a: 1\na: 2\n', 2, /unique/],
    // Unclosed: reported where the parser ran out, the line after.
    ['a: [1, 2\n', 2, /end with a \]/],
    ['a: "open\n', 2, /closing "quote/],
    ['a: 1\n\tb: 2\n', 2, /tab/i],
    ['a: !!js/function 1\n', 1, /tag/i],
    ['a: 1\n---\nb: 2\n', 2, /document/i],
  ];
  for (const [text, line, pattern] of cases) {
    const r = parseYaml(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.equal(r.line, line, `${text}: ${r.message}`);
      assert.match(r.message, pattern, text);
    }
  }
});
