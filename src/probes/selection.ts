/** The per-host probe roles the engine drives (SYSACT first, REMACT when needed, then extras). */
import type { Probe } from './types.ts';

export interface HostProbesSelection {
  sysact: Probe;
  remact: Probe;
  /** ServerAlive2, for the DCOM version when REMACT did not report one. */
  version?: Probe;
  netbios?: Probe;
  epm?: Probe;
  indicators?: readonly Probe[];
}
