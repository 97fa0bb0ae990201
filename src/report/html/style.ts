/**
 * The report's one stylesheet, inlined and allowed by its sha256 in the page's CSP. System fonts
 * only (no font files to embed); long peer strings wrap anywhere so a 10 kB NetBIOS name cannot
 * push the table off the page. The print part lays the report out for A4: controls hidden, rows and
 * cards kept whole, table headers repeated on every page, a running page header.
 */
export const STYLE = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #5f6368; --line: #d0d4d9; --bg2: #f4f6f8; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); margin: 0; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
h4 { font-size: 13px; margin: 12px 0 4px; }
p, li, dd, td, th, summary { overflow-wrap: anywhere; word-break: break-word; }
.muted { color: var(--muted); font-size: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--bg2); break-inside: avoid; }
.card .n { font-size: 26px; font-weight: 600; display: block; }
.card .l { font-size: 12px; color: var(--muted); }
.card.total { background: #fff; border-style: dashed; }
.card.bad .n { color: #b3261e; }
.card.warn .n { color: #c25e00; }
.card.good .n { color: #2e7d32; }
.group-label { grid-column: 1 / -1; font-size: 12px; font-weight: 600; color: var(--muted); margin-top: 6px; }
ol.action-list { padding-left: 20px; }
ol.action-list > li { margin: 6px 0; break-inside: avoid; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 8px; color: #fff; background: #607d8b; }
.badge.unpatched, .badge.infected { background: #b3261e; }
.badge.patched-kb823980 { background: #e8710a; }
.badge.needs-investigation { background: #8e24aa; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; }
.charts figure { margin: 0; max-width: 100%; overflow-x: auto; break-inside: avoid; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: var(--bg2); font-weight: 600; }
th button { font: inherit; background: none; border: 0; padding: 0; cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B4"; }
th[aria-sort="descending"] button::after { content: " \\25BE"; }
td.num { text-align: right; }
td.addr { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
col.c-x { width: 32px; } col.c-addr { width: 140px; } col.c-verdict { width: 170px; } col.c-dcom { width: 80px; }
col.c-advice { width: 140px; } col.c-ms { width: 80px; }
tr.host { cursor: pointer; }
tr.host:hover { background: #fafbfc; }
tr.v-unpatched td.verdict { color: #b3261e; font-weight: 600; }
tr.v-patched-kb823980 td.verdict { color: #c25e00; font-weight: 600; }
button.expand { border: 1px solid var(--line); background: #fff; border-radius: 4px; width: 22px; cursor: pointer; }
tr.detail > td { background: #fbfbfd; }
.evidence dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
.evidence dt { color: var(--muted); }
.evidence dd { margin: 0; }
table.inner { table-layout: auto; font-size: 12px; margin-bottom: 8px; }
table.inner th, table.inner td.short { white-space: nowrap; overflow-wrap: normal; word-break: normal; }
.controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
.controls input[type=search] { min-width: 260px; padding: 4px 6px; }
.noscript { border: 1px solid var(--line); padding: 8px; background: #fff8e1; }
.ports td:first-child { white-space: nowrap; width: 90px; }
@page { size: A4; margin: 14mm 12mm; @top-left { content: "rpcsweep report"; font-size: 9pt; color: #666; } @top-right { content: counter(page) " / " counter(pages); font-size: 9pt; color: #666; } }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  .controls, #hosts-controls, button.expand { display: none !important; }
  h2 { break-after: avoid; }
  tr, .card, figure, li { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  tr.host:hover { background: none; }
}
`;
