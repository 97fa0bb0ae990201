/**
 * The folder walk behind `rpcsweep ioc PATH`: finds the artefacts (hives, .reg exports, tasklist
 * CSVs, worm files, Prefetch entries, TFTP leftovers) and hands them to the pure parsers and
 * matchers. Never follows symbolic links, bounds depth, entry count and bytes read; a broken
 * artefact becomes an error entry and the rest is still checked.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { lstat, open, readdir, readFile, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DecodeError, type ErrorCode, RpcsweepError } from '../core/errors.ts';
import {
  type ArtifactError,
  blasterStrings,
  checkFile,
  checkPrefetch,
  checkProcess,
  checkRunValue,
  checkService,
  type IocFinding,
  isRunKey,
  SEVERITY_RANK,
} from './checks.ts';
import { openHive, type RegfHive, valueText } from './hive/regf.ts';
import { parseRegExport } from './reg-export.ts';
import { parseTasklistCsv } from './tasklist.ts';

export interface IocScanOptions {
  /** Deepest folder level walked in an artefact folder. @default 8 */
  maxDepth?: number;
  /** Directory entries examined in total. @default 100_000 */
  maxEntries?: number;
  /** Largest hive read, in bytes. @default 512 MiB */
  maxHiveBytes?: number;
  /** Largest .reg or CSV read, in bytes. @default 64 MiB */
  maxTextBytes?: number;
  /** Largest worm-file candidate hashed, in bytes. @default 16 MiB */
  maxHashBytes?: number;
}

export type ArtifactKind = 'hive' | 'reg-export' | 'tasklist' | 'system32' | 'wins' | 'prefetch' | 'file';

export interface ArtifactRecord {
  path: string;
  kind: ArtifactKind;
  status: 'checked' | 'error' | 'skipped';
  detail?: string;
}

export interface IocReport {
  root: string;
  layout: 'windows-volume' | 'artifact-folder' | 'single-file';
  /** The Windows folder found on a volume (e.g. `WINDOWS` or `WINNT`). */
  systemRoot?: string;
  artifacts: ArtifactRecord[];
  findings: IocFinding[];
  errors: ArtifactError[];
  /** Limits that cut the walk short (depth, entries). */
  limitsHit: string[];
}

const DEFAULTS: Required<IocScanOptions> = {
  maxDepth: 8,
  maxEntries: 100_000,
  maxHiveBytes: 512 * 1024 * 1024,
  maxTextBytes: 64 * 1024 * 1024,
  maxHashBytes: 16 * 1024 * 1024,
};

const RUN_KEYS = [
  'Microsoft\\Windows\\CurrentVersion\\Run',
  'Microsoft\\Windows\\CurrentVersion\\RunOnce',
  // NTUSER.DAT or a hive whose root is HKLM itself.
  'Software\\Microsoft\\Windows\\CurrentVersion\\Run',
  'Software\\Microsoft\\Windows\\CurrentVersion\\RunOnce',
];

/** File names of registry hives as collected (SOFTWARE, SYSTEM, NTUSER.DAT, *.hiv). */
const HIVE_FILE_NAME = /^(?:software|system|sam|security|default|ntuser\.dat|usrclass\.dat)$|\.hiv$/i;

class Scan {
  readonly o: Required<IocScanOptions>;
  readonly report: IocReport;
  entries = 0;
  constructor(root: string, layout: IocReport['layout'], o: Required<IocScanOptions>) {
    this.o = o;
    this.report = { root, layout, artifacts: [], findings: [], errors: [], limitsHit: [] };
  }

  error(path: string, kind: ArtifactKind, code: ErrorCode, message: string): void {
    this.report.errors.push({ path, code, message });
    this.report.artifacts.push({ path, kind, status: 'error', detail: message });
  }

  /** Whether `path` was checked, skipped, failed or gave a finding (anything but silently ignored). */
  touched(path: string): boolean {
    return (
      this.report.artifacts.some((a) => a.path === path) ||
      this.report.findings.some((f) => f.evidence.path === path)
    );
  }

