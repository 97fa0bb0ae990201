/**
 * The ≤ 15-character object-name rule, checked on the bytes that actually crossed the wire: tshark
 * captures loopback while the scanner probes the lab, then every RemoteActivation request in the
 * capture is decoded with rpcsweep's codec and its server part measured. Also checks that only the
 * documented interfaces were bound and only the documented opnums called.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromHex } from '../../src/core/bytes.ts';
import { scanTargets } from '../../src/engine/scan.ts';
import { startLab } from '../../src/lab/index.ts';
import { nodeTransport } from '../../src/net/index.ts';
import { hostProbesFor } from '../../src/probes/registry.ts';
import { decodePdu } from '../../src/protocol/dcerpc/index.ts';
import { MAX_SERVER_PART_CHARS, serverPartOf } from '../../src/protocol/dcerpc/interfaces/dcom.ts';
import { OXID_UUID } from '../../src/protocol/dcerpc/interfaces/oxid.ts';
import { decodeRemoteActivationRequest, REMACT_UUID } from '../../src/protocol/dcerpc/interfaces/remact.ts';
import { SYSACT_UUID } from '../../src/protocol/dcerpc/interfaces/sysact.ts';
import { startCapture } from '../support/capture.ts';
import { blockOctet } from '../support/lab-block.ts';
import { needs, run } from '../support/system.ts';
import { tinySpec } from './scan-specs.ts';

test('probes on the wire: documented binds and opnums only, object-name server parts ≤ 15', {
  skip: needs('tshark', 'root'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-wire-'));
  const pcap = join(dir, 'scan.pcapng');
  const lab = await startLab(tinySpec(142), { isRoot: true });
  const hosts = lab.hosts.map((h) => h.address);
  const filter = `tcp port ${lab.port} and (${hosts.map((h) => `host ${h}`).join(' or ')})`;
  const cap = await startCapture({
    file: pcap,
    filter,
    canary: { address: `127.${blockOctet()}.142.254`, port: lab.port },
  }).catch(async (e) => {
    await lab.close();
    throw e;
  });
  try {
    let n = 0;
    for await (const _ of scanTargets({
      targets: { total: hosts.length, entryAt: (i) => ({ address: hosts[i]! }) },
      transport: nodeTransport,
      probes: hostProbesFor({}),
      timeoutMs: 1000,
      concurrency: 8,
      seed: 5,
      port: lab.port,
    })) {
      n++;
    }
    assert.equal(n, hosts.length);
  } finally {
    await cap.stop();
    await lab.close();
  }
  try {
    const out = run('/usr/bin/tshark', [
      '-r',
      pcap,
      '-Y',
      `tcp.dstport == ${lab.port} && tcp.len > 0`,
      '-T',
      'fields',
      '-e',
      'tcp.payload',
    ]);
    const payloads = out
      .split('\n')
      .filter(Boolean)
      .map((h) => fromHex(h.replace(/:/g, '')));
    assert.ok(payloads.length > 0, 'the capture holds client payloads');
    const bound = new Set<string>();
    const calls: string[] = [];
    let remactRequests = 0;
    for (const p of payloads) {
      const d = decodePdu(p);
      assert.ok(d.ok, 'every client segment is one whole PDU');
      const pdu = d.value;
      if (pdu.type === 'bind') {
        for (const c of pdu.contexts) bound.add(c.abstractSyntax.uuid);
      } else if (pdu.type === 'request') {
        calls.push(`${pdu.opnum}`);
        const q = decodeRemoteActivationRequest(pdu.stub);
        if (pdu.opnum === 0 && q.ok && q.value.objectName != null) {
          remactRequests++;
          assert.ok(serverPartOf(q.value.objectName).length <= MAX_SERVER_PART_CHARS);
        }
      } else {
        assert.fail(`the scanner sent a ${pdu.type} PDU`);
      }
    }
    assert.ok(remactRequests >= 2, `REMACT requests seen: ${remactRequests}`);
    for (const uuid of bound)
      assert.ok([SYSACT_UUID, REMACT_UUID, OXID_UUID].includes(uuid), `unexpected bind ${uuid}`);
    for (const op of calls) assert.ok(['0', '3', '5'].includes(op), `unexpected opnum ${op}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
