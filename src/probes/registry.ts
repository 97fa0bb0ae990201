/**
 * The probe registry (style.md rule 6): every probe rpcsweep can run, as an explicit list, and the
 * per-host probe set the scan options select. Adding a probe = one file + one line here.
 */

import { epmProbe } from './dcerpc-epm.ts';
import { dcomVersionProbe } from './dcom-version.ts';
import { shell4444Probe } from './indicator-shell4444.ts';
import { tftpProbe } from './indicator-tftp.ts';
import { remactProbe } from './ms03-026-remact.ts';
import { sysactProbe } from './ms03-039-sysact.ts';
import { nbstatProbe } from './netbios-nbstat.ts';
import type { HostProbesSelection } from './selection.ts';
import type { Probe } from './types.ts';

export const PROBES: readonly Probe[] = [
  sysactProbe,
  remactProbe,
  dcomVersionProbe,
  epmProbe,
  nbstatProbe,
  shell4444Probe,
  tftpProbe,
];

export const probeByName = (name: string): Probe | undefined => PROBES.find((p) => p.name === name);

export interface HostProbeOptions {
  netbios?: boolean;
  epm?: boolean;
  indicators?: boolean;
  /** Run ServerAlive2 for the DCOM version when REMACT did not give it. @default true */
  dcomVersion?: boolean;
}

/** The probes the engine runs per host for these options. */
export const hostProbesFor = (o: HostProbeOptions): HostProbesSelection => ({
  sysact: sysactProbe,
  remact: remactProbe,
  ...(o.dcomVersion === false ? {} : { version: dcomVersionProbe }),
  ...(o.epm ? { epm: epmProbe } : {}),
  ...(o.netbios ? { netbios: nbstatProbe } : {}),
  ...(o.indicators ? { indicators: [shell4444Probe, tftpProbe] } : {}),
});
