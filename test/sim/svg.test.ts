import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Sample } from '../../src/sim/series.ts';
import { newInfectionsPerHour, renderSpreadChart } from '../../src/sim/spread-chart.ts';
import { fitText, niceTicks, renderChart, renderLineChart, tickLabel } from '../../src/sim/svg.ts';

test('nice ticks are 1/2/5 × 10^k steps that cover the maximum', () => {
  assert.deepEqual(niceTicks(100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(niceTicks(72), [0, 20, 40, 60, 80]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  const t = niceTicks(987_654);
  assert.ok(t[t.length - 1]! >= 987_654 && t.length <= 8);
});

test('the chart is self-contained SVG with one polyline and legend entry per series, text escaped', () => {
  const svg = renderLineChart({
    title: 'infected <over> time & more',
    xLabel: 'hours',
    yLabel: 'hosts',
    series: [
      {
        name: 'baseline',
        points: [
          [0, 1],
          [1, 10],
          [2, 100],
        ],
      },
      {
        name: 'patch "10%"',
        points: [
          [0, 1],
          [1, 5],
          [2, Number.NaN],
        ],
      },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal((svg.match(/<polyline /g) ?? []).length, 2);
  assert.ok(svg.includes('infected &lt;over&gt; time &amp; more'));
  assert.ok(svg.includes('patch &quot;10%&quot;'));
  assert.ok(!/href|<script|@import|url\(/i.test(svg), 'no external references');
  // the NaN point is dropped, the others are drawn
  const second = [...svg.matchAll(/points="([^"]*)"/g)][1]![1]!;
  assert.equal(second.split(' ').length, 2);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
});

test('host counts get whole-number ticks with thousands separators, never 0.2 steps', () => {
  assert.deepEqual(niceTicks(3, 6, true), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(3, 6, false), [0, 0.5, 1, 1.5, 2, 2.5, 3]);
  assert.equal(tickLabel(120000), '120,000');
  assert.equal(tickLabel(1_500_000), '1,500,000');
  const svg = renderLineChart({
    title: 't',
    xLabel: 'h',
    yLabel: 'hosts',
    series: [
      {
        name: 'a',
        points: [
          [0, 0],
          [1, 3],
        ],
      },
    ],
  });
  const yLabels = [...svg.matchAll(/text-anchor="end" dominant-baseline="middle">([^<]*)</g)].map(
    (m) => m[1],
  );
  assert.deepEqual(yLabels, ['0', '1', '2', '3']);
});

test('a long title wraps onto lines that fit instead of being cut', () => {
  const title = `Blaster spread: ${'scan of 127.0.10.0/24 embedded in a synthetic Internet of 500000 hosts '.repeat(2)}end`;
  const lines = fitText(title, 840, 15);
  assert.ok(lines.length >= 2);
  assert.equal(lines.join(' '), title.replace(/\s+/g, ' ').trim(), 'no word lost');
  for (const l of lines) assert.ok(l.length * 15 * 0.58 <= 840, l);
  const svg = renderChart({ title, xLabel: 'h', panels: [{ yLabel: 'y', series: [] }] });
  assert.ok(svg.includes('end</text>'));
});

const polylines = (svg: string) => [...svg.matchAll(/<polyline [^>]*points="([^"]*)"/g)].map((m) => m[0]);

test('the legend sits below the plots; identical curves get distinct dash patterns', () => {
  const same: Array<readonly [number, number]> = [
    [0, 1],
    [10, 50],
    [20, 100],
  ];
  const svg = renderChart({
    title: 'x',
    xLabel: 'hours',
    panels: [
      {
        yLabel: 'hosts',
        series: [
          { name: 'a', points: same },
          { name: 'b', points: same },
          { name: 'c', points: same },
        ],
      },
    ],
  });
  const plot = /<rect x="78" y="([\d.]+)" width="[\d.]+" height="([\d.]+)" fill="none"/.exec(svg)!;
  const plotBottom = Number(plot[1]) + Number(plot[2]);
  const legendYs = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" dominant-baseline="middle">[abc]</g)].map(
    (m) => Number(m[1]),
  );
  assert.equal(legendYs.length, 3);
  for (const y of legendYs)
    assert.ok(y > plotBottom, `legend entry at ${y} is inside the plot (bottom ${plotBottom})`);
  const dashes = polylines(svg).map((p) => /stroke-dasharray="([^"]*)"/.exec(p)?.[1] ?? 'solid');
  assert.equal(new Set(dashes).size, 3);
});

test('published figures are drawn as markers with their ranges; bands as polygons', () => {
  const svg = renderChart({
    title: 'x',
    xLabel: 'hours',
    panels: [
      {
        yLabel: 'hosts',
        series: [
          {
            name: 'median',
            points: [
              [0, 0],
              [24, 50000],
            ],
            band: [
              [0, 0, 0],
              [24, 40000, 60000],
            ],
          },
        ],
        markers: [{ label: 'day 1: about 57,000 (Symantec)', x: 24, y: 57000, low: 50000, high: 64000 }],
      },
    ],
  });
  assert.match(
    svg,
    /<path d="M[^"]*" fill="#ffffff" stroke="#000000" stroke-width="1.5"><title>day 1: about 57,000 \(Symantec\)<\/title>/,
  );
  assert.match(svg, /<polygon fill="#1f77b4" fill-opacity="0.15"/);
  assert.ok(svg.includes('published figure (range)'));
});

test('the spread chart has a second panel with new infections per hour', () => {
  const sample = (tH: number, everInfected: number): Sample => ({
    tH,
    infected: everInfected,
    everInfected,
    patched: 0,
    welchia: 0,
    scansPerS: 0,
    telescopeSources: 0,
    sensorSources: everInfected,
  });
  const samples = [sample(0, 1), sample(0.5, 11), sample(1, 41), sample(2, 41)];
  assert.deepEqual(newInfectionsPerHour(samples), [
    [0.5, 20],
    [1, 60],
    [2, 0],
  ]);
  const svg = renderSpreadChart('test population', [{ name: 'no intervention', samples }]);
  assert.ok(svg.includes('new infections per hour'));
  assert.ok(svg.includes('infected hosts'));
  assert.equal(polylines(svg).length, 2);
});

test('a series only the second panel has still gets a legend entry, in its own style', () => {
  const svg = renderChart({
    title: 't',
    xLabel: 'h',
    panels: [
      { yLabel: 'a', series: [{ name: 'run', points: [[0, 1]] }] },
      {
        yLabel: 'b',
        series: [
          { name: 'run', points: [[0, 1]] },
          { name: 'run: new sources', points: [[0, 2]] },
        ],
      },
    ],
  });
  assert.match(svg, />run: new sources<\/text>/);
  assert.equal((svg.match(/>run<\/text>/g) ?? []).length, 1);
});
