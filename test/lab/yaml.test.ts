import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('unsupported or broken YAML is an error with a line number, never a guess', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['a: 1\na: 2\n', 2, /duplicate key "a"/],
    ['a: &anchor 1\n', 1, /unsupported YAML feature/],
    ['a: [1, 2\n', 1, /flow list must end/],
    ['a:\n  - 1\n    - 2\n', 3, /bad indentation/],
    ['a: "open\n', 1, /unterminated/],
    ['just a line\n', 1, /expected "key: value"/],
    ['a: 1\n\tb: 2\n', 2, /tabs/],
  ];
  for (const [text, line, pattern] of cases) {
    const r = parseYaml(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) {
      assert.equal(r.line, line, text);
      assert.match(r.message, pattern);
    }
  }
});
