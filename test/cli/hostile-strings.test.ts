/**
 * Hostile strings (issue #10): C0 and C1 controls (ESC, BEL, CSI U+009B) that come from the network,
 * from captures, from scan results or from files named on the command line never reach the terminal
 * raw, in any output format or error message: they are escaped by the one function in core/escape.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { runAdvise } from '../../src/cli/commands/advise.ts';
import { runCli } from '../../src/cli/main.ts';
import { escapeTerminal, safeJson } from '../../src/core/escape.ts';
import { encodeBind, encodeBindAck, NDR32_SYNTAX } from '../../src/protocol/dcerpc/index.ts';
import { frameBytes, pcapFile } from '../capture/build.ts';
import { makeCliIo } from '../support/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-hostile-strings-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** ESC (clear screen), BEL, OSC title, one-byte CSI (U+009B) and the other C1 controls. */
const HOSTILE = '\u001b[2J\u0007\u001b]0;owned\u0007\u009b31m\u0085\u008d\u009d';
/** Any raw control character a terminal acts on (C0 except LF, DEL, C1). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const assertClean = (text: string, what: string) => {
  const hit = RAW_CONTROL.exec(text);
  assert.equal(
    hit,
    null,
    `${what}: raw U+${hit?.[0].charCodeAt(0).toString(16).padStart(4, '0')} in ${JSON.stringify(text.slice(0, 300))}`,
  );
};

test('the shared escaping makes C0, DEL and C1 (CSI U+009B) visible, and safeJson keeps the value', () => {
  assert.equal(escapeTerminal('a\u009bb\u001bc\u007fd'), 'a\\x9bb\\x1bc\\x7fd');
  const json = safeJson({ s: HOSTILE });
  assertClean(json, 'safeJson');
  assert.deepEqual(JSON.parse(json), { s: HOSTILE });
});

test('error messages escape what they echo from -iL files, spec files and file names', async () => {
  const list = join(tmp, 'targets.txt');
  writeFileSync(list, `127.0.0.1\nnot-a-target${HOSTILE}!\n`);
  const spec = join(tmp, 'lab.yaml');
  writeFileSync(spec, `name: x${HOSTILE}\nhosts:\n  - profile: p${HOSTILE}\n`);
  const runs: string[][] = [
    ['scan', '-iL', list, '--dry-run'],
    ['scan', `10.0.0.1${HOSTILE}`, '--dry-run'],
    ['scan', '--exclude', `x${HOSTILE}`, '127.0.0.1', '--dry-run'],
    ['scan', '--lab', spec],
    ['lab', 'up', spec],
    ['scan', '127.0.0.1', '--timeout', `1${HOSTILE}`],
    ['scan', `--bad${HOSTILE}`],
    ['inspect', join(tmp, `missing${HOSTILE}.pcap`)],
    ['advise', '--from', join(tmp, `missing${HOSTILE}.ndjson`)],
    ['simulate', '--from', join(tmp, `missing${HOSTILE}.ndjson`)],
    ['ioc', join(tmp, `missing${HOSTILE}`)],
    ['epm', `x${HOSTILE}`],
    ['exposure', `x${HOSTILE}`],
  ];
  for (const argv of runs) {
    const t = makeCliIo();
    const code = await runCli(argv, t.io);
    assert.ok(code === 2 || code === 3, `${argv[0]}: exit ${code}`);
    assert.match(
      t.err(),
      /\\x1b|\\x9b|\\x07/,
      `${argv.join(' ')}: the error shows the escaped bytes: ${t.err()}`,
    );
    assertClean(t.err(), argv.join(' '));
    assertClean(t.out(), argv.join(' '));
  }
});

test('advise escapes peer text in text and ndjson output', async () => {
  const record = {
    address: '10.0.0.5',
    hostname: `HOST${HOSTILE}`,
    verdict: 'needs-investigation',
    reason: `peer said ${HOSTILE}`,
    evidence: [],
    osHints: [`Windows${HOSTILE}`],
  };
  for (const format of ['text', 'ndjson'] as const) {
    const t = makeCliIo();
    const stdin = new PassThrough();
    stdin.end(`${JSON.stringify(record)}\n`);
    await runAdvise({ format }, t.io, stdin);
    assert.ok(t.out().length > 0, format);
    assertClean(t.out(), `advise ${format}`);
    if (format === 'ndjson') assert.match(t.out(), /\\u009b/);
  }
});

test('inspect escapes a hostile bind_ack secondary address in text and ndjson output', async () => {
  const epm = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', major: 3, minor: 0 };
  const bind = encodeBind({
    callId: 1,
    contexts: [{ contextId: 0, abstractSyntax: epm, transferSyntaxes: [NDR32_SYNTAX] }],
  });
  const ack = encodeBindAck({
    callId: 1,
    secondaryAddress: `135${HOSTILE}`,
    results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
  });
  const c = { src: '192.0.2.1', dst: '192.0.2.2', sport: 40000, dport: 135 };
  const s = { src: '192.0.2.2', dst: '192.0.2.1', sport: 135, dport: 40000 };
  const path = join(tmp, 'hostile.pcap');
  writeFileSync(
    path,
    pcapFile([
      frameBytes('ethernet', { ...c, seq: 1000, payload: bind }),
      frameBytes('ethernet', { ...s, seq: 5000, ack: 1000 + bind.length, payload: ack }),
    ]),
  );
  for (const format of ['text', 'ndjson']) {
    const t = makeCliIo();
    assert.equal(await runCli(['inspect', '--format', format, path], t.io), 0, t.err());
    assert.match(t.out(), /bind_ack|bind-ack|"ptype"/, `${format}: the bind_ack is decoded`);
    assert.match(t.out(), format === 'text' ? /\\x9b31m/ : /\\u009b31m/, `${format}: ${t.out()}`);
    assertClean(t.out(), `inspect ${format}`);
    assertClean(t.err(), `inspect ${format} stderr`);
  }
});
