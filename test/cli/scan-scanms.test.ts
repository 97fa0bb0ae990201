/**
 * The Scanms table means what ISS's Scanms meant (issue #11): against the hotfix-sample lab, modelled
 * on the seed's sample run, the KB823980 hosts read `[ptch] [ptch] 5.6` and the unpatched one
 * `[....] [VULN] 0.0`, the seed's own row shapes; MS03-039 is a column of its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import type { HostResult } from '../../src/core/result.ts';
import { scanmsRow } from '../../src/report/scanms.ts';
import { RESULTS } from '../report/fixtures.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { at, atPattern } from '../support/lab-block.ts';

test('hotfix-sample: rows of the seed shapes, rpcsweep MS03-039 result in its own column', async () => {
  const t = makeCliIo();
  const code = await runCli(
    ['scan', '--lab', 'hotfix-sample', '--timeout', '1000', '--format', 'scanms', '--no-advice'],
    t.io,
  );
  assert.equal(code, 0, t.err());
  const out = t.out();
  assert.match(out, /^IP Address {7}REMACT {2}SYSACT {2}DCOM Version {2}MS03-039$/m);
  const rows = out.split('\n').filter((l) => new RegExp(`^${atPattern('127.0.10')}\\.\\d+ `).test(l));
  const shapes = rows.map((l) => l.split(/\s+/).slice(1).join(' '));
  assert.equal(rows.length, 10);
  assert.equal(shapes.filter((s) => s === '[ptch] [ptch] 5.6 [VULN]').length, 9, out);
  const unpatched = rows.find((l) => l.startsWith(at('127.0.10.56 ')));
  assert.equal(unpatched?.split(/\s+/).slice(1).join(' '), '[....] [VULN] 0.0 [VULN]');
});

test('Scanms columns per rpcsweep reading: KB824146, NT4 and restricted hosts', () => {
  const with039 = (over: Partial<HostResult>) => scanmsRow({ ...RESULTS[0]!, ...over });
  // KB824146: SYSACT says patched, REMACT is not run: the seed's third shape, `[....] [ptch] 0.0`.
  assert.deepEqual(with039({ remact: '....', evidence: [] }), {
    remact: '....',
    sysact: 'ptch',
    dcomVersion: '0.0',
    ms03039: 'ptch',
  });
  // NT4: no ISystemActivator, REMACT decides and its reply carries the version.
  const nt4 = with039({
    verdict: 'unpatched',
    ms03_026: 'vulnerable',
    ms03_039: 'not-testable',
    remact: 'VULN',
    sysact: '....',
    evidence: [
      {
        probe: 'ms03-039-sysact',
        transport: 'tcp',
        port: 135,
        classification: 'bind-rejected',
        success: true,
        durationMs: 1,
      },
      {
        probe: 'ms03-026-remact',
        transport: 'tcp',
        port: 135,
        classification: 'hresult',
        success: true,
        comVersion: '5.1',
        durationMs: 1,
      },
    ],
  });
  assert.deepEqual(nt4, { remact: 'VULN', sysact: '....', dcomVersion: '5.1', ms03039: '....' });
  assert.deepEqual(scanmsRow(RESULTS[3]!), {
    remact: '....',
    sysact: '....',
    dcomVersion: '0.0',
    ms03039: '....',
  });
});
