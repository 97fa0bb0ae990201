/**
 * Resume in every output format, as a user sees it: `rpcsweep scan … -o out.<fmt> --resume-file st`
 * in a child process is stopped three times (SIGINT, SIGTERM, then SIGKILL right after a result was
 * written but before the next checkpoint), continued with `--resume` each time, and the finished
 * file must be what an uninterrupted run writes: every address once, the same verdicts, the closing
 * parts (Statistics, advice, json array end, xml runstats) once and with the same counts. Only the
 * order of host lines and the times may differ. The formats run one after another against one lab.
 * (NDJSON keeps the results written after the last checkpoint by reading them back; the others cut
 * the file back and rescan, so the SIGKILL stage checks both paths.)
 *
 * Only the runs that are stopped by a signal are child processes; the reference runs, the final
 * resumes and the refused resumes run in-process (runCli, as the other CLI tests do), which saves a
 * Node + tsx start each, and one lab serves every case.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli as runCliInProcess } from '../../src/cli/main.ts';
import { startLab } from '../../src/lab/index.ts';
import { makeCliIo } from '../support/cli-io.ts';
import { blockOctet } from '../support/lab-block.ts';
import { IS_ROOT, needs, run } from '../support/system.ts';

const MAIN = new URL('../../src/cli/main.ts', import.meta.url).pathname;
const NET = `127.${blockOctet()}.146`;
const FORMATS = ['text', 'scanms', 'ndjson', 'json', 'csv', 'xml'] as const;
const ADDRESSES = 32;

/** Answering hosts of five kinds (so every format has lines to write), two silent, the rest refused. */
const PROFILES = ['win2000-sp4', 'win2000-sp4-kb823980', 'winxp-sp1-kb824146', 'winxp-sp2', 'win9x'];
const SPEC = {
  name: 'scan-test-resume-formats',
  description: 'resume test: answering hosts of five kinds, two silent, the rest refused',
  seed: 146,
  hosts: Array.from({ length: 20 }, (_, i) => ({
    address: `${NET}.${i + 1}`,
    profile: PROFILES[i % PROFILES.length]!,
  })),
  unreachable: [`${NET}.25`, `${NET}.26`],
};

// --timeout 1500: the reference runs share this process (and the lab's) event loop; at 400 ms a
// loaded machine turned slow answers into other verdicts. Only the two silent hosts wait it out.
const scanArgs = (format: string, out: string, state: string, slow: boolean) => [
  'scan',
  `${NET}.0/27`,
  '--seed',
  '91',
  '--timeout',
  '1500',
  '--format',
  format,
  '-o',
  out,
  '--resume-file',
  state,
  '--checkpoint-ms',
  '100',
  ...(slow ? ['--rate', '25'] : []),
];

interface Saved {
  position: number;
  inFlight: number[];
  total: number;
  output: { bytes: number };
}

/** Addresses whose results the checkpoint counts (the engine dispatches far ahead of the rate). */
const doneIn = (s: Saved): number => s.position - s.inFlight.length;

const readState = (path: string): Saved | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Saved;
  } catch {
    return undefined; // not written yet
  }
};

/** Runs the CLI; with `killWhen`, sends `signal` once the predicate holds (polled every 10 ms). */
const runCli = (args: string[], killWhen?: () => boolean, signal: NodeJS.Signals = 'SIGINT') =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; killed: boolean }>(
    (resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      let killed = false;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const timer =
        killWhen === undefined
          ? undefined
          : setInterval(() => {
              if (killWhen()) {
                clearInterval(timer);
                killed = true;
                child.kill(signal);
              }
            }, 10);
      child.on('exit', (code, sig) => {
        if (timer) clearInterval(timer);
        resolve({ code, signal: sig, stderr, killed });
      });
    },
  );

/** A run to its end in this process: its exit code and what it printed on stderr. */
const runHere = async (args: string[]): Promise<{ code: number; stderr: string }> => {
  const t = makeCliIo();
  const code = await runCliInProcess(args, t.io);
  return { code, stderr: t.err() };
};

let lab: Awaited<ReturnType<typeof startLab>> | undefined;
before(async () => {
  lab = await startLab(SPEC, { isRoot: IS_ROOT });
});
after(() => lab?.close());

