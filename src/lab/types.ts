/** The public shapes of a running lab (shared by the in-process, child-process and netns modes). */
import type { FixState, Verdict } from '../core/result.ts';
import type { CommandResult } from './system.ts';

export interface LabHostInfo {
  address: string;
  profile: string;
  netbiosName: string;
  /** Extra services this host runs (nbstat, shell4444, tftp, udp135). */
  services?: string[];
  expected: { verdict: Verdict; ms03_026: FixState; ms03_039: FixState; dcomVersion: string };
}

export interface RunningLab {
  name: string;
  mode: 'loopback' | 'netns';
  /**
   * TCP port the emulated RPCSS listens on: the caller's choice, else 135, else (unprivileged, 135
   * refused) UNPRIVILEGED_PORT. Scanners must use this, not assume 135.
   */
  port: number;
  /** TCP port of RPC over HTTP v1 for hosts with the ncacn_http services: 593 beside 135, else port + 458. */
  httpPort: number;
  hosts: LabHostInfo[];
  /** Addresses with nothing listening (RST). */
  refused: string[];
  /** Addresses made silent (nft drop); empty without root. */
  unreachable: string[];
  /** Addresses the spec wanted silent that could not be made so (no root): they refuse instead. */
  notSilenced: string[];
  /** A target expression covering the whole spec, for the scanner. */
  targetSpec: string;
  crashes(): Array<{ address: string; at: number; cause: string }>;
  stats(): { connections: number; binds: number; requests: number };
  /** Brings a crashed (fragile) host back. */
  restart(address: string): Promise<void>;
  /** Removes everything the lab added (sockets, nft table, namespaces, child processes). */
  close(): Promise<void>;
  /** Child-process labs: the PID of the process serving the hosts (for RSS measurements). */
  pid?: number;
  /** netns mode: the namespace the scanner must run in (no route out, a route to the targets). */
  scannerNamespace?: string;
  /** netns mode: runs a command inside the scanner namespace. */
  runInScanner?(command: string, args: string[], options?: { timeoutMs?: number }): Promise<CommandResult>;
  /** netns mode: argv prefix that runs a command inside the scanner namespace (for spawn). */
  scannerCommandPrefix?: string[];
}

export interface StartLabOptions {
  isRoot?: boolean;
  mode?: 'loopback' | 'netns';
  signal?: AbortSignal;
  log?: (line: string) => void;
  /** @default 135, or UNPRIVILEGED_PORT when 135 is refused for lack of privileges */
  port?: number;
  /** Bounds of the endless-fragments peer. */
  maxStreamChunks?: number;
  maxStreamMs?: number;
  /**
   * First octet to serve the spec's 127.x.y.z addresses under (netns mode's child serves 10.x.y.z
   * inside its namespace). @default 127
   */
  firstOctet?: number;
  /**
   * Serve the spec moved to this 127.B.0.0/16 block (relocate.ts): how tests and benchmarks run
   * built-in specs beside each other. @default the spec's own addresses
   */
  block?: string;
}
