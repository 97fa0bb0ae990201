/**
 * Which probes a scan runs, from its command line: `--probe NAME[,NAME…]` switches on any registered
 * optional probe by name, and the older options (`-n`, `--epm`, `--indicators`, `--no-dcom-version`)
 * are other spellings of the same switches (they set the group option the probes declare in
 * `schedule.option`). A probe added to the registry needs no scan option of its own.
 */
import { type HostProbeOptions, isOptionalProbe, selectHostProbes } from '../../probes/selection.ts';
import type { Probe } from '../../probes/types.ts';
import { usage } from '../options.ts';

/** The scan's older probe options: the switch each sets (a probe's `schedule.option`) and its flag. */
export const PROBE_OPTION_FLAGS: Readonly<Record<string, { flag: string; on: boolean }>> = {
  netbios: { flag: '-n', on: true },
  epm: { flag: '--epm', on: true },
  indicators: { flag: '--indicators', on: true },
  dcomVersion: { flag: '--no-dcom-version', on: false },
};

/** What commander hands over for the probe switches. */
export interface ProbeCliOptions {
  /** `--probe NAME[,NAME…]`, repeatable. */
  probe?: readonly string[];
  netbios?: boolean;
  epm?: boolean;
  indicators?: boolean;
  /** `--no-dcom-version` sets false; true by default. */
  dcomVersion?: boolean;
}

/** The switches of a scan; a `--probe` name that no optional probe of `probes` has is a usage error. */
export const probeSwitches = (o: ProbeCliOptions, probes: readonly Probe[]): HostProbeOptions => {
  const switches: Record<string, boolean | undefined> = {
    netbios: o.netbios,
    epm: o.epm,
    indicators: o.indicators,
    dcomVersion: o.dcomVersion === true,
  };
  const optional = probes.filter(isOptionalProbe).map((p) => p.name);
  for (const name of (o.probe ?? []).flatMap((x) => x.split(',')).map((x) => x.trim())) {
    if (name === '') continue;
    if (!optional.includes(name)) {
      const always = probes.some((p) => p.name === name) ? ` (${name} always runs)` : '';
      usage(
        `--probe: "${name}" is not an optional probe${always}; the registered ones: ${optional.join(', ')}`,
      );
    }
    switches[name] = true;
  }
  return switches;
};

/**
 * The probes a scan with these switches runs, as one name list (part of the resume fingerprint and
 * the dry-run plan): an extra goes by its name, or by its group option when the whole group is on.
 */
export const describeProbes = (switches: HostProbeOptions, probes: readonly Probe[]): string => {
  const s = selectHostProbes(probes, switches);
  const extras = s.extras ?? [];
  const names = [s.sysact.name, s.remact.name, ...(s.version ? [s.version.name] : [])];
  for (const p of extras) {
    const option = p.schedule?.option;
    const group = probes.filter(
      (q) => q.schedule?.kind === 'extra' && option !== undefined && q.schedule.option === option,
    );
    const name = group.length > 1 && group.every((q) => extras.includes(q)) ? option! : p.name;
    if (!names.includes(name)) names.push(name);
  }
  return names.join(',');
};

/** How `rpcsweep probes` says to switch a probe on (or off). */
export const switchHelp = (p: Probe): string => {
  const s = p.schedule;
  if (s?.kind === 'activation') {
    const off = s.option === undefined ? undefined : PROBE_OPTION_FLAGS[s.option];
    return off ? `runs by default; ${off.flag} turns it off` : 'always runs';
  }
  if (s?.kind !== 'extra') return 'not run by scan (listed only)';
  const older = s.option === undefined ? undefined : PROBE_OPTION_FLAGS[s.option];
  return `scan --probe ${p.name}${older?.on ? ` (or ${older.flag})` : ''}`;
};
