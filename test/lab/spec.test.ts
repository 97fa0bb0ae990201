import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RpcsweepError } from '../../src/core/errors.ts';
import { BUILTIN_SPECS, loadLabSpec, PROFILE_LIST, PROFILES } from '../../src/lab/index.ts';

const codeOf = (fn: () => unknown): { code: string; message: string } => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof RpcsweepError, `not an RpcsweepError: ${e}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('did not throw');
};

test('hotfix-sample reproduces the KB823980scan sample run address by address', () => {
  const s = BUILTIN_SPECS['hotfix-sample']!;
  assert.equal(s.targetSpec, '127.0.10.1-100');
  const octet = (a: string) => Number(a.split('.')[3]);
  const byVerdict = (v: string) =>
    s.hosts.filter((h) => PROFILES.get(h.profile)!.expected.verdict === v).map((h) => octet(h.address));
  assert.deepEqual(byVerdict('patched-kb823980'), [51, 53, 54, 55, 57, 69, 70, 71, 100]);
  assert.deepEqual(byVerdict('unpatched'), [56]);
  assert.deepEqual(s.refused.map(octet), [11, 21, 68, 91, 92]);
  assert.equal(s.unreachable.length, 85);
  assert.ok(s.hosts.every((h) => h.address.startsWith('127.0.10.')));
});

test('mix-16 is a /16 with about 1 % hosts of every non-hostile profile and 9 % refused', () => {
  const s = BUILTIN_SPECS['mix-16']!;
  const total = s.hosts.length + s.refused.length + s.unreachable.length;
  assert.equal(total, 65536);
  assert.equal(s.targetSpec, '127.20.0.0/16');
  assert.ok(s.hosts.length > 0.008 * total && s.hosts.length < 0.012 * total, `${s.hosts.length} hosts`);
  assert.ok(s.refused.length > 0.08 * total && s.refused.length < 0.1 * total, `${s.refused.length} refused`);
  const used = new Set(s.hosts.map((h) => h.profile));
  for (const p of PROFILE_LIST.filter((p) => p.family !== 'hostile')) assert.ok(used.has(p.name), p.name);
  assert.ok(!s.hosts.some((h) => PROFILES.get(h.profile)!.family === 'hostile'));
});

test('a generated mix is reproducible from its seed and changes with it', () => {
  const spec = (seed: number) => ({
    seed,
    range: '127.0.210.0/24',
    generate: { windows: 0.2, refused: 0.3 },
  });
  assert.deepEqual(loadLabSpec(spec(7)), loadLabSpec(spec(7)));
  assert.notDeepEqual(loadLabSpec(spec(7)).hosts, loadLabSpec(spec(8)).hosts);
});

test('every built-in spec validates and every profile is documented with a basis', () => {
  for (const [name, s] of Object.entries(BUILTIN_SPECS)) {
    assert.ok(s.hosts.length > 0, name);
    for (const h of s.hosts) assert.ok(h.netbiosName.length <= 15, h.netbiosName);
  }
  for (const p of PROFILE_LIST) {
    assert.ok(p.notes.length > 30, `${p.name} explains its behaviour`);
    if (p.family !== 'hostile') assert.match(p.notes, /\[[CI]\]|\[C /, `${p.name} names its basis`);
  }
});

test('YAML and JSON spellings of a spec give the same lab', () => {
  const yaml = `
# a small office
name: office
seed: 5
hosts:
  - address: 127.0.211.1
    profile: win2000-sp4
  - { addresses: "127.0.211.2-3", profile: winxp-sp1-kb824146 }
refused: [127.0.211.4]
unreachable:
  - 127.0.211.5-6
`;
  const json = JSON.stringify({
    name: 'office',
    seed: 5,
    hosts: [
      { address: '127.0.211.1', profile: 'win2000-sp4' },
      { addresses: '127.0.211.2-3', profile: 'winxp-sp1-kb824146' },
    ],
    refused: ['127.0.211.4'],
    unreachable: ['127.0.211.5-6'],
  });
  const a = loadLabSpec(yaml, 'office.yaml');
  assert.deepEqual(a, loadLabSpec(json, 'office.json'));
  assert.deepEqual(
    a.hosts.map((h) => h.address),
    ['127.0.211.1', '127.0.211.2', '127.0.211.3'],
  );
  assert.equal(a.targetSpec, '127.0.211.1-6');
});

test('errors name the file and the path of the bad field', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [
      { hosts: [{ address: '127.0.212.1', profile: 'win2000-sp4', colour: 'red' }] },
      'LAB_SPEC_INVALID',
      /hosts\[0\]\.colour: unknown field/,
    ],
    [
      { hosts: [{ address: '127.0.212.300', profile: 'win2000-sp4' }] },
      'LAB_SPEC_INVALID',
      /hosts\[0\]\.address: .*not an IPv4/,
    ],
    [{ hosts: [{ address: '10.0.0.1', profile: 'win2000-sp4' }] }, 'LAB_SPEC_INVALID', /127\.0\.0\.0\/8/],
    [{ refused: ['127.0.0.1'] }, 'LAB_SPEC_INVALID', /reserved/],
    [
      { hosts: [{ address: '127.0.212.1', profile: 'win2042' }] },
      'LAB_UNKNOWN_PROFILE',
      /hosts\[0\]\.profile: no profile "win2042"/,
    ],
    [
      { refused: ['127.0.212.1'], unreachable: ['127.0.212.0-5'] },
      'LAB_SPEC_INVALID',
      /unreachable: 127\.0\.212\.1 is already placed by refused/,
    ],
    [{ seed: -1, refused: ['127.0.212.1'] }, 'LAB_SPEC_INVALID', /seed/],
    [{}, 'LAB_SPEC_INVALID', /places no address/],
    [{ range: '127.0.212.0/24', generate: { windows: 0.9, refused: 0.5 } }, 'LAB_SPEC_INVALID', /exceed 1/],
    [
      { hosts: [{ address: '127.0.212.1', profile: 'win2000-sp4', netbiosName: 'A_NAME_FAR_TOO_LONG' }] },
      'LAB_SPEC_INVALID',
      /netbiosName/,
    ],
  ];
  for (const [input, code, pattern] of cases) {
    const e = codeOf(() => loadLabSpec(input as object, 'bad.json'));
    assert.equal(e.code, code, e.message);
    assert.match(e.message, /^bad\.json: /);
    assert.match(e.message, pattern);
  }
});

test('YAML syntax errors carry the line number', () => {
  const e = codeOf(() =>
    loadLabSpec('name: x\nhosts:\n  - address: 127.0.213.1\n     profile: win9x\n', 'x.yaml'),
  );
  assert.equal(e.code, 'LAB_SPEC_INVALID');
  // The library reports the node that cannot hold the over-indented key: the item on line 3.
  assert.match(e.message, /x\.yaml: \(yaml line 3\)/);
  const bad = codeOf(() => loadLabSpec('hosts: [unclosed', 'y.yaml'));
  assert.match(bad.message, /line 1/);
  const json = codeOf(() => loadLabSpec('{"hosts": [', 'z.json'));
  assert.match(json.message, /z\.json: \(json\)/);
});
