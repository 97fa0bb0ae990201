import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../src/cli/main.ts';
import { makeCliIo } from '../support/cli-io.ts';

const tmp = mkdtempSync(join(tmpdir(), 'rs-simulate-out-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A small, seeded run: two scenarios (no intervention, patching), a few hundred hosts. */
const RUN = ['--synthetic', '400', '--density', 'even', '--networks16', '2', '--hours', '4', '--seed', '11'];
const RUN_ARGS = [...RUN, '--initial', '3', '--patch-per-day', '0.5'];

const simulate = async (...args: string[]) => {
  const cli = makeCliIo();
  const code = await runCli(['simulate', ...RUN_ARGS, ...args], cli.io);
  return { code, stdout: cli.out(), stderr: cli.err() };
};

test('simulate --format json, csv and svg put the document alone on stdout', async () => {
  const json = await simulate('--format', 'json');
  assert.equal(json.code, 0, json.stderr);
  const doc = JSON.parse(json.stdout);
  assert.equal(doc.command, 'simulate');
  assert.equal(doc.seed, 11);
  assert.deepEqual(
    doc.scenarios.map((s: { name: string }) => s.name),
    ['no intervention', 'patch 50%/day'],
  );
  const csv = await simulate('--format', 'csv', '--json', join(tmp, 'beside.json'));
  assert.equal(csv.code, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split('\n');
  assert.equal(
    rows[0],
    'scenario,tH,infected,everInfected,patched,welchia,scansPerS,telescopeSources,sensorSources',
  );
  assert.ok(
    rows.slice(1).every((r) => r.split(',').length === 9),
    'every line is a CSV row',
  );
  assert.match(csv.stderr, /^rpcsweep: wrote .*beside\.json$/m, 'notes go to stderr');
  assert.deepEqual(
    JSON.parse(readFileSync(join(tmp, 'beside.json'), 'utf8')),
    doc,
    'same seed, same document',
  );
  const svg = await simulate('--format', 'svg');
  assert.match(svg.stdout, /^<svg [^>]*>[\s\S]*<\/svg>\n?$/);
  assert.equal((svg.stdout.match(/<polyline /g) ?? []).length, 4, 'two scenarios in two panels');
});

test('simulate -o FILE picks the format from the extension and still prints the summary', async () => {
  const viaFlags = await simulate('--out', join(tmp, 'flags'));
  assert.equal(viaFlags.code, 0, viaFlags.stderr);
  for (const ext of ['json', 'csv', 'svg', 'txt']) {
    const path = join(tmp, `main.${ext}`);
    const r = await simulate('-o', path);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^population: 400 synthetic vulnerable hosts \(even\)$/m,
      'summary on the terminal',
    );
    assert.equal(r.stderr, `rpcsweep: wrote ${path}\n`);
    const written = readFileSync(path, 'utf8');
    if (ext === 'txt') {
      assert.match(written, /^population: 400 synthetic/);
      assert.match(written, /published figures \(blaster\.md §4\.1\) against \[patch 50%\/day\]/);
    } else assert.equal(written, readFileSync(join(tmp, `flags.${ext}`), 'utf8'), `-o main.${ext}`);
  }
  const plain = join(tmp, 'summary');
  const r = await simulate('-o', plain);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(plain, 'utf8'), /^population: /, 'no extension: the text summary');
  const forced = join(tmp, 'forced.dat');
  assert.equal((await simulate('-o', forced, '--format', 'csv')).code, 0);
  assert.match(readFileSync(forced, 'utf8'), /^scenario,tH,/, '--format wins over the extension');
});

test('simulate refuses unknown formats and extensions with a one-line usage error', async () => {
  const html = await simulate('-o', join(tmp, 'spread.html'));
  assert.equal(html.code, 2);
  assert.match(
    html.stderr,
    /^rpcsweep: -o .*spread\.html: simulate writes text \(\.txt\), json \(\.json\), csv \(\.csv\), svg \(\.svg\); or give --format \[CLI_USAGE\]\n$/,
  );
  const xml = await simulate('--format', 'xml');
  assert.equal(xml.code, 2);
  assert.match(
    xml.stderr,
    /^rpcsweep: --format must be one of text, json, csv, svg, got "xml" \[CLI_USAGE\]\n$/,
  );
  assert.equal(xml.stdout, '', 'nothing simulated, nothing printed');
  // The format is checked before the model runs (-v would announce the run first).
  const cli = makeCliIo();
  const pdf = await runCli(
    ['simulate', '--synthetic', '2000000', '--hours', '8760', '-v', '-o', 'x.pdf'],
    cli.io,
  );
  assert.equal(pdf, 2, cli.err());
  assert.match(cli.err(), /^rpcsweep: -o x\.pdf: simulate writes .* \[CLI_USAGE\]\n$/);
});

test('a failed write leaves neither a half file nor a temporary one behind', async () => {
  const dir = join(tmp, 'atomic');
  mkdirSync(join(dir, 'taken.json'), { recursive: true });
  writeFileSync(join(dir, 'taken.json', 'keep'), 'x');
  const r = await simulate('-o', join(dir, 'taken.json'));
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^rpcsweep: cannot write .*taken\.json: .* \[REPORT_WRITE\]\n$/m);
  assert.deepEqual(readdirSync(dir), ['taken.json'], 'the temporary file was removed');
  assert.deepEqual(readdirSync(join(dir, 'taken.json')), ['keep']);
});
