/**
 * A platform guess from what a remote scan can see: the COMVERSION, whether ISystemActivator exists
 * (COM 5.6+, absent on NT4; detection.md D3/D12) and the free-text OS hints the engine gathered from
 * COMVERSION, the EPM list and NetBIOS. A guess, never a fact: advice says so.
 */
import type { HostResult } from '../core/result.ts';
import { type PlatformId, type PlatformRow, platformRow } from './platforms.data.ts';

export interface PlatformGuess {
  /** Rows of PLATFORM_TABLE the evidence allows, most likely first. Empty when nothing matched. */
  candidates: PlatformId[];
  /** Service pack named by a hint, e.g. `SP2`, `SP6a`. */
  servicePack?: string;
  /** The hints point past the bulletin's table (XP SP2 / 2003 SP1 or later: COM 5.7). */
  laterThanTable: boolean;
  /** The hints say the peer is not a Windows NT-family DCOM host (Samba, Win9x, other DCE). */
  notWindowsNt: boolean;
  /** One line a person can read. */
  label: string;
  /** Which observations led here. */
  basis: string[];
}

const NT4 = /\b(?:windows\s*)?nt\s*4(?:\.0)?\b|\bnt4\b/i;
const WIN2000 = /\bwindows\s*2000\b|\bwin2k\b|\bw2k\b|\b2000\b/i;
const XP = /\bxp\b/i;
const SERVER_2003 = /\b2003\b/i;
const NOT_NT = /\bsamba\b|\bwin(?:dows)?\s*9[58x]\b|\bwin9x\b|\blinux\b|\bunix\b/i;
const LATER = /or later|\bCOM 5\.7\b/i;
const SERVICE_PACK = /\bSP\s*([0-9])(a?)\b/i;

const sysactAbsent = (r: HostResult): boolean =>
  r.evidence.some((e) => /sysact/i.test(e.probe) && /bind-rejected|bind-nak|absent/i.test(e.classification));

export const guessPlatform = (r: HostResult): PlatformGuess | undefined => {
  const hints = [...(r.osHints ?? [])];
  const basis: string[] = [];
  const candidates = new Set<PlatformId>();
  let notWindowsNt = false;
  let laterThanTable = false;
  let servicePack: string | undefined;

  // COMVERSION 5.1 with no COM 5.6 activator is the NT4 signature (D3, D12).
  if (r.dcomVersion === '5.1' && (sysactAbsent(r) || r.sysact === '....')) {
    basis.push('COMVERSION 5.1 without ISystemActivator (NT 4.0 class)');
    hints.push('NT 4.0');
  } else if (r.dcomVersion !== '0.0' && r.dcomVersion !== '') {
    basis.push(`COMVERSION ${r.dcomVersion}`);
  }
  for (const h of r.osHints ?? []) basis.push(`hint: ${h}`);
  if (r.netbiosName) basis.push(`NetBIOS name ${r.netbiosName}`);

  let someNt4 = false;
  for (const h of hints) {
    if (NOT_NT.test(h)) notWindowsNt = true;
    if (LATER.test(h)) laterThanTable = true;
    const sp = SERVICE_PACK.exec(h);
    if (sp && !servicePack) servicePack = `SP${sp[1]}${sp[2]?.toLowerCase() ?? ''}`;
    if (NT4.test(h)) {
      if (/terminal server/i.test(h)) candidates.add('nt4-tse');
      else if (/workstation/i.test(h)) candidates.add('nt4-workstation');
      else if (/\bserver\b/i.test(h)) candidates.add('nt4-server');
      else someNt4 = true;
      continue; // "NT 4.0" must not also read as a year or another product
    }
    if (WIN2000.test(h)) candidates.add(sp?.[1] === '2' ? 'win2000-sp2' : 'win2000');
    if (XP.test(h)) candidates.add('winxp');
    if (SERVER_2003.test(h)) candidates.add('win2003');
  }
  // An NT 4.0 hint that names no edition (COMVERSION 5.1) allows all three, unless another hint named one.
  if (
    someNt4 &&
    !['nt4-server', 'nt4-workstation', 'nt4-tse'].some((id) => candidates.has(id as PlatformId))
  ) {
    for (const id of ['nt4-server', 'nt4-workstation', 'nt4-tse'] as const) candidates.add(id);
  }
  // A remote scan rarely tells the service pack: while SP2 cannot be excluded, its route (the fix with
  // minimal testing, MS01-041 too) is a candidate beside SP3/SP4 (SUMMARY.md).
  if (candidates.has('win2000') && servicePack === undefined) candidates.add('win2000-sp2');
  if (r.verdict === 'not-windows-dcom') notWindowsNt = true;
  if (candidates.size === 0 && !notWindowsNt && !laterThanTable && basis.length === 0) return undefined;

  const rows = [...candidates].map(platformRow);
  const label = notWindowsNt
    ? 'not a Windows NT-family DCOM host'
    : rows.length === 0
      ? 'unknown Windows version'
      : `${unique(rows.map((row) => row.product)).join(' / ')}${servicePack ? ` ${servicePack}` : ''}${laterThanTable ? ' (later service pack)' : ''}`;
  return { candidates: [...candidates], servicePack, laterThanTable, notWindowsNt, label, basis };
};

const unique = (xs: string[]): string[] => [...new Set(xs)];

export const isNt4 = (g: PlatformGuess | undefined): boolean =>
  !!g && g.candidates.some((c) => c.startsWith('nt4'));

/** Rows that need MS01-041, given the guess (NT 4.0 SP6a, 2000 SP2). */
export const ms01041Rows = (g: PlatformGuess | undefined): PlatformRow[] =>
  (g?.candidates ?? []).map(platformRow).filter((row) => row.needsMs01041);
