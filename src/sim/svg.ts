/**
 * A small, self-contained SVG chart writer (no fonts, scripts or external references): one or more
 * stacked panels sharing the x axis, round tick values (whole numbers with thousands separators for
 * counts), one dashed-and-coloured polyline per series so that identical curves stay visible, an
 * optional 5-95 % band per series, published figures as markers with their ranges, and the legend
 * below the plots where it never covers a curve. Used for "infected over time, with and without each
 * intervention".
 */
export interface ChartSeries {
  name: string;
  /** [x, y] points, x ascending. */
  points: ReadonlyArray<readonly [number, number]>;
  /** [x, low, high] points of a band drawn under the line (e.g. the 5-95 % range of several runs). */
  band?: ReadonlyArray<readonly [number, number, number]>;
}

/** A published figure: a point, with the range the sources give when they give one. */
export interface ChartMarker {
  label: string;
  x: number;
  y: number;
  low?: number;
  high?: number;
}

export interface ChartPanel {
  yLabel: string;
  series: readonly ChartSeries[];
  markers?: readonly ChartMarker[];
  /** The y values count things: ticks are whole numbers. @default true */
  integer?: boolean;
  heightPx?: number;
}

export interface Chart {
  title: string;
  xLabel: string;
  panels: readonly ChartPanel[];
  widthPx?: number;
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  widthPx?: number;
  heightPx?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
/** Dash patterns cycle with the colours, so curves that coincide still show each other. */
const DASHES = ['', '9 4', '3 3', '12 3 3 3', '6 2', '2 6', '14 4 2 4 2 4', '1 3'];
const MARGIN = { left: 78, right: 24 };
/** Rough advance of one sans-serif character, as a fraction of the font size. */
const CHAR_EM = 0.58;

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Tick values at 1, 2 or 5 × 10^k covering [0, max]; whole steps only when `integer`. */
export const niceTicks = (max: number, target = 6, integer = false): number[] => {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
};

/** Tick label: thousands separators, no exponent, at most two decimals. */
export const tickLabel = (v: number): string =>
  v.toLocaleString('en-US', { maximumFractionDigits: 2, useGrouping: true });

/** Splits a title into lines that fit `widthPx` at `fontPx`, at spaces (a long word is cut). */
export const fitText = (text: string, widthPx: number, fontPx: number): string[] => {
  const perLine = Math.max(8, Math.floor(widthPx / (fontPx * CHAR_EM)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let w = word; w.length > 0; w = w.slice(perLine)) {
      const part = w.slice(0, perLine);
      if (line === '') line = part;
      else if (line.length + 1 + part.length <= perLine) line += ` ${part}`;
      else {
        lines.push(line);
        line = part;
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines;
};

const range = (panel: ChartPanel): number => {
  let yMax = 0;
  const see = (y: number) => {
    if (Number.isFinite(y)) yMax = Math.max(yMax, y);
  };
  for (const s of panel.series) {
    for (const [, y] of s.points) see(y);
    for (const [, , hi] of s.band ?? []) see(hi);
  }
  for (const m of panel.markers ?? []) see(m.high ?? m.y);
  return yMax;
};

interface Frame {
  top: number;
  height: number;
  width: number;
  px: (x: number) => string;
}

const drawPanel = (panel: ChartPanel, f: Frame, xt: readonly number[], out: string[]): void => {
  const yt = niceTicks(range(panel), 5, panel.integer ?? true);
  const ys = yt[yt.length - 1]!;
  const py = (y: number) => (f.top + f.height - (y / ys) * f.height).toFixed(1);
  for (const v of yt)
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + f.width}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e5e5"/>`,
      `<text x="${MARGIN.left - 6}" y="${py(v)}" text-anchor="end" dominant-baseline="middle">${tickLabel(v)}</text>`,
    );
  for (const v of xt)
    out.push(
      `<line x1="${f.px(v)}" x2="${f.px(v)}" y1="${f.top}" y2="${f.top + f.height}" stroke="#f0f0f0"/>`,
    );
  out.push(
    `<rect x="${MARGIN.left}" y="${f.top}" width="${f.width}" height="${f.height}" fill="none" stroke="#333333"/>`,
    `<text transform="translate(14 ${f.top + f.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  const finite = (p: readonly number[]) => p.every(Number.isFinite);
  panel.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const band = (s.band ?? []).filter(finite);
    if (band.length > 1) {
      const upper = band.map(([x, , hi]) => `${f.px(x)},${py(hi)}`);
      const lower = band.map(([x, lo]) => `${f.px(x)},${py(lo)}`).reverse();
      out.push(
        `<polygon fill="${colour}" fill-opacity="0.15" stroke="none" points="${[...upper, ...lower].join(' ')}"/>`,
      );
    }
    const pts = s.points.filter(finite).map(([x, y]) => `${f.px(x)},${py(y)}`);
    const dash = DASHES[i % DASHES.length]! ? ` stroke-dasharray="${DASHES[i % DASHES.length]}"` : '';
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${pts.join(' ')}"/>`);
  });
  for (const m of panel.markers ?? []) {
    const x = f.px(m.x);
    if (m.low !== undefined && m.high !== undefined)
      out.push(
        `<line x1="${x}" x2="${x}" y1="${py(m.low)}" y2="${py(m.high)}" stroke="#000000" stroke-width="1.5"/>`,
      );
    const y = Number(py(m.y));
    out.push(
      `<path d="M${x} ${y - 5} l5 5 l-5 5 l-5 -5 z" fill="#ffffff" stroke="#000000" stroke-width="1.5"><title>${escapeXml(m.label)}</title></path>`,
    );
  }
};

