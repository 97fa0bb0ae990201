/**
 * A small, self-contained SVG line-chart writer (no fonts, scripts or external references): axes
 * with round tick values, one polyline per series and a legend. Used for "infected over time, with
 * and without each intervention".
 */
export interface ChartSeries {
  name: string;
  /** [x, y] points, x ascending. */
  points: ReadonlyArray<readonly [number, number]>;
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

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );

/** Tick values at 1, 2 or 5 × 10^k covering [0, max]. */
export const niceTicks = (max: number, target = 6): number[] => {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
};

const label = (v: number): string => {
  if (v === 0) return '0';
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toFixed(2)}k`;
  return `${+v.toFixed(2)}`;
};

export const renderLineChart = (c: LineChart): string => {
  const w = c.widthPx ?? 800;
  const h = c.heightPx ?? 460;
  const m = { left: 70, right: 20, top: 40, bottom: 50 };
  const pw = w - m.left - m.right;
  const ph = h - m.top - m.bottom;
  let xMax = 0;
  let yMax = 0;
  for (const s of c.series)
    for (const [x, y] of s.points) {
      if (Number.isFinite(x)) xMax = Math.max(xMax, x);
      if (Number.isFinite(y)) yMax = Math.max(yMax, y);
    }
  const xt = niceTicks(xMax);
  const yt = niceTicks(yMax);
  const xs = xt[xt.length - 1]!;
  const ys = yt[yt.length - 1]!;
  const px = (x: number) => (m.left + (x / xs) * pw).toFixed(1);
  const py = (y: number) => (m.top + ph - (y / ys) * ph).toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="${w / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(c.title)}</text>`,
  ];
  for (const v of yt)
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${py(v)}" y2="${py(v)}" stroke="#e5e5e5"/>`,
      `<text x="${m.left - 6}" y="${py(v)}" text-anchor="end" dominant-baseline="middle">${label(v)}</text>`,
    );
  for (const v of xt)
    out.push(
      `<line x1="${px(v)}" x2="${px(v)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`,
      `<text x="${px(v)}" y="${m.top + ph + 16}" text-anchor="middle">${label(v)}</text>`,
    );
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#333333"/>`,
    `<text x="${m.left + pw / 2}" y="${h - 10}" text-anchor="middle">${escapeXml(c.xLabel)}</text>`,
    `<text transform="translate(16 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(c.yLabel)}</text>`,
  );
  c.series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length]!;
    const pts = s.points
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => `${px(x)},${py(y)}`)
      .join(' ');
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts}"/>`);
    const ly = m.top + 14 + i * 18;
    out.push(
      `<line x1="${m.left + 12}" x2="${m.left + 36}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${m.left + 42}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
};
