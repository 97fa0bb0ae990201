/**
 * Blaster-family and Welchia/Nachi host artefacts as data (blaster.md §6.1–6.2, §2.7; SUMMARY.md).
 * Vendor letters disagree (Sophos "Blaster-B" = Symantec "Blaster.C"), so variants are named by
 * Symantec's letters with the others as aliases, and matched by file name (blaster.md §6.2 advice).
 */

export interface VariantFile {
  /** File name, lower case. */
  name: string;
  /** Folder under %SystemRoot%, lower case, backslash-separated. */
  folder: 'system32' | 'system32\\wins';
  /** Known size in bytes, when a source gives one. */
  sizeBytes?: number;
  role: string;
}

export interface VariantRunValue {
  /** Run value name as sources give it (matched case-insensitively). */
  name: string;
  /** Data: the worm file name. */
  data: string;
  source: string;
}

export interface Variant {
  id: string;
  name: string;
  aliases: readonly string[];
  files: readonly VariantFile[];
  runValues: readonly VariantRunValue[];
  /** Service key names (SYSTEM hive, ControlSet00n\Services). */
  services: readonly string[];
  /** Is the attribution of these artefacts to a variant confirmed by the sources? */
  attribution: 'confirmed' | 'unverified';
  notes: readonly string[];
  source: string;
}

const SYS = 'system32' as const;

export const VARIANTS: readonly Variant[] = [
  {
    id: 'blaster-a',
    name: 'W32.Blaster.Worm (Blaster.A)',
    aliases: ['W32/Lovsan.worm.a', 'WORM_MSBLAST.A', 'W32/Blaster-A', 'Win32.Poza.A', 'Worm.Win32.Lovesan'],
    files: [
      { name: 'msblast.exe', folder: SYS, sizeBytes: 6176, role: 'worm (UPX-packed; 11,296 bytes unpacked)' },
    ],
    runValues: [
      {
        name: 'windows auto update',
        data: 'msblast.exe',
        source: 'Symantec 2003-081113-0229-99; HotFix Alert 2003-08-13',
      },
    ],
    services: [],
    attribution: 'confirmed',
    notes: ['a running instance holds the mutex BILLY (observable only on the live host)'],
    source: 'blaster.md §6.1; SUMMARY.md',
  },
  {
    id: 'blaster-b',
    name: 'W32.Blaster.B (Symantec)',
    aliases: ['WORM_MSBLAST.B', 'Win32.Poza.C'],
    files: [{ name: 'penis32.exe', folder: SYS, role: 'worm' }],
    runValues: [
      { name: 'windows auto update', data: 'penis32.exe', source: 'securemost msblast_b; Nessus 11818' },
    ],
    services: [],
    attribution: 'confirmed',
    notes: [],
    source: 'blaster.md §6.1',
  },
  {
    id: 'blaster-c',
    name: 'W32.Blaster.C (Symantec) = W32/Blaster-B (Sophos)',
    aliases: ['W32/Blaster-B', "Parson's variant"],
    files: [
      { name: 'teekids.exe', folder: SYS, role: 'worm' },
      { name: 'index.exe', folder: SYS, role: 'dropper (role not verified)' },
      { name: 'root32.exe', folder: SYS, role: 'backdoor (role not verified)' },
    ],
    runValues: [{ name: 'Microsoft Inet Xp..', data: 'teekids.exe', source: 'Nessus 11818' }],
    services: [],
    attribution: 'confirmed',
    notes: ['may carry the Lithium backdoor'],
    source: 'blaster.md §6.1',
  },
  {
    id: 'blaster-d',
    name: 'W32.Blaster.D (Symantec)',
    aliases: ['WORM_MSBLAST.E', 'W32/Blaster-D', 'Win32.Poza.D'],
    files: [{ name: 'mspatch.exe', folder: SYS, role: 'worm' }],
    runValues: [
      {
        name: 'Nonton Antivirus',
        data: 'mspatch.exe',
        source: 'securemost msblast_d (Run; one copy says RunOnce)',
      },
      { name: 'windows auto update', data: 'mspatch.exe', source: 'Nessus 11818' },
    ],
    services: [],
    attribution: 'confirmed',
    notes: [],
    source: 'blaster.md §6.1',
  },
  {
    id: 'blaster-e',
    name: 'W32.Blaster.E',
    aliases: ['W32/Blaster-E', 'Worm.Win32.Lovesan'],
    files: [{ name: 'mslaugh.exe', folder: SYS, role: 'worm' }],
    // Sources disagree on the value name (blaster.md §2.7): list both.
    runValues: [
      { name: 'Windows Automation', data: 'mslaugh.exe', source: 'Trend; Nessus 11818' },
      { name: 'windows auto update', data: 'mslaugh.exe', source: 'Sophos' },
    ],
    services: [],
    attribution: 'confirmed',
    notes: ['DDoS target kimble.org'],
    source: 'blaster.md §6.1, §2.7',
  },
  {
    id: 'blaster-f',
    name: 'W32.Blaster.F',
    aliases: ['W32/Blaster-F', 'WORM_MSBLAST.G', 'Win32.Poza.F'],
    files: [{ name: 'enbiei.exe', folder: SYS, role: 'worm' }],
    runValues: [
      { name: 'www.hidro.4t.com', data: 'enbiei.exe', source: 'securemost msblast_f; Nessus 11818' },
    ],
    services: [],
    attribution: 'confirmed',
    notes: ['DDoS target tuiasi.ro'],
    source: 'blaster.md §6.1',
  },
  {
    id: 'blaster-cleanup-names',
    name: 'Blaster family (names from 2003 clean-up scripts, variant not attributed)',
    aliases: [],
    files: [
      { name: 'wuaumgr.exe', folder: SYS, role: 'named by clean-up scripts' },
      { name: 'msconfig35.exe', folder: SYS, role: 'named by clean-up scripts' },
    ],
    runValues: [
      { name: 'MSConfig', data: 'msconfig35.exe', source: 'Kelly Theriot / Doug Knox VBS (value name only)' },
    ],
    services: [],
    attribution: 'unverified',
    notes: ['attribution to a variant is not verified: treat as suspicious, confirm by hash or content'],
    source: 'blaster.md §6.1',
  },
  {
    id: 'welchia',
    name: 'W32.Welchia / Nachi.A',
    aliases: ['W32/Nachi.worm', 'W32/Nachi-A', 'WORM_MSBLAST.D', 'Lovsan.D'],
    files: [
      { name: 'dllhost.exe', folder: 'system32\\wins', sizeBytes: 10240, role: 'worm' },
      { name: 'svchost.exe', folder: 'system32\\wins', role: 'copy of dllcache\\tftpd.exe (TFTP server)' },
    ],
    runValues: [],
    services: ['RpcPatch', 'RpcTftpd'],
    attribution: 'confirmed',
    notes: [
      'kills msblast and deletes msblast.exe, so Blaster traces may be gone',
      'service RpcPatch shows as "WINS Client", RpcTftpd as "Network Connections Sharing"',
    ],
    source: 'blaster.md §6.1 (Symantec 2003-081815-2308-99); Nessus 11818',
  },
];

