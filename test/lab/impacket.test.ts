/**
 * Real clients agree with the emulator: impacket (Debian python3-impacket, run with /usr/bin/python3)
 * enumerates emulated endpoint mappers, lists interfaces through mgmt (rpcmap.py), decodes a DCOM
 * RemoteActivation reply and ServerAlive2. Targets are loopback only (asserted in the Python too).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PROFILES, type RunningLab, startLab } from '../../src/lab/index.ts';
import { at } from '../support/lab-block.ts';
import { IMPACKET_PYTHON, needs } from '../support/system.ts';
import { runAsync } from './support.ts';

const PORT = 26135;
const HOSTS = {
  w2003: at('127.0.224.1'),
  w2kPatched: at('127.0.224.2'),
  w2kUnpatched: at('127.0.224.3'),
  nt4: at('127.0.224.4'),
  dce: at('127.0.224.5'),
  xpsp2: at('127.0.224.6'),
};

const PRELUDE = `
import sys, json, ipaddress
from impacket.dcerpc.v5 import transport, epm, dcomrt
from impacket.dcerpc.v5.dtypes import NULL
from impacket.uuid import string_to_bin, generate
host, port = sys.argv[1], int(sys.argv[2])
assert ipaddress.ip_address(host).is_loopback, 'loopback targets only'
def connect(iface):
    t = transport.DCERPCTransportFactory('ncacn_ip_tcp:%s[%d]' % (host, port))
    t.set_connect_timeout(3)
    dce = t.get_dce_rpc(); dce.connect(); dce.bind(iface)
    return dce
`;

const py = (body: string, host: string, ...extra: string[]): Promise<string> =>
  runAsync(IMPACKET_PYTHON, ['-c', PRELUDE + body, host, String(PORT), ...extra]);
const rpcmap = (host: string) =>
  runAsync(IMPACKET_PYTHON, [
    '/usr/share/doc/python3-impacket/examples/rpcmap.py',
    '-auth-level',
    '1',
    `ncacn_ip_tcp:${host}[${PORT}]`,
  ]);

const EPM_DUMP = `
dce = connect(epm.MSRPC_UUID_PORTMAP)
handle = epm.ept_lookup_handle_t(); out = []
while True:
    req = epm.ept_lookup(); req['inquiry_type'] = epm.RPC_C_EP_ALL_ELTS
    req['object'] = NULL; req['Ifid'] = NULL; req['vers_option'] = epm.RPC_C_VERS_ALL
    req['entry_handle'] = handle; req['max_ents'] = 4
    resp = dce.request(req, checkError=False)
    for i in range(resp['num_ents']):
        e = resp['entries'][i]; tower = epm.EPMTower(b''.join(e['tower']['tower_octet_string']))
        out.append([epm.PrintStringBinding(tower['Floors']), b''.join(e['annotation']).rstrip(b'\\0').decode()])
    handle = resp['entry_handle']
    if resp['status'] != 0 or handle.isNull(): break
print(json.dumps(out))
`;

let lab: RunningLab;
before(async () => {
  if (needs('impacket')) return;
  lab = await startLab(
    {
      hosts: [
        { address: HOSTS.w2003, profile: 'win2003', netbiosName: 'FILESRV03' },
        { address: HOSTS.w2kPatched, profile: 'win2000-sp4-kb823980' },
        { address: HOSTS.w2kUnpatched, profile: 'win2000-sp4' },
        { address: HOSTS.nt4, profile: 'nt4-sp6a' },
        { address: HOSTS.dce, profile: 'dce-epm' },
        { address: HOSTS.xpsp2, profile: 'winxp-sp2' },
      ],
    },
    { port: PORT },
  );
});
after(() => lab?.close());

test('impacket enumerates the emulated endpoint mappers and gets the emulated lists', {
  skip: needs('impacket'),
}, async () => {
  for (const [host, profile] of [
    [HOSTS.w2003, 'win2003'],
    [HOSTS.dce, 'dce-epm'],
  ] as const) {
    const got = JSON.parse(await py(EPM_DUMP, host)) as Array<[string, string]>;
    const want = PROFILES.get(profile)!.endpoints!;
    assert.equal(got.length, want.length, `${profile}: ${got.length} entries`);
    got.forEach(([binding, annotation], i) => {
      const e = want[i]!;
      assert.equal(annotation, e.annotation);
      if (e.protocol === 'ncacn_ip_tcp') assert.equal(binding, `ncacn_ip_tcp:${host}[${e.endpoint}]`);
      if (e.protocol === 'ncalrpc') assert.equal(binding, `ncalrpc:[${e.endpoint}]`);
      if (e.protocol === 'ncacn_np') assert.ok(binding.endsWith(`[${e.endpoint}]`), binding);
    });
  }
  const w2003 = JSON.parse(await py(EPM_DUMP, HOSTS.w2003)) as Array<[string, string]>;
  assert.ok(
    w2003.some(([b]) => b === `ncacn_np:\\\\FILESRV03[\\PIPE\\lsass]`),
    'named-pipe towers carry the NetBIOS name',
  );
});

test('rpcmap.py lists the activation interfaces through mgmt inq_if_ids', {
  skip: needs('impacket'),
}, async () => {
  const out = await rpcmap(HOSTS.w2003);
  for (const uuid of [
    '4D9F4AB8-7D1C-11CF-861E-0020AF6E7C57',
    '000001A0-0000-0000-C000-000000000046',
    'E1AF8308-5D1F-11C9-91A4-08002B14A0FA',
  ]) {
    assert.ok(out.includes(uuid), `${uuid} listed`);
  }
  const nt4 = await rpcmap(HOSTS.nt4);
  assert.ok(
    nt4.includes('4D9F4AB8-7D1C-11CF-861E-0020AF6E7C57') &&
      !nt4.includes('000001A0-0000-0000-C000-000000000046'),
  );
});

const REMACT = `
dce = connect(dcomrt.IID_IActivation)
o = dcomrt.ORPCTHIS(); o['version']['MajorVersion'] = 5; o['version']['MinorVersion'] = 1
o['flags'] = 0; o['cid'] = generate(); o['extensions'] = NULL
req = dcomrt.RemoteActivation(); req['ORPCthis'] = o
req['Clsid'] = string_to_bin('4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e')
req['pwszObjectName'] = sys.argv[3] + '\\x00' if len(sys.argv) > 3 else NULL
req['pObjectStorage'] = NULL; req['ClientImpLevel'] = 2; req['Mode'] = 0; req['Interfaces'] = 1
iid = dcomrt.IID(); iid['Data'] = dcomrt.IID_IUnknown[:16]; req['pIIDs'].append(iid)
req['cRequestedProtseqs'] = 1; req['aRequestedProtseqs'].append(7)
resp = dce.request(req, checkError=False)
v = resp['pServerVersion']
print(json.dumps({'phr': resp['phr'] & 0xffffffff, 'version': '%d.%d' % (v['MajorVersion'], v['MinorVersion'])}))
`;

test("impacket's DCOM RemoteActivation decodes the emulated replies", {
  skip: needs('impacket'),
}, async () => {
  const remact = async (host: string, name?: string) =>
    JSON.parse(await py(REMACT, host, ...(name ? [name] : []))) as { phr: number; version: string };
  assert.deepEqual(await remact(HOSTS.w2kPatched, '\\\\LAB\\C$\\'), { phr: 0x80080004, version: '5.6' });
  assert.deepEqual(await remact(HOSTS.w2kUnpatched, '\\\\LAB\\C$\\'), { phr: 0x80040154, version: '5.6' });
  assert.deepEqual(await remact(HOSTS.nt4), { phr: 0x80040154, version: '5.1' });
  assert.equal((await remact(HOSTS.xpsp2)).phr, 0x80070005);
});

test('impacket ServerAlive2 reads the COM version and the host bindings', {
  skip: needs('impacket'),
}, async () => {
  const body = `
dce = connect(dcomrt.IID_IObjectExporter)
r = dcomrt.IObjectExporter(dce).ServerAlive2()
print(json.dumps([b['aNetworkAddr'].rstrip('\\x00') for b in r]))
`;
  const bindings = JSON.parse(await py(body, HOSTS.w2003)) as string[];
  assert.deepEqual(bindings, ['FILESRV03', HOSTS.w2003]);
  const version = `
dce = connect(dcomrt.IID_IObjectExporter)
resp = dce.request(dcomrt.ServerAlive2(), checkError=False)
print('%d.%d' % (resp['pComVersion']['MajorVersion'], resp['pComVersion']['MinorVersion']))
`;
  assert.equal((await py(version, HOSTS.xpsp2)).trim(), '5.7');
});
