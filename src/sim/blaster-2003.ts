/**
 * `--scenario blaster-2003`: the documented parameter set for Blaster in August 2003, and the one
 * function that turns a parameter vector into a population, run options and interventions, so the
 * CLI and the fit (bench/sim-fit-2003.ts) run the same model. Values: docs/simulation.md.
 */
import type { Rng } from '../core/random.ts';
import type { BlasterOptions } from './blaster-model.ts';
import type { Interventions } from './interventions.ts';
import { type Population, syntheticPopulation } from './population.ts';

export interface Blaster2003Params {
  /** Vulnerable hosts (public and NAT'd). */
  vulnerable: number;
  natShare: number;
  natSiteHosts: number;
  win2kShare: number;
  /** NT 4.0 / Server 2003: crash when hit by the exploit, never infected (blaster.md §3). */
  crashOnlyShare: number;
  /** Chance that 4444 and TFTP work once the exploit variant fits. */
  successProbability: number;
  /** Ordinary reboots of infected hosts per day (each re-seeds the worm at boot). */
  rebootsPerDay: number;
  rebootOnCrash: boolean;
  initialInfected: number;
  patchPerDay: number;
  patchStartH: number;
  cleanupPerDay: number;
  cleanupStartH: number;
  filterShare: number;
  filterStartH: number;
  /** Filters go up one organisation at a time, uniformly until this hour (a ramp, not a step). */
  filterFullH: number;
  /**
   * Address changes per infected host per day (DHCP leases, dial-up sessions): what the telescope
   * (row 4) and the sensor (rows 3 and 5) count as sources; the spread itself does not depend on it.
   */
  addressChangesPerDay: number;
  /** Welchia, released Aug 18 2003 (168 h after the start on Aug 11). */
  welchiaStartH: number;
  welchiaInitial: number;
  welchiaScansPerS: number;
  hours: number;
}

/** The fitted set (fit and its residuals: docs/simulation.md, bench/sim-fit-2003.ts). */
export const BLASTER_2003: Readonly<Blaster2003Params> = {
  vulnerable: 500_000,
  natShare: 0.2,
  natSiteHosts: 20,
  win2kShare: 0.2,
  crashOnlyShare: 0.05,
  successProbability: 0.15,
  rebootsPerDay: 2.21,
  rebootOnCrash: false,
  initialInfected: 20,
  patchPerDay: 0.1,
  patchStartH: 24,
  cleanupPerDay: 0.2,
  cleanupStartH: 48,
  filterShare: 0.7,
  filterStartH: 12,
  filterFullH: 96,
  addressChangesPerDay: 3,
  welchiaStartH: 168,
  welchiaInitial: 50,
  welchiaScansPerS: 100,
  hours: 192,
};

/**
 * Rows 3 and 5 of the scenario are read as a sensor counts them: new source addresses per hour
 * (row 5 is Network Associates' sensor figure; the infection rate of 2003 was only ever observed
 * as sources at sensors). docs/simulation.md compares both measures.
 */
export const BLASTER_2003_RATE_MEASURE = 'sources' as const;

/** The /8 telescope of the scenario (row 4: "a globally unused /8"). */
export const BLASTER_2003_TELESCOPE = { address: 44 << 24, bits: 8 } as const;

export const blaster2003Population = (p: Blaster2003Params, rng: Rng): Population =>
  syntheticPopulation(
    {
      vulnerable: p.vulnerable,
      density: 'uniform',
      natShare: p.natShare,
      natSiteHosts: p.natSiteHosts,
      win2kShare: p.win2kShare,
      crashOnlyShare: p.crashOnlyShare,
    },
    rng,
  );

export const blaster2003Options = (p: Blaster2003Params, seed: number): BlasterOptions => ({
  durationH: p.hours,
  seed,
  initialInfected: p.initialInfected,
  successProbability: p.successProbability,
  userRebootsPerDay: p.rebootsPerDay,
  rebootOnCrash: p.rebootOnCrash,
  telescope: BLASTER_2003_TELESCOPE,
  addressChangesPerDay: p.addressChangesPerDay,
});

export const blaster2003Interventions = (p: Blaster2003Params): Interventions => ({
  patchPerDay: p.patchPerDay,
  patchStartH: p.patchStartH,
  cleanupPerDay: p.cleanupPerDay,
  cleanupStartH: p.cleanupStartH,
  borderFilterShare: p.filterShare,
  borderFilterStartH: p.filterStartH,
  borderFilterFullH: p.filterFullH,
  welchia: { startH: p.welchiaStartH, initial: p.welchiaInitial, scansPerS: p.welchiaScansPerS },
});