/** Times and durations differ between runs; everything else must not. */
const TIMES: ReadonlyArray<[RegExp, string]> = [
  [/"(startedAt|finishedAt)":"[^"]*"/g, '"$1":T'],
  [/"(durationMs|elapsedMs)":[0-9.e+-]+/g, '"$1":D'],
  [/\b(starttime|endtime|start|startstr|time|timestr|elapsed|summary)="[^"]*"/g, '$1=T'],
  [/,\d{4}-\d\d-\d\dT[^,]*Z,\d+,/g, ',T,D,'],
  [/\b(started|finished at) \d{4}-\d\d-\d\dT\S*Z/g, '$1 T'],
  [/\(elapsed [\d.]+ s\)/g, '(elapsed D)'],
];

/**
 * A report as host lines (sorted: arrival order differs) and a skeleton of everything else in
 * order, with a placeholder where each host line was. A json host's trailing comma depends on its
 * place, so it is dropped from the line.
 */
const shape = (text: string) => {
  let masked = text;
  for (const [re, to] of TIMES) masked = masked.replace(re, to);
  const lines = masked.split('\n');
  const isHost = (l: string) => l.includes(`${NET}.`);
  return {
    hosts: lines
      .filter(isHost)
      .map((l) => l.replace(/,$/, ''))
      .sort(),
    skeleton: lines.map((l) => (isHost(l) ? '<host>' : l)),
  };
};

const xmlValid = (dir: string, file: string): void => {
  // nmap's DTD enumerates scanner as (nmap) only; widened as in test/report/xml-schema.test.ts.
  const dtd = join(dir, 'nmap.dtd');
  if (!existsSync(dtd)) {
    const text = readFileSync('/usr/share/nmap/nmap.dtd', 'utf8');
    writeFileSync(dtd, text.replace(/scanner\s+\(nmap\)/, 'scanner (nmap|rpcsweep)'));
  }
  run('xmllint', ['--noout', '--dtdvalid', dtd, file]);
};

const checkFormat = async (dir: string, format: string): Promise<void> => {
  const ref = join(dir, `ref.${format}`);
  const r0 = await runHere(scanArgs(format, ref, join(dir, `ref-${format}.state`), false));
  assert.equal(r0.code, 0, r0.stderr);
  const expected = shape(readFileSync(ref, 'utf8'));

  const out = join(dir, `out.${format}`);
  const statePath = join(dir, `out-${format}.state`);
  let from = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    // The SIGKILL stage slows down and checkpoints less often, so the window it needs (a result
    // written, not yet checkpointed) stays open most of the time even on a loaded machine.
    const windowWide = sig === 'SIGKILL' ? ['--rate', '10', '--checkpoint-ms', '400'] : [];
    const args = [
      ...scanArgs(format, out, statePath, true),
      ...(from > 0 ? ['--resume'] : []),
      ...windowWide,
    ];
    const startedFrom = from;
    // Stop well inside the scan; SIGKILL only while the output holds bytes the state does not count.
    const r = await runCli(
      args,
      () => {
        const s = readState(statePath);
        if (!s || doneIn(s) < startedFrom + 5) return false;
        return sig !== 'SIGKILL' || (existsSync(out) && statSync(out).size > s.output.bytes);
      },
      sig,
    );
    assert.ok(r.killed, `${format}/${sig}: the scan ended before it was interrupted\n${r.stderr}`);
    if (sig === 'SIGKILL') assert.equal(r.signal, 'SIGKILL');
    else assert.equal(r.code, 130, `${format}/${sig}: ${r.stderr}`);
    if (startedFrom > 0) assert.match(r.stderr, /resuming at/);
    const s = readState(statePath);
    assert.ok(s && doneIn(s) < s.total, `${format}/${sig}: stopped mid-scan`);
    from = doneIn(s);
  }
  // The SIGKILL came after a write the last checkpoint does not count.
  const unsaved = statSync(out).size - readState(statePath)!.output.bytes;
  assert.ok(unsaved > 0, `${format}: killed between a write and a checkpoint`);
  const last = await runHere([...scanArgs(format, out, statePath, true), '--resume']);
  assert.equal(last.code, 0, last.stderr);
  assert.match(
    last.stderr,
    format === 'ndjson'
      ? /[1-9]\d* result\(s\) found after the checkpoint/
      : new RegExp(`, ${unsaved} byte\\(s\\) written after the checkpoint dropped and rescanned`),
  );
  assert.ok(!existsSync(statePath), 'the state file is removed after the finished scan');

  const text = readFileSync(out, 'utf8');
  const got = shape(text);
  assert.deepEqual(got.hosts, expected.hosts, `${format}: same host lines, none lost or doubled`);
  assert.deepEqual(got.skeleton, expected.skeleton, `${format}: same header, closing parts and counts`);
  if (format === 'json') {
    const doc = JSON.parse(text) as {
      hosts: Array<{ address: string }>;
      summary: { totalAddresses: number };
    };
    assert.equal(new Set(doc.hosts.map((h) => h.address)).size, ADDRESSES);
    assert.equal(doc.summary.totalAddresses, ADDRESSES);
  }
  if (format === 'xml' && needs('xmllint', 'nmap') === false) xmlValid(dir, out);
};

