// Runs every test/**/*.test.ts with node's own test runner, TypeScript via tsx.
// Every lab a test starts lives in its process's own 127.B.0.0/16 block (test/support/lab-block.ts),
// so files and whole runs never meet on an address. The files declared in SERIAL (and everything
// under test/system/) still run one at a time after the rest, which run two at a time: their labs,
// scans and outside tools (Samba, tshark, namespaces) load the CPU and they hold time bounds.
// Declare a new lab-heavy file here; nothing is inferred from a file's text.
// A final "N passed, N failed" line sums both phases.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
const filters = process.argv.slice(2);
const files = walk('test')
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const SERIAL = new Set(
  [
    'cli/scan-advice',
    'cli/scan-cli',
    'cli/scan-resume',
    'engine/exposure-lab',
    'engine/parallel',
    'lab/cli',
    'lab/fragile',
    'lab/hostile',
    'lab/impacket',
    'lab/lab',
    'lab/netns',
    'lab/rpcss',
    'lab/samba',
    'lab/scale',
    'lab/services',
    'lab/tshark',
    'protocol/dcerpc/samba-interop',
    'triage/live-file',
  ].map((name) => join('test', `${name}.test.ts`)),
);
const usesLab = (f) => f.startsWith(join('test', 'system')) || SERIAL.has(f);
const phases = [
  { files: files.filter((f) => !usesLab(f)), concurrency: 2 },
  { files: files.filter(usesLab), concurrency: 1 },
].filter((p) => p.files.length > 0);

const totals = { pass: 0, fail: 0, skipped: 0, cancelled: 0 };
const runPhase = ({ files: phaseFiles, concurrency }) =>
  new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-timeout=600000',
        ...phaseFiles,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let tail = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('close', (code) => {
      for (const key of Object.keys(totals)) {
        const m = new RegExp(`^# ${key} (\\d+)$`, 'm').exec(tail);
        if (m) totals[key] += Number(m[1]);
      }
      resolve(code ?? 1);
    });
  });

let status = 0;
for (const phase of phases) status = (await runPhase(phase)) || status;
console.log(
  `tests: ${totals.pass} passed, ${totals.fail + totals.cancelled} failed, ${totals.skipped} skipped`,
);
process.exit(status);
