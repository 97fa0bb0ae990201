/**
 * Exploit-shaped activation requests carried over SMB named pipes other than an SMB2 WRITE (issue
 * #16): SMB1 WriteAndX, SMB1 TRANSACTION/TransactNmPipe and SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE. The
 * captures are synthetic (test/triage/build.ts: \epmapper opened, the RemoteActivation bind, then the
 * request; the object name's server part is a repeated letter), and tshark, which nobody here wrote,
 * must decode each as that SMB command carrying a DCE/RPC RemoteActivation request before triage's
 * verdict counts. Negative: ≤ 15 letters on each carrier; the same bytes in a TRANSACTION that is not
 * TransactNmPipe, and in an IOCTL that is not FSCTL_PIPE_TRANSCEIVE (no RPC is carried there).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readFrames } from '../../src/capture/index.ts';
import { type Alert, TriageEngine } from '../../src/triage/index.ts';
import { needs, run } from '../support/system.ts';
import {
  FSCTL_PIPE_PEEK,
  type Packet,
  pcap,
  remactOverSmb1,
  remactOverSmb2Ioctl,
  remactRequestWithServerPart,
} from './build.ts';

const dir = mkdtempSync(join(tmpdir(), 'rs-triage-smb-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const triage = (packets: Packet[]): Alert[] => {
  const alerts: Alert[] = [];
  const engine = new TriageEngine((a) => alerts.push(a));
  for (const item of readFrames(pcap(packets))) engine.push(item);
  engine.finish();
  return alerts;
};

/** tshark's view of the DCE/RPC requests: carrier fields, packet type, opnum, call id, protocols. */
const tsharkRequests = (name: string, packets: Packet[]) => {
  const file = join(dir, `${name}.pcap`);
  writeFileSync(file, pcap(packets));
  const fields = ['smb.cmd', 'smb_pipe.function', 'smb2.cmd', 'smb2.ioctl.function', 'dcerpc.opnum'];
  const out = run('tshark', [
    '-r',
    file,
    '-Y',
    'dcerpc.pkt_type == 0',
    '-T',
    'fields',
    ...fields.flatMap((f) => ['-e', f]),
    '-e',
    'dcerpc.cn_call_id',
    '-e',
    'frame.protocols',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split('\t'));
};

const CASES = [
  {
    name: 'SMB1 WriteAndX',
    build: (letters: number) =>
      remactOverSmb1('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(letters), 'write-andx'),
    // smb.cmd lists the AndX chain: WriteAndX (0x2f), then "no further command" (0xff).
    tshark: ['0x2f,0xff', '', '', '', '0'],
    version: 1,
  },
  {
    name: 'SMB1 TransactNmPipe',
    build: (letters: number) =>
      remactOverSmb1('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(letters), 'transact-nm-pipe'),
    tshark: ['0x25', '0x0026', '', '', '0'],
    version: 1,
  },
  {
    name: 'SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE',
    build: (letters: number) =>
      remactOverSmb2Ioctl('10.0.0.66', '10.0.0.5', 1, remactRequestWithServerPart(letters)),
    tshark: ['', '', '11', '0x0011c017', '0'],
    version: 2,
  },
] as const;

for (const c of CASES) {
  test(`${c.name}: tshark decodes a RemoteActivation request on the pipe; triage alerts on 40 letters`, {
    skip: needs('tshark'),
  }, () => {
    const packets = c.build(40);
    const requests = tsharkRequests(c.name.replace(/\W+/g, '-'), packets);
    assert.equal(requests.length, 1, JSON.stringify(requests));
    const [smbCmd, pipeFn, smb2Cmd, ioctl, opnum, callId, protocols] = requests[0]!;
    assert.deepEqual([smbCmd, pipeFn, smb2Cmd, ioctl, opnum], [...c.tshark]);
    assert.equal(callId, '2');
    assert.match(protocols!, c.version === 1 ? /:nbss:smb:dcerpc/ : /:nbss:smb2:dcerpc/);

    const alerts = triage(packets);
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['exploit-activation'],
    );
    const a = alerts[0]!;
    assert.equal(a.dport, 445);
    assert.match(a.signature, /over SMB pipe/);
    assert.equal(a.evidence.smb_version, c.version);
    assert.equal(a.evidence.pipe, 'epmapper');
    assert.equal(a.evidence.server_part_length, 40);
    assert.equal(a.evidence.opnum, 0);
    assert.match(String(a.evidence.stub_sha256), /^[0-9a-f]{64}$/);
    // Lengths and a hash only: no payload bytes (the repeated letter) in the alert.
    assert.doesNotMatch(JSON.stringify(a), /AAAAAAAAAAAAAAAA/);
  });

  test(`${c.name}: a 15-letter server part (an ordinary name) raises nothing`, () => {
    assert.deepEqual(triage(c.build(15)), []);
  });
}

test('the same bytes in a TRANSACTION that is not TransactNmPipe, or an IOCTL that is not TRANSCEIVE: no alert', {
  skip: needs('tshark'),
}, () => {
  const request = remactRequestWithServerPart(40);
  // 0x0023 is PeekNmPipe (MS-CIFS 2.2.5): it carries no RPC; tshark does not decode one either.
  const peek = remactOverSmb1('10.0.0.66', '10.0.0.5', 1, request, 'transact-nm-pipe', 0x0023);
  const peek2 = remactOverSmb2Ioctl('10.0.0.66', '10.0.0.5', 1, request, FSCTL_PIPE_PEEK);
  assert.equal(tsharkRequests('smb1-peek', peek).length, 0);
  assert.equal(tsharkRequests('smb2-peek', peek2).length, 0);
  assert.deepEqual(triage(peek), []);
  assert.deepEqual(triage(peek2), []);
});
