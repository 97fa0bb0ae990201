/**
 * What a defender can do about the worm, as model parameters. Rates are given the way people talk
 * about them ("patch 10 % a day": of the hosts still unpatched, 10 % each day), and turned into
 * exponential hazards per second for the event-driven model.
 */
import { RpcsweepError } from '../core/errors.ts';

export interface WelchiaOptions {
  /** When the counter-worm appears (hours after the Blaster outbreak starts). */
  startH: number;
  /** Hosts it is released on. */
  initial: number;
  /** Its scan rate per infected host (random scanning; it patches and removes Blaster). */
  scansPerS: number;
}

export interface Interventions {
  /** Fraction of the still unpatched hosts patched per day, in [0, 1). */
  patchPerDay?: number;
  patchStartH?: number;
  /** Fraction of the infected hosts cleaned (worm removed and host patched) per day, in [0, 1). */
  cleanupPerDay?: number;
  cleanupStartH?: number;
  /** Share of organisations (/16s and NAT sites) that filter TCP 135 at their border, in [0, 1]. */
  borderFilterShare?: number;
  borderFilterStartH?: number;
  /**
   * Filters go up gradually: each filtering organisation at a uniform time between
   * borderFilterStartH and this (ISPs and enterprises blocking 135 over days, blaster.md §1, §3).
   * Default: all at borderFilterStartH.
   */
  borderFilterFullH?: number;
  welchia?: WelchiaOptions;
}

/** Exponential hazard (per second) under which `fractionPerDay` of a population goes in one day. */
export const dailyFractionToHazardPerS = (fractionPerDay: number): number =>
  fractionPerDay <= 0 ? 0 : -Math.log(1 - fractionPerDay) / 86400;

const bad = (message: string) => new RpcsweepError('SIM_BAD_INPUT', message);

const checkFraction = (name: string, v: number | undefined, closed: boolean) => {
  if (v === undefined) return;
  if (!(Number.isFinite(v) && v >= 0 && (closed ? v <= 1 : v < 1)))
    throw bad(`${name} must be a fraction in [0, ${closed ? '1]' : '1)'}, got ${v}`);
};

const checkHours = (name: string, v: number | undefined) => {
  if (v === undefined) return;
  if (!(Number.isFinite(v) && v >= 0)) throw bad(`${name} must be a non-negative number of hours, got ${v}`);
};

export const validateInterventions = (i: Interventions): Interventions => {
  checkFraction('patchPerDay', i.patchPerDay, false);
  checkFraction('cleanupPerDay', i.cleanupPerDay, false);
  checkFraction('borderFilterShare', i.borderFilterShare, true);
  checkHours('patchStartH', i.patchStartH);
  checkHours('cleanupStartH', i.cleanupStartH);
  checkHours('borderFilterStartH', i.borderFilterStartH);
  checkHours('borderFilterFullH', i.borderFilterFullH);
  if (i.borderFilterFullH !== undefined && i.borderFilterFullH < (i.borderFilterStartH ?? 0))
    throw bad('borderFilterFullH must not be before borderFilterStartH');
  if (i.welchia) {
    checkHours('welchia.startH', i.welchia.startH);
    if (!(Number.isInteger(i.welchia.initial) && i.welchia.initial >= 1))
      throw bad(`welchia.initial must be a positive integer, got ${i.welchia.initial}`);
    if (!(Number.isFinite(i.welchia.scansPerS) && i.welchia.scansPerS > 0))
      throw bad(`welchia.scansPerS must be positive, got ${i.welchia.scansPerS}`);
  }
  return i;
};

/** Short human label, used in chart legends and CSV column names. */
export const describeInterventions = (i: Interventions): string => {
  const parts: string[] = [];
  if (i.patchPerDay) parts.push(`patch ${Math.round(i.patchPerDay * 100)}%/day`);
  if (i.cleanupPerDay) parts.push(`clean ${Math.round(i.cleanupPerDay * 100)}%/day`);
  if (i.borderFilterShare) parts.push(`filter 135 at ${Math.round(i.borderFilterShare * 100)}% of borders`);
  if (i.welchia) parts.push('Welchia');
  return parts.length === 0 ? 'no intervention' : parts.join(' + ');
};