/** The legend below the plots: as many columns as fit, one row per entry otherwise. */
const drawLegend = (
  names: readonly string[],
  markers: boolean,
  top: number,
  width: number,
  out: string[],
) => {
  const entries = [
    ...names.map((name, i) => ({ name, i })),
    ...(markers ? [{ name: 'published figure (range)', i: -1 }] : []),
  ];
  const longest = Math.max(...entries.map((e) => e.name.length));
  const colW = Math.min(width, 44 + longest * 12 * CHAR_EM);
  const cols = Math.max(1, Math.floor(width / colW));
  entries.forEach((e, k) => {
    const x = MARGIN.left + (k % cols) * colW;
    const y = top + Math.floor(k / cols) * 18;
    if (e.i < 0)
      out.push(`<path d="M${x + 18} ${y - 5} l5 5 l-5 5 l-5 -5 z" fill="#ffffff" stroke="#000000"/>`);
    else {
      const dash = DASHES[e.i % DASHES.length]! ? ` stroke-dasharray="${DASHES[e.i % DASHES.length]}"` : '';
      out.push(
        `<line x1="${x}" x2="${x + 34}" y1="${y}" y2="${y}" stroke="${PALETTE[e.i % PALETTE.length]}" stroke-width="2.5"${dash}/>`,
      );
    }
    out.push(`<text x="${x + 40}" y="${y}" dominant-baseline="middle">${escapeXml(e.name)}</text>`);
  });
  return Math.ceil(entries.length / cols) * 18;
};

export const renderChart = (c: Chart): string => {
  const w = c.widthPx ?? 860;
  const plotW = w - MARGIN.left - MARGIN.right;
  const titleLines = fitText(c.title, w - 20, 15);
  let xMax = 0;
  for (const p of c.panels) {
    for (const s of p.series) for (const [x] of s.points) if (Number.isFinite(x)) xMax = Math.max(xMax, x);
    for (const m of p.markers ?? []) xMax = Math.max(xMax, m.x);
  }
  const xt = niceTicks(xMax);
  const xs = xt[xt.length - 1]!;
  const px = (x: number) => (MARGIN.left + (x / xs) * plotW).toFixed(1);
  const body: string[] = [];
  for (const [i, line] of titleLines.entries())
    body.push(
      `<text x="${w / 2}" y="${22 + i * 19}" text-anchor="middle" font-size="15">${escapeXml(line)}</text>`,
    );
  let top = 22 + titleLines.length * 19;
  for (const panel of c.panels) {
    const height = panel.heightPx ?? 300;
    drawPanel(panel, { top, height, width: plotW, px }, xt, body);
    top += height + 26;
  }
  for (const v of xt)
    body.push(`<text x="${px(v)}" y="${top + 2}" text-anchor="middle">${tickLabel(v)}</text>`);
  body.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${top + 22}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
  );
  // Series at the same index share a style across panels; a panel may add series of its own.
  const count = Math.max(0, ...c.panels.map((p) => p.series.length));
  const names = Array.from({ length: count }, (_, i) => c.panels.find((p) => p.series[i])!.series[i]!.name);
  const markers = c.panels.some((p) => (p.markers ?? []).length > 0);
  const legendH = drawLegend(names, markers, top + 48, plotW, body);
  const h = Math.ceil(top + 48 + legendH + 8);
  return `${[
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  ].join('\n')}\n`;
};

/** One panel: the original single-chart entry point. */
export const renderLineChart = (c: LineChart): string =>
  renderChart({
    title: c.title,
    xLabel: c.xLabel,
    ...(c.widthPx !== undefined && { widthPx: c.widthPx }),
    panels: [
      { yLabel: c.yLabel, series: c.series, ...(c.heightPx !== undefined && { heightPx: c.heightPx }) },
    ],
  });
