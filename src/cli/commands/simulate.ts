/**
 * `rpcsweep simulate`: a packet-free Blaster spread simulation over a scanned or synthetic
 * population, with and without each intervention. Reads the scan NDJSON and writes text, JSON, CSV
 * and SVG here (`--format`, `-o`, and the per-format `--csv`/`--json`/`--svg`/`--out`); the model
 * itself (src/sim) does no I/O.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RpcsweepError } from '../../core/errors.ts';
import { safeJson } from '../../core/escape.ts';
import { createRng, randomSeed } from '../../core/random.ts';
import { VERSION } from '../../core/version.ts';
import {
  BLASTER_2003,
  BLASTER_2003_RATE_MEASURE,
  blaster2003Interventions,
  blaster2003Options,
  blaster2003Population,
} from '../../sim/blaster-2003.ts';
import { type BlasterOptions, runBlaster } from '../../sim/blaster-model.ts';
import { type Ensemble, type EnsembleMember, ensembleSeeds, summariseRuns } from '../../sim/ensemble.ts';
import type { Interventions } from '../../sim/interventions.ts';
import {
  type Density,
  mergePopulations,
  type Population,
  syntheticPopulation,
} from '../../sim/population.ts';
import { populationFromScan, type ScanInputSummary } from '../../sim/scan-input.ts';
import { runScenarios, type ScenarioResult } from '../../sim/scenarios.ts';
import { seriesToCsv, timeToReach } from '../../sim/series.ts';
import { renderSpreadChart } from '../../sim/spread-chart.ts';
import { parseIpv4 } from '../../sim/sweep.ts';
import type { TelescopeSpec } from '../../sim/telescope.ts';
import {
  RATE_MEASURES,
  type RateMeasure,
  type ValidationRow,
  validate,
  validationMarkers,
} from '../../sim/validation.ts';
import type { CliIo } from '../io.ts';
import { numberOption, usage } from '../options.ts';
import { checkFormatName, formatForOutputPath, type OutputFormat, writeFileAtomic } from '../output-file.ts';
import { type Notes, notesFor, quietOption, verboseOption } from '../verbosity.ts';
import { seedRunsOnThreads } from './simulate-threads.ts';

interface SimulateCliOptions {
  scenario?: string;
  from?: string;
  synthetic?: string;
  density: string;
  networks16?: string;
  natShare: string;
  natSiteHosts: string;
  immune: string;
  win2kShare: string;
  internet?: string;
  hours: string;
  seed?: string;
  runs?: string;
  initial: string;
  sampleEvery?: string;
  patchPerDay?: string;
  patchStartH: string;
  cleanupPerDay?: string;
  cleanupStartH: string;
  filterShare?: string;
  filterStartH: string;
  filterFullH?: string;
  addressChangesPerDay: string;
  welchia?: boolean;
  welchiaStartH: string;
  welchiaInitial: string;
  welchiaScansPerS: string;
  rebootOnCrash?: boolean;
  rebootsPerDay: string;
  successProbability: string;
  telescope?: string;
  rateMeasure?: string;
  output?: string;
  format?: string;
  out?: string;
  csv?: string;
  json?: string;
  svg?: string;
  verbose?: boolean;
  quiet?: boolean;
}

export const parseTelescope = (text: string): TelescopeSpec => {
  const m = /^([\d.]+)\/(8|16)$/.exec(text);
  const address = m ? parseIpv4(m[1]!) : undefined;
  if (!m || address === undefined)
    return usage(
      `--telescope must be an IPv4 /8 or /16 prefix such as 44.0.0.0/8, got ${JSON.stringify(text)}`,
    );
  return { address, bits: Number(m[2]) as 8 | 16 };
};

const DENSITIES: readonly Density[] = ['uniform', 'even', 'zipf'];

const buildPopulation = async (
  o: SimulateCliOptions,
  seed: number,
): Promise<{ population: Population; description: string; scan?: ScanInputSummary }> => {
  if ((o.from === undefined) === (o.synthetic === undefined))
    usage('give exactly one of --from <scan.ndjson> or --synthetic <N>');
  if (!DENSITIES.includes(o.density as Density)) usage(`--density must be one of ${DENSITIES.join(', ')}`);
  const rng = createRng(seed ^ 0x5eed);
  const synthetic = (vulnerable: number) =>
    syntheticPopulation(
      {
        vulnerable,
        density: o.density as Density,
        ...(o.networks16
          ? { networks16: numberOption('--networks16', o.networks16, { min: 1, max: 60000, integer: true }) }
          : {}),
        immune: numberOption('--immune', o.immune, { min: 0, max: 2_000_000, integer: true }),
        natShare: numberOption('--nat-share', o.natShare, { min: 0, max: 1 }),
        natSiteHosts: numberOption('--nat-site-hosts', o.natSiteHosts, { min: 1, max: 60000, integer: true }),
        win2kShare: numberOption('--win2k-share', o.win2kShare, { min: 0, max: 1 }),
      },
      rng,
    );
  if (o.synthetic !== undefined) {
    const n = numberOption('--synthetic', o.synthetic, { min: 1, max: 2_000_000, integer: true });
    return { population: synthetic(n), description: `${n} synthetic vulnerable hosts (${o.density})` };
  }
  let text: string;
  try {
    text = await readFile(o.from!, 'utf8');
  } catch (e) {
    throw new RpcsweepError('CLI_FILE', `cannot read ${o.from}: ${(e as Error).message}`, { cause: e });
  }
  const scanned = populationFromScan(
    text,
    rng,
    numberOption('--win2k-share', o.win2kShare, { min: 0, max: 1 }),
  );
  let population = scanned.population;
  let description = `${scanned.summary.vulnerable} unpatched and ${scanned.summary.immune} patched hosts from ${o.from}`;
  if (o.internet !== undefined) {
    const n = numberOption('--internet', o.internet, { min: 1, max: 2_000_000, integer: true });
    population = mergePopulations(population, synthetic(n));
    description += `, inside a synthetic Internet of ${n} vulnerable hosts`;
  }
  return { population, description, scan: scanned.summary };
};

const interventionsFrom = (o: SimulateCliOptions): Interventions => ({
  ...(o.patchPerDay !== undefined && {
    patchPerDay: numberOption('--patch-per-day', o.patchPerDay, { min: 0, max: 1, maxExclusive: true }),
    patchStartH: numberOption('--patch-start-h', o.patchStartH, { min: 0 }),
  }),
  ...(o.cleanupPerDay !== undefined && {
    cleanupPerDay: numberOption('--cleanup-per-day', o.cleanupPerDay, { min: 0, max: 1, maxExclusive: true }),
    cleanupStartH: numberOption('--cleanup-start-h', o.cleanupStartH, { min: 0 }),
  }),
  ...(o.filterShare !== undefined && {
    borderFilterShare: numberOption('--filter-share', o.filterShare, { min: 0, max: 1 }),
    borderFilterStartH: numberOption('--filter-start-h', o.filterStartH, { min: 0 }),
    ...(o.filterFullH !== undefined && {
      borderFilterFullH: numberOption('--filter-full-h', o.filterFullH, { min: 0 }),
    }),
  }),
  ...(o.welchia && {
    welchia: {
      startH: numberOption('--welchia-start-h', o.welchiaStartH, { min: 0 }),
      initial: numberOption('--welchia-initial', o.welchiaInitial, { min: 1, integer: true }),
      scansPerS: numberOption('--welchia-scans-per-s', o.welchiaScansPerS, { min: 0.001 }),
    },
  }),
});

/** A run from --from or --synthetic and the individual options: each intervention alone and together. */
const customRun = async (o: SimulateCliOptions, seed: number) => {
  const hours = numberOption('--hours', o.hours, { min: 0.01, max: 24 * 365 });
  const { population, description, scan } = await buildPopulation(o, seed);
  const vulnerable = population.vulnerable.reduce((s, v) => s + v, 0);
  const options: BlasterOptions = {
    durationH: hours,
    seed,
    initialInfected: numberOption('--initial', o.initial, { min: 1, max: vulnerable, integer: true }),
    ...(o.sampleEvery !== undefined && {
      sampleEveryS: numberOption('--sample-every', o.sampleEvery, { min: 1 }),
    }),
    rebootOnCrash: Boolean(o.rebootOnCrash),
    userRebootsPerDay: numberOption('--reboots-per-day', o.rebootsPerDay, { min: 0, max: 1000 }),
    successProbability: numberOption('--success-probability', o.successProbability, { min: 0, max: 1 }),
    ...(o.telescope !== undefined && { telescope: parseTelescope(o.telescope) }),
    addressChangesPerDay: numberOption('--address-changes-per-day', o.addressChangesPerDay, {
      min: 0,
      max: 1000,
    }),
  };
  const interventions = interventionsFrom(o);
  const scenarios = runScenarios(population, options, interventions);
  return { population, description, options, hours, scenarios, ...(scan ? { scan } : {}) };
};

