/**
 * Remediation advice per host: a pure function of one HostResult. Facts come from the seeds
 * (SUMMARY.md: platform table, MS01-041, filtering ports, the "refused is not safe" remark) and
 * detection.md §1/§5 (MS03-039 supersedes MS03-026; MS04-012 supersedes both).
 */
import type { HostResult, Verdict } from '../core/result.ts';
import { guessPlatform, isNt4, ms01041Rows, type PlatformGuess } from './platform-guess.ts';
import {
  BULLETINS,
  FILTER_PORTS,
  type FilterRule,
  filterPortList,
  PLATFORM_TABLE,
  type PlatformRow,
  platformRow,
  RECOVERY_STEPS,
} from './platforms.data.ts';

export interface Fix {
  bulletin: string;
  kb: string;
  /** Why this fix applies to this host. */
  reason: string;
  /** Service packs or other updates needed first, for the guessed platform (or every row when unknown). */
  prerequisites: string[];
  /** Other fixes that cover the same hole (e.g. the later MS04-012). */
  alternatives?: string[];
  /** Set when the fix applies to only some of the guessed platforms: which ones (e.g. `Windows 2000 SP2`). */
  onlyOn?: string;
}

/** How urgent the advice is, in one word a report can sort and count by. */
export type AdviceStatus =
  | 'patch-now'
  | 'patch-recommended'
  | 'verify'
  | 'no-action'
  | 'not-affected'
  | 'nothing-provable'
  | 'rerun';

export interface Advice {
  address: string;
  verdict: Verdict;
  status: AdviceStatus;
  /** One sentence. */
  summary: string;
  fixes: Fix[];
  /** What to do, in order. */
  actions: string[];
  /** Ports to filter at routers/edges, inbound and outbound (always given). */
  filtering: { ports: readonly FilterRule[]; text: string };
  platformGuess?: PlatformGuess;
  /** Caveats: guesses, what a remote scan cannot see. */
  notes: string[];
}

const FILTER_TEXT = `filter these ports at routers and the Internet edge, inbound and outbound: ${filterPortList()}`;

const rowLine = (row: PlatformRow): string =>
  `${row.product}: ${row.requiredServicePack}${row.supported ? '' : ' (not officially supported)'}${row.note ? `; ${row.note}` : ''}`;

/** Service-pack prerequisites for the guessed platform, or the whole table when there is no guess. */
const prerequisitesFor = (g: PlatformGuess | undefined): string[] => {
  const rows = g && g.candidates.length > 0 ? g.candidates.map(platformRow) : PLATFORM_TABLE;
  const lines = rows.map((row) => `service pack: ${rowLine(row)}`);
  if (!g || g.candidates.length === 0)
    lines.unshift('platform unknown: check the OS and service pack locally');
  if (g?.laterThanTable) {
    lines.push(
      'the hints point past the bulletin table (XP SP2 / Server 2003 SP1 or later, which ship these fixes): check the installed updates',
    );
  }
  if (g?.servicePack && g.candidates.includes('win2000') && /^SP[01]$/.test(g.servicePack)) {
    lines.push(`Windows 2000 ${g.servicePack} is below every supported level: install SP3 or SP4 first`);
  }
  if (g?.servicePack && isNt4(g) && !/^SP6/i.test(g.servicePack)) {
    const tseOnly = g.candidates.every((c) => c === 'nt4-tse' || !c.startsWith('nt4'));
    lines.push(
      tseOnly
        ? `NT 4.0 Terminal Server Edition ${g.servicePack} is below the required SP6: upgrade first`
        : `NT 4.0 ${g.servicePack} is below the required SP6a (SP6 for Terminal Server Edition): upgrade first`,
    );
  }
  for (const row of ms01041Rows(g)) {
    lines.push(
      row.id.startsWith('nt4')
        ? `${row.product} SP6a: also install MS01-041, which for NT 4.0 ships only in the Security Rollup Package (SRP)`
        : `${row.product} SP2: also install MS01-041 (included from SP3 on)`,
    );
  }
  return [...new Set(lines)];
};

