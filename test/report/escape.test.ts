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
