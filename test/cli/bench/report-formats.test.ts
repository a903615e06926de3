import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BenchReport } from '../../../src/cli/bench/bench-result.js';
import { formatTable, toCsv } from '../../../src/cli/bench/report-formats.js';
import { breakdown, totalsOf } from '../../../src/cli/bench/server-stats.js';

const latencyMs = { min: 1, mean: 2, p50: 2, p90: 3, p95: 3.5, p99: 4, p999: 5, max: 6 };
const report: BenchReport = {
  settings: { url: 'localhost:8000', protocol: 'http', jsonTensors: false, model: 'm', batchSize: 2, mode: 'concurrency', levels: [1, 4], durationMs: 1000, warmupMs: 0, inputData: 'zero', shapes: {}, maxErrorRate: 0 },
  machine: { cpuModel: 'cpu', cpus: 2, totalMemoryBytes: 1, platform: 'linux', node: 'v20', wharfVersion: '0.1.0' },
  startedAt: '2026-01-01T00:00:00.000Z',
  levels: [
    { level: 1, requests: 10, inferences: 20, durationMs: 1000, requestsPerSecond: 10, inferencesPerSecond: 20, latencyMs, percentiles: [], errors: {}, errorRate: 0, server: { requests: 10, queueUs: 5, computeInputUs: 1, computeInferUs: 100, computeOutputUs: 2 }, clientCpuPercent: 12 },
    { level: 4, requests: 10, inferences: 16, durationMs: 1000, requestsPerSecond: 10, inferencesPerSecond: 16, latencyMs, percentiles: [], errors: { ERR_TIMEOUT: 1, ERR_INTERNAL: 1 }, errorRate: 0.2, server: undefined, clientCpuPercent: 30 },
  ],
};

describe('report formats', () => {
  it('writes one CSV row per level under a fixed header', () => {
    const lines = toCsv(report).trimEnd().split('\n');
    assert.equal(lines.length, 3);
    const header = lines[0]!.split(',');
    const row = (i: number): Record<string, string> => Object.fromEntries(lines[i]!.split(',').map((cell, k) => [header[k]!, cell]));
    assert.equal(row(1).level, '1');
    assert.equal(row(1).inferences_per_second, '20');
    assert.equal(row(1).latency_p99_ms, '4');
    assert.equal(row(1).server_compute_infer_us, '100');
    assert.equal(row(2).errors, 'ERR_TIMEOUT:1 ERR_INTERNAL:1');
    assert.equal(row(2).server_queue_us, '');
  });

  it('prints a table with a row per level', () => {
    const table = formatTable(report);
    assert.match(table, /closed loop/);
    assert.match(table, /^\s+4\s+16\.0\s+10\.0\s+2\.00/m);
    assert.match(table, /ERR_TIMEOUT:1/);
  });

  it('turns two statistics snapshots into per-request server times', () => {
    const stat = (count: number, ns: number): { count: number; ns: number } => ({ count, ns });
    const snapshot = (n: number): unknown => ({ model_stats: [{ inference_stats: { success: stat(n, 0), queue: stat(n, n * 1000), compute_input: stat(n, n * 10), compute_infer: stat(n, n * 5000), compute_output: stat(n, 0) } }] });
    const delta = breakdown(totalsOf(snapshot(10)), totalsOf(snapshot(30)));
    assert.deepEqual(delta, { requests: 20, queueUs: 1, computeInputUs: 0.01, computeInferUs: 5, computeOutputUs: 0 });
    assert.equal(breakdown(undefined, totalsOf(snapshot(1))), undefined);
    assert.equal(totalsOf({ error: 'x' }), undefined);
  });
});