/** `--scenario blaster-2003`: the documented set as one run; only seed, hours and sampling are open. */
const presetRun = (o: SimulateCliOptions, seed: number, hoursGiven: number | undefined) => {
  if (o.scenario !== 'blaster-2003')
    usage(`--scenario must be blaster-2003, got ${JSON.stringify(o.scenario)}`);
  if (o.from !== undefined || o.synthetic !== undefined)
    usage('--scenario brings its own population: leave out --from and --synthetic');
  const p = { ...BLASTER_2003, ...(hoursGiven !== undefined && { hours: hoursGiven }) };
  const population = blaster2003Population(p, createRng(seed ^ 0x5eed));
  const options: BlasterOptions = {
    ...blaster2003Options(p, seed),
    ...(o.sampleEvery !== undefined && {
      sampleEveryS: numberOption('--sample-every', o.sampleEvery, { min: 1 }),
    }),
  };
  const interventions = blaster2003Interventions(p);
  const result = runBlaster(population, options, interventions);
  const scenario: ScenarioResult = { name: 'blaster-2003', interventions, result, samples: result.samples };
  return {
    population,
    description: `blaster-2003: ${p.vulnerable} vulnerable hosts, ${p.natShare * 100} % behind NAT`,
    options,
    hours: p.hours,
    scenarios: [scenario],
  };
};

