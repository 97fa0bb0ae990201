/** `rpcsweep scan` carries remediation advice in its reports (issue #5), and `--no-advice` removes it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at, atPattern } from '../support/lab-block.ts';

const makeIo = () => makeCliIo();

const scan = async (...extra: string[]) => {
  const t = makeIo();
  const code = await runCli(['scan', '--lab', 'hotfix-sample', '--timeout', '1000', ...extra], t.io);
  assert.equal(code, 0, t.err());
  return t.out();
};

test('ndjson: every record of a host that answered or refused carries advice; the unpatched host gets MS03-039/KB824146', async () => {
  const lines = (await scan('--format', 'ndjson')).trimEnd().split('\n');
  const records = lines.map((l) => JSON.parse(l));
  assert.equal(records.length, 100);
  // Unreachable addresses are compact lines (address, verdict, timing): no evidence, no advice.
  for (const [i, r] of records.entries()) {
    if (r.verdict !== 'unreachable') continue;
    assert.deepEqual(Object.keys(r), ['address', 'verdict', 'startedAt', 'durationMs']);
    assert.ok(Buffer.byteLength(lines[i]!) <= 120, lines[i]);
  }
  for (const r of records.filter((x) => x.verdict !== 'unreachable')) {
    assert.equal(typeof r.advice?.status, 'string', `${r.address} has no advice`);
    assert.ok(Array.isArray(r.advice.actions) && r.advice.actions.length > 0);
  }
  const unpatched = records.find((r) => r.address === at('127.0.10.56'));
  assert.equal(unpatched.verdict, 'unpatched');
  assert.equal(unpatched.advice.status, 'patch-now');
  // COM 5.6 without a known service pack: Windows 2000 SP2 cannot be excluded, so MS01-041 is named for it.
  assert.deepEqual(unpatched.advice.fixes, [
    { bulletin: 'MS03-039', kb: 'KB824146' },
    { bulletin: 'MS01-041', kb: 'MS01-041', onlyOn: 'Windows 2000 SP2' },
  ]);
  const kb823980 = records.filter((r) => r.verdict === 'patched-kb823980');
  assert.equal(kb823980.length, 9);
  for (const r of kb823980) assert.equal(r.advice.status, 'patch-recommended');
  for (const r of records.filter((x) => x.verdict === 'refused')) assert.equal(r.advice.status, 'verify');
});

test('text: Statistics block unchanged, then an Advice block naming the unpatched host first', async () => {
  const out = await scan();
  const stats = out.indexOf('Statistics:');
  const advice = out.indexOf('\nAdvice:\n');
  assert.ok(stats > 0 && advice > stats, 'Advice follows Statistics');
  assert.match(out, /^ TOTAL ADDRESSES SCANNED\s+= 100\n\nAdvice:\n/m);
  assert.match(out, /^ patch-now\s+= 1$/m);
  assert.match(out, /^ patch-recommended\s+= 9$/m);
  const hostLines = out
    .slice(advice)
    .split('\n')
    .filter((l) => new RegExp(`^ ${atPattern('127.0.10')}\\.\\d+: `).test(l));
  assert.equal(
    hostLines[0],
    at(' 127.0.10.56: patch-now: install MS03-039 (KB824146); on Windows 2000 SP2 also MS01-041'),
  );
  assert.ok(hostLines.length <= 50, `at most 50 hosts listed, got ${hostLines.length}`);
  const needAction = Number(/^ Hosts that need action \((\d+)\):$/m.exec(out)?.[1]);
  // Unpatched, KB823980-only and refused hosts all need action; their host lines are above.
  assert.equal(
    needAction,
    out.match(
      new RegExp(`^${atPattern('127.0.10')}\\.\\d+: (?:connection|unpatched|patched with KB823980$)`, 'gm'),
    )?.length,
  );
  if (needAction > 50) assert.match(out, new RegExp(`^ \\.\\.\\. and ${needAction - 50} more; `, 'm'));
  assert.match(out, /filter these ports .*\n 69\/udp, 135\/tcp/);
});

test('--no-advice: text ends with the Statistics block; ndjson records are plain HostResults', async () => {
  const text = await scan('--no-advice');
  assert.ok(!text.includes('Advice:'));
  assert.match(text, / TOTAL ADDRESSES SCANNED\s+= 100\n$/);
  const first = JSON.parse((await scan('--format', 'ndjson', '--no-advice')).split('\n')[0]!);
  assert.equal(first.advice, undefined);
});
