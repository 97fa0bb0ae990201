/** Lab-based: fake shells and TFTP servers are flagged, clean hosts are not. */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { IndicatorFinding } from '../../src/core/result.ts';
import { startFakeShell } from '../../src/lab/services/shell4444.ts';
import { startFakeTftp } from '../../src/lab/services/tftp.ts';
import { FakeTransport } from '../../src/net/testing/fake-transport.ts';
import {
  closedTcpPort,
  closedUdpPort,
  startLoopbackTcpServer,
  startLoopbackUdpServer,
} from '../../src/net/testing/loopback.ts';
import { nodeTransport } from '../../src/net/transport.ts';
import { looksLikeWindowsShell, shell4444Probe } from '../../src/probes/indicator-shell4444.ts';
import { tftpProbe } from '../../src/probes/indicator-tftp.ts';
import { encodeTftpError } from '../../src/protocol/tftp.ts';
import { contextFor, labAddress } from './indicator-context.ts';

const closers: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of closers) await c();
});
const indicatorsOf = (o: { fields?: Record<string, unknown> }) =>
  (o.fields?.indicators ?? []) as IndicatorFinding[];

describe('indicator-shell4444', () => {
  test('shell text recognition (pure)', () => {
    assert.deepEqual(looksLikeWindowsShell('Microsoft Windows 2000 [Version 5.00.2195]\r\n'), {
      banner: true,
      prompt: false,
    });
    assert.deepEqual(looksLikeWindowsShell('\r\nC:\\WINNT\\system32>'), { banner: false, prompt: true });
    assert.deepEqual(looksLikeWindowsShell('SSH-2.0-OpenSSH_9.2\r\n'), { banner: false, prompt: false });
  });

  test('a lab host with the fake shell is flagged likely-compromised', async () => {
    const address = labAddress(1);
    const shell = await startFakeShell({ address, port: 0 });
    closers.push(() => shell.close());
    const o = await shell4444Probe.run(contextFor(nodeTransport, address, shell.port, { timeoutMs: 2000 }));
    assert.equal(o.success, true);
    const [f] = indicatorsOf(o);
    assert.equal(f?.indicator, 'shell-4444');
    assert.equal(f?.severity, 'likely-compromised');
    assert.match(f!.evidence, /remote shell on 4444: likely compromised .*Microsoft Windows XP/);
    assert.ok(o.durationMs < 1500, 'stopped at the prompt instead of waiting out the read window');
  });

  test('never sends a byte to the shell', async () => {
    const received: Buffer[] = [];
    const s = await startLoopbackTcpServer({
      host: labAddress(2),
      onConnection: (sock) => {
        sock.on('data', (d) => received.push(d));
        sock.write('Microsoft Windows XP [Version 5.1.2600]\r\nC:\\>');
      },
    });
    closers.push(() => s.close());
    await shell4444Probe.run(contextFor(nodeTransport, s.host, s.port, { timeoutMs: 1000 }));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(received.length, 0);
    const fake = new FakeTransport().tcp('192.0.2.1', 4444, {
      banner: Buffer.from('C:\\WINDOWS\\system32>'),
      steps: [],
    });
    const o = await shell4444Probe.run(contextFor(fake, '192.0.2.1', 4444));
    assert.equal(indicatorsOf(o)[0]?.indicator, 'shell-4444');
    assert.equal(fake.sent.length, 0);
  });

  test('clean hosts: closed port → no indicator; other banner → only "suspicious open port"', async () => {
    const address = labAddress(3);
    const o = await shell4444Probe.run(
      contextFor(nodeTransport, '127.0.0.1', await closedTcpPort(), { timeoutMs: 500 }),
    );
    assert.equal(o.classification, 'refused');
    assert.deepEqual(indicatorsOf(o), []);
    const ssh = await startLoopbackTcpServer({
      host: address,
      onConnection: (sock) => sock.write('SSH-2.0-x\r\n'),
    });
    closers.push(() => ssh.close());
    const o2 = await shell4444Probe.run(contextFor(nodeTransport, address, ssh.port, { timeoutMs: 100 }));
    assert.deepEqual(
      indicatorsOf(o2).map((f) => f.severity),
      ['suspicious'],
    );
  });
});