// node:test runs these subtests one after another: side by side, on a loaded machine, the six
// formats' runs starved the lab and each other.
test('every output format resumes after SIGINT, SIGTERM and SIGKILL to the uninterrupted file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-formats-'));
  try {
    await Promise.all(FORMATS.map((f) => t.test(f, () => checkFormat(dir, f))));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--resume-file without -o is a usage error naming the problem', async () => {
  const r = await runHere(['scan', `${NET}.1`, '--resume-file', join(tmpdir(), 'rs-never.state')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--resume-file needs -o FILE/);
});

test('a resume file refuses another scan; a run that died after its closing part is finished again exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rs-resume-formats-'));
  try {
    const out = join(dir, 'out.json');
    const state = join(dir, 'st');
    const r1 = await runCli(scanArgs('json', out, state, true), () => {
      const s = readState(state);
      return s !== undefined && doneIn(s) >= 4;
    });
    assert.equal(r1.code, 130, r1.stderr);
    const before = readFileSync(out, 'utf8');
    const changes = [['--format', 'xml'], ['--no-advice'], ['--seed', '92'], ['--shard', '1/2']];
    const runs = await Promise.all(
      changes.map((extra) => runHere([...scanArgs('json', out, state, true), '--resume', ...extra])),
    );
    for (const [i, r] of runs.entries()) {
      const extra = changes[i]!.join(' ');
      assert.equal(r.code, 2, `${extra} is refused as a usage error: ${r.stderr}`);
      assert.match(r.stderr, /belongs to a different scan/, extra);
    }
    assert.equal(readFileSync(out, 'utf8'), before, 'the output is untouched');

    // Another file at the output's path (rewritten, replaced) is refused, not cut back.
    const replaced = before.replace('"hosts":[', '"hosts": [');
    writeFileSync(out, `${replaced}\n${'x'.repeat(4096)}`);
    const r4 = await runHere([...scanArgs('json', out, state, true), '--resume']);
    assert.equal(r4.code, 3, r4.stderr);
    assert.match(r4.stderr, /is not the one the resume file describes/);
    assert.equal(readFileSync(out, 'utf8'), `${replaced}\n${'x'.repeat(4096)}`, 'left as it is');
    writeFileSync(out, before);

    // Died after writing the closing part but before removing its state: the state is older than
    // the file. Resuming cuts the file back to the checkpoint and finishes it once more. (A finished
    // file is sorted by address only after its state is removed, so the dead run's file is the
    // checkpointed one plus results and a closing part, as faked here.)
    const stale = readFileSync(state, 'utf8');
    const r2 = await runHere([...scanArgs('json', out, state, false), '--resume']);
    assert.equal(r2.code, 0, r2.stderr);
    const finished = readFileSync(out, 'utf8');
    writeFileSync(out, `${before}${finished.slice(finished.indexOf('\n],\n"summary":'))}`);
    writeFileSync(state, stale);
    const r3 = await runHere([...scanArgs('json', out, state, false), '--resume']);
    assert.equal(r3.code, 0, r3.stderr);
    const again = readFileSync(out, 'utf8');
    assert.deepEqual(shape(again), shape(finished));
    assert.equal((again.match(/\n"summary":/g) ?? []).length, 1, 'one run summary');
    assert.equal((JSON.parse(again) as { hosts: unknown[] }).hosts.length, ADDRESSES);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
