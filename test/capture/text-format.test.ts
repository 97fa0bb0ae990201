import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PduRecord } from '../../src/capture/index.ts';
import { parseRecordFilter } from '../../src/capture/record-filter.ts';
import { escapeText, formatNoteText } from '../../src/capture/text-format.ts';
import { isRpcsweepError } from '../../src/core/errors.ts';

test('escapeText: controls, DEL, C1, bidi overrides, zero-width and backslash are escaped', () => {
  assert.equal(escapeText('a\x1b[31mb'), 'a\\x1b[31mb');
  assert.equal(escapeText('\x00\x07\x7f\x9b'), '\\x00\\x07\\x7f\\x9b');
  assert.equal(escapeText('x\u202ey\u2066z\u200bw\ufeff'), 'x\\u{202e}y\\u{2066}z\\u{200b}w\\u{feff}');
  assert.equal(escapeText('\\PIPE\\x'), '\\PIPE\\\\x', 'only the run before x doubles');
  assert.equal(escapeText('plain ASCII and été'), 'plain ASCII and été');
  assert.doesNotMatch(
    escapeText(String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i))),
    /[\x00-\x1f\x7f-\x9f]/,
  );
});

test('notes are escaped too', () => {
  const line = formatNoteText({
    frame: 3,
    connection: 0,
    src: '::1',
    dst: '::1',
    sport: 1,
    dport: 135,
    code: 'DCERPC_BAD_VERSION',
    message: 'bad \x1b]0;x\x07',
  });
  assert.equal(line, '!  frame 3  [::1]:1 -> [::1]:135  bad \\x1b]0;x\\x07 [DCERPC_BAD_VERSION]');
});

const record = (over: Partial<PduRecord>): PduRecord => ({
  frame: 1,
  time: '',
  connection: 0,
  src: '10.0.0.1',
  dst: '10.0.0.2',
  sport: 50000,
  dport: 135,
  stream_offset: 0,
  ptype: 'request',
  rpc_version: '5.0',
  call_id: 7,
  frag_length: 24,
  auth_length: 0,
  flags: 3,
  flag_names: [],
  little_endian: true,
  ...over,
});

test('record filter: fields, shorthands, hex numbers, AND of terms', () => {
  const epm = record({
    interface: { name: 'EPMv4', uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', version: '3.0' },
    opnum: 2,
  });
  assert.equal(parseRecordFilter('ptype=request')(epm), true);
  assert.equal(parseRecordFilter('PTYPE=request'.toLowerCase())(epm), true);
  assert.equal(parseRecordFilter('interface=epmv4, opnum=2')(epm), true);
  assert.equal(parseRecordFilter('interface=e1af8308-5d1f-11c9-91a4-08002b14a0fa')(epm), true);
  assert.equal(parseRecordFilter('interface=MGMT')(epm), false);
  assert.equal(parseRecordFilter('port=50000')(epm), true);
  assert.equal(parseRecordFilter('host=10.0.0.2,call_id=0x7')(epm), true);
  assert.equal(parseRecordFilter('call_id=8')(epm), false);
  assert.equal(parseRecordFilter('status=0x1c010002')(record({ status: '0x1c010002' })), true);
  for (const bad of ['', 'ptype', '=x', 'a-b=1', 'ptype=']) {
    assert.throws(
      () => parseRecordFilter(bad),
      (e) => isRpcsweepError(e) && e.code === 'CLI_USAGE',
    );
  }
});