describe('indicator-tftp', () => {
  for (const replyFromServicePort of [false, true]) {
    test(`a TFTP server offering msblast.exe is flagged (${replyFromServicePort ? 'one socket' : 'new transfer ID'}); the transfer is aborted`, async () => {
      const address = labAddress(replyFromServicePort ? 4 : 5);
      const tftp = await startFakeTftp({ address, port: 0, replyFromServicePort });
      closers.push(() => tftp.close());
      const o = await tftpProbe.run(contextFor(nodeTransport, address, tftp.port, { timeoutMs: 1000 }));
      const [f] = indicatorsOf(o);
      assert.equal(f?.indicator, 'tftp-worm-file');
      assert.equal(f?.severity, 'likely-compromised');
      assert.deepEqual(f?.detail, {
        filename: 'msblast.exe',
        blockNumber: 1,
        blockBytes: 400,
        startsWithMz: true,
      });
      assert.ok(!JSON.stringify(o).includes('AAAA'), 'no payload stored');
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(tftp.aborted, 1, 'the server saw our ERROR');
    });
  }

  test('a variant name is found after "file not found" for the others', async () => {
    const address = labAddress(6);
    const tftp = await startFakeTftp({ address, port: 0, files: ['mslaugh.exe'] });
    closers.push(() => tftp.close());
    const o = await tftpProbe.run(contextFor(nodeTransport, address, tftp.port, { timeoutMs: 1000 }));
    assert.equal((indicatorsOf(o)[0]?.detail as { filename?: string } | undefined)?.filename, 'mslaugh.exe');
    assert.equal(tftp.hits, 5, 'five read requests on the service port; the ERROR went to the transfer port');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(tftp.aborted, 1);
  });

  test('clean hosts: a TFTP server without worm files is info only; closed and silent ports are nothing', async () => {
    const address = labAddress(7);
    const clean = await startFakeTftp({ address, port: 0, files: [] });
    closers.push(() => clean.close());
    const o = await tftpProbe.run(contextFor(nodeTransport, address, clean.port, { timeoutMs: 1000 }));
    assert.deepEqual(
      indicatorsOf(o).map((f) => [f.indicator, f.severity]),
      [['tftp-open', 'info']],
    );

    const closed = await tftpProbe.run(
      contextFor(nodeTransport, '127.0.0.1', await closedUdpPort(), { timeoutMs: 500 }),
    );
    assert.equal(closed.classification, 'refused');
    assert.deepEqual(indicatorsOf(closed), []);

    const silent = await startLoopbackUdpServer({ host: address, onMessage: () => {} });
    closers.push(() => silent.close());
    const s = await tftpProbe.run(contextFor(nodeTransport, address, silent.port, { timeoutMs: 50 }));
    assert.equal(s.classification, 'timeout');
    assert.deepEqual(indicatorsOf(s), []);
    assert.equal(silent.received, 1, 'one request to a silent port, not one per name');
  });

  test('a DATA block without MZ is only suspicious (FakeTransport)', async () => {
    const fake = new FakeTransport().udp('192.0.2.2', 69, {
      reply: () => [{ bytes: Uint8Array.from([0, 3, 0, 1, 0x41, 0x42]), fromPort: 40001 }],
    });
    const o = await tftpProbe.run(contextFor(fake, '192.0.2.2', 69));
    assert.equal(indicatorsOf(o)[0]?.severity, 'suspicious');
    assert.equal(fake.sent.at(-1)?.port, 40001, 'ERROR goes to the transfer port');
    assert.deepEqual(
      [...fake.sent.at(-1)!.bytes.subarray(0, 2)],
      [...encodeTftpError(0, 'x').subarray(0, 2)],
    );
  });
});
