/**
 * A loopback /24 for one test run: random (so parallel runs and other engineers' labs do not meet),
 * outside 127.0.x (the built-in specs), and with nothing listening on it right now.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';

const listeningPrefixes = (): Set<string> => {
  const out = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (!local) continue;
      // Little-endian hex address: the last byte pair is the first octet.
      const hex = local.split(':')[0]!;
      const b = [6, 4, 2].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
      out.add(b.join('.'));
    }
  } catch {}
  return out;
};

/** `127.B.C` (no trailing dot) of a /24 that is free now. */
export const freeLoopbackBlock = (): string => {
  const busy = listeningPrefixes();
  for (;;) {
    const prefix = `127.${randomInt(100, 250)}.${randomInt(1, 255)}`;
    if (!busy.has(prefix)) return prefix;
  }
};
