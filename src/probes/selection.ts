/**
 * The per-host probe set a scan runs, derived from what each registered probe declares
 * (`Probe.schedule`): the activation probes in their decision-table roles, then the extras the scan's
 * switches turn on, in registry order. Nothing here names a probe.
 */
import type { ResultField } from '../core/result.ts';
import type { Probe } from './types.ts';

export interface HostProbesSelection {
  sysact: Probe;
  remact: Probe;
  /** ServerAlive2, for the DCOM version when REMACT did not report one. */
  version?: Probe;
  /** Probes after the decision table (each declares `schedule.kind: 'extra'`), in registry order. */
  extras?: readonly Probe[];
}

/**
 * A scan's probe switches, true (on) or false (off), keyed by a probe's name (`--probe NAME`) or by
 * the group option it declares in `schedule.option` (`--epm` sets `epm`, `--indicators` both
 * indicator probes, `--no-dcom-version` sets `dcomVersion` false). A probe's own name wins over its
 * group. Plain data, so it crosses to worker threads.
 */
export type HostProbeOptions = Readonly<Record<string, boolean | undefined>>;

/** What the switches say of one probe: its name's switch, else its group option's, else unset. */
const switchOf = (p: Probe, o: HostProbeOptions): boolean | undefined => {
  const option = p.schedule?.option;
  return o[p.name] ?? (option === undefined ? undefined : o[option]);
};

/** Probes a switch can turn on or off: the extras, and activation probes that declare an option. */
export const isOptionalProbe = (p: Probe): boolean =>
  p.schedule?.kind === 'extra' || (p.schedule?.kind === 'activation' && p.schedule.option !== undefined);

const activation = (probes: readonly Probe[], role: 'sysact' | 'remact' | 'version') =>
  probes.find((p) => p.schedule?.kind === 'activation' && p.schedule.role === role);

/** The probes the engine runs per host for these switches. */
export const selectHostProbes = (probes: readonly Probe[], o: HostProbeOptions): HostProbesSelection => {
  const sysact = activation(probes, 'sysact');
  const remact = activation(probes, 'remact');
  if (!sysact || !remact) throw new Error('the probe registry needs a sysact and a remact activation probe');
  const version = activation(probes, 'version');
  // An optional activation probe runs unless switched off; an extra runs only when switched on.
  const versionOn =
    version !== undefined && (version.schedule?.option === undefined || switchOf(version, o) !== false);
  const extras = probes.filter((p) => p.schedule?.kind === 'extra' && switchOf(p, o) === true);
  return {
    sysact,
    remact,
    ...(version && versionOn ? { version } : {}),
    ...(extras.length > 0 ? { extras } : {}),
  };
};

/** Every field the probes declare, with its probe's name: what the writers iterate. */
export const resultFieldsOf = (probes: readonly Probe[]): ResultField[] =>
  probes.flatMap((p) => p.fields.map((f) => ({ ...f, probe: p.name })));
