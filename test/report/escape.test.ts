import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvField, escapeTerminal, safeJson, xmlEscape } from '../../src/report/escape.ts';

test('terminal: ESC sequences, CR/LF, C1 CSI and backslashes become visible text', () => {
  assert.equal(escapeTerminal('a\u001b[2Jb'), 'a\\x1b[2Jb');
  assert.equal(escapeTerminal('x\r\ny'), 'x\\x0d\\x0ay');
  assert.equal(escapeTerminal('\u009b31m'), '\\x9b31m');
  assert.equal(escapeTerminal('\\x1b'), '\\\\x1b', 'a literal backslash cannot forge an escape');
  assert.equal(escapeTerminal('Windows XP ÄÖ'), 'Windows XP ÄÖ');
});

test('terminal: UNC paths print as they are; only a backslash run that could start an escape doubles', () => {
  assert.equal(escapeTerminal('ncacn_np:\\\\HOST[\\PIPE\\lsass]'), 'ncacn_np:\\\\HOST[\\PIPE\\lsass]');
  assert.equal(escapeTerminal('\\u{1b}'), '\\\\u{1b}', 'before u');
  assert.equal(escapeTerminal('\\\\x41'), '\\\\\\\\x41', 'a run of two before x becomes four');
  assert.equal(escapeTerminal('a\\\u001b'), 'a\\\\\\x1b', 'a backslash before an escaped ESC');
  assert.equal(escapeTerminal('trail\\'), 'trail\\\\', 'at the end (the next text could be an x)');
});

/** Reads escapeTerminal's output back: 2n backslashes before x/u/end are n literal ones, 2n+1 start an escape. */
const readBack = (s: string): string =>
  s.replace(/(\\+)(x([0-9a-f]{2})|u\{([0-9a-f]+)\})?/g, (m, run: string, esc, hex, uni, at: number) => {
    const next = s[at + run.length];
    if (next !== undefined && next !== 'x' && next !== 'u') return m; // a literal run before other text
    const half = run.slice(0, run.length >> 1);
    if (run.length % 2 === 0) return half + (esc ?? '');
    return half + String.fromCodePoint(Number.parseInt(hex ?? uni, 16));
  });

test('terminal: the escaping is unambiguous (decodes back to the input)', () => {
  const alphabet = ['\\', 'x', 'u', '{', '1', 'b', '}', '\u001b', 'A', '\u202e'];
  let state = 7;
  for (let i = 0; i < 3000; i++) {
    let s = '';
    for (let n = (i % 9) + 1; n > 0; n--) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      s += alphabet[state % alphabet.length];
    }
    assert.equal(readBack(escapeTerminal(s)), s, JSON.stringify(s));
  }
});

test('csv: formula starters are defused, quotes doubled, newlines kept inside quotes', () => {
  assert.equal(csvField("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('-2'), "'-2");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('line1\nline2'), 'line1\\x0aline2');
  assert.equal(csvField(-5), '-5', 'numbers are not strings from the network');
  assert.equal(csvField(undefined), '');
});

test('xml: markup characters and forbidden characters', () => {
  assert.equal(xmlEscape('<a href="x">&\'</a>'), '&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  assert.equal(xmlEscape('a\u0000b\u001bc'), 'a\\x00b\\x1bc');
  assert.equal(xmlEscape('t\tn\n'), 't&#9;n&#10;');
  assert.equal(xmlEscape('\ud800x'), '\\ud800x');
});

test('json: same value after parsing, but no raw DEL/C1 on a terminal', () => {
  const v = { s: 'a\u001b\u009b\u007f\u2028' };
  const text = safeJson(v);
  assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u2028]/);
  assert.deepEqual(JSON.parse(text), v);
});
