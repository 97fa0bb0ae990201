// Runs every test/**/*.test.ts with node's own test runner, TypeScript via tsx.
// Files that start emulated labs bind fixed 127.x addresses (the built-in specs), so they run one at a
// time after the rest, which run two at a time. A final "N passed, N failed" line sums both phases.
// Usage: node scripts/run-tests.mjs [path-substring ...]
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
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
const usesLab = (f) =>
  f.startsWith(join('test', 'system')) ||
  /startLab|'--lab'|hotfix-sample|'lab', 'up'/.test(readFileSync(f, 'utf8'));
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