  /** A file that should have been an artefact but is none rpcsweep can read (zeros, random bytes, a cut hive). */
  unrecognised(path: string): void {
    if (HIVE_FILE_NAME.test(basename(path)))
      this.error(path, 'hive', 'IOC_HIVE_CORRUPT', 'named like a registry hive but has no regf header');
    else
      this.error(
        path,
        'file',
        'IOC_PATH',
        'not an artefact rpcsweep can check (regf hive, .reg export, tasklist CSV, prefetch file or a known worm file name)',
      );
  }

  found(fs: IocFinding[]): void {
    this.report.findings.push(...fs);
  }

  async readBounded(path: string, limit: number, kind: ArtifactKind): Promise<Uint8Array | undefined> {
    try {
      const st = await lstat(path);
      if (!st.isFile()) return undefined;
      if (st.size > limit) {
        this.report.artifacts.push({
          path,
          kind,
          status: 'skipped',
          detail: `${st.size} bytes, over the ${limit}-byte limit`,
        });
        return undefined;
      }
      return new Uint8Array(await readFile(path));
    } catch (e) {
      this.error(path, kind, 'IOC_PATH', `cannot read: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** Reads at most `n` bytes from the start of a file. */
  async head(path: string, n: number): Promise<Uint8Array> {
    const fh = await open(path, 'r');
    try {
      const buf = new Uint8Array(n);
      const { bytesRead } = await fh.read(buf, 0, n, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  checkHive(path: string, bytes: Uint8Array): void {
    const opened = openHive(bytes);
    if (!opened.ok) {
      this.error(
        path,
        'hive',
        'IOC_HIVE_CORRUPT',
        `${opened.error.message} (${opened.error.field} at offset ${opened.error.offset})`,
      );
      return;
    }
    const hive = opened.value;
    const findings: IocFinding[] = [];
    try {
      for (const keyPath of RUN_KEYS) {
        const k = hive.findKey(keyPath);
        if (!k) continue;
        for (const v of hive.values(k)) findings.push(...checkRunValue(path, keyPath, v.name, valueText(v)));
      }
      this.#checkServices(path, hive, findings);
      this.found(findings);
      this.report.artifacts.push({ path, kind: 'hive', status: 'checked' });
    } catch (e) {
      // Keep what was read before the corrupt part.
      this.found(findings);
      if (e instanceof DecodeError) this.error(path, 'hive', 'IOC_HIVE_CORRUPT', e.message);
      else throw e;
    }
  }

  #checkServices(path: string, hive: RegfHive, out: IocFinding[]): void {
    const root = hive.rootKey();
    for (const cs of hive.subkeys(root)) {
      if (!/^(?:ControlSet\d{3}|CurrentControlSet)$/i.test(cs.name)) continue;
      const services = hive.findKey(`${cs.name}\\Services`);
      if (!services) continue;
      for (const s of hive.subkeys(services))
        out.push(...checkService(path, `${cs.name}\\Services\\${s.name}`, s.name));
    }
  }

  checkRegExport(path: string, bytes: Uint8Array): void {
    try {
      const reg = parseRegExport(bytes);
      for (const key of reg.keys) {
        if (isRunKey(key.path)) {
          for (const v of key.values) this.found(checkRunValue(path, key.path, v.name, v.text));
        }
        const svc = /\\services\\([^\\]+)$/i.exec(key.path);
        if (svc) this.found(checkService(path, key.path, svc[1]!));
      }
      this.report.artifacts.push({ path, kind: 'reg-export', status: 'checked' });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.error(path, 'reg-export', 'IOC_REG_EXPORT_PARSE', e.message);
    }
  }

  checkTasklist(path: string, bytes: Uint8Array): void {
    try {
      for (const row of parseTasklistCsv(bytes)) {
        this.found(checkProcess(path, row.image, row.pid, row.services, row.line));
      }
      this.report.artifacts.push({ path, kind: 'tasklist', status: 'checked' });
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      this.error(path, 'tasklist', 'IOC_TASKLIST_PARSE', e.message);
    }
  }

  async fileFacts(
    path: string,
    size: number,
  ): Promise<{ sizeBytes: number; sha256?: string; strings?: string[] }> {
    if (size > this.o.maxHashBytes) return { sizeBytes: size };
    const bytes = await readFile(path);
    const strings = blasterStrings(bytes.subarray(0, 1024 * 1024));
    return {
      sizeBytes: size,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      ...(strings.length > 0 ? { strings } : {}),
    };
  }

  async checkWormFile(
    path: string,
    name: string,
    folder: 'system32' | 'system32\\wins' | 'collected',
    size: number,
  ): Promise<void> {
    // Cheap name test first; only candidates are hashed.
    if (checkFile(path, name, folder).length === 0) return;
    try {
      this.found(checkFile(path, name, folder, await this.fileFacts(path, size)));
    } catch (e) {
      this.found(checkFile(path, name, folder, { sizeBytes: size }));
      this.error(path, 'file', 'IOC_PATH', `cannot read: ${(e as Error).message}`);
    }
  }

  /** Directory entries, counted against the entry limit; symlinks are reported and skipped. */
  async list(dir: string): Promise<Dirent[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      this.error(dir, 'file', 'IOC_PATH', `cannot list: ${(e as Error).message}`);
      return [];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const room = this.o.maxEntries - this.entries;
    if (entries.length > room) {
      this.report.limitsHit.push(`entry limit ${this.o.maxEntries} reached in ${dir}`);
      entries = entries.slice(0, Math.max(0, room));
    }
    this.entries += entries.length;
    return entries;
  }
}

/** The child whose name matches case-insensitively (Windows volumes mounted on Linux), never a symlink. */
const childCI = async (dir: string, name: string, want: 'dir' | 'file'): Promise<string | undefined> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    const e = entries.find(
      (x) => x.name.toLowerCase() === name.toLowerCase() && (want === 'dir' ? x.isDirectory() : x.isFile()),
    );
    return e ? join(dir, e.name) : undefined;
  } catch {
    return undefined;
  }
};

const pathCI = async (root: string, parts: string[], last: 'dir' | 'file'): Promise<string | undefined> => {
  let at: string | undefined = root;
  for (let i = 0; i < parts.length && at; i++)
    at = await childCI(at, parts[i]!, i === parts.length - 1 ? last : 'dir');
  return at;
};

/** Finds %SystemRoot% on a volume: `Windows/` or `WINNT/` with system32/config/SOFTWARE, or PATH itself. */
const findSystemRoot = async (root: string): Promise<string | undefined> => {
  for (const candidate of ['windows', 'winnt']) {
    const sr = await childCI(root, candidate, 'dir');
    if (sr && (await pathCI(sr, ['system32', 'config', 'software'], 'file'))) return sr;
  }
  if (await pathCI(root, ['system32', 'config', 'software'], 'file')) return root;
  return undefined;
};

const scanWindowsVolume = async (s: Scan, systemRoot: string): Promise<void> => {
  s.report.systemRoot = systemRoot;
  for (const hiveName of ['software', 'system']) {
    const p = await pathCI(systemRoot, ['system32', 'config', hiveName], 'file');
    if (!p) continue;
    const bytes = await s.readBounded(p, s.o.maxHiveBytes, 'hive');
    if (bytes) s.checkHive(p, bytes);
  }
  const system32 = await childCI(systemRoot, 'system32', 'dir');
  if (system32) {
    for (const e of await s.list(system32)) {
      // Name test first: system32 holds thousands of files, only candidates are stat'ed and hashed.
      if (!e.isFile() || checkFile(e.name, e.name, 'system32').length === 0) continue;
      const p = join(system32, e.name);
      await s.checkWormFile(p, e.name, 'system32', (await lstat(p)).size);
    }
    s.report.artifacts.push({ path: system32, kind: 'system32', status: 'checked' });
    const wins = await childCI(system32, 'wins', 'dir');
    if (wins) {
      for (const e of await s.list(wins)) {
        if (!e.isFile()) continue;
        const p = join(wins, e.name);
        await s.checkWormFile(p, e.name, 'system32\\wins', (await lstat(p)).size);
      }
      s.report.artifacts.push({ path: wins, kind: 'wins', status: 'checked' });
    }
  }
  const prefetch = await childCI(systemRoot, 'prefetch', 'dir');
  if (prefetch) {
    for (const e of await s.list(prefetch))
      if (e.isFile()) s.found(checkPrefetch(join(prefetch, e.name), e.name));
    s.report.artifacts.push({ path: prefetch, kind: 'prefetch', status: 'checked' });
  }
};

/** One file of a collected-artefacts folder (or the single file given as PATH). */
const checkCollectedFile = async (s: Scan, p: string, name: string, size: number): Promise<void> => {
  const lower = name.toLowerCase();
  if (lower.endsWith('.reg')) {
    const bytes = await s.readBounded(p, s.o.maxTextBytes, 'reg-export');
    if (bytes) s.checkRegExport(p, bytes);
    return;
  }
  if (lower.endsWith('.csv')) {
    const head = new TextDecoder('latin1').decode(await s.head(p, 512)).replace(/\0/g, '');
    if (lower.startsWith('tasklist') || /image name|"pid"/i.test(head)) {
      const bytes = await s.readBounded(p, s.o.maxTextBytes, 'tasklist');
      if (bytes) s.checkTasklist(p, bytes);
    }
    return;
  }
  if (lower.endsWith('.pf')) {
    s.found(checkPrefetch(p, name));
    return;
  }
  if (size >= 4) {
    const magic = new TextDecoder('latin1').decode(await s.head(p, 4));
    if (magic === 'regf') {
      const bytes = await s.readBounded(p, s.o.maxHiveBytes, 'hive');
      if (bytes) s.checkHive(p, bytes);
      return;
    }
  }
  await s.checkWormFile(p, name, 'collected', size);
};

const walkFolder = async (s: Scan, dir: string, depth: number): Promise<void> => {
  if (depth > s.o.maxDepth) {
    s.report.limitsHit.push(`depth limit ${s.o.maxDepth} reached at ${dir}`);
    return;
  }
  for (const e of await s.list(dir)) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) {
      s.report.artifacts.push({
        path: p,
        kind: 'file',
        status: 'skipped',
        detail: 'symbolic link: not followed',
      });
    } else if (e.isDirectory()) {
      await walkFolder(s, p, depth + 1);
    } else if (e.isFile()) {
      try {
        await checkCollectedFile(s, p, e.name, (await lstat(p)).size);
        if (!s.touched(p) && HIVE_FILE_NAME.test(e.name)) s.unrecognised(p);
      } catch (err) {
        if (err instanceof RpcsweepError) throw err;
        s.error(p, 'file', 'IOC_PATH', `cannot read: ${(err as Error).message}`);
      }
    }
  }
};

/**
 * Checks PATH: a mounted Windows system volume (or its %SystemRoot%), a folder of collected
 * artefacts, or a single artefact file. Throws RpcsweepError(IOC_PATH) only when PATH itself is
 * unusable; every other problem is an entry in `errors`.
 */
export const scanArtifacts = async (givenPath: string, options: IocScanOptions = {}): Promise<IocReport> => {
  let path = givenPath;
  const o = { ...DEFAULTS, ...options };
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (e) {
    throw new RpcsweepError('IOC_PATH', `${path}: ${(e as NodeJS.ErrnoException).code ?? 'cannot be read'}`, {
      cause: e,
    });
  }
  if (st.isSymbolicLink()) {
    // PATH itself was named by the user: resolve it once. Links inside it are never followed.
    try {
      path = await realpath(path);
      st = await lstat(path);
    } catch (e) {
      throw new RpcsweepError('IOC_PATH', `${path}: broken symbolic link`, { cause: e });
    }
  }
  if (st.isFile()) {
    const s = new Scan(path, 'single-file', o);
    await checkCollectedFile(s, path, basename(path), st.size);
    // The one file asked about was not checked at all: say so, "0 checked, 0 errors" reads as clean.
    if (!s.touched(path)) s.unrecognised(path);
    return finish(s);
  }
  if (!st.isDirectory()) throw new RpcsweepError('IOC_PATH', `${path} is neither a file nor a folder`);
  const systemRoot = await findSystemRoot(path);
  const s = new Scan(path, systemRoot ? 'windows-volume' : 'artifact-folder', o);
  if (systemRoot) await scanWindowsVolume(s, systemRoot);
  else await walkFolder(s, path, 0);
  return finish(s);
};

const finish = (s: Scan): IocReport => {
  s.report.findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.evidence.path.localeCompare(b.evidence.path),
  );
  return s.report;
};

/** Worst severity among the findings, or undefined when there are none. */
export const worstSeverity = (r: IocReport): IocFinding['severity'] | undefined =>
  r.findings.reduce<IocFinding['severity'] | undefined>(
    (w, f) => (w === undefined || SEVERITY_RANK[f.severity] > SEVERITY_RANK[w] ? f.severity : w),
    undefined,
  );
