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
import { createRng, type Rng } from '../core/random.ts';
import { buildAddressSpaces } from './address-spaces.ts';
import { type BlasterOptions, resolveBlasterOptions } from './blaster-options.ts';
import { blasterStart, quantiseTick } from './blaster-targeting.ts';
import { EventQueue } from './event-queue.ts';
import { dailyFractionToHazardPerS, type Interventions, validateInterventions } from './interventions.ts';
import { OS_WIN2K, OS_XP, type Population } from './population.ts';
import { fillSensorSources } from './sensor.ts';
import type { Sample } from './series.ts';
import { addressAtIndex, CYCLE_LENGTH, isOnSweep, sweepIndex } from './sweep.ts';
import type { TargetIndex } from './target-index.ts';
import { Telescope, type TelescopeReport } from './telescope.ts';
import { WelchiaProcess } from './welchia-process.ts';

export type { BlasterOptions } from './blaster-options.ts';

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
  /**
   * Attempts a border filter stopped. Hosts a search passed without an event count when the worm
   * gets past them (a host taken meanwhile still counts: a few more than one event per host gave).
   */
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

// What an attempt finds at a host, its index slot's tag: the OS class (which variant fits), or:
const IMMUNE = 3; // a patched host
// Host states, one byte per host in `state`.
const S_INFECTING = 1; // exploited, worm not yet running (0: susceptible)
const S_INFECTED = 2;
const S_CLEANED = 3;
const S_WELCHIA = 4;

// One 16-byte worm record per host, where a worm stands between its events, through two views of
// one buffer: a double and 32-bit words. A hit event carries what its handler reads, so the record
// is written at each hit and read only when the worm stops (and by the telescope): it is kept small
// because each fresh page costs a fault. (Sweep positions are below 2^32: words, not doubles.)
const REC_WORDS = 4;
const REC_DOUBLES = 2;
// the double, at WF[h * REC_DOUBLES + field]
const READY = 0; // time the worm continues (next batch or next attempt); before a start, its tick seed
// 32-bit words, at WU[h * REC_WORDS + field]
const BATCH_END = 2; // sweep index of the last address of the current batch
const PEND_END = 3; // batch end at the pending hit, NO_HIT when none is queued
const NO_HIT = 0xffffffff; // (positions are below CYCLE_LENGTH < 2^32 - 1)
/** In a hit event's space word: set when the worm carries the Windows 2000 variant. */
const WIN2K_BIT = 1 << 31;

// Event kinds.
const K_HIT = 0;
const K_START = 1;
const K_CLEAN = 2;
const K_REBOOT = 3;
const K_WELCHIA_HIT = 4;
const K_WELCHIA_START = 5;
const K_USER_REBOOT = 6;

const bad = (m: string) => new RpcsweepError('SIM_BAD_INPUT', m);
const INF = Number.POSITIVE_INFINITY;

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

const exponential = (rng: Rng, ratePerS: number): number => -Math.log(1 - rng.next()) / ratePerS;

/**
 * When the patch process reaches each host (Infinity: never; immune hosts are patched already).
 * Without patching an empty array: no host is ever reached and nothing reads it.
 */
const patchTimes = (pop: Population, iv: Interventions, rng: Rng): Float64Array => {
  const hazard = dailyFractionToHazardPerS(iv.patchPerDay ?? 0);
  if (hazard === 0) return new Float64Array(0);
  const at = new Float64Array(pop.size);
  const startS = (iv.patchStartH ?? 0) * 3600;
  for (let h = 0; h < pop.size; h++) at[h] = pop.vulnerable[h] ? startS + exponential(rng, hazard) : INF;
  return at;
};

/**
 * Border filters: whether a probe from host `from` to host `to` at time t is dropped. Each
 * organisation that filters puts its filter up at its own time (a step, or a ramp to borderFilterFullH).
 */
