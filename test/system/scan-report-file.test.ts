/**
 * The text report is the complete one (issue #11): against the blaster-office lab, `-n --epm -o FILE`
 * puts each NetBIOS name on its host line, the endpoint list under the host, the seed, port, start and
 * elapsed time in the report, and the hosts of the file in address order. The lab's NBSTAT responders
 * need root (UDP 137).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { atPattern, at as onBlock } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';

const octets = (line: string) => line.split(/[ :]/)[0]!.split('.').map(Number);

test('text file: NetBIOS names on host lines, endpoints under them, run data, hosts sorted', {
  skip: needs('root'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-report-file-'));
  try {
    const out = join(dir, 'office.txt');
    const t = makeCliIo();
    const args = [
      'scan',
      '--lab',
      'blaster-office',
      '-n',
      '--epm',
      '--timeout',
      '600',
      '--seed',
      '5',
      '-o',
      out,
    ];
    assert.equal(await runCli(args, t.io), 0, t.err());
    const text = readFileSync(out, 'utf8');
    assert.match(text, new RegExp(`^${atPattern('127.0.34.3')} \\(LEGACYNT\\): unpatched$`, 'm'));
    assert.match(text, new RegExp(`^${atPattern('127.0.34.1')} \\(FILESRV\\): patched with both`, 'm'));
    assert.match(text, /^Seed 5, shard 1\/1, port \d+, started \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    assert.match(text, /^<\+> Scan finished at \S+ \(elapsed \d+\.\d\d s\)$/m);
    // Under a Windows host, its endpoints; the endpoint mapper itself is always registered.
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith(onBlock('127.0.34.2 ')));
    assert.match(lines[at + 1]!, /^ {4}endpoint \S+ [0-9a-f-]{36} v\d+\.\d+/);
    const hosts = lines.filter((l) => new RegExp(`^${atPattern('127.0.34')}\\.\\d+[ :]`).test(l));
    assert.ok(hosts.length >= 10, text);
    const order = hosts.map((l) => octets(l)[3]!);
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      'hosts in address order',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
