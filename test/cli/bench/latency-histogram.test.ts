import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHART_PERCENTILES, LatencyHistogram } from '../../../src/cli/bench/latency-histogram.js';

/** HDR with 3 significant digits reads every value back within 0.1%. */
function near(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 1e-9, `${what}: ${actual} is not within 0.1% of ${expected}`);
}

describe('LatencyHistogram', () => {
  it('reads a uniform distribution back at its exact percentiles', () => {
    const h = new LatencyHistogram();
    for (let ms = 1; ms <= 1000; ms += 1) h.recordMs(ms);
    const s = h.summary();
    assert.equal(h.count, 1000);
    near(s.min, 1, 'min');
    near(s.max, 1000, 'max');
    near(s.mean, 500.5, 'mean');
    near(s.p50, 500, 'p50');
    near(s.p90, 900, 'p90');
    near(s.p95, 950, 'p95');
    near(s.p99, 990, 'p99');
    near(s.p999, 999, 'p99.9');
  });

  it('gives one value for every figure of a constant distribution', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 500; i += 1) h.recordMs(12.5);
    for (const [name, value] of Object.entries(h.summary()) as [string, number][]) near(value, 12.5, name);
  });

  it('never reports a percentile above the max (HDR answers with bucket edges)', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10_000; i += 1) h.recordMs(590 + (i % 997) * 0.1163);
    const s = h.summary();
    for (const [name, value] of Object.entries(s) as [string, number][]) assert.ok(value <= s.max, `${name} ${value} > max ${s.max}`);
    for (const [p, value] of h.percentilePoints()) assert.ok(value <= s.max, `p${p} ${value} > max ${s.max}`);
  });

  it('splits a bimodal distribution at the right percentiles', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 900; i += 1) h.recordMs(1);
    for (let i = 0; i < 100; i += 1) h.recordMs(100);
    const s = h.summary();
    near(s.p50, 1, 'p50');
    near(s.p90, 1, 'p90');
    near(s.p95, 100, 'p95');
    near(s.p99, 100, 'p99');
    near(s.mean, 10.9, 'mean');
  });

  it('keeps sub-millisecond resolution and lists chart points in order', () => {
    const h = new LatencyHistogram();
    h.recordMs(0.25);
    h.recordMs(0.0001);
    near(h.summary().max, 0.25, 'max');
    near(h.summary().min, 0.001, 'min (1 µs floor)');
    const points = h.percentilePoints();
    assert.deepEqual(points.map(([p]) => p), [...CHART_PERCENTILES]);
    for (let i = 1; i < points.length; i += 1) assert.ok(points[i]![1] >= points[i - 1]![1]);
  });

  it('reports zeros and no points when empty', () => {
    const h = new LatencyHistogram();
    assert.deepEqual(h.summary(), { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 });
    assert.deepEqual(h.percentilePoints(), []);
  });
});
