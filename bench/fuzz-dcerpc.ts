/**
 * Fuzz driver for the DCE/RPC codec: mutates real PDUs and stubs (bit flips, truncation, length
 * fields, counts, pointer IDs; see src/protocol/dcerpc/testing/fuzz.ts) and runs every decoder on each
 * input, in worker threads watched for hangs. Reports uncaught exceptions and hangs; writes each
 * offending input to test/fixtures/dcerpc/fuzz-regressions/ so it becomes a regression fixture.
 *
 *   node --import tsx bench/fuzz-dcerpc.ts [--count 1000000] [--seed 20030716] [--workers 2] [--hang-ms 5000]
 *
 * Input i of seed s is deterministic (fuzzInput(seeds, s, i)), so a finding is replayed by index.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { toHex } from '../src/core/bytes.ts';
import { fuzzCase, fuzzInput, runTargets } from '../src/protocol/dcerpc/testing/fuzz.ts';
import { loadFuzzSeeds } from '../test/protocol/dcerpc/fuzz-seeds.ts';

interface Job {
  seed: number;
  from: number;
  to: number;
  progress: SharedArrayBuffer;
  slot: number;
}

type WorkerMessage =
  | { kind: 'finding'; index: number; target: string; error: string; input: string }
  | { kind: 'done'; slowestMs: number; slowestIndex: number; count: number };

if (!isMainThread) {
  // Most mutants end in a DecodeError value; skipping stack capture makes that path several times cheaper.
  Error.stackTraceLimit = 0;
  const job = workerData as Job;
  const progress = new Int32Array(job.progress);
  const seeds = loadFuzzSeeds();
  let slowestMs = 0;
  let slowestIndex = -1;
  for (let i = job.from; i < job.to; i++) {
    // The index being worked on: the watchdog sees it stop moving when an input hangs.
    Atomics.store(progress, job.slot, i);
    const t0 = performance.now();
    const c = fuzzCase(seeds, job.seed, i);
    for (const f of runTargets(c.input, i, c.targets)) {
      parentPort!.postMessage({
        kind: 'finding',
        index: i,
        target: f.target,
        error: f.error,
        input: toHex(f.input),
      });
    }
    const ms = performance.now() - t0;
    if (ms > slowestMs) {
      slowestMs = ms;
      slowestIndex = i;
    }
  }
  parentPort!.postMessage({ kind: 'done', slowestMs, slowestIndex, count: job.to - job.from });
} else {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(`--${name}`);
    const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
    return v;
  };
  const count = arg('count', 1_000_000);
  const seed = arg('seed', 20_030_716);
  const workers = Math.max(1, arg('workers', 2));
  const hangMs = arg('hang-ms', 5000);
  const regressions = new URL('../test/fixtures/dcerpc/fuzz-regressions/', import.meta.url);
  const progress = new SharedArrayBuffer(4 * workers);
  const counters = new Int32Array(progress);
  const findings: Array<{ index: number; target: string; error: string }> = [];
  const hangs: number[] = [];
  let slowest = { ms: 0, index: -1 };
  let done = 0;
  const started = performance.now();

  const save = (index: number, what: string, inputHex: string) => {
    const file = new URL(`seed${seed}-input${index}.hex`, regressions);
    writeFileSync(file, `# ${what}\n# bench/fuzz-dcerpc.ts --seed ${seed}, input ${index}\n${inputHex}\n`);
  };

  /** Runs [from, to) in one worker; on a hang, records it and continues after the hanging input. */
  const runRange = (slot: number, from: number, to: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (from >= to) return resolve();
      Atomics.store(counters, slot, from);
      // Workers do not inherit tsx's loader: register it, then load this file as the worker body.
      const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
      const w = new Worker(boot, {
        eval: true,
        workerData: { seed, from, to, progress, slot } satisfies Job,
      });
      let last = from;
      let lastMove = performance.now();
      const watchdog = setInterval(() => {
        const now = Atomics.load(counters, slot);
        if (now !== last) {
          last = now;
          lastMove = performance.now();
        } else if (performance.now() - lastMove > hangMs) {
          clearInterval(watchdog);
          hangs.push(now);
          void w.terminate().then(() => runRange(slot, now + 1, to).then(resolve, reject));
        }
      }, 250);
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'finding') {
          findings.push({ index: m.index, target: m.target, error: m.error });
          save(m.index, `${m.target}: ${m.error}`, m.input);
        } else {
          done += m.count;
          if (m.slowestMs > slowest.ms) slowest = { ms: m.slowestMs, index: m.slowestIndex };
          clearInterval(watchdog);
          resolve();
        }
      });
      w.on('error', (e) => {
        clearInterval(watchdog);
        reject(e);
      });
    });

  const per = Math.ceil(count / workers);
  const ticker = setInterval(() => {
    const seen = Array.from(counters).reduce((n, v, i) => n + Math.max(0, v - i * per), 0);
    process.stderr.write(`\r${seen.toLocaleString('en')} / ${count.toLocaleString('en')} inputs`);
  }, 5000);
  await Promise.all(
    Array.from({ length: workers }, (_, k) => runRange(k, k * per, Math.min(count, (k + 1) * per))),
  );
  clearInterval(ticker);
  for (const h of hangs) save(h, `hang (> ${hangMs} ms)`, toHex(fuzzInput(loadFuzzSeeds(), seed, h)));
  const elapsedS = (performance.now() - started) / 1000;
  const summary = {
    inputs: count,
    decodersPerInput:
      "the seed kind's decoders (PDU: 3, request stub: 5, reply stub: 6) + 2 random of 16; raw random inputs: all 16",
    seed,
    workers,
    uncaughtExceptions: findings.length,
    hangs: hangs.length,
    hangBoundMs: hangMs,
    slowestInputMs: Number(slowest.ms.toFixed(2)),
    slowestInputIndex: slowest.index,
    elapsedS: Number(elapsedS.toFixed(1)),
    inputsPerSecond: Math.round(count / elapsedS),
    completed: done + hangs.length,
    findings: findings.slice(0, 20),
  };
  process.stderr.write('\n');
  console.log(JSON.stringify(summary, null, 2));
  process.exitCode = findings.length + hangs.length > 0 ? 1 : 0;
}