/** A run's ensemble member: its series (nothing else is kept) and its validation. */
const memberOf = (
  scenarios: readonly ScenarioResult[],
  validationOf: (all: readonly ScenarioResult[]) => ValidationRow[],
): EnsembleMember => ({
  scenarios: scenarios.map((x) => ({ name: x.name, samples: x.samples })),
  validation: validationOf(scenarios),
});

/** What one `--runs` seed needs, on this thread or another: the command's options and the seed. */
export interface SeedRunRequest {
  o: SimulateCliOptions;
  seed: number;
  hoursGiven: number | undefined;
}

const runOnceOf = (o: SimulateCliOptions, hoursGiven: number | undefined) => async (seed: number) =>
  o.scenario !== undefined ? presetRun(o, seed, hoursGiven) : await customRun(o, seed);

/** The published figures are compared with the last scenario: all interventions together. */
const validationFor =
  (o: SimulateCliOptions, telescopeSlash8: boolean) =>
  (all: readonly ScenarioResult[]): ValidationRow[] =>
    validate(all[all.length - 1]!.samples, telescopeSlash8, rateMeasureOf(o));

/** One seed's run as an ensemble member (what a `--runs` worker thread computes). */
export const seedMember = async (r: SeedRunRequest): Promise<EnsembleMember> => {
  const run = await runOnceOf(r.o, r.hoursGiven)(r.seed);
  return memberOf(run.scenarios, validationFor(r.o, run.options.telescope?.bits === 8));
};

