/**
 * tshark (Wireshark 4.0) as an oracle: every PDU the emulator sends while answering the documented
 * probes decodes with no malformed or expert-error flags, and the HRESULT / COMVERSION fields tshark
 * reads are the ones each profile promises. Captures on lo (root), port 135, 127.B.225.0/24 only (B: the run's block).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROFILE_LIST, startLab } from '../../src/lab/index.ts';
import {
  EPM_SYNTAX,
  encodeEptLookupRequest,
  encodeRemactProbe,
  encodeSysactProbe,
  MGMT_SYNTAX,
  OXID_SYNTAX,
  REMACT_UUID,
  SYSACT_SYNTAX,
} from '../../src/protocol/dcerpc/index.ts';
import { startCapture } from '../support/capture.ts';
import { blockOctet } from '../support/lab-block.ts';
import { needs } from '../support/system.ts';
import { call, runAsync } from './support.ts';

const NET = `127.${blockOctet()}.225`;
const CID = '11111111-2222-3333-4444-555555555555';
const CLSID = '4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e';

test('tshark decodes every emulator reply cleanly and reads the promised HRESULT and COMVERSION', {
  skip: needs('tshark', 'root'),
}, async () => {
  const profiles = PROFILE_LIST.filter((p) => p.family !== 'hostile');
  const hosts = profiles.map((p, i) => ({ address: `${NET}.${i + 1}`, profile: p.name }));
  const dir = mkdtempSync(join(tmpdir(), 'rpcsweep-lab-tshark-'));
  const file = join(dir, 'lab.pcapng');
  const lab = await startLab({ hosts }, { port: 135 });
  const capture = await startCapture({
    file,
    filter: `net ${NET}.0/24 and tcp port 135`,
    canary: { address: `${NET}.254`, port: 135 },
  }).catch(async (e) => {
    await lab.close();
    throw e;
  });
  try {
    // Each call must get its whole reply: a call cut by its timeout on a loaded machine would leave
    // the capture without that reply and fail the oracle checks below for the wrong reason.
    const answered = async (what: string, c: Promise<{ end: string }>) =>
      assert.equal((await c).end, 'open', what);
    const slow = { timeoutMs: 15_000 };
    for (const h of hosts) {
      const at = `${h.profile} (${h.address})`;
      await answered(
        `${at} SYSACT`,
        call(h.address, 135, SYSACT_SYNTAX, 3, encodeSysactProbe({ cid: CID }), slow),
      );
      await answered(
        `${at} REMACT`,
        call(
          h.address,
          135,
          { uuid: REMACT_UUID, major: 0, minor: 0 },
          0,
          encodeRemactProbe({ cid: CID, clsid: CLSID }),
          slow,
        ),
      );
      await answered(`${at} IOXIDResolver`, call(h.address, 135, OXID_SYNTAX, 5, new Uint8Array(0), slow));
      await answered(`${at} mgmt`, call(h.address, 135, MGMT_SYNTAX, 0, new Uint8Array(0), slow));
      await answered(
        `${at} ept_lookup`,
        call(h.address, 135, EPM_SYNTAX, 2, encodeEptLookupRequest({ maxEnts: 500 }), {
          maxFrag: 2048,
          ...slow,
        }),
      );
    }
  } finally {
    await capture.stop();
    await lab.close();
  }
  try {
    // Only the emulator's replies count: Tenable's SYSACT request is malformed on purpose (12 × 'A').
    const malformed = await runAsync('tshark', [
      '-r',
      file,
      '-Y',
      '(_ws.malformed || _ws.expert.severity == "error") && tcp.srcport == 135',
      '-T',
      'fields',
      '-e',
      'frame.number',
      '-e',
      '_ws.expert.message',
    ]);
    assert.equal(malformed.trim(), '', `malformed or expert-error frames:\n${malformed}`);
    const summary = await runAsync('tshark', [
      '-r',
      file,
      '-Y',
      'dcerpc && tcp.srcport == 135',
      '-T',
      'fields',
      '-e',
      'dcerpc.pkt_type',
    ]);
    const types = summary.trim().split('\n');
    assert.ok(types.length >= hosts.length * 5, `${types.length} DCE/RPC frames from the lab`);
    // REMACT replies: the HRESULT and COMVERSION tshark reads are what each profile promises.
    const remact = await runAsync('tshark', [
      '-r',
      file,
      '-Y',
      'remact && dcerpc.pkt_type == 2',
      '-T',
      'fields',
      '-E',
      'separator=;',
      '-e',
      'ip.src',
      '-e',
      'dcom.version_major',
      '-e',
      'dcom.version_minor',
      '-e',
      'dcom.hresult',
    ]);
    const byAddress = new Map(
      remact
        .trim()
        .split('\n')
        .map((line) => {
          const [ip, major, minor, hr] = line.split(';');
          return [ip!, { version: `${major}.${minor}`, hr: Number(hr!.split(',')[0]) >>> 0 }];
        }),
    );
    let checked = 0;
    for (const [i, p] of profiles.entries()) {
      const got = byAddress.get(hosts[i]!.address);
      if (p.expected.dcomVersion === '0.0') {
        assert.equal(got, undefined, `${p.name} has no REMACT`);
        continue;
      }
      assert.ok(got, `${p.name}: no REMACT reply decoded`);
      assert.equal(got.version, p.expected.dcomVersion, p.name);
      if (p.expected.ms03_026 === 'patched' && p.expected.verdict === 'patched-kb823980')
        assert.equal(got.hr, 0x80080004, p.name);
      if (p.expected.ms03_026 === 'vulnerable') assert.ok(![0x80080004, 0x80070005].includes(got.hr), p.name);
      if (p.expected.verdict === 'dcom-restricted') assert.equal(got.hr, 0x80070005, p.name);
      checked++;
    }
    assert.ok(checked >= 20, `${checked} REMACT replies checked`);
    // SYSACT replies: the patched set exactly for KB824146 hosts (Tenable 11835).
    const sysact = await runAsync('tshark', [
      '-r',
      file,
      '-Y',
      'isystemactivator && dcerpc.pkt_type == 2',
      '-T',
      'fields',
      '-E',
      'separator=;',
      '-e',
      'ip.src',
      '-e',
      'dcom.hresult',
    ]);
    const sysHr = new Map(
      sysact
        .trim()
        .split('\n')
        .map((l) => [l.split(';')[0]!, Number(l.split(';')[1]!.split(',')[0]) >>> 0]),
    );
    for (const [i, p] of profiles.entries()) {
      const hr = sysHr.get(hosts[i]!.address);
      if (p.expected.ms03_039 === 'patched')
        assert.ok([0x8001011d, 0x80070057].includes(hr!), `${p.name} ${hr}`);
      if (p.expected.ms03_039 === 'vulnerable')
        assert.ok(hr !== undefined && ![0x8001011d, 0x80070057, 0x80070005].includes(hr), p.name);
    }
  } finally {
    if (!process.env.KEEP_PCAP) rmSync(dir, { recursive: true, force: true });
    else console.log('pcap kept at', file);
  }
});
