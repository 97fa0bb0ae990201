/**
 * Blaster.A spreading through a population, event-driven on a virtual clock (blaster.md §2, §5.7).
 *
 * Each running worm process sweeps addresses sequentially from its LCG-derived start, 20 connects
 * per batch and a fixed 1.8 s wait, then one blocking infection attempt per host that answered.
 * Instead of stepping probes, a worm asks the sorted target index for the next host it will reach,
 * and the queue wakes it when the batch containing that host ends. Hosts that can no longer change
 * (infected, patched, taken by Welchia) leave the index, so late in an outbreak a worm only wakes
 * for hosts that still matter. Hits on infected hosts are only modelled when crashes reboot hosts
 * (then an exploit-variant mismatch crashes the infected host and its worm re-seeds on boot).
 */
import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import { blasterStart, quantiseTick } from './blaster-targeting.ts';
import { EventQueue } from './event-queue.ts';
import { dailyFractionToHazardPerS, type Interventions, validateInterventions } from './interventions.ts';
import { OS_WIN2K, OS_XP, type Population } from './population.ts';
import type { Sample } from './series.ts';
import { CYCLE_LENGTH, isOnSweep, sweepIndex } from './sweep.ts';
import { TargetIndex } from './target-index.ts';
import { Telescope, type TelescopeReport, type TelescopeSpec } from './telescope.ts';

export interface BlasterOptions {
  durationH: number;
  seed: number;
  /** Sampling step of the time series. */
  sampleEveryS?: number;
  /** Hosts infected at t = 0 (drawn among the vulnerable ones). */
  initialInfected?: number;
  /** Or exactly these host ids (indices into the population). */
  initialHosts?: readonly number[];
  /** Connects per batch and the fixed wait after them (§2.3). */
  batchSize?: number;
  batchS?: number;
  /** GetTickCount() granularity (15.625 ms on a 64 Hz timer). */
  tickMs?: number;
  /**
   * Share of starts where the srand() before the local C adjustment saw the same tick as the final
   * one (T0 = T); the rest saw one tick less. With T0 = T the offset reuses the mode draw, so local
   * starts land 12..19 /24s below the own /24.
   */
  sameTickShare?: number;
  /** From the successful exploit to the victim running msblast.exe (TFTP of 13 blocks, 0.9 s apart). */
  infectionDelayS?: number;
  /** The infector's blocking time per successful attempt (shell, TFTP, start commands). */
  attemptStallS?: number;
  /** The infector's time lost on a host that answers on 135 but is not infected (patched, wrong variant). */
  probeStallS?: number;
  /** Chance that 4444 and the TFTP return path work once the exploit variant fits. */
  successProbability?: number;
  /** A worm launched by `start msblast.exe` runs at an arbitrary uptime in [0, this] hours (its seed). */
  launchUptimeMaxH?: number;
  /** After a reboot the Run key starts the worm this many seconds after boot (its seed), uniformly. */
  bootDelayMinS?: number;
  bootDelayMaxS?: number;
  /**
   * Ordinary reboots of infected hosts per day (Poisson). Each one restarts the worm from the Run key
   * a few seconds after boot, with a low-entropy tick seed: the source of the seeding hotspots.
   */
  userRebootsPerDay?: number;
  /** A variant mismatch crashes RPCSS: reboot the host (60 s countdown + boot) and re-seed its worm. */
  rebootOnCrash?: boolean;
  rebootDelayS?: number;
  telescope?: TelescopeSpec;
}

export interface BlasterRunStats {
  events: number;
  /** Probes sent by all worm processes. */
  probes: number;
  infections: number;
  /** Exploit attempts whose variant did not fit the target's OS. */
  crashes: number;
  /** Worm processes started (infections plus reboot restarts). */
  wormStarts: number;
  /** Worm processes per start mode. */
  localStarts: number;
  randomStarts: number;
  blockedByFilter: number;
  cleaned: number;
}

