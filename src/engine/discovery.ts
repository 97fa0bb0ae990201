/**
 * Stateless SYN discovery in front of the verdict engine (issue #18). A SYN engine (Debian's masscan
 * or zmap, driven by the CLI: scan-syn.ts) sweeps the planned addresses on the activation port; its
 * findings arrive here as lines of its streaming output. This module is pure bookkeeping and parsing:
 * - `SweepBook` maps each finding to its plan index, hands the index to the engine at once (SYN-ACK:
 *   the probes connect for real; RST: refused without a connect) and, once the sweep's wait is over,
 *   every index still unanswered (silent: unreachable without a connect). The engine reads the
 *   outcome through `ScanEngineOptions.discovered` and walks `order()` instead of the plan order.
 * - parsers for masscan's console lines, zmap's CSV and tcpdump's answer lines;
 * - the target list the engine gets: the plan's own addresses as ranges (masscan) or CIDR blocks
 *   (zmap), never anything outside the plan.
 */
import { RpcsweepError } from '../core/errors.ts';
import { formatIpv4, parseIpv4 } from '../core/ipv4.ts';
import type { ProbeOutcome } from '../probes/types.ts';

export type SweepState = 'open' | 'refused' | 'silent';
const STATE_CODE: Record<SweepState, number> = { open: 1, refused: 2, silent: 3 };
const CODE_STATE: readonly (SweepState | undefined)[] = [undefined, 'open', 'refused', 'silent'];

export interface SweepFinding {
  address: string;
  state: 'open' | 'refused';
}

/** `Discovered open port 135/tcp on 10.0.0.5` / `Discovered closed port …` (masscan's console output). */
export const parseMasscanLine = (line: string, port: number): SweepFinding | undefined => {
  const m = /^Discovered (open|closed) port (\d+)\/tcp on (\d+\.\d+\.\d+\.\d+)\s*$/.exec(line.trim());
  if (!m || Number(m[2]) !== port) return undefined;
  return { address: m[3]!, state: m[1] === 'open' ? 'open' : 'refused' };
};

/** zmap `-f saddr,classification,success` CSV: `10.0.0.5,synack,1` (zmap 2.1.1 prints SYN-ACKs only). */
export const parseZmapLine = (line: string): SweepFinding | undefined => {
  const [address, classification] = line.trim().split(',');
  if (!address || parseIpv4(address) === undefined) return undefined;
  if (classification === 'synack') return { address, state: 'open' };
  if (classification === 'rst') return { address, state: 'refused' };
  return undefined;
};

/**
 * tcpdump -n -l line of an answer from the activation port: `IP 10.0.0.7.135 > 192.0.2.1.61234: Flags [R.], …`
 * (RST: refused) or `Flags [S.]` (SYN-ACK: open).
 */
