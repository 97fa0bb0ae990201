/**
 * Moves a lab spec to another 127.B.0.0/16 block, keeping each address's low 16 bits. The built-in
 * specs keep their documented addresses for users; test runs and benchmarks relocate them to a block
 * of their own (RPCSWEEP_LAB_BLOCK, StartLabOptions.block) so that two runs on one machine never meet.
 */
import { RpcsweepError } from '../core/errors.ts';
import { formatIpv4, parseIpv4, rangeText } from './addresses.ts';
import type { LabSpec } from './spec.ts';

const invalid = (message: string): never => {
  throw new RpcsweepError('LAB_SPEC_INVALID', message, { details: { path: '(block)' } });
};

/** `127.B.0.0/16` (B in 1..255) → its first address as a u32. */
export const parseLabBlock = (text: string): number => {
  const m = /^127\.(\d{1,3})\.0\.0\/16$/.exec(text.trim());
  const second = m ? Number(m[1]) : -1;
  if (second < 1 || second > 255)
    invalid(
      `lab block "${text}": expected 127.B.0.0/16 with B in 1-255 (127.0.0.0/16 holds the machine's own services)`,
    );
  return (0x7f000000 | (second << 16)) >>> 0;
};

/** The spec with every address moved into `block`; the spec must lie within one /16. */
export const relocateSpec = (spec: LabSpec, block: string): LabSpec => {
  const base = parseLabBlock(block);
  const all = [...spec.hosts.map((h) => h.address), ...spec.refused, ...spec.unreachable, ...spec.samba].map(
    (a) => parseIpv4(a)!,
  );
  const from = all[0]! >>> 16;
  if (all.some((a) => a >>> 16 !== from))
    invalid(`lab spec ${spec.name} spans more than one /16 and cannot be moved to ${block}`);
  const move = (a: number) => (base | (a & 0xffff)) >>> 0;
  const text = (a: string) => formatIpv4(move(parseIpv4(a)!));
  let first = 0xffffffff;
  let last = 0;
  for (const a of all) {
    first = Math.min(first, move(a));
    last = Math.max(last, move(a));
  }
  return {
    ...spec,
    hosts: spec.hosts.map((h) => ({ ...h, address: text(h.address) })),
    refused: spec.refused.map(text),
    unreachable: spec.unreachable.map(text),
    samba: spec.samba.map(text),
    targetSpec: rangeText(first, last),
  };
};
