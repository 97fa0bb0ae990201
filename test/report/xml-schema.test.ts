/** The XML report validates against nmap's own DTD and renders with nmap.xsl. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { needs, run } from '../support/system.ts';
import { render } from './fixtures.ts';

const DTD = '/usr/share/nmap/nmap.dtd';

test('validates against nmap.dtd (scanner attribute widened to rpcsweep, as for masscan)', {
  skip: needs('nmap', 'xmllint'),
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-xml-'));
  try {
    // nmap's DTD enumerates scanner as (nmap) only; masscan and rpcsweep write their own name.
    const dtd = readFileSync(DTD, 'utf8').replace(/scanner\s+\(nmap\)/, 'scanner (nmap|rpcsweep)');
    assert.notEqual(dtd, readFileSync(DTD, 'utf8'), 'the DTD still has the scanner enumeration');
    writeFileSync(join(dir, 'nmap.dtd'), dtd);
    writeFileSync(join(dir, 'report.xml'), await render('xml'));
    run('xmllint', ['--noout', '--dtdvalid', join(dir, 'nmap.dtd'), join(dir, 'report.xml')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('renders with nmap.xsl and shows the script output', { skip: needs('nmap', 'xsltproc') }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-xml-'));
  try {
    writeFileSync(join(dir, 'report.xml'), await render('xml'));
    const html = run('xsltproc', ['/usr/share/nmap/nmap.xsl', join(dir, 'report.xml')]);
    assert.match(html, /192\.0\.2\.3/);
    assert.match(html, /rpcsweep-ms03-026/);
    assert.ok(!html.includes('\u001b'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
