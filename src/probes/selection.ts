/**
 * The per-host probe set a scan runs, derived from what each registered probe declares
 * (`Probe.schedule`): the activation probes in their decision-table roles, then the extras the scan
 * options turn on, in registry order. Nothing here names a probe.
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

/** Scan options by the names probes declare in `schedule.option` (`netbios`, `epm`, ...). */
export type HostProbeOptions = Readonly<Record<string, boolean | undefined>>;

const activation = (probes: readonly Probe[], role: 'sysact' | 'remact' | 'version') =>
  probes.find((p) => p.schedule?.kind === 'activation' && p.schedule.role === role);

/** The probes the engine runs per host for these options. */
export const selectHostProbes = (probes: readonly Probe[], o: HostProbeOptions): HostProbesSelection => {
  const sysact = activation(probes, 'sysact');
  const remact = activation(probes, 'remact');
  if (!sysact || !remact) throw new Error('the probe registry needs a sysact and a remact activation probe');
  const version = activation(probes, 'version');
  const versionOn = version?.schedule?.option === undefined || o[version.schedule.option] !== false;
  const extras = probes.filter((p) => p.schedule?.kind === 'extra' && o[p.schedule.option] === true);
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
