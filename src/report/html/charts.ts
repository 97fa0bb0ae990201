/**
 * The report's charts as SVG drawn here, on the machine that wrote the report: no charting library
 * to pin, audit and inline, nothing for a script to compute when the file is opened, and the charts
 * print and survive with scripts off. Colours are presentation attributes (CSP allows no inline
 * `style`); every label passes htmlEscape, since DCOM versions and blocks come from the network.
 */
import type { Verdict } from '../../core/result.ts';
import { htmlEscape } from '../escape.ts';
import type { BlockCount } from './blocks.ts';

export const VERDICT_COLOURS: Record<Verdict, string> = {
  unpatched: '#b3261e',
  'patched-kb823980': '#e8710a',
  'needs-investigation': '#8e24aa',
  'dcom-restricted': '#5c6bc0',
  'not-windows-dcom': '#607d8b',
  refused: '#c69c00',
  error: '#6d4c41',
  patched: '#2e7d32',
  unreachable: '#9e9e9e',
};

export interface Bar {
  label: string;
  value: number;
  colour: string;
}

/** Horizontal bars with the count beside each; the longest bar spans the chart. */
export const barChart = (title: string, bars: readonly Bar[]): string => {
  const rowH = 22;
  const labelW = 170;
  const barW = 300;
  const height = Math.max(1, bars.length) * rowH + 8;
  const max = Math.max(1, ...bars.map((b) => b.value));
  // Labels can be peer data (DCOM versions): clipped so a long one cannot swallow the chart.
  const clip = (s: string) => (s.length > 24 ? `${s.slice(0, 23)}…` : s);
  const rows = bars.map((b, i) => {
    const y = 4 + i * rowH;
    const w = b.value === 0 ? 0 : Math.max(2, Math.round((b.value / max) * barW));
    return (
      `<text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${htmlEscape(clip(b.label))}</text>` +
      `<rect x="${labelW}" y="${y + 3}" width="${w}" height="${rowH - 6}" fill="${b.colour}"><title>${htmlEscape(`${b.label}: ${b.value}`)}</title></rect>` +
      `<text x="${labelW + w + 6}" y="${y + 15}">${b.value}</text>`
    );
  });
  return `<svg class="chart" role="img" aria-label="${htmlEscape(title)}" viewBox="0 0 ${labelW + barW + 60} ${height}" width="${labelW + barW + 60}" height="${height}" font-size="12" font-family="sans-serif">${rows.join('')}</svg>`;
};

/** White (none vulnerable) through orange to dark red (most vulnerable); grey when nothing answered. */
const heatColour = (c: BlockCount, max: number): string => {
  if (c.vulnerable === 0) return '#e8f5e9';
  const t = Math.min(1, c.vulnerable / Math.max(1, max));
  const g = Math.round(200 - 180 * t);
  const b = Math.round(120 - 100 * t);
  return `rgb(230,${g},${b})`;
};

/** One square per block, in address order, coloured by its number of vulnerable hosts. */
export const heatMap = (prefix: string, blocks: readonly BlockCount[]): string => {
  if (blocks.length === 0) return '<p class="muted">No addresses.</p>';
  const cols = Math.min(32, blocks.length);
  const cell = blocks.length <= 32 ? 36 : 18;
  const rows = Math.ceil(blocks.length / cols);
  const max = Math.max(...blocks.map((b) => b.vulnerable));
  const cells = blocks.map((b, i) => {
    const x = (i % cols) * cell;
    const y = Math.floor(i / cols) * cell;
    const tip = `${b.block}: ${b.vulnerable} vulnerable of ${b.scanned} scanned`;
    return `<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" fill="${heatColour(b, max)}" stroke="#bbb" stroke-width="0.5"><title>${htmlEscape(tip)}</title></rect>`;
  });
  const w = cols * cell;
  const h = rows * cell;
  return (
    `<svg class="chart heat" role="img" aria-label="vulnerable hosts per ${prefix}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}">${cells.join('')}</svg>` +
    `<p class="muted">One square per ${prefix} block with scanned addresses (${blocks.length}); pale green: none vulnerable, darker red: more vulnerable hosts (most: ${max}). Hover a square for its counts.</p>`
  );
};
