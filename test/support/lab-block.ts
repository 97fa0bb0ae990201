/**
 * A 127.B.0.0/16 block of this test process's own, so that two test runs on one machine (two clones,
 * a developer beside CI) never bind, silence or capture each other's lab addresses. B is derived from
 * the pid, taken with a lock file in the system temp directory (O_EXCL; a dead owner's lock is taken
 * over) and checked free: no socket of any process is bound inside it. The lock goes when this
 * process exits. Tests write addresses as they read best (`at('127.0.222.5')`) and get the same
 * low 16 bits inside the run's block; built-in specs move there with `block` / RPCSWEEP_LAB_BLOCK.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Second octets handed out: clear of 127.0/16 (the machine's own), the docs' examples and ad-hoc blocks. */
const FIRST = 128;
const COUNT = 127;
const LOCKS = join(tmpdir(), 'rpcsweep-test-blocks');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** True when a TCP/UDP socket (IPv4) of any process has a local address in 127.second.0.0/16. */
const inUse = (second: number): boolean => {
  // /proc/net/* prints addresses as little-endian hex: 127.B.x.y is "yyxxBB7F".
  const tail = `${second.toString(16).padStart(2, '0')}7F`.toUpperCase();
  for (const file of ['tcp', 'udp', 'raw']) {
    let text = '';
    try {
      text = readFileSync(`/proc/net/${file}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.slice(4, 8).toUpperCase() === tail) return true;
    }
  }
  return false;
};

const tryLock = (path: string): boolean => {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const owner = Number(readFileSync(path, 'utf8'));
  if (owner > 0 && alive(owner)) return false;
  try {
    unlinkSync(path);
  } catch {}
  return tryLock(path);
};

const claim = (): number => {
  mkdirSync(LOCKS, { recursive: true });
  for (let i = 0; i < COUNT; i++) {
    const second = FIRST + ((process.pid + i) % COUNT);
    const lock = join(LOCKS, `127.${second}.lock`);
    if (!tryLock(lock)) continue;
    if (inUse(second)) {
      unlinkSync(lock);
      continue;
    }
    process.once('exit', () => {
      try {
        unlinkSync(lock);
      } catch {}
    });
    return second;
  }
  throw new Error(`no free 127.B.0.0/16 test block among 127.${FIRST}-${FIRST + COUNT - 1}`);
};

let second: number | undefined;
/** This process's second octet (claimed at first use). */
export const blockOctet = (): number => (second ??= claim());
/** This process's block as a lab option / RPCSWEEP_LAB_BLOCK value. */
export const labBlock = (): string => `127.${blockOctet()}.0.0/16`;
/** `127.A.x.y` (or any text holding such addresses, e.g. a range) moved into this process's block. */
export const at = (address: string): string =>
  address.replace(/\b127\.\d{1,3}\.(\d{1,3}(?:\.\d{1,3})?)\b/g, `127.${blockOctet()}.$1`);
/** at() as regular-expression source (dots escaped), for patterns over output. */
export const atPattern = (address: string): string => at(address).replace(/\./g, '\\.');