const ms03039Fix = (reason: string, g: PlatformGuess | undefined): Fix => ({
  bulletin: BULLETINS.ms03039.bulletin,
  kb: BULLETINS.ms03039.kb,
  reason,
  prerequisites: prerequisitesFor(g),
  alternatives: [
    `${BULLETINS.ms04012.bulletin}/${BULLETINS.ms04012.kb} (later; supersedes MS03-039 and MS03-026)`,
  ],
});

const ms01041Fix = (g: PlatformGuess): Fix | undefined => {
  const rows = ms01041Rows(g);
  if (rows.length === 0) return undefined;
  const nt4 = rows.some((row) => row.id.startsWith('nt4'));
  const w2k = rows.some((row) => row.id === 'win2000-sp2');
  const levels = rows.map((row) => `${row.product} ${row.requiredServicePack}`).join(' / ');
  // Other guessed platforms need no MS01-041: say on which ones it applies instead of asking every host.
  const partial = g.candidates.length > rows.length;
  return {
    bulletin: BULLETINS.ms01041.bulletin,
    kb: BULLETINS.ms01041.kb,
    reason: partial
      ? `${levels} needs MS01-041 besides the RPC fix to remove the RPC vulnerability (SUMMARY.md), and a remote scan cannot exclude that the host is one`
      : `${levels} needs MS01-041 besides the RPC fix to remove the RPC vulnerability (SUMMARY.md)`,
    prerequisites: [
      ...(nt4
        ? ['NT 4.0: install the Security Rollup Package (SRP) on SP6a; MS01-041 ships only inside it']
        : []),
      ...(w2k ? ['Windows 2000 SP2 (SP3 and later already include MS01-041)'] : []),
    ],
    ...(partial ? { onlyOn: levels } : {}),
  };
};

const compromiseActions = (r: HostResult): string[] => {
  const severe = (r.indicators ?? []).filter((i) => i.severity === 'likely-compromised');
  if (severe.length === 0) return [];
  return [
    `indicators of compromise found (${severe.map((i) => i.indicator).join(', ')}): treat the host as infected`,
    ...RECOVERY_STEPS,
  ];
};

const REFUSED_NOTE =
  'a refused TCP 135 does not prove the host safe: it cannot be attacked from here, but it may be reached through an interface or segment that does not refuse, and its patch level is unknown';