/** Every worm file name (lower case) → its variant(s). */
export const FILE_INDEX: ReadonlyMap<
  string,
  ReadonlyArray<{ variant: Variant; file: VariantFile }>
> = (() => {
  const m = new Map<string, Array<{ variant: Variant; file: VariantFile }>>();
  for (const variant of VARIANTS) {
    for (const file of variant.files) m.set(file.name, [...(m.get(file.name) ?? []), { variant, file }]);
  }
  return m;
})();

/** File names whose presence in system32 (not wins) is itself a worm indicator: Welchia's are normal names. */
export const SYSTEM32_WORM_FILES: readonly string[] = VARIANTS.flatMap((v) =>
  v.files.filter((f) => f.folder === 'system32').map((f) => f.name),
);

export const WELCHIA_SERVICES: readonly string[] = VARIANTS.flatMap((v) => v.services);

/** tftp.exe client temporaries (KB 826955: "unusual TFTP* files"), e.g. TFTP2453. */
export const TFTP_LEFTOVER = /^tftp\d+$/i;

/** XP Prefetch entries: `<EXE>-<8 hex>.pf` (one post cites MSBLAST.EXE-1C3A3376.pf). */
export const PREFETCH_ENTRY = /^(.+\.exe)-[0-9a-f]{8}\.pf$/i;

/** Strings in an unpacked (and partly in a packed) Blaster.A (blaster.md §6.1). */
export const BLASTER_STRINGS: readonly string[] = [
  'LOVE YOU SAN',
  'billy gates',
  'msblast.exe',
  'windowsupdate.com',
];

/** What to do (JPCERT-AT-2003-0005 recovery steps). */
export const REMEDIATION = {
  infected: [
    'disconnect the host from the network first, to stop the spread',
    'end the worm process (Task Manager), remove the file and its Run value or services',
    'apply MS03-039/KB824146 (supersedes MS03-026/KB823980) before reconnecting',
    'if compromised beyond the worm: back up data (not files the worm replaced or added), format, reinstall, patch',
  ],
  historic: [
    'the worm ran here once: check for a current infection (Run values, system32 files, processes)',
    'confirm MS03-039/KB824146 is installed',
  ],
  suspicious: [
    'confirm by hash or content against a known sample before acting',
    'confirm MS03-039/KB824146 is installed',
  ],
  live: [
    'a running Blaster holds the mutex BILLY: check it on the live host (e.g. with Sysinternals handle.exe -a, looking for a mutant named BILLY)',
  ],
} as const;
