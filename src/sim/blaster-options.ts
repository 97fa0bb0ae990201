/**
 * The options of a Blaster run (src/sim/blaster-model.ts), their defaults (blaster.md §2) and
 * their validation, resolved once into plain numbers so the event loop reads no optional fields.
 */
import { RpcsweepError } from '../core/errors.ts';
import type { Population } from './population.ts';
import type { TelescopeSpec } from './telescope.ts';

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
  /** Address changes per infected host per day (DHCP, dial-up): what a telescope counts as sources. */
  addressChangesPerDay?: number;
  /**
   * Hosts behind a standing filter one search passes without an event (default 32). Speed only:
   * the results do not depend on it (test/sim/blaster-model.test.ts compares 0 with the default).
   */
  filteredPassLimit?: number;
}

/** Every option with its default applied, times in seconds, rates per second. */
export interface ResolvedBlasterOptions {
  endS: number;
  sampleEveryS: number;
  batchSize: number;
  batchS: number;
  tickMs: number;
  sameTickShare: number;
  infectionDelayS: number;
  attemptStallS: number;
  probeStallS: number;
  successProbability: number;
  launchUptimeMaxS: number;
  bootDelayMinS: number;
  bootDelayMaxS: number;
  rebootOnCrash: boolean;
  rebootDelayS: number;
  userRebootRatePerS: number;
  initialInfected: number;
  filteredPassLimit: number;
}

const bad = (m: string) => new RpcsweepError('SIM_BAD_INPUT', m);

const positive = (name: string, v: number) => {
  if (!(Number.isFinite(v) && v > 0)) throw bad(`${name} must be positive, got ${v}`);
  return v;
};

export const resolveBlasterOptions = (pop: Population, o: BlasterOptions): ResolvedBlasterOptions => {
  const endS = positive('durationH', o.durationH) * 3600;
  const r: ResolvedBlasterOptions = {
    endS,
    sampleEveryS: positive('sampleEveryS', o.sampleEveryS ?? Math.max(1, endS / 400)),
    batchSize: o.batchSize ?? 20,
    batchS: positive('batchS', o.batchS ?? 1.8),
    tickMs: positive('tickMs', o.tickMs ?? 15.625),
    sameTickShare: o.sameTickShare ?? 0.5,
    infectionDelayS: o.infectionDelayS ?? 14,
    attemptStallS: o.attemptStallS ?? 17.5,
    probeStallS: o.probeStallS ?? 0.4,
    successProbability: o.successProbability ?? 1,
    launchUptimeMaxS: (o.launchUptimeMaxH ?? 24) * 3600,
    bootDelayMinS: o.bootDelayMinS ?? 20,
    bootDelayMaxS: o.bootDelayMaxS ?? 60,
    rebootOnCrash: o.rebootOnCrash ?? false,
    rebootDelayS: o.rebootDelayS ?? 120,
    userRebootRatePerS: (o.userRebootsPerDay ?? 0) / 86400,
    initialInfected: o.initialHosts?.length ?? o.initialInfected ?? 1,
    filteredPassLimit: o.filteredPassLimit ?? 32,
  };
  const { batchSize: B, successProbability: p } = r;
  if (!(r.userRebootRatePerS >= 0)) throw bad('userRebootsPerDay must be >= 0');
  if (!(Number.isInteger(r.filteredPassLimit) && r.filteredPassLimit >= 0))
    throw bad('filteredPassLimit must be an integer >= 0');
  if (!(Number.isInteger(B) && B >= 1)) throw bad(`batchSize must be a positive integer, got ${B}`);
  if (!(r.sameTickShare >= 0 && r.sameTickShare <= 1)) throw bad('sameTickShare must be in [0, 1]');
  if (!(p >= 0 && p <= 1)) throw bad(`successProbability must be in [0, 1], got ${p}`);
  if (!(r.bootDelayMinS >= 0 && r.bootDelayMaxS >= r.bootDelayMinS))
    throw bad('bootDelayMinS..bootDelayMaxS is not a range');
  if (!(r.infectionDelayS >= 0 && r.attemptStallS >= 0 && r.probeStallS >= 0))
    throw bad('delays must be >= 0');
  const vulnerableTotal = pop.vulnerable.reduce((s, v) => s + v, 0);
  const k = r.initialInfected;
  if (!(Number.isInteger(k) && k >= 1 && k <= vulnerableTotal))
    throw bad(`initialInfected must be 1..${vulnerableTotal}, got ${k}`);
  return r;
};
