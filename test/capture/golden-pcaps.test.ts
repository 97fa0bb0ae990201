/**
 * Every DCE/RPC PDU carried over TCP in the 8 fixture captures decodes, with the counts and facts the
 * fixture README and tshark 4.0.17 give (test/fixtures/SOURCES.md; frame notes in shared/fixtures/pcaps/README.md), both directly over TCP and
 * on SMB1/SMB2 named pipes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeCapture, type PduRecord } from '../../src/capture/index.ts';
import { PCAPS } from '../support/system.ts';

const load = (name: string) => decodeCapture(new Uint8Array(readFileSync(`${PCAPS}${name}`)));

type Body = Record<string, unknown> & { entries?: Array<Record<string, unknown>> };
const body = (r: PduRecord | undefined) => r?.body as Body | undefined;
const histogram = (pdus: PduRecord[]) => {
  const h: Record<string, number> = {};
  for (const p of pdus) h[p.ptype] = (h[p.ptype] ?? 0) + 1;
  return h;
};
const at = (pdus: PduRecord[], frame: number) => pdus.filter((p) => p.frame === frame);

test('Windows EPM scan: bind, bind_ack, 349 ept_lookup requests and 349 responses', () => {
  const { pdus, notes, summary } = load('discovery_scan_dcerpc_endpoint_mapper.pcapng');
  assert.equal(summary.problem, undefined);
  assert.deepEqual(notes, []);
  assert.equal(pdus.length, 700);
  assert.deepEqual(histogram(pdus), { bind: 1, bind_ack: 1, request: 349, response: 349 });
  const requests = pdus.filter((p) => p.ptype === 'request');
  assert.ok(
    requests.every((p) => p.opnum === 2 && p.opnum_name === 'ept_lookup' && body(p)?.max_entries === 1),
  );
  const responses = pdus.filter((p) => p.ptype === 'response');
  assert.ok(responses.every((p) => p.interface?.name === 'EPMv4' && p.call_id === 0));
  const withOne = responses.filter((p) => body(p)?.entries?.length === 1);
  assert.equal(withOne.length, 348);
  // frame 4: the first entry, a 5-floor TCP tower
  const first = body(at(pdus, 4)[0])!.entries![0]!;
  assert.equal(first.object, '765294ba-60bc-48b8-92e9-89fd77769d91');
  assert.deepEqual(first.interface, {
    uuid: 'd95afe70-a6d5-4259-822e-2c84da1ddb0d',
    version: '1.0',
    name: 'WindowsShutdown',
  });
  assert.equal(first.binding, 'ncacn_ip_tcp:10.0.2.18[49664]');
  assert.equal(first.annotation, '');
  // frame 700: end of the enumeration
  const last = body(at(pdus, 700)[0])!;
  assert.equal(last.status, '0x16c9a0d6');
  assert.equal(last.status_name, 'EPT_S_NOT_REGISTERED');
  assert.equal(last.entries!.length, 0);
  assert.deepEqual(last.entry_handle, { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' });
  const tcpPorts = new Set(
    responses.flatMap((p) =>
      (body(p)?.entries ?? []).filter((e) => e.protocol === 'ncacn_ip_tcp').map((e) => e.port),
    ),
  );
  assert.deepEqual([...tcpPorts].sort(), [49664, 49665, 49666, 49667, 49668, 49669, 49670, 49671]);
});

test('impacket rpcdump vs Windows: an 11-fragment response reassembles to 346 entries', () => {
  const { pdus, notes } = load('Discovery_impacket_rpcdump.pcapng');
  assert.deepEqual(notes, []);
  assert.equal(pdus.length, 14);
  const fragments = pdus.filter((p) => p.ptype === 'response');
  assert.equal(fragments.length, 11);
  assert.deepEqual(
    fragments.map((p) => p.frame),
    [4, 5, 6, 8, 9, 10, 10, 10, 10, 11, 11],
  );
  assert.deepEqual(
    fragments.map((p) => p.alloc_hint),
    Array.from({ length: 11 }, (_, i) => 45276 - 4256 * i),
  );
  const lastFragment = fragments.at(-1)!;
  assert.deepEqual(lastFragment.reassembled, { fragments: 11, stub_length: 45276 });
  const b = body(lastFragment)!;
  assert.equal(b.entries!.length, 346);
  assert.equal(b.num_entries, 346);
  assert.equal(b.status, '0x00000000');
  assert.equal((b.entry_handle as { uuid: string }).uuid, '00000000-0000-0000-0000-000000000000');
  assert.ok(fragments.slice(0, -1).every((p) => p.body === undefined));
});

test('PsExec: multi-context bind with BTFN, ept_map to port 49688, NTLM auth3 and sealed SVCCTL', () => {
  const { pdus, notes, summary } = load('LM_psexec_smb_dcerpc_epm_svcctl.pcapng');
  assert.deepEqual(notes, []);
  assert.equal(pdus.length, 25);
  assert.equal(summary.dcerpcConnections, 2); // 135 and 49688; the SMB2 connection is skipped
  const bind = at(pdus, 122)[0]!;
  assert.deepEqual(
    bind.contexts!.map((c) => [c.id, c.name, c.transfer_syntaxes[0]!.name]),
    [
      [0, 'EPMv4', 'NDR32'],
      [1, 'EPMv4', 'BTFN'],
    ],
  );
  const ack = at(pdus, 123)[0]!;
  assert.deepEqual(
    ack.results!.map((r) => [r.result, r.reason]),
    [
      [0, 0],
      [3, 3],
    ],
  );
  assert.equal(ack.secondary_address, '135');
  const map = body(at(pdus, 124)[0])!;
  assert.deepEqual((map.map_tower as Record<string, unknown>).interface, {
    uuid: '367abb81-9844-35f1-ad32-98f038001003',
    version: '2.0',
    name: 'SVCCTL (service control manager)',
  });
  const mapped = body(at(pdus, 125)[0])!;
  assert.equal((mapped.towers as Array<Record<string, unknown>>)[0]!.port, 49688);
  assert.equal(at(pdus, 128)[0]!.ptype, 'auth3');
  assert.equal(at(pdus, 127)[0]!.auth?.type_name, 'ntlmssp');
  const sealed = pdus.filter((p) => p.frame >= 129 && p.frame <= 146);
  assert.equal(sealed.length, 18);
  assert.ok(sealed.every((p) => p.auth?.level === 6 && p.body === undefined));
  assert.ok(sealed.filter((p) => p.ptype === 'response').every((p) => p.body_note?.includes('sealed')));
  assert.deepEqual(
    sealed.filter((p) => p.ptype === 'request').map((p) => p.opnum),
    [15, 45, 0, 16, 19, 6, 6, 0, 0],
  );
});

test('nmap msrpc-enum over SMB1 (WriteAndX/ReadAndX on \\epmapper): 38 lookups, then the stale-handle fault', () => {
  const { pdus, notes, summary } = load('samba-nmap-msrpc-enum-smb445-lo.pcapng');
  assert.deepEqual(notes, []);
  assert.equal(pdus.length, 80);
  assert.deepEqual(histogram(pdus), { bind: 1, bind_ack: 1, request: 39, response: 38, fault: 1 });
  assert.equal(summary.dcerpcConnections, 1);
  assert.ok(pdus.every((p) => p.smb?.version === 1 && p.smb.pipe === 'epmapper' && p.call_id === 0x41414141));
  assert.deepEqual(
    [at(pdus, 18)[0]!.ptype, at(pdus, 21)[0]!.ptype, at(pdus, 21)[0]!.secondary_address],
    ['bind', 'bind_ack', '\\pipe\\epmapper'],
  );
  const last = body(at(pdus, 173)[0])!;
  assert.deepEqual(
    last.entries!.map((e) => [e.annotation, e.binding]),
    [['netdfs', 'ncacn_np:[\\pipe\\netdfs]']],
  );
  assert.equal(last.status, '0x16c9a0d6');
  const fault = at(pdus, 177)[0]!;
  assert.deepEqual([fault.ptype, fault.status, fault.opnum, fault.flags], ['fault', '0x1c00001a', 2, 3]);
  const entries = pdus.filter((p) => p.ptype === 'response').map((p) => body(p)!.entries!.length);
  assert.deepEqual(entries, new Array(38).fill(1));
});

test('srvsvc over SMB2 (IOCTL transceive, Write, Read): 3-context binds, NDR64 chosen, stubs left undecoded', () => {
  const { pdus, notes } = load('Discovery_dcerp_srvsvc_NetShareEnum.pcapng');
  assert.deepEqual(notes, []);
  assert.deepEqual(
    pdus.map((p) => [p.frame, p.ptype, p.opnum ?? null]),
    [
      [17, 'bind', null],
      [20, 'bind_ack', null],
      [21, 'request', 15],
      [22, 'response', 15],
      [29, 'bind', null],
      [32, 'bind_ack', null],
      [33, 'request', 21],
      [34, 'response', 21],
    ],
  );
  assert.ok(pdus.every((p) => p.smb?.version === 2 && p.smb.pipe === 'srvsvc'));
  assert.equal(new Set(pdus.map((p) => p.smb!.fid)).size, 2, 'the pipe was opened twice');
  const ack = at(pdus, 20)[0]!;
  assert.equal(ack.secondary_address, '\\PIPE\\srvsvc');
  assert.deepEqual(
    ack.results!.map((r) => [r.result, r.reason, r.transfer_syntax.name ?? null]),
    [
      [2, 2, null],
      [0, 0, 'NDR64'],
      [3, 3, null],
    ],
  );
  assert.equal(at(pdus, 21)[0]!.interface?.name, 'SRVSVC');
  assert.ok(
    pdus
      .filter((p) => p.ptype === 'request' || p.ptype === 'response')
      .every((p) => p.body_note === 'NDR64 stub (not decoded)'),
  );
});

test('Samba rpcdump: two fragments, 38 entries kept together with EPT_S_NOT_REGISTERED', () => {
  const { pdus } = load('samba-epm-impacket-rpcdump-lo.pcapng');
  assert.deepEqual(
    pdus.map((p) => [p.frame, p.ptype]),
    [
      [4, 'bind'],
      [6, 'bind_ack'],
      [8, 'request'],
      [9, 'response'],
      [10, 'response'],
    ],
  );
  const b = body(pdus[4])!;
  assert.equal(b.entries!.length, 38);
  assert.equal(b.status, '0x16c9a0d6');
  assert.deepEqual(pdus[4]!.reassembled, { fragments: 2, stub_length: 4828 });
  assert.equal(body(pdus[2])!.max_entries, 500);
  assert.equal(body(pdus[2])!.vers_option, 1);
});

test('Samba malformed probes: 34 PDUs, the malformed ones reported with their header, no crash', () => {
  const { pdus, notes } = load('samba-epm-malformed-probes-lo.pcapng');
  assert.equal(pdus.length, 34);
  assert.deepEqual(histogram(pdus), {
    bind: 13,
    bind_ack: 9,
    request: 3,
    response: 2,
    bind_nak: 4,
    alter_context: 1,
    alter_context_resp: 1,
    fault: 1,
  });
  assert.deepEqual(
    pdus.filter((p) => p.error).map((p) => [p.frame, p.ptype, p.frag_length, p.error!.code]),
    [
      [96, 'bind', 20, 'DCERPC_TRUNCATED'],
      [104, 'bind', 72, 'DCERPC_TRUNCATED'],
      [130, 'bind', 72, 'DCERPC_TRUNCATED'],
    ],
  );
  // frag_len 200 with 72 bytes sent: an incomplete PDU (stream note), not a PDU; frame 96's tail desyncs.
  assert.deepEqual(
    notes.map((n) => [n.frame, n.code]),
    [
      [96, 'DCERPC_BAD_VERSION'],
      [90, 'DCERPC_TRUNCATED'],
    ],
  );
  const fault = pdus.find((p) => p.ptype === 'fault')!;
  assert.equal(fault.frame, 167);
  assert.equal(fault.status, '0x1c010002');
  assert.equal(fault.opnum, 99);
  assert.equal(fault.interface?.name, 'EPMv4');
  const bigEndian = at(pdus, 112)[0]!;
  assert.equal(bigEndian.little_endian, false);
  assert.equal(bigEndian.contexts![0]!.version, '0.3');
  // rpc_vers 4 (frame 70), PTYPE 99 (frame 140) and HTTP (frame 120) are not DCE/RPC: skipped, like tshark.
  for (const frame of [70, 120, 140]) assert.deepEqual(at(pdus, frame), []);
});

test('netns lab: paged lookups 10/10/10/8 and the accepted big-endian bind', () => {
  const { pdus } = load('netns-lab-br0-rst-icmp-arp-epm.pcapng');
  assert.equal(pdus.length, 49);
  assert.deepEqual(
    [24, 26, 28, 30].map((f) => [body(at(pdus, f)[0])!.entries!.length, body(at(pdus, f)[0])!.status]),
    [
      [10, '0x00000000'],
      [10, '0x00000000'],
      [10, '0x00000000'],
      [8, '0x16c9a0d6'],
    ],
  );
  const handles = [24, 26, 28].map((f) => (body(at(pdus, f)[0])!.entry_handle as { uuid: string }).uuid);
  assert.equal(new Set(handles).size, 1);
  assert.notEqual(handles[0], '00000000-0000-0000-0000-000000000000');
  const be = at(pdus, 160)[0]!;
  assert.equal(be.little_endian, false);
  assert.equal(be.contexts![0]!.version, '3.0');
  assert.equal(at(pdus, 162)[0]!.results![0]!.result, 0);
});
