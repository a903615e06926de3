// The metric table: valid Prometheus names with units, one row per name, every row documented.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TRITON_METRICS, WHARF_METRICS, type MetricSpec } from '../../src/metrics/index.js';

const docs = fileURLToPath(new URL('../../../docs/metrics.md', import.meta.url));
const all: MetricSpec[] = [...Object.values(WHARF_METRICS), ...Object.values(TRITON_METRICS)];

describe('metric names', () => {
  it('are valid, unique, and carry model and version labels (the memory budget ones: per model, or none)', () => {
    assert.equal(new Set(all.map((m) => m.name)).size, all.length);
    const perModel = new Set<string>([WHARF_METRICS.modelMemory.name, WHARF_METRICS.memoryBudget.name]);
    for (const metric of all) {
      assert.match(metric.name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      if (!perModel.has(metric.name)) assert.deepEqual(metric.labels.slice(0, 2), ['model', 'version'], metric.name);
      for (const label of metric.labels) assert.match(label, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
      assert.equal(metric.type === 'histogram', metric.buckets !== undefined, `${metric.name}: buckets exactly on histograms`);
      assert.ok(metric.help.length > 0);
    }
  });

  it('follow Prometheus conventions for Wharf\'s own: wharf_ prefix, _total on counters, units in the name', () => {
    for (const metric of Object.values(WHARF_METRICS) as MetricSpec[]) {
      assert.match(metric.name, /^wharf_/);
      assert.equal(metric.name.endsWith('_total'), metric.type === 'counter', metric.name);
      if (/duration/.test(metric.name)) assert.match(metric.name, /_seconds$/);
    }
  });

  it('keep Triton\'s names exactly for compat, latencies in microseconds', () => {
    for (const metric of Object.values(TRITON_METRICS) as MetricSpec[]) {
      assert.match(metric.name, /^nv_inference_/);
      if (/duration/.test(metric.name)) assert.match(metric.name, /_duration_us$/);
    }
  });

  it('are all documented in docs/metrics.md', async () => {
    const text = await readFile(docs, 'utf8');
    for (const metric of all) assert.ok(text.includes(`\`${metric.name}\``), `${metric.name} is in docs/metrics.md`);
  });
});