export interface BlasterResult {
  samples: Sample[];
  /** Per host: when its worm first ran (s), NaN when never. */
  infectedAtS: Float64Array;
  stats: BlasterRunStats;
  telescope?: TelescopeReport;
}

const _S_SUSCEPTIBLE = 0;
const S_INFECTING = 1;
const S_INFECTED = 2;
const S_CLEANED = 3;
const S_WELCHIA = 4;

const F_CURSOR = 0; // sweep index of the last address handled
const F_BATCH_END = 1; // sweep index of the last address of the current batch
const F_READY = 2; // time the worm continues (next batch or next attempt)
const F_PEND_END = 3; // batch end at the pending hit (Infinity: no pending hit)
const F_PEND_SLOT = 4; // target slot of the pending hit
const F_PEND_SPACE = 5; // address space of that slot
const F_PATCH_AT = 6; // when the patch process reaches this host
const F_DOWN_UNTIL = 7; // end of a crash reboot

const K_HIT = 0;
const K_START = 1;
const K_CLEAN = 2;
const K_REBOOT = 3;
const K_WELCHIA_HIT = 4;
const K_WELCHIA_START = 5;
const K_USER_REBOOT = 6;

const bad = (m: string) => new RpcsweepError('SIM_BAD_INPUT', m);

const positive = (name: string, v: number) => {
  if (!(Number.isFinite(v) && v > 0)) throw bad(`${name} must be positive, got ${v}`);
  return v;
};

/**
 * Where a worm stands before its first probe: at the start address A.B.C.0 (A.B.C.1 is probed first).
 * A local start inside an off-sweep block (own address with a 255 octet) runs on to the next block.
 */
const startCursor = (start: number): number => {
  let a = start >>> 0;
  for (let guard = 0; sweepIndex(a) < 0 && guard < 70000; guard++) a = ((a | 0xff) + 1) >>> 0;
  const i = Math.max(0, sweepIndex(a));
  return a === start >>> 0 || (a & 0x00ffffff) === 0 ? i : (i - 1 + CYCLE_LENGTH) % CYCLE_LENGTH;
};

// Sweep positions are integers in [0, CYCLE_LENGTH), which exceeds int32: `%` on them is a float
// modulus (a C call in V8), so the per-event arithmetic wraps with a compare instead.
/** Positions from `from` forward to `to` on the cycle (0 when equal), as (to - from + L) % L. */
const ahead = (from: number, to: number): number => {
  const d = to - from;
  return d < 0 ? d + CYCLE_LENGTH : d;
};
/** x mod CYCLE_LENGTH for x >= 0. */
const wrap = (x: number): number => (x < CYCLE_LENGTH ? x : x % CYCLE_LENGTH);

