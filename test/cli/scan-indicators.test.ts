/**
 * `scan --indicators` finds the TFTP indicator: the DATA block comes back from a new source port
 * (a fresh transfer ID, RFC 1350 §4) and the scan accepts it as `exposure --indicators` does (#11).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { test } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.ts';
import { runCli } from '../../src/cli/main.ts';
import type { HostResult } from '../../src/core/result.ts';
import { startFakeTftp } from '../../src/lab/services/tftp.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { needs } from '../support/system.ts';

test('scan --indicators reports a TFTP server offering msblast.exe from a new transfer port', {
  skip: needs('root'),
}, async () => {
  const address = `127.${200 + (process.pid % 50)}.${randomInt(0, 256)}.${randomInt(1, 255)}`;
  const tftp = await startFakeTftp({ address });
  try {
    const t = makeCliIo();
    const code = await runCli(
      ['scan', address, '--indicators', '--format', 'ndjson', '--timeout', '800'],
      t.io,
    );
    assert.equal(code, EXIT.OK, t.err());
    const host = t
      .out()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Partial<HostResult>)
      .find((r) => r.address === address);
    const tftpFindings = (host?.indicators ?? []).filter((i) => /tftp/i.test(`${i.indicator} ${i.evidence}`));
    assert.ok(
      tftpFindings.some((i) => i.severity === 'likely-compromised'),
      JSON.stringify(host?.indicators),
    );
    // The ERROR that aborts the transfer is a datagram of its own: give it a moment to arrive.
    for (let i = 0; i < 20 && tftp.aborted === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(tftp.aborted, 1, 'the transfer was aborted after the first block');
  } finally {
    await tftp.close();
  }
});
