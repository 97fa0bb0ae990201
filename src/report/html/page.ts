/**
 * The HTML report as one self-contained document: inline style, inline script, server-side SVG and
 * the host table as JSON in a `<script type="application/json">` block. The CSP meta comes first and
 * allows nothing but that one style and that one script, by sha256: no network request, no other
 * script, no inline event handler, no image, even if a peer's string slipped through unescaped.
 */
import { createHash } from 'node:crypto';
import { FILTER_PORTS } from '../../advice/index.ts';
import { type RunMeta, type RunSummary, VERDICTS } from '../../core/result.ts';
import { VERSION } from '../../core/version.ts';
import { htmlEscape as h, jsonForScript } from '../escape.ts';
import { barChart, heatMap, VERDICT_COLOURS } from './charts.ts';
import { CLIENT_SCRIPT } from './client.ts';
import type { HostChange, HtmlReportModel } from './model.ts';
import { STYLE } from './style.ts';

export interface PageOptions {
  /** Changes since the previous scan of the same scope (results store); the section is left out when absent. */
  changes?: readonly HostChange[];
  /** The scan `changes` are counted from, as the page names it (e.g. `scan 3 (started …)`). */
  previous?: string;
  /** Where the results came from when there is no RunMeta (e.g. the NDJSON file name). */
  source?: string;
}

/** Change rows drawn in the page; the rest are counted (`rpcsweep diff` lists them all). */
export const CHANGES_SHOWN = 1000;

/** Peer strings longer than this are clipped in the page (the data block keeps them whole). */
export const CLIP_CHARS = 300;

/** Escaped and clipped: a 10 kB name costs the browser seconds of line breaking per place it appears. */
const t = (s: string): string =>
  h(s.length > CLIP_CHARS ? `${s.slice(0, CLIP_CHARS)}… [${s.length} characters]` : s);

