import assert from 'node:assert/strict';
import { test } from 'node:test';
import { niceTicks, renderLineChart } from '../../src/sim/svg.ts';

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