const borderFilter = (pop: Population, iv: Interventions, rng: Rng) => {
  const share = iv.borderFilterShare ?? 0;
  const startS = (iv.borderFilterStartH ?? 0) * 3600;
  const rampS = Math.max(0, (iv.borderFilterFullH ?? 0) * 3600 - startS);
  const filterAt = new Float64Array(65536 + pop.siteCount).fill(INF);
  if (share > 0)
    for (let i = 0; i < filterAt.length; i++)
      if (rng.next() < share) filterAt[i] = rampS > 0 ? startS + rng.next() * rampS : startS;
  const network = pop.network;
  return (from: number, to: number, t: number): boolean => {
    if (share === 0 || t < startS) return false;
    const a = network[from]!;
    const b = network[to]!;
    return a !== b && (filterAt[a]! <= t || filterAt[b]! <= t);
  };
};

/** The hosts infected at t = 0: the given ones, or `count` drawn among the reachable vulnerable. */
const initialHosts = (pop: Population, count: number, given: readonly number[] | undefined, rng: Rng) => {
  const candidates = new Int32Array(pop.size);
  let m = 0;
  for (let h = 0; h < pop.size; h++) if (pop.vulnerable[h] && isOnSweep(pop.address[h]!)) candidates[m++] = h;
  if (m < count) throw bad('not enough vulnerable hosts for initialInfected');
  if (given) {
    for (const h of given)
      if (!(Number.isInteger(h) && h >= 0 && h < pop.size && pop.vulnerable[h]))
        throw bad(`initial host ${h} is not a vulnerable host of the population`);
    return [...given];
  }
  for (let i = 0; i < count; i++) {
    const j = i + rng.below(m - i);
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  return [...candidates.subarray(0, count)];
};

/** Fills `patched` of each sample: vulnerable hosts whose patch (process, cleanup or Welchia) came by then. */
const fillPatched = (
  samples: Sample[],
  pop: Population,
  patchAt: Float64Array,
  fixedAt: Float64Array,
  endS: number,
) => {
  const times: number[] = [];
  if (patchAt.length > 0 || fixedAt.length > 0)
    for (let h = 0; h < pop.size; h++) {
      const p = Math.min(patchAt[h] ?? INF, fixedAt[h] ?? INF);
      if (pop.vulnerable[h] && p <= endS) times.push(p);
    }
  times.sort((a, b) => a - b);
  let k = 0;
  for (const sample of samples) {
    while (k < times.length && times[k]! <= sample.tH * 3600) k++;
    sample.patched = k;
  }
};

/** Fills `telescopeSources` of each sample: sources first seen by the sample's time. */
const fillTelescopeSources = (samples: Sample[], firstSeen: Float64Array) => {
  let k = 0;
  for (const sample of samples) {
    while (k < firstSeen.length && firstSeen[k]! <= sample.tH * 3600) k++;
    sample.telescopeSources = k;
  }
};

const emptyStats = (): BlasterRunStats => ({
  events: 0,
  probes: 0,
  infections: 0,
  crashes: 0,
  wormStarts: 0,
  localStarts: 0,
  randomStarts: 0,
  blockedByFilter: 0,
  cleaned: 0,
});

export const runBlaster = (
  pop: Population,
  options: BlasterOptions,
  interventions: Interventions = {},
): BlasterResult => {
  validateInterventions(interventions);
  const o = resolveBlasterOptions(pop, options);
  const { endS, batchSize: B, batchS, tickMs, sameTickShare, infectionDelayS, probeStallS } = o;
  const { attemptStallS, successProbability: pSuccess, rebootOnCrash, rebootDelayS } = o;
  const { userRebootRatePerS, bootDelayMinS: bootMinS, bootDelayMaxS: bootMaxS } = o;
  const passLimit = o.filteredPassLimit;
  const n = pop.size;

  const rng = createRng(options.seed);
  const rngSeeds = rng.fork(); // tick values of worm starts
  const rngAttempts = rng.fork(); // success of transfers
  const rngHazards = rng.fork(); // patch, cleanup times
  const rngWelchia = rng.fork();
  const rngSetup = rng.fork();

  const {
    spaces,
    spaceOf,
    remove: removeFromIndex,
  } = buildAddressSpaces(pop, (h) => (pop.vulnerable[h] ? pop.os[h]! : IMMUNE));
  const state = new Uint8Array(n);
  const infectedAtS = new Float64Array(n).fill(Number.NaN);
  const records = new ArrayBuffer(n * REC_WORDS * 4);
  const WF = new Float64Array(records);
  const WU = new Uint32Array(records);
  const running = new Uint8Array(n); // 1 while the host's worm process runs
  // Per host its worm's generation: events of an older one are stale. Apart from the records: a hit
  // reads this and nothing else of its worm (4 MB for a million hosts, where the records are 16 MB).
  const gens = new Int32Array(n);
  // Arrays only some runs need are empty otherwise (each fresh page costs a fault; a million
  // hosts' worth of doubles is 2,000 of them).
  const starts = new Int32Array(options.telescope ? n : 0); // worm starts per host, for the telescope
  // Filtered hosts the last search passed (counted as blocked once the worm gets past them).
  const filtering = (interventions.borderFilterShare ?? 0) > 0;
  const passedFiltered = new Int32Array(filtering ? n : 0);
  const cursorAt = new Uint32Array(filtering ? n : 0); // where a worm stands (sweep position), for those passes
  const patchAt = patchTimes(pop, interventions, rngHazards);
  const patching = patchAt.length > 0;
  const downUntil = new Float64Array(rebootOnCrash ? n : 0); // end of a crash reboot
  // When cleanup or Welchia patched a host (the patch process may come later: the earlier time counts).
  const fixing = (interventions.cleanupPerDay ?? 0) > 0 || interventions.welchia !== undefined;
  const fixedAt = new Float64Array(fixing ? n : 0).fill(INF);
  const cleanupHazard = dailyFractionToHazardPerS(interventions.cleanupPerDay ?? 0);
  const cleanupStartS = (interventions.cleanupStartH ?? 0) * 3600;
  const blocked = borderFilter(pop, interventions, rngSetup);
  const telescope = options.telescope
    ? new Telescope(options.telescope, options.addressChangesPerDay ?? 0)
    : undefined;
  const welchia = interventions.welchia
    ? new WelchiaProcess(pop, interventions.welchia, rngWelchia)
    : undefined;
  const queue = new EventQueue();
  const stats = emptyStats();
  let infectedNow = 0;
  let everInfected = 0;
  let runningNow = 0;
  let welchiaNow = 0;

  /**
   * Accounts the probes a worm sent from its last batch end up to `count` more positions, where its
   * batch now ends at `end`. (Reads the worm's record only for the telescope.)
   */
  const sweep = (h: number, count: number, end: number) => {
    if (count <= 0) return;
    const r = h * REC_WORDS;
    stats.probes += count;
    telescope?.record(h, starts[h]!, WU[r + BATCH_END]!, count, WF[h * REC_DOUBLES + READY]!, B, batchS);
    WU[r + BATCH_END] = end;
  };

  // The first target a walk did not pass: slot, space, arrival time and batch end (slot -1: none).
  let foundSlot = -1;
  let foundSpace = -1;
  let foundTime = 0;
  let foundEnd = 0;

  /**
   * Walks worm h's next targets from where it stands, passing up to `limit` hosts behind a border
   * filter that stands when the worm gets there, as long as it gets there by `until`; returns how many
   * it passed and leaves the first other target in found* (foundSlot -1 when none by `until`). The
   * arithmetic is a hit event's with no stall, so the times are the ones an event per host would give.
   * The worm stands at sweep position `cursor`, continues at `ready` and its batch ends at
   * `batchEnd`. When it stands on a host (slot `atSlot` of space `atSpace`, -1: not on a host) that
   * space's next target is the next live slot, without a search.
   */
  const walk = (
    h: number,
    cursor: number,
    ready: number,
    batchEnd: number,
    limit: number,
    until: number,
    atSlot: number,
    atSpace: number,
  ): number => {
    foundSlot = -1;
    for (let passed = 0; ; passed++) {
      let bestDist = INF;
      let bestSlot = -1;
      let bestSpace = -1;
      // A NAT'd worm reaches its own site in private space and the public Internet elsewhere.
      for (let sp = spaceOf(h); ; sp = 0) {
        const idx = spaces[sp]!;
        const slot = sp === atSpace ? idx.successorOfSlot(atSlot) : idx.successor(cursor);
        if (slot >= 0) {
          const d = idx.distance(cursor, slot);
          if (d < bestDist) {
            bestDist = d;
            bestSlot = slot;
            bestSpace = sp;
          }
        }
        if (sp === 0) break;
      }
      if (bestSlot < 0) return passed;
      const remaining = ahead(cursor, batchEnd);
      let time = ready;
      let end = batchEnd;
      if (bestDist > remaining) {
        const k = Math.ceil((bestDist - remaining) / B);
        time += k * batchS;
        end = wrap(end + k * B);
      }
      if (time > until) return passed;
      const idx = spaces[bestSpace]!;
      if (filtering && passed < limit && blocked(h, idx.host(bestSlot), time)) {
        cursor = idx.position(bestSlot);
        atSlot = bestSlot;
        atSpace = bestSpace;
        ready = time;
        batchEnd = end;
        continue;
      }
      foundSlot = bestSlot;
      foundSpace = bestSpace;
      foundTime = time;
      foundEnd = end;
      return passed;
    }
  };

  /** Stops a running worm at time t, accounting the batches it sent since its last event. */
  const stopWorm = (h: number, t: number) => {
    if (!running[h]) return;
    const r = h * REC_WORDS;
    // the filtered hosts its last search passed that it got past by t (before the sweep moves on)
    const ready = WF[h * REC_DOUBLES + READY]!;
    const batchEnd = WU[r + BATCH_END]!;
    if (filtering && passedFiltered[h]) {
      stats.blockedByFilter += walk(h, cursorAt[h]!, ready, batchEnd, passedFiltered[h]!, t, -1, -1);
      passedFiltered[h] = 0;
    }
    const done = t > ready ? Math.floor((t - ready) / batchS) * B : 0;
    const pending = WU[r + PEND_END] === NO_HIT ? INF : ahead(batchEnd, WU[r + PEND_END]!);
    const count = Math.min(done, pending);
    sweep(h, count, wrap(batchEnd + count));
    running[h] = 0;
    runningNow--;
    gens[h]!++;
  };

  /**
   * Finds the next host worm h will reach and queues the end of the batch that reaches it. A host
   * behind a border filter that stands when the worm gets there costs no event: the attempt would
   * neither stall the worm nor change the host (filter times are fixed before the run), so the
   * search passes it; it counts as blocked once the worm gets past it. At most filteredPassLimit in
   * a row: a worm whose own organisation filters would otherwise walk every host up to the horizon
   * at each restart; the next one is queued and attempt() stops it.
   *
   * The hit event carries all its worm's handler needs (slot, space, variant, the batch end there
   * and the probes up to it), so a hit only writes the worm's record, never waits for it to load:
   * that load, one cache miss per event, was a fifth of the run.
   */
  const schedule = (
    h: number,
    win2k: boolean,
    cursor: number,
    ready: number,
    batchEnd: number,
    atSlot: number,
    atSpace: number,
  ) => {
    const r = h * REC_WORDS;
    const passed = walk(h, cursor, ready, batchEnd, passLimit, endS, atSlot, atSpace);
    if (filtering) passedFiltered[h] = passed;
    // Nothing left to reach, or only beyond the horizon: the worm keeps sweeping; its probes are
    // accounted when it stops or at the end.
    WU[r + PEND_END] = foundSlot < 0 ? NO_HIT : foundEnd;
    if (foundSlot < 0) return;
    const spaceWord = win2k ? foundSpace | WIN2K_BIT : foundSpace;
    queue.push(foundTime, K_HIT, h, gens[h]!, foundSlot, spaceWord, foundEnd, ahead(batchEnd, foundEnd));
  };

  /** Starts host h's worm at time t; `address`: h's own (a start event carries it: no read of pop.address). */
  const startWorm = (h: number, t: number, address: number) => {
    const r = h * REC_WORDS;
    const tick = WF[h * REC_DOUBLES + READY]!; // the seed its start left there
    const t0 =
      sameTickShare >= 1 || rngSeeds.next() < sameTickShare
        ? tick
        : Math.max(0, quantiseTick(tick - tickMs, tickMs));
    const s = blasterStart(tick, address, t0);
    stats.wormStarts++;
    if (s.mode === 'local') stats.localStarts++;
    else stats.randomStarts++;
    if (telescope) starts[h]!++;
    const cursor = startCursor(s.start);
    if (filtering) cursorAt[h] = cursor;
    WU[r + BATCH_END] = cursor;
    WF[h * REC_DOUBLES + READY] = t;
    running[h] = 1;
    runningNow++;
    schedule(h, s.targetsWin2k, cursor, t, cursor, -1, -1);
  };

  /** Queues host h's worm start at t with the tick it seeds from (kept in READY) and h's address. */
  const pushStart = (h: number, t: number, tick: number, address: number) => {
    WF[h * REC_DOUBLES + READY] = tick;
    queue.push(t, K_START, h, gens[h]!, address);
  };

  const launchTick = () => quantiseTick(rngSeeds.next() * o.launchUptimeMaxS * 1000, tickMs);
  const bootDelay = () => bootMinS + rngSeeds.next() * (bootMaxS - bootMinS);
  /**
   * The worm restarts from the Run key `delay` seconds after a boot that ends at t. (A worm that
   * does not run keeps the tick its next start seeds from in its READY field.)
   */
  const restartAfterBoot = (h: number, t: number) => {
    const delay = bootDelay();
    pushStart(h, t + delay, quantiseTick(delay * 1000, tickMs), pop.address[h]!);
  };

  /** An attempt took host v (in `slot` of index `idx`); its worm runs from time t. */
  const infect = (v: number, t: number, idx: TargetIndex, slot: number) => {
    state[v] = S_INFECTING;
    if (!rebootOnCrash) idx.remove(slot);
    // (the address from the slot's sweep position: v's own entry in pop.address is not in cache)
    pushStart(v, t, launchTick(), addressAtIndex(idx.position(slot)));
  };

  const crash = (v: number, t: number) => {
    stats.crashes++;
    if (!rebootOnCrash) return;
    downUntil[v] = t + rebootDelayS;
    if (state[v] === S_INFECTED) stopWorm(v, t);
    queue.push(t + rebootDelayS, K_REBOOT, v, gens[v]!);
  };

  /**
   * What worm w's attempt with its variant (`win2k`) on host v (still in index `idx`, at `slot`) at
   * time t does; returns the infector's stall.
   */
  const attempt = (
    w: number,
    win2k: boolean,
    v: number,
    t: number,
    idx: TargetIndex,
    slot: number,
  ): number => {
    if (filtering && blocked(w, v, t)) {
      stats.blockedByFilter++; // (schedule() passes most of these without an event)
      return 0;
    }
    const target = idx.tag(slot);
    if (target === IMMUNE) return probeStallS;
    if (patching && patchAt[v]! <= t) {
      idx.remove(slot);
      return probeStallS;
    }
    if (rebootOnCrash && downUntil[v]! > t) return 0; // rebooting: nothing answers
    const fits = target === (win2k ? OS_WIN2K : OS_XP);
    // Without rebootOnCrash a host in the index is susceptible (the others left it).
    if (rebootOnCrash && (state[v] === S_INFECTED || state[v] === S_INFECTING)) {
      // A re-exploit either crashes the host or its new copy exits on the mutex.
      if (!fits) crash(v, t);
      return fits ? attemptStallS : probeStallS;
    }
    if (!fits) {
      // the other variant, or an NT 4.0 / Server 2003 host that no variant fits: RPCSS crashes
      crash(v, t);
      return probeStallS;
    }
    if (pSuccess >= 1 || rngAttempts.next() < pSuccess) infect(v, t + infectionDelayS, idx, slot);
    return attemptStallS;
  };

  /**
   * Worm w reaches the target of its pending hit, in `slot` of the address space in `spaceWord`
   * (with the worm's variant); its batch there ends at `batchEnd`, `probes` after the last one.
   */
  const onHit = (w: number, t: number, slot: number, spaceWord: number, batchEnd: number, probes: number) => {
    const space = spaceWord & ~WIN2K_BIT;
    const win2k = (spaceWord & WIN2K_BIT) !== 0;
    const idx = spaces[space]!;
    const live = idx.isLive(slot);
    sweep(w, probes, batchEnd);
    if (filtering) stats.blockedByFilter += passedFiltered[w]!;
    const cursor = idx.position(slot);
    // Taken meanwhile, or the worm's own address: nothing to do.
    let stall = 0;
    if (live) {
      const v = idx.host(slot);
      if (v !== w) stall = attempt(w, win2k, v, t, idx, slot);
    }
    if (filtering) cursorAt[w] = cursor;
    WF[w * REC_DOUBLES + READY] = t + stall;
    schedule(w, win2k, cursor, t + stall, batchEnd, slot, space);
  };

  const onStart = (v: number, t: number, address: number) => {
    if (state[v] === S_INFECTING) {
      state[v] = S_INFECTED;
      infectedAtS[v] = t;
      stats.infections++;
      infectedNow++;
      everInfected++;
      if (cleanupHazard > 0)
        queue.push(Math.max(t, cleanupStartS) + exponential(rngHazards, cleanupHazard), K_CLEAN, v, 0);
      if (userRebootRatePerS > 0)
        queue.push(t + exponential(rngHazards, userRebootRatePerS), K_USER_REBOOT, v, 0);
      startWorm(v, t, address);
    } else if (state[v] === S_INFECTED && !running[v]) startWorm(v, t, address);
  };

  const onClean = (h: number, t: number) => {
    if (state[h] !== S_INFECTED) return;
    stopWorm(h, t);
    state[h] = S_CLEANED;
    infectedNow--;
    stats.cleaned++;
    fixedAt[h] = t;
    removeFromIndex(h);
  };

  const onUserReboot = (h: number, t: number) => {
    if (state[h] !== S_INFECTED) return;
    if (running[h]) {
      stopWorm(h, t);
      restartAfterBoot(h, t + rebootDelayS);
    }
    queue.push(t + exponential(rngHazards, userRebootRatePerS), K_USER_REBOOT, h, 0);
  };

  const scheduleWelchia = (t: number) => {
    const next = welchia!.nextHit(t);
    if (next <= endS) queue.push(next, K_WELCHIA_HIT, -1, welchia!.epoch);
  };

  const takeOver = (v: number, t: number) => {
    if (state[v] === S_INFECTED) {
      stopWorm(v, t);
      infectedNow--;
      stats.cleaned++;
    } else if (state[v] === S_INFECTING) gens[v]!++; // cancels the pending start
    state[v] = S_WELCHIA;
    fixedAt[v] = t;
    removeFromIndex(v);
    welchia!.drop(v);
    queue.push(t + infectionDelayS, K_WELCHIA_START, v, 0);
  };

  const onWelchiaHit = (epoch: number, t: number) => {
    if (epoch !== welchia!.epoch || welchia!.candidateCount === 0) return;
    const v = welchia!.randomCandidate();
    const source = welchia!.randomSource();
    if (!pop.vulnerable[v] || (patching && patchAt[v]! <= t) || state[v]! > S_INFECTED) welchia!.drop(v);
    else if (!blocked(source, v, t)) takeOver(v, t);
    scheduleWelchia(t);
  };

  /** host < 0: the release, on `count` random vulnerable hosts; otherwise a Welchia copy starts. */
  const onWelchiaStart = (h: number, count: number, t: number) => {
    if (h < 0) {
      for (let i = 0; i < count && welchia!.candidateCount > 0; i++) takeOver(welchia!.randomCandidate(), t);
      return;
    }
    welchiaNow++;
    welchia!.addSource(h);
    scheduleWelchia(t);
  };

  // Seeds of the outbreak.
  for (const h of initialHosts(pop, o.initialInfected, options.initialHosts, rngSetup)) {
    state[h] = S_INFECTING;
    if (!rebootOnCrash) removeFromIndex(h);
    pushStart(h, 0, launchTick(), pop.address[h]!);
  }
  if (welchia) queue.push(welchia.options.startH * 3600, K_WELCHIA_START, -1, welchia.options.initial);

  const samples: Sample[] = [];
  let nextSampleS = 0;
  const emitSamplesBefore = (t: number) => {
    while (nextSampleS <= endS && nextSampleS < t) {
      samples.push({
        tH: nextSampleS / 3600,
        infected: infectedNow,
        everInfected,
        patched: 0, // filled in after the run, from patch and fix times
        welchia: welchiaNow,
        scansPerS: (runningNow * B) / batchS,
        telescopeSources: 0, // filled in after the run, from the sources' first-seen times
        sensorSources: 0, // filled in after the run, from infection and end times
      });
      nextSampleS += o.sampleEveryS;
    }
  };

  const ev = { time: 0, kind: 0, host: 0, gen: 0, a: 0, b: 0, c: 0, d: 0 };
  while (queue.peekTime() <= endS) {
    queue.pop(ev);
    emitSamplesBefore(ev.time);
    stats.events++;
    const t = ev.time;
    const h = ev.host;
    switch (ev.kind) {
      case K_HIT:
        // (A worm's generation changes whenever it stops: a current hit's worm is running.)
        if (ev.gen === gens[h]) onHit(h, t, ev.a, ev.b, ev.c >>> 0, ev.d >>> 0);
        break;
      case K_START:
        if (ev.gen === gens[h]) onStart(h, t, ev.a >>> 0);
        break;
      case K_CLEAN:
        onClean(h, t);
        break;
      case K_REBOOT:
        if (state[h] === S_INFECTED && !running[h]) restartAfterBoot(h, t);
        break;
      case K_USER_REBOOT:
        onUserReboot(h, t);
        break;
      case K_WELCHIA_HIT:
        onWelchiaHit(ev.gen, t);
        break;
      case K_WELCHIA_START:
        onWelchiaStart(h, ev.gen, t);
        break;
    }
  }
  emitSamplesBefore(INF);
  // Account the sweeps still under way at the horizon.
  for (let h = 0; h < n; h++) if (running[h]) stopWorm(h, endS);
  if (telescope) fillTelescopeSources(samples, telescope.sourceFirstSeen());
  fillPatched(samples, pop, patchAt, fixedAt, endS);
  // fixedAt of an infected host: when cleanup or Welchia ended its infection.
  fillSensorSources(samples, infectedAtS, fixedAt, options.addressChangesPerDay ?? 0, o.sampleEveryS);
  return { samples, infectedAtS, stats, ...(telescope ? { telescope: telescope.report() } : {}) };
};