/**
 * `--runs`: the other seeds' runs (the first is given), summarised with it. On worker threads when
 * the CLI has an entry for them, else one after another here: the same members either way.
 */
const runEnsemble = async (
  first: readonly ScenarioResult[],
  validationOf: (all: readonly ScenarioResult[]) => ValidationRow[],
  request: SeedRunRequest,
  runs: number,
  workerEntry: URL | undefined,
): Promise<Ensemble> => {
  const seeds = ensembleSeeds(request.seed, runs);
  const rest = seeds.slice(1).map((seed) => ({ ...request, seed }));
  const others: EnsembleMember[] = workerEntry ? await seedRunsOnThreads(workerEntry, rest) : [];
  if (!workerEntry) for (const r of rest) others.push(await seedMember(r));
  return summariseRuns(seeds, [memberOf(first, validationOf), ...others]);
};

const fmtH = (h: number | undefined) => (h === undefined ? 'not reached' : `${h.toFixed(2)} h`);

const summaryText = (
  description: string,
  vulnerable: number,
  seed: number,
  hours: number,
  scenarios: readonly ScenarioResult[],
  elapsedMs: number,
): string => {
  const lines = [
    `population: ${description}`,
    `seed ${seed}, ${hours} h simulated in ${(elapsedMs / 1000).toFixed(2)} s`,
  ];
  for (const s of scenarios) {
    const last = s.samples[s.samples.length - 1]!;
    const peak = s.samples.reduce((m, x) => Math.max(m, x.scansPerS), 0);
    const st = s.result.stats;
    lines.push(
      '',
      `[${s.name}]`,
      `  ever infected ${last.everInfected} of ${vulnerable} vulnerable (${((100 * last.everInfected) / vulnerable).toFixed(1)} %), infected at the end ${last.infected}, patched ${last.patched}`,
      `  10 % infected after ${fmtH(timeToReach(s.samples, 0.1 * vulnerable))}, 50 % after ${fmtH(timeToReach(s.samples, 0.5 * vulnerable))}`,
      `  peak ${Math.round(peak)} scans/s; ${st.probes} probes; ${st.crashes} variant-mismatch crashes; worm starts ${st.wormStarts} (${st.localStarts} local, ${st.randomStarts} random)`,
    );
    if (st.blockedByFilter)
      lines.push(`  ${st.blockedByFilter} infection attempts stopped by border filters`);
    if (last.welchia) lines.push(`  Welchia holds ${last.welchia} hosts`);
    const t = s.result.telescope;
    if (t)
      lines.push(
        `  telescope ${t.prefix}: ${t.uniqueSources} unique sources (${t.uniqueStarts} worm starts), ${t.probes} probes, hotspot ratio ${t.hotspotRatio.toFixed(2)}`,
      );
  }
  return `${lines.join('\n')}\n`;
};

const validationText = (scenario: string, rows: readonly ValidationRow[], ensemble?: Ensemble): string => {
  const runs = ensemble ? `, median of ${ensemble.seeds.length} runs (90 % band)` : '';
  const lines = ['', `published figures (blaster.md §4.1) against [${scenario}]${runs}:`];
  rows.forEach((r, i) => {
    const spread = ensemble?.validation[i]?.spread;
    const band = spread ? ` (${spread.ratio.p5.toFixed(2)}-${spread.ratio.p95.toFixed(2)})` : '';
    lines.push(
      `  #${r.figure} ${r.observation}: published ${r.bound === 'at least' ? '>' : '≈'} ${r.published}, simulated ${
        r.simulated === null ? 'n/a' : Number(r.simulated.toPrecision(4))
      }, ratio ${r.ratio === null ? 'n/a' : r.ratio.toFixed(2)}${band}`,
    );
  });
  return `${lines.join('\n')}\n`;
};