const sha256 = (text: string): string =>
  `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The CSP for a page whose only style and script are these texts. */
export const contentSecurityPolicy = (style: string, script: string): string =>
  [
    "default-src 'none'",
    `style-src ${sha256(style)}`,
    `script-src ${sha256(script)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

const duration = (ms: number): string => {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

const scannedSection = (
  meta: RunMeta | undefined,
  summary: RunSummary,
  model: HtmlReportModel,
  o: PageOptions,
): string => {
  const rows: Array<[string, string]> = meta
    ? [
        ['Targets', `${meta.targetsDescription} (${meta.totalAddresses} addresses)`],
        [
          'Seed',
          `${meta.seed}${meta.shard.count > 1 ? `, shard ${meta.shard.index}/${meta.shard.count}` : ''}`,
        ],
        ['Started', meta.startedAt],
        ['Duration', duration(summary.elapsedMs)],
        ['Timeout', `${meta.timeoutMs} ms per step`],
        ['Command', meta.command],
        ['rpcsweep', meta.version],
      ]
    : [
        ['Results from', o.source ?? 'scan results'],
        ['Addresses', String(summary.totalAddresses)],
        ['First probe', model.firstStart || 'unknown'],
        ['Duration', duration(summary.elapsedMs)],
      ];
  return `<dl class="meta">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${t(v)}</dd>`).join('')}</dl>`;
};

/** The KB823980 Statistics categories as cards, in the order and with the totals of the text report. */
const cards = (s: RunSummary): string => {
  const c = s.counts;
  const card = (key: string, label: string, n: number, tone = '') =>
    `<div class="card ${tone}" data-stat="${key}"><span class="n">${n}</span><span class="l">${h(label)}</span></div>`;
  return `<div class="cards">
<div class="group-label">Scanned</div>
${card('patched-kb823980', 'Patched with KB823980', c['patched-kb823980'], c['patched-kb823980'] ? 'warn' : '')}
${card('patched', 'Patched with KB824146 + KB823980', c.patched, 'good')}
${card('unpatched', 'Unpatched', c.unpatched, c.unpatched ? 'bad' : '')}
${card('scanned', 'TOTAL HOSTS SCANNED', s.hostsScanned, 'total')}
<div class="group-label">Skipped</div>
${card('needs-investigation', 'Needs investigation', c['needs-investigation'])}
${card('dcom-restricted', 'DCOM restricted', c['dcom-restricted'])}
${card('not-windows-dcom', 'Not Windows DCOM', c['not-windows-dcom'])}
${card('refused', 'Connection refused', c.refused)}
${card('unreachable', 'Host unreachable', c.unreachable)}
${card('error', 'Errors', c.error)}
${card('skipped', 'TOTAL HOSTS SKIPPED', s.hostsSkipped, 'total')}
${card('total', 'TOTAL ADDRESSES SCANNED', s.totalAddresses, 'total')}
</div>`;
};

const needsAction = (model: HtmlReportModel): string => {
  const items = model.actionItems();
  if (items.length === 0)
    return '<p>No host needs action: nothing unpatched, KB823980-only, unexplained or infected.</p>';
  const li = items.map((a) => {
    const badge = a.infected ? 'infected' : a.verdict;
    const name = a.name ? ` <span class="muted">(${t(a.name)})</span>` : '';
    const pre = a.prerequisites.length
      ? `<details><summary>Prerequisites (${a.prerequisites.length})</summary><ul>${a.prerequisites.map((p) => `<li>${t(p)}</li>`).join('')}</ul></details>`
      : '';
    const ind = a.indicators.length ? `<ul>${a.indicators.map((x) => `<li>${t(x)}</li>`).join('')}</ul>` : '';
    const infected = a.infected
      ? ' Indicators of compromise: treat the host as infected (recovery steps before patching).'
      : '';
    return `<li data-address="${h(a.address)}"><span class="badge ${badge}">${h(badge)}</span> <b>${t(a.address)}</b>${name}${a.adviceLine ? `: ${t(a.adviceLine)}.${infected} Then filter the <a href="#ports">ports below</a>.` : ''}${ind}${pre}</li>`;
  });
  const more = model.actionCount - items.length;
  return `<ol class="action-list">${li.join('')}</ol>${more > 0 ? `<p class="muted">… and ${more} more: filter the host table by verdict to see them all.</p>` : ''}`;
};

const charts = (model: HtmlReportModel, s: RunSummary): string => {
  const verdictBars = VERDICTS.map((v) => ({ label: v, value: s.counts[v], colour: VERDICT_COLOURS[v] }));
  const dcom = [...model.dcomVersions.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 20)
    .map(([v, n]) => ({ label: v === '0.0' ? '0.0 (none read)' : v, value: n, colour: '#1a73e8' }));
  const { prefix, blocks } = model.blocks.cells();
  const top = [...blocks]
    .filter((b) => b.vulnerable > 0)
    .sort((a, b) => b.vulnerable - a.vulnerable)
    .slice(0, 10);
  const topList = top.length
    ? `<table class="inner"><thead><tr><th>block</th><th>vulnerable</th><th>scanned</th></tr></thead><tbody>${top.map((b) => `<tr><td>${h(b.block)}</td><td>${b.vulnerable}</td><td>${b.scanned}</td></tr>`).join('')}</tbody></table>`
    : '<p class="muted">No vulnerable host in any block.</p>';
  return `<div class="charts">
<figure><figcaption>Verdicts</figcaption>${barChart('verdicts', verdictBars)}</figure>
<figure><figcaption>DCOM versions (hosts that answered)</figcaption>${dcom.length ? barChart('DCOM versions', dcom) : '<p class="muted">No DCOM version read.</p>'}</figure>
<figure><figcaption>Vulnerable hosts (unpatched or KB823980 only) per ${prefix}</figcaption>${heatMap(prefix, blocks)}${topList}</figure>
</div>`;
};

const changesSection = (changes: readonly HostChange[], previous: string | undefined): string => {
  const kinds = new Map<string, number>();
  for (const c of changes) kinds.set(c.change, (kinds.get(c.change) ?? 0) + 1);
  const counts = [...kinds].map(([k, n]) => `<b>${t(k)}</b> ${n}`).join(', ');
  const rows = changes
    .slice(0, CHANGES_SHOWN)
    .map(
      (c) =>
        `<tr class="change ${h(c.change)}"><td>${t(c.address)}</td><td>${t(c.change)}</td><td>${t(c.old ?? '')}</td><td>${t(c.new ?? '')}</td></tr>`,
    )
    .join('');
  const more = changes.length - CHANGES_SHOWN;
  return `<section id="changes"><h2>Changes since the previous scan (${changes.length})</h2>
<p>Compared with ${t(previous ?? 'the previous scan')}${changes.length ? `: ${counts}` : ': no change'}.</p>${
    changes.length
      ? `<table class="inner"><thead><tr><th>address</th><th>change</th><th>before</th><th>now</th></tr></thead><tbody>${rows}</tbody></table>`
      : ''
  }${more > 0 ? `<p class="muted">… and ${more} more: rpcsweep diff lists them all.</p>` : ''}</section>`;
};

const hostTable = (model: HtmlReportModel): string => {
  const counts = model.counts;
  const options = VERDICTS.filter((v) => counts[v] > 0)
    .map((v) => `<option value="${v}">${v} (${counts[v]})</option>`)
    .join('');
  const th = (key: string, label: string) =>
    `<th data-sort="${key}" aria-sort="none"><button type="button">${label}</button></th>`;
  return `<section id="hosts"><h2>Hosts that answered or refused (${model.listedHosts})</h2>
<div id="hosts-controls" class="controls" hidden>
<label>Verdict <select id="filter-verdict"><option value="">all</option>${options}</select></label>
<label>Search <input id="filter-search" type="search" placeholder="address, name, reason…" autocomplete="off"></label>
<button id="page-prev" type="button">Previous</button><button id="page-next" type="button">Next</button>
</div>
<p id="hosts-status" class="muted" aria-live="polite"></p>
<noscript><p class="noscript">The host table needs JavaScript; the host data is in this file as JSON (block rpcsweep-data).</p></noscript>
<table><colgroup><col class="c-x"><col class="c-addr"><col class="c-verdict"><col class="c-name"><col class="c-dcom"><col class="c-advice"><col class="c-ms"></colgroup>
<thead><tr><th></th>${th('address', 'Address')}${th('verdict', 'Verdict')}${th('name', 'Name')}${th('dcom', 'DCOM')}${th('advice', 'Advice')}${th('time', 'ms')}</tr></thead>
<tbody id="hosts-body"></tbody></table></section>`;
};

const portsSection = (): string =>
  `<section id="ports"><h2>Ports to filter</h2><p>At routers and the Internet edge, inbound and outbound (JPCERT-AT-2003-0005 and the HotFix alert of 2003-08-13):</p>
<table class="inner ports"><thead><tr><th>port</th><th>why</th><th>source</th></tr></thead><tbody>${FILTER_PORTS.map(
    (r) => `<tr><td>${r.port}/${r.protocol}</td><td>${h(r.why)}</td><td>${h(r.source)}</td></tr>`,
  ).join('')}</tbody></table></section>`;

/** The whole document. `summary` is the scan's own when it has one, else model.summary(). */
export const renderHtmlPage = (model: HtmlReportModel, summary: RunSummary, o: PageOptions = {}): string => {
  const meta = model.meta;
  const data = model.clientData();
  const title = `rpcsweep report: ${meta ? meta.targetsDescription.slice(0, 100) : (o.source ?? 'scan results')}`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(STYLE, CLIENT_SCRIPT)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title>
<style>${STYLE}</style></head>
<body><main>
<header><h1>rpcsweep report: MS03-026 / MS03-039 (KB823980 / KB824146)</h1>
<section id="scanned">${scannedSection(meta, summary, model, o)}</section></header>
<section id="statistics"><h2>Statistics</h2>${cards(summary)}</section>
<section id="action"><h2>Needs action (${model.actionCount})</h2>${needsAction(model)}</section>
<section id="charts"><h2>Charts</h2>${charts(model, summary)}</section>
${o.changes ? changesSection(o.changes, o.previous) : ''}
${hostTable(model)}
${portsSection()}
<footer><p class="muted">Written by rpcsweep ${h(meta?.version ?? VERSION)}. Every name, annotation and reason in this report came from the network and is shown as text.</p></footer>
</main>
<script type="application/json" id="rpcsweep-data">${jsonForScript(data.table)}</script>
<script type="application/json" id="rpcsweep-detail">${jsonForScript(data.detail)}</script>
<script>${CLIENT_SCRIPT}</script>
</body></html>
`;
};