export const runBlaster = (
  pop: Population,
  options: BlasterOptions,
  interventions: Interventions = {},
): BlasterResult => {
  validateInterventions(interventions);
  const endS = positive('durationH', options.durationH) * 3600;
  const sampleEveryS = positive('sampleEveryS', options.sampleEveryS ?? Math.max(1, endS / 400));
  const B = options.batchSize ?? 20;
  const batchS = positive('batchS', options.batchS ?? 1.8);
  const tickMs = positive('tickMs', options.tickMs ?? 15.625);
  const sameTickShare = options.sameTickShare ?? 0.5;
  const infectionDelayS = options.infectionDelayS ?? 14;
  const attemptStallS = options.attemptStallS ?? 17.5;
  const probeStallS = options.probeStallS ?? 0.4;
  const pSuccess = options.successProbability ?? 1;
  const launchUptimeMaxS = (options.launchUptimeMaxH ?? 24) * 3600;
  const bootMinS = options.bootDelayMinS ?? 20;
  const bootMaxS = options.bootDelayMaxS ?? 60;
  const rebootOnCrash = options.rebootOnCrash ?? false;
  const rebootDelayS = options.rebootDelayS ?? 120;
  const userRebootRatePerS = (options.userRebootsPerDay ?? 0) / 86400;
  if (!(userRebootRatePerS >= 0)) throw bad('userRebootsPerDay must be >= 0');
  const initialInfected = options.initialHosts?.length ?? options.initialInfected ?? 1;
  if (!(Number.isInteger(B) && B >= 1)) throw bad(`batchSize must be a positive integer, got ${B}`);
  if (!(sameTickShare >= 0 && sameTickShare <= 1)) throw bad('sameTickShare must be in [0, 1]');
  if (!(pSuccess >= 0 && pSuccess <= 1)) throw bad(`successProbability must be in [0, 1], got ${pSuccess}`);
  if (!(bootMinS >= 0 && bootMaxS >= bootMinS)) throw bad('bootDelayMinS..bootDelayMaxS is not a range');
  if (!(infectionDelayS >= 0 && attemptStallS >= 0 && probeStallS >= 0)) throw bad('delays must be >= 0');

  const n = pop.size;
  const vulnerableTotal = pop.vulnerable.reduce((s, v) => s + v, 0);
  if (!(Number.isInteger(initialInfected) && initialInfected >= 1 && initialInfected <= vulnerableTotal))
    throw bad(`initialInfected must be 1..${vulnerableTotal}, got ${initialInfected}`);

  const rng = createRng(options.seed);
  const rngSeeds = rng.fork(); // tick values of worm starts
  const rngAttempts = rng.fork(); // success of transfers
  const rngHazards = rng.fork(); // patch, cleanup times
  const rngWelchia = rng.fork();
  const rngSetup = rng.fork();

  // One target index per address space: 0 = public, 1 + s = NAT site s.
  const spaces: TargetIndex[] = [];
  // Without NAT sites every host is public: skip the per-schedule read of site[] (a cache miss per event).
  const site = pop.site;
  const spaceOf = pop.siteCount === 0 ? (_h: number) => 0 : (h: number) => site[h]! + 1;
  const slotOf = new Int32Array(n).fill(-1);
  {
    // Counting sort of host ids by space, then one TargetIndex per space.
    const counts = new Int32Array(pop.siteCount + 2);
    for (let h = 0; h < n; h++) if (isOnSweep(pop.address[h]!)) counts[spaceOf(h) + 1]!++;
    for (let s = 1; s < counts.length; s++) counts[s]! += counts[s - 1]!;
    const ids = new Int32Array(counts[counts.length - 1]!);
    const fill = counts.slice();
    for (let h = 0; h < n; h++) if (isOnSweep(pop.address[h]!)) ids[fill[spaceOf(h)]!++] = h;
    for (let sp = 0; sp <= pop.siteCount; sp++) {
      const m = ids.subarray(counts[sp]!, counts[sp + 1]!);
      if (m.length > TargetIndex.MAX_HOSTS)
        throw bad(`at most ${TargetIndex.MAX_HOSTS} hosts per address space`);
      const positions = new Float64Array(m.length);
      for (let i = 0; i < m.length; i++) positions[i] = sweepIndex(pop.address[m[i]!]!);
      const idx = new TargetIndex(m, positions);
      for (let s = 0; s < idx.hosts.length; s++) slotOf[idx.hosts[s]!] = s;
      spaces.push(idx);
    }
  }

  const state = new Uint8Array(n);
  const infectedAtS = new Float64Array(n).fill(Number.NaN);
  const running = new Uint8Array(n);
  const gen = new Int32Array(n);
  const starts = new Int32Array(n);
  // Per-host doubles in one stride-8 record (one cache line): the worm's sweep state and the host's
  // patch and reboot times. Offsets: see the F_ constants.
  const W = new Float64Array(n * 8);
  for (let h = 0; h < n; h++) W[h * 8 + F_PATCH_AT] = Number.POSITIVE_INFINITY;
  const pendingTick = new Float64Array(n);
  // Worm state (valid while running): sweep cursor, last position of the current batch, ready time.
  const win2kVariant = new Uint8Array(n);

  const patchHazard = dailyFractionToHazardPerS(interventions.patchPerDay ?? 0);
  const patchStartS = (interventions.patchStartH ?? 0) * 3600;
  if (patchHazard > 0)
    for (let h = 0; h < n; h++)
      if (pop.vulnerable[h])
        W[h * 8 + F_PATCH_AT] = patchStartS - Math.log(1 - rngHazards.next()) / patchHazard;
  // When cleanup or Welchia patched a host (the patch process may come later: the earlier time counts).
  const fixedAt = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const cleanupHazard = dailyFractionToHazardPerS(interventions.cleanupPerDay ?? 0);
  const cleanupStartS = (interventions.cleanupStartH ?? 0) * 3600;

  const filterShare = interventions.borderFilterShare ?? 0;
  const filterStartS = (interventions.borderFilterStartH ?? 0) * 3600;
  const filtered = new Uint8Array(65536 + pop.siteCount);
  if (filterShare > 0)
    for (let i = 0; i < filtered.length; i++) filtered[i] = rngSetup.next() < filterShare ? 1 : 0;
  const blocked = (from: number, to: number, t: number): boolean => {
    if (filterShare === 0 || t < filterStartS) return false;
    const a = pop.network[from]!;
    const b = pop.network[to]!;
    return a !== b && (filtered[a] === 1 || filtered[b] === 1);
  };

  const telescope = options.telescope ? new Telescope(options.telescope) : undefined;
  const queue = new EventQueue();
  const stats: BlasterRunStats = {
    events: 0,
    probes: 0,
    infections: 0,
    crashes: 0,
    wormStarts: 0,
    localStarts: 0,
    randomStarts: 0,
    blockedByFilter: 0,
    cleaned: 0,
  };
  let infectedNow = 0;
  let everInfected = 0;
  let runningNow = 0;
  let welchiaNow = 0;

  const removeFromIndex = (h: number) => {
    const s = slotOf[h]!;
    if (s >= 0) spaces[spaceOf(h)]!.remove(s);
  };

  /** Accounts the probes a worm sent from its last batch end up to `count` more positions. */
  const sweep = (h: number, count: number) => {
    if (count <= 0) return;
    stats.probes += count;
    telescope?.record(h, starts[h]!, W[h * 8 + F_BATCH_END]!, count, W[h * 8 + F_READY]!, B, batchS);
    W[h * 8 + F_BATCH_END] = wrap(W[h * 8 + F_BATCH_END]! + count);
  };

  /** Stops a running worm at time t, accounting the batches it sent since its last event. */
  const stopWorm = (h: number, t: number) => {
    if (!running[h]) return;
    const done = t > W[h * 8 + F_READY]! ? Math.floor((t - W[h * 8 + F_READY]!) / batchS) * B : 0;
    const pending =
      W[h * 8 + F_PEND_END] === Number.POSITIVE_INFINITY
        ? Number.POSITIVE_INFINITY
        : ahead(W[h * 8 + F_BATCH_END]!, W[h * 8 + F_PEND_END]!);
    sweep(h, Math.min(done, pending));
    running[h] = 0;
    runningNow--;
    gen[h]!++;
  };

  const schedule = (h: number) => {
    const c = W[h * 8 + F_CURSOR]!;
    let bestDist = Number.POSITIVE_INFINITY;
    let bestSlot = -1;
    let bestSpace = -1;
    // A NAT'd worm reaches its own site in private space and the public Internet elsewhere.
    for (let sp = spaceOf(h); ; sp = 0) {
      const idx = spaces[sp]!;
      const slot = idx.successor(c);
      if (slot >= 0) {
        const d = idx.distance(c, slot);
        if (d < bestDist) {
          bestDist = d;
          bestSlot = slot;
          bestSpace = sp;
        }
      }
      if (sp === 0) break;
    }
    // Nothing left to reach: the worm keeps sweeping; its probes are accounted when it stops or at the end.
    const remaining = ahead(c, W[h * 8 + F_BATCH_END]!);
    if (bestSlot < 0) {
      W[h * 8 + F_PEND_END] = Number.POSITIVE_INFINITY;
      return;
    }
    let time = W[h * 8 + F_READY]!;
    let end = W[h * 8 + F_BATCH_END]!;
    if (bestDist > remaining) {
      const k = Math.ceil((bestDist - remaining) / B);
      time += k * batchS;
      end = wrap(end + k * B);
    }
    W[h * 8 + F_PEND_END] = end;
    W[h * 8 + F_PEND_SLOT] = bestSlot;
    W[h * 8 + F_PEND_SPACE] = bestSpace;
    if (time <= endS) queue.push(time, K_HIT, h, gen[h]!);
    else W[h * 8 + F_PEND_END] = Number.POSITIVE_INFINITY; // beyond the horizon: account at the end
  };

  const startWorm = (h: number, t: number, tick: number) => {
    const own = pop.address[h]!;
    const t0 =
      sameTickShare >= 1 || rngSeeds.next() < sameTickShare
        ? tick
        : Math.max(0, quantiseTick(tick - tickMs, tickMs));
    const s = blasterStart(tick, own, t0);
    stats.wormStarts++;
    if (s.mode === 'local') stats.localStarts++;
    else stats.randomStarts++;
    starts[h]!++;
    win2kVariant[h] = s.targetsWin2k ? OS_WIN2K : OS_XP;
    W[h * 8 + F_CURSOR] = startCursor(s.start);
    W[h * 8 + F_BATCH_END] = W[h * 8 + F_CURSOR]!;
    W[h * 8 + F_READY] = t;
    running[h] = 1;
    runningNow++;
    schedule(h);
  };

  const launchTick = () => quantiseTick(rngSeeds.next() * launchUptimeMaxS * 1000, tickMs);
  const bootDelay = () => bootMinS + rngSeeds.next() * (bootMaxS - bootMinS);

  const infect = (v: number, t: number) => {
    state[v] = S_INFECTING;
    if (!rebootOnCrash) removeFromIndex(v);
    pendingTick[v] = launchTick();
    queue.push(t + infectionDelayS, K_START, v, gen[v]!);
  };

  const crash = (v: number, t: number) => {
    stats.crashes++;
    if (!rebootOnCrash) return;
    W[v * 8 + F_DOWN_UNTIL] = t + rebootDelayS;
    if (state[v] === S_INFECTED) stopWorm(v, t);
    queue.push(t + rebootDelayS, K_REBOOT, v, gen[v]!);
  };

  const onHit = (w: number, t: number) => {
    const sp = W[w * 8 + F_PEND_SPACE]!;
    const idx = spaces[sp]!;
    const slot = W[w * 8 + F_PEND_SLOT]!;
    const v = idx.hosts[slot]!;
    sweep(w, ahead(W[w * 8 + F_BATCH_END]!, W[w * 8 + F_PEND_END]!));
    W[w * 8 + F_CURSOR] = idx.positions[slot]!;
    let stall = 0;
    if (!idx.isLive(slot) || v === w) {
      // taken meanwhile, or the worm's own address: nothing to do
    } else if (blocked(w, v, t)) stats.blockedByFilter++;
    else if (!pop.vulnerable[v]) stall = probeStallS;
    else if (W[v * 8 + F_PATCH_AT]! <= t) {
      idx.remove(slot);
      stall = probeStallS;
    } else if (W[v * 8 + F_DOWN_UNTIL]! > t) {
      // rebooting: nothing answers
    } else if (state[v] === S_INFECTED || state[v] === S_INFECTING) {
      // Only reached with rebootOnCrash: a re-exploit either crashes the host or its new copy exits on the mutex.
      if (pop.os[v] !== win2kVariant[w]) crash(v, t);
      stall = pop.os[v] !== win2kVariant[w] ? probeStallS : attemptStallS;
    } else if (pop.os[v] !== win2kVariant[w]) {
      // the other variant, or an NT 4.0 / Server 2003 host that no variant fits: RPCSS crashes
      crash(v, t);
      stall = probeStallS;
    } else {
      stall = attemptStallS;
      if (pSuccess >= 1 || rngAttempts.next() < pSuccess) infect(v, t);
    }
    W[w * 8 + F_READY] = t + stall;
    schedule(w);
  };

  const onStart = (v: number, t: number) => {
    if (state[v] === S_INFECTING) {
      state[v] = S_INFECTED;
      infectedAtS[v] = t;
      stats.infections++;
      infectedNow++;
      everInfected++;
      if (cleanupHazard > 0)
        queue.push(
          Math.max(t, cleanupStartS) - Math.log(1 - rngHazards.next()) / cleanupHazard,
          K_CLEAN,
          v,
          0,
        );
      if (userRebootRatePerS > 0)
        queue.push(t - Math.log(1 - rngHazards.next()) / userRebootRatePerS, K_USER_REBOOT, v, 0);
      startWorm(v, t, pendingTick[v]!);
    } else if (state[v] === S_INFECTED && !running[v]) startWorm(v, t, pendingTick[v]!);
  };

  // Welchia as one aggregated hit process: every running Welchia host's probes land on each host
  // at scansPerS/2^32, so the population-wide rate of hits on still-convertible hosts is
  // W·scansPerS·C/2^32. Hosts that stopped being convertible (patched, cleaned) are dropped from the
  // candidate list when drawn (thinning), so the cost is one event per conversion or rejection.
  const welchia = interventions.welchia;
  const welchiaSources: number[] = [];
  const candidates = new Int32Array(welchia ? n : 0);
  const candidateAt = new Int32Array(welchia ? n : 0).fill(-1);
  let candidateCount = 0;
  if (welchia)
    for (let h = 0; h < n; h++)
      if (pop.vulnerable[h]) {
        candidateAt[h] = candidateCount;
        candidates[candidateCount++] = h;
      }
  const dropCandidate = (v: number) => {
    const i = candidateAt[v]!;
    if (i < 0) return;
    const last = candidates[--candidateCount]!;
    candidates[i] = last;
    candidateAt[last] = i;
    candidateAt[v] = -1;
  };
  let welchiaEpoch = 0;
  const scheduleWelchia = (t: number) => {
    welchiaEpoch++;
    const rate = (welchia!.scansPerS * welchiaSources.length * candidateCount) / 4294967296;
    if (rate <= 0) return;
    const next = t - Math.log(1 - rngWelchia.next()) / rate;
    if (next <= endS) queue.push(next, K_WELCHIA_HIT, -1, welchiaEpoch);
  };
  const takeOver = (v: number, t: number) => {
    if (state[v] === S_INFECTED) {
      stopWorm(v, t);
      infectedNow--;
      stats.cleaned++;
    } else if (state[v] === S_INFECTING) gen[v]!++; // cancels the pending start
    state[v] = S_WELCHIA;
    fixedAt[v] = t;
    removeFromIndex(v);
    dropCandidate(v);
    queue.push(t + infectionDelayS, K_WELCHIA_START, v, 0);
  };

  // Seeds of the outbreak.
  {
    const candidates: number[] = [];
    for (let h = 0; h < n; h++) if (pop.vulnerable[h] && isOnSweep(pop.address[h]!)) candidates.push(h);
    if (candidates.length < initialInfected) throw bad('not enough vulnerable hosts for initialInfected');
    for (const h of options.initialHosts ?? [])
      if (!(Number.isInteger(h) && h >= 0 && h < n && pop.vulnerable[h]))
        throw bad(`initial host ${h} is not a vulnerable host of the population`);
    for (let i = 0; i < initialInfected; i++) {
      let h: number;
      if (options.initialHosts) h = options.initialHosts[i]!;
      else {
        const j = i + rngSetup.below(candidates.length - i);
        [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
        h = candidates[i]!;
      }
      state[h] = S_INFECTING;
      if (!rebootOnCrash) removeFromIndex(h);
      pendingTick[h] = launchTick();
      queue.push(0, K_START, h, gen[h]!);
    }
    if (welchia) queue.push(welchia.startH * 3600, K_WELCHIA_START, -1, welchia.initial);
  }

  const samples: Sample[] = [];
  let nextSampleS = 0;
  const emitSamplesBefore = (t: number) => {
    while (nextSampleS <= endS && nextSampleS < t) {
      samples.push({
        tH: nextSampleS / 3600,
        infected: infectedNow,
        everInfected,
        patched: 0, // filled in after the run, from patchAt and fixedAt
        welchia: welchiaNow,
        scansPerS: (runningNow * B) / batchS,
        telescopeSources: telescope?.uniqueSources ?? 0,
      });
      nextSampleS += sampleEveryS;
    }
  };

  const ev = { time: 0, kind: 0, host: 0, gen: 0 };
  while (queue.peekTime() <= endS) {
    queue.pop(ev);
    emitSamplesBefore(ev.time);
    stats.events++;
    const t = ev.time;
    const h = ev.host;
    switch (ev.kind) {
      case K_HIT:
        if (running[h] && ev.gen === gen[h]) onHit(h, t);
        break;
      case K_START:
        if (ev.gen === gen[h]) onStart(h, t);
        break;
      case K_CLEAN:
        if (state[h] === S_INFECTED) {
          stopWorm(h, t);
          state[h] = S_CLEANED;
          infectedNow--;
          stats.cleaned++;
          fixedAt[h] = t;
          removeFromIndex(h);
        }
        break;
      case K_REBOOT:
        if (state[h] === S_INFECTED && !running[h]) {
          const delay = bootDelay();
          pendingTick[h] = quantiseTick(delay * 1000, tickMs);
          queue.push(t + delay, K_START, h, gen[h]!);
        }
        break;
      case K_USER_REBOOT:
        if (state[h] === S_INFECTED) {
          if (running[h]) {
            stopWorm(h, t);
            const delay = bootDelay();
            pendingTick[h] = quantiseTick(delay * 1000, tickMs);
            queue.push(t + rebootDelayS + delay, K_START, h, gen[h]!);
          }
          queue.push(t - Math.log(1 - rngHazards.next()) / userRebootRatePerS, K_USER_REBOOT, h, 0);
        }
        break;
      case K_WELCHIA_HIT: {
        if (ev.gen !== welchiaEpoch || candidateCount === 0) break;
        const v = candidates[rngWelchia.below(candidateCount)]!;
        const source = welchiaSources[rngWelchia.below(welchiaSources.length)]!;
        if (!pop.vulnerable[v] || W[v * 8 + F_PATCH_AT]! <= t || state[v] > S_INFECTED) dropCandidate(v);
        else if (!blocked(source, v, t)) takeOver(v, t);
        scheduleWelchia(t);
        break;
      }
      case K_WELCHIA_START:
        if (h < 0) {
          // Release of the counter-worm: it takes over `gen` random vulnerable hosts.
          for (let i = 0; i < ev.gen && candidateCount > 0; i++)
            takeOver(candidates[rngWelchia.below(candidateCount)]!, t);
        } else {
          welchiaNow++;
          welchiaSources.push(h);
          scheduleWelchia(t);
        }
        break;
    }
  }
  emitSamplesBefore(Number.POSITIVE_INFINITY);
  // Account the sweeps still under way at the horizon.
  for (let h = 0; h < n; h++) if (running[h]) stopWorm(h, endS);
  const last = samples[samples.length - 1];
  if (last && telescope && last.tH * 3600 >= endS) last.telescopeSources = telescope.uniqueSources;
  const patchTimes: number[] = [];
  for (let h = 0; h < n; h++) {
    const p = Math.min(W[h * 8 + F_PATCH_AT]!, fixedAt[h]!);
    if (pop.vulnerable[h] && p <= endS) patchTimes.push(p);
  }
  patchTimes.sort((a, b) => a - b);
  let k = 0;
  for (const sample of samples) {
    while (k < patchTimes.length && patchTimes[k]! <= sample.tH * 3600) k++;
    sample.patched = k;
  }
  return { samples, infectedAtS, stats, ...(telescope ? { telescope: telescope.report() } : {}) };
};