/** Everything one simulate run produced, from which each output format is rendered. */
interface SimulationRun {
  seed: number;
  description: string;
  population: Population;
  vulnerable: number;
  scan?: ScanInputSummary;
  options: BlasterOptions;
  hours: number;
  scenarios: readonly ScenarioResult[];
  elapsedMs: number;
  /** The published figures, compared with the last scenario (all interventions together). */
  validation: readonly ValidationRow[];
  validationScenario: string;
  /** What rows 3 and 5 were read from. */
  rateMeasure: RateMeasure;
  /** `--runs N` (N > 1): the runs' median and 90 % band, which the text, CSV, JSON and chart show. */
  ensemble?: Ensemble;
}

/** The series to chart and tabulate: the ensemble's median and band with --runs, else the one run. */
const charted = (r: SimulationRun) => r.ensemble?.scenarios ?? r.scenarios;

const jsonDocument = (r: SimulationRun): string => {
  const doc = {
    tool: 'rpcsweep',
    version: VERSION,
    command: 'simulate',
    seed: r.seed,
    population: {
      description: r.description,
      vulnerable: r.vulnerable,
      hosts: r.population.size,
      ...(r.scan ? { scan: r.scan } : {}),
    },
    options: r.options,
    validationScenario: r.validationScenario,
    rateMeasure: r.rateMeasure,
    validation: r.validation,
    ...(r.ensemble && {
      runs: { seeds: r.ensemble.seeds, band: '5th-95th percentile', scenarios: r.ensemble.scenarios },
    }),
    scenarios: r.scenarios.map((s) => ({
      name: s.name,
      interventions: s.interventions,
      stats: s.result.stats,
      samples: s.samples,
      ...(s.result.telescope ? { telescope: s.result.telescope } : {}),
    })),
  };
  return `${safeJson(doc, 1)}\n`;
};

const chart = (r: SimulationRun): string => {
  const markers = validationMarkers(r.validation, r.hours);
  return renderSpreadChart(
    r.description,
    charted(r),
    markers.infected,
    markers.perHour,
    r.rateMeasure === 'sources',
  );
};

/** The output formats of simulate (`--format`, `-o FILE` by extension), one renderer each. */
const SIMULATE_FORMATS: ReadonlyArray<OutputFormat & { render: (r: SimulationRun) => string }> = [
  {
    name: 'text',
    extensions: ['.txt'],
    render: (r) =>
      summaryText(r.description, r.vulnerable, r.seed, r.hours, r.scenarios, r.elapsedMs) +
      validationText(r.validationScenario, r.validation, r.ensemble),
  },
  { name: 'json', extensions: ['.json'], render: jsonDocument },
  { name: 'csv', extensions: ['.csv'], render: (r) => seriesToCsv(charted(r)) },
  { name: 'svg', extensions: ['.svg'], render: chart },
];

const renderAs = (format: string, r: SimulationRun): string =>
  SIMULATE_FORMATS.find((f) => f.name === format)!.render(r);

/** What rows 3 and 5 count: `--rate-measure`, else the scenario's choice, else new infections. */
const rateMeasureOf = (o: SimulateCliOptions): RateMeasure => {
  if (o.rateMeasure === undefined) return o.scenario !== undefined ? BLASTER_2003_RATE_MEASURE : 'infections';
  if (!(RATE_MEASURES as readonly string[]).includes(o.rateMeasure))
    usage(`--rate-measure must be one of ${RATE_MEASURES.join(', ')}, got ${JSON.stringify(o.rateMeasure)}`);
  return o.rateMeasure as RateMeasure;
};