/** Advice for one host. Pure: the same record always gives the same advice. */
export const adviseHost = (r: HostResult): Advice => {
  const g = guessPlatform(r);
  const notes: string[] = [];
  if (g && !g.notWindowsNt && g.candidates.length > 0) {
    notes.push(`platform is a guess from remote hints (${g.basis.join('; ')}): confirm locally`);
  }
  const fixes: Fix[] = [];
  const actions: string[] = [];
  let status: AdviceStatus;
  let summary: string;
  const nt4 = isNt4(g);

  switch (r.verdict) {
    case 'unpatched': {
      status = 'patch-now';
      summary = 'MS03-026 is missing: install MS03-039/KB824146 (supersedes MS03-026/KB823980) or later';
      fixes.push(
        ms03039Fix(
          `the activation probe found MS03-026 unpatched; ${BULLETINS.ms03039.bulletin}/${BULLETINS.ms03039.kb} supersedes ${BULLETINS.ms03026.bulletin}/${BULLETINS.ms03026.kb} and fixes both`,
          g,
        ),
      );
      actions.push(
        'block outside access to TCP 135 of this host before downloading the fix (SUMMARY.md)',
        'install the fix and reboot (the RPC fixes require a reboot)',
        'check the host for Blaster/Welchia artefacts offline: rpcsweep ioc <mounted volume or collected files>',
      );
      break;
    }
    case 'patched-kb823980': {
      status = 'patch-recommended';
      summary = 'only MS03-026/KB823980 is installed: install MS03-039/KB824146';
      fixes.push(
        ms03039Fix(
          r.ms03_039 === 'not-testable'
            ? 'KB823980 is present; MS03-039 cannot be tested remotely on this host (no ISystemActivator), so install KB824146 and verify locally'
            : 'KB823980 (MS03-026) is present but the MS03-039 RPCSS overruns are not fixed',
          g,
        ),
      );
      actions.push(
        'install KB824146 and reboot',
        'rescan: a KB824146 host answers the SYSACT probe as patched',
      );
      notes.push(
        'KB823980scan.exe reports KB824146 hosts as unpatched (KB 827363); rpcsweep runs the SYSACT test first',
      );
      break;
    }
    case 'patched': {
      status = 'no-action';
      summary = 'KB824146 (MS03-039) is installed, which includes KB823980 (MS03-026)';
      actions.push(
        `keep current: ${BULLETINS.ms04012.bulletin}/${BULLETINS.ms04012.kb} later superseded both`,
      );
      break;
    }
    case 'dcom-restricted': {
      status = 'verify';
      summary =
        'activation was refused with access denied (DCOM disabled or restricted): patched or restricted, verify';
      actions.push(
        'verify locally that KB824146 (or a later RPC/DCOM update) is installed: access denied hides the patch level',
        'hosts that refuse anonymous activation are usually XP SP2 / Server 2003 SP1 or later, which include the fix',
      );
      break;
    }
    case 'not-windows-dcom': {
      status = 'not-affected';
      summary = 'an endpoint mapper answers but no Windows DCOM activator: not affected by MS03-026';
      actions.push('no Microsoft fix applies; keep the RPC ports filtered at the edge');
      break;
    }
    case 'needs-investigation': {
      status = 'verify';
      summary = 'the host answered in a way no rule classifies: check its patch level locally';
      actions.push(
        `look at the evidence (${r.reason})`,
        'check locally for KB824146 / KB823980 / KB828741 in the installed updates',
      );
      break;
    }
    case 'refused': {
      status = 'verify';
      summary = 'TCP 135 refused: this does not prove the host safe';
      actions.push(
        'verify the patch level locally, or scan again from another segment that reaches its TCP 135',
        'keep the filtering that refuses 135 in place until the host is verified patched',
      );
      notes.push(REFUSED_NOTE);
      break;
    }
    case 'unreachable': {
      status = 'nothing-provable';
      summary = 'no answer on TCP 135: nothing can be proved about this address from here';
      actions.push(
        'if a host lives at this address, scan it from a segment that reaches it, or check it locally',
      );
      break;
    }
    case 'error': {
      status = 'rerun';
      summary = 'a local failure stopped the probes: the host was not assessed';
      actions.push(`fix the local problem (${r.error?.message ?? r.reason}) and scan this host again`);
      break;
    }
  }

  // NT4 and 2000 SP2 need MS01-041 with the RPC fix, whichever verdict asked for a fix.
  if (fixes.length > 0 && g) {
    const extra = ms01041Fix(g);
    if (extra) fixes.push(extra);
  }
  if (nt4 && fixes.length > 0) {
    notes.push('NT 4.0 has no ISystemActivator, so MS03-039 cannot be confirmed remotely: verify locally');
  }
  actions.unshift(...compromiseActions(r));
  if ((r.indicators ?? []).length > 0 || r.verdict === 'unpatched') {
    notes.push(
      'a running Blaster instance holds the mutex BILLY: only observable live on the host, not remotely or offline',
    );
  }
  actions.push(FILTER_TEXT);
  return {
    address: r.address,
    verdict: r.verdict,
    status,
    summary,
    fixes,
    actions,
    filtering: { ports: FILTER_PORTS, text: FILTER_TEXT },
    ...(g ? { platformGuess: g } : {}),
    notes,
  };
};

export const ADVICE_STATUSES: readonly AdviceStatus[] = [
  'patch-now',
  'patch-recommended',
  'verify',
  'no-action',
  'not-affected',
  'nothing-provable',
  'rerun',
];

/** Counts per status, for report summaries. */
export const countAdvice = (advice: Iterable<Advice>): Record<AdviceStatus, number> => {
  const counts = Object.fromEntries(ADVICE_STATUSES.map((s) => [s, 0])) as Record<AdviceStatus, number>;
  for (const a of advice) counts[a.status]++;
  return counts;
};
