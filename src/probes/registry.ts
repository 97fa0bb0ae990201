/**
 * The probe registry (style.md rule 6, zmap's probe modules): every probe rpcsweep can run, as an
 * explicit list. Each probe declares its fields and when the engine runs it (`Probe.schedule`); the
 * engine, the writers and `rpcsweep probes` read them from here. Adding a probe = one file + one
 * line here + its entry in docs/probes.md.
 */

import type { ResultField } from '../core/result.ts';
import { epmProbe } from './dcerpc-epm.ts';
import { dcomVersionProbe } from './dcom-version.ts';
import { shell4444Probe } from './indicator-shell4444.ts';
import { tftpProbe } from './indicator-tftp.ts';
import { remactProbe } from './ms03-026-remact.ts';
import { sysactProbe } from './ms03-039-sysact.ts';
import { nbstatProbe } from './netbios-nbstat.ts';
import {
  type HostProbeOptions,
  type HostProbesSelection,
  resultFieldsOf,
  selectHostProbes,
} from './selection.ts';
import type { Probe } from './types.ts';

export type { HostProbeOptions } from './selection.ts';

export const PROBES: readonly Probe[] = [
  sysactProbe,
  remactProbe,
  dcomVersionProbe,
  // Extras run in this order (and their csv columns, xml elems and text lines follow it).
  nbstatProbe,
  epmProbe,
  shell4444Probe,
  tftpProbe,
];

export const probeByName = (name: string): Probe | undefined => PROBES.find((p) => p.name === name);

/** The probes the engine runs per host for these options (`netbios`, `epm`, `indicators`, `dcomVersion`). */
export const hostProbesFor = (o: HostProbeOptions): HostProbesSelection => selectHostProbes(PROBES, o);

/** Every declared result field, for the writers (csv columns, xml elems, text lines). */
export const RESULT_FIELDS: readonly ResultField[] = resultFieldsOf(PROBES);