/** Runs the model as the options say and collects what every format needs. */
const simulateRun = async (
  o: SimulateCliOptions,
  command: Command,
  notes: Notes,
  workerEntry: URL | undefined,
): Promise<SimulationRun> => {
  const seed =
    o.seed === undefined
      ? randomSeed()
      : numberOption('--seed', o.seed, { min: 0, max: 4294967295, integer: true });
  const hoursGiven =
    command.getOptionValueSource('hours') === 'cli'
      ? numberOption('--hours', o.hours, { min: 0.01, max: 24 * 365 })
      : undefined;
  notes.detail(
    `rpcsweep: simulating ${o.scenario ?? (o.from !== undefined ? `--from ${o.from}` : `--synthetic ${o.synthetic}`)}, seed ${seed}\n`,
  );
  const runs = numberOption('--runs', o.runs ?? '1', { min: 1, max: 100, integer: true });
  const rateMeasure = rateMeasureOf(o);
  const started = performance.now();
  const run = await runOnceOf(o, hoursGiven)(seed);
  const validationOf = validationFor(o, run.options.telescope?.bits === 8);
  const ensemble =
    runs > 1
      ? await runEnsemble(run.scenarios, validationOf, { o, seed, hoursGiven }, runs, workerEntry)
      : undefined;
  const elapsedMs = performance.now() - started;
  notes.detail(
    `rpcsweep: ${run.population.size} hosts, ${run.hours} h, ${run.scenarios.length} scenario(s) × ${runs} run(s) simulated in ${(elapsedMs / 1000).toFixed(2)} s\n`,
  );
  return {
    ...run,
    seed,
    vulnerable: run.population.vulnerable.reduce((s, v) => s + v, 0),
    elapsedMs,
    validation: ensemble?.validation ?? validationOf(run.scenarios),
    validationScenario: run.scenarios[run.scenarios.length - 1]!.name,
    rateMeasure,
    ...(ensemble && { ensemble }),
  };
};

/**
 * Where each output goes. The main output (`--format`, `-o FILE`) defaults to the text summary on
 * stdout; the per-format files (`--csv`, `--json`, `--svg`, `--out PREFIX`) come on top. When the
 * main output is a file, the terminal still gets the text summary, as nmap prints its normal output
 * beside -oX. "wrote FILE" notes go to stderr (`-q` drops them), so stdout is only the document.
 */
const writeOutputs = async (
  o: SimulateCliOptions,
  format: string,
  r: SimulationRun,
  io: CliIo,
  notes: Notes,
): Promise<void> => {
  const files: Array<[string, string]> = [];
  if (o.output !== undefined) files.push([o.output, format]);
  const prefixed = (ext: string) => (o.out ? `${o.out}.${ext}` : undefined);
  for (const [path, f] of [
    [o.csv ?? prefixed('csv'), 'csv'],
    [o.json ?? prefixed('json'), 'json'],
    [o.svg ?? prefixed('svg'), 'svg'],
  ] as const)
    if (path) files.push([path, f]);
  io.stdout.write(renderAs(o.output === undefined ? format : 'text', r));
  for (const [path, f] of files) {
    await writeFileAtomic(path, renderAs(f, r));
    notes.note(`rpcsweep: wrote ${path}\n`);
  }
};