export const parseTcpdumpAnswer = (line: string, port: number): SweepFinding | undefined => {
  const m = /\bIP (\d+\.\d+\.\d+\.\d+)\.(\d+) > [\d.]+: Flags \[(R|S\.)/.exec(line);
  if (!m || Number(m[2]) !== port) return undefined;
  return { address: m[1]!, state: m[3] === 'R' ? 'refused' : 'open' };
};

/** Sorted uint32 addresses → inclusive runs [first, last]. */
export const toRuns = (sorted: Uint32Array): Array<[number, number]> => {
  const runs: Array<[number, number]> = [];
  for (const a of sorted) {
    const last = runs[runs.length - 1];
    if (last && a === last[1] + 1) last[1] = a;
    else if (!last || a !== last[1]) runs.push([a, a]);
  }
  return runs;
};

/** The smallest list of CIDR blocks that covers the run exactly. */
export const runToCidrs = (first: number, last: number): string[] => {
  const out: string[] = [];
  let a = first;
  while (a <= last) {
    // The largest block aligned at `a` that does not pass `last`.
    let size = a === 0 ? 2 ** 32 : (a & -a) >>> 0;
    while (a + size - 1 > last) size /= 2;
    out.push(`${formatIpv4(a)}/${32 - Math.log2(size)}`);
    a += size;
  }
  return out;
};

/** The plan's addresses as a uint32 set; IPv6 cannot be swept (masscan/zmap here are IPv4 SYN scanners). */
export interface PlanAddresses {
  readonly total: number;
  entryAt(index: number): { address: string };
}

/**
 * Per-address sweep state and the order the engine scans in. Findings for addresses outside the plan
 * (another scanner on the same wire, a stray packet) are ignored.
 */
export class SweepBook {
  readonly #sorted: Uint32Array;
  readonly #indexOf: Uint32Array;
  readonly #state: Uint8Array;
  readonly #ready: number[] = [];
  #wake: (() => void) | undefined;
  #ended = false;
  #pending: readonly number[];
  counts = { open: 0, refused: 0, silent: 0 };

  /** `indices`: the plan indices this sweep covers (all of them, or what a resumed scan still needs). */
  constructor(plan: PlanAddresses, indices: readonly number[]) {
    // (address << 32 | index) pairs sort by address with one native sort.
    const pairs = new BigUint64Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      const n = parseIpv4(plan.entryAt(i).address);
      if (n === undefined) {
        throw new RpcsweepError(
          'CLI_USAGE',
          `--discovery syn sweeps IPv4 only: ${plan.entryAt(i).address} is not an IPv4 address`,
        );
      }
      pairs[k] = (BigInt(n) << 32n) | BigInt(i);
    }
    pairs.sort();
    this.#sorted = new Uint32Array(indices.length);
    this.#indexOf = new Uint32Array(indices.length);
    for (let k = 0; k < pairs.length; k++) {
      this.#sorted[k] = Number(pairs[k]! >> 32n);
      this.#indexOf[k] = Number(pairs[k]! & 0xffffffffn);
    }
    this.#state = new Uint8Array(plan.total);
    this.#pending = indices;
  }

  /** The swept addresses, ascending (for the engine's target list). */
  get addresses(): Uint32Array {
    return this.#sorted;
  }

  #find(n: number): number {
    let lo = 0;
    let hi = this.#sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.#sorted[mid]!;
      if (v === n) return mid;
      if (v < n) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** A SYN-ACK or RST from the engine's output. Returns false for an address outside the sweep. */
  record(f: SweepFinding): boolean {
    const n = parseIpv4(f.address);
    const k = n === undefined ? -1 : this.#find(n);
    if (k < 0 || this.#ended) return false;
    const index = this.#indexOf[k]!;
    // The first answer counts (a retransmitted SYN-ACK after a RST changes nothing).
    if (this.#state[index] !== 0) return true;
    this.#state[index] = STATE_CODE[f.state];
    this.counts[f.state]++;
    this.#push(index);
    return true;
  }

  /** The sweep (and its wait) is over: every address that did not answer is silent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const i of this.#pending) {
      if (this.#state[i] !== 0) continue;
      this.#state[i] = STATE_CODE.silent;
      this.counts.silent++;
      this.#ready.push(i);
    }
    this.#pending = [];
    this.#wake?.();
  }

  #push(index: number): void {
    this.#ready.push(index);
    this.#wake?.();
  }

  stateOf(index: number): SweepState | undefined {
    return CODE_STATE[this.#state[index]!];
  }

  /** The indices as they become known: answers first, in arrival order, then the silent ones. */
  async *order(signal?: AbortSignal): AsyncGenerator<number> {
    // One abort listener for the whole walk (one per wait would pile up on the signal).
    const onAbort = () => this.#wake?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (this.#ready.length > 0) {
          // Drained in batches so a long ready list costs no shift() per element.
          const batch = this.#ready.splice(0, this.#ready.length);
          for (const i of batch) yield i;
        }
        if (this.#ended || signal?.aborted) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * What the engine reports for an address the sweep already decided, worded like a connect's outcome
 * so verdicts and reports match connect discovery; the evidence says which engine decided it.
 */
export const sweptOutcome = (
  state: 'refused' | 'silent',
  base: { probe: string; port: number; engine: string; waitMs: number },
): ProbeOutcome => {
  const refused = state === 'refused';
  const message = refused
    ? `tcp/${base.port} answered the SYN with RST (${base.engine})`
    : `no answer to the SYN on tcp/${base.port} within ${base.waitMs} ms after the sweep (${base.engine})`;
  const code = refused ? 'NET_REFUSED' : 'NET_CONNECT_TIMEOUT';
  return {
    probe: base.probe,
    transport: 'tcp',
    port: base.port,
    durationMs: 0,
    classification: refused ? 'refused' : 'unreachable',
    success: false,
    reason: message,
    error: { code, message },
  };
};