export const register = (program: Command, io: CliIo): void => {
  program
    .command('simulate')
    .description(
      'simulate a Blaster-like worm spreading through a scanned or synthetic population (sends no packet)',
    )
    .option(
      '--scenario <name>',
      'blaster-2003: the documented, fitted Blaster parameter set (docs/simulation.md); one run',
    )
    .option(
      '--from <scan.ndjson>',
      'scan results (HostResult NDJSON): unpatched = vulnerable, patched = immune',
    )
    .option('--synthetic <N>', 'N synthetic vulnerable hosts instead of a scan')
    .option(
      '--density <kind>',
      'synthetic spread: uniform (whole IPv4 space), even or zipf over --networks16 /16s',
      'uniform',
    )
    .option('--networks16 <n>', 'number of /16 organisations for even/zipf density')
    .option('--nat-share <f>', 'fraction of synthetic hosts behind NAT (private sites)', '0')
    .option('--nat-site-hosts <n>', 'hosts per NAT site', '50')
    .option('--immune <n>', 'extra patched hosts with TCP 135 open (synthetic)', '0')
    .option('--win2k-share <f>', 'share of Windows 2000 among hosts of unknown OS (rest XP)', '0.2')
    .option(
      '--internet <N>',
      'with --from: embed the scanned network in a synthetic Internet of N vulnerable hosts',
    )
    .option('--hours <h>', 'simulated time', '72')
    .option('--seed <n>', 'seed of every random choice of the model (default: random, printed)')
    .option(
      '--runs <n>',
      'runs with seeds seed, seed+1, ... (on worker threads, one per core): median and 90 % band in every output',
      '1',
    )
    .option('--initial <k>', 'hosts infected at t = 0', '1')
    .option('--sample-every <s>', 'time-series step in seconds (default: hours/400)')
    .option('--patch-per-day <f>', 'patch this fraction of still-unpatched hosts per day')
    .option('--patch-start-h <h>', 'patching starts after this many hours', '0')
    .option('--cleanup-per-day <f>', 'clean (and patch) this fraction of infected hosts per day')
    .option('--cleanup-start-h <h>', 'cleanup starts after this many hours', '0')
    .option('--filter-share <f>', 'share of organisations that filter TCP 135 at their border')
    .option('--filter-start-h <h>', 'border filters go up after this many hours', '0')
    .option(
      '--filter-full-h <h>',
      'filters go up one organisation at a time until this hour (default: all at the start)',
    )
    .option('--welchia', 'release a Welchia-style counter-worm that patches hosts and removes Blaster')
    .option('--welchia-start-h <h>', 'Welchia release time', '168')
    .option('--welchia-initial <n>', 'hosts Welchia starts on', '10')
    .option('--welchia-scans-per-s <r>', 'Welchia scan rate per host (random scanning)', '100')
    .option(
      '--reboot-on-crash',
      'a variant mismatch reboots the host; an infected host re-seeds its worm on boot',
    )
    .option(
      '--reboots-per-day <r>',
      'ordinary reboots of infected hosts per day; each re-seeds the worm at boot',
      '0',
    )
    .option('--success-probability <p>', 'chance that 4444 and TFTP work once the exploit fits', '1')
    .option('--telescope <prefix>', 'record what a darknet /8 or /16 sees, e.g. 44.0.0.0/8')
    .option(
      '--address-changes-per-day <r>',
      'address changes per infected host per day (DHCP, dial-up): the telescope and the sensor count each address',
      '0',
    )
    .option(
      '--rate-measure <m>',
      'rows 3 and 5 (peak rate, its hour) from: infections, or sources (new addresses at a sensor); default: sources with --scenario, else infections',
    )
    .option(
      '-o, --output <file>',
      'write the main output to FILE (format from its extension: .txt .json .csv .svg); the summary still prints',
    )
    .option(
      '--format <format>',
      'text (summary), json, csv (time series) or svg (chart) (default: from -o, else text)',
    )
    .option('--out <prefix>', 'write <prefix>.csv, <prefix>.json and <prefix>.svg')
    .option('--csv <file>', 'time series as CSV (one row per scenario and time)')
    .option('--json <file>', 'time series, statistics and telescope report as JSON')
    .option('--svg <file>', 'chart of infected hosts over time, with and without each intervention')
    .addOption(verboseOption('print the model settings at the start and the run time (stderr)'))
    .addOption(quietOption('no "wrote FILE" notes on stderr (errors still print)'))
    .action(async (o: SimulateCliOptions, command: Command) => {
      const notes = notesFor(o, io);
      // Checked before the model runs: a long simulation must not end in a usage error.
      const format =
        o.format !== undefined
          ? checkFormatName(o.format, SIMULATE_FORMATS)
          : o.output !== undefined
            ? formatForOutputPath(o.output, SIMULATE_FORMATS, 'simulate')
            : 'text';
      const run = await simulateRun(o, command, notes, io.workerEntry);
      await writeOutputs(o, format, run, io, notes);
    });
};
