import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LevelResult } from '../../../src/cli/bench/bench-result.js';
import { applyTrial, batchingTrials, bestWithinBudget, instanceCandidates, instanceTrials, maxBatchSizeTrials, rankTrials } from '../../../src/cli/bench/tune-search.js';

function level(n: number, inferencesPerSecond: number, p99: number, errorRate = 0): LevelResult {
  const latencyMs = { min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99, p999: 0, max: 0 };
  return { level: n, requests: 10, inferences: 10, durationMs: 1, requestsPerSecond: 0, inferencesPerSecond, latencyMs, percentiles: [], errors: {}, errorRate, server: undefined, clientCpuPercent: 0 };
}

describe('tune search', () => {
  it('grows max_batch_size on the best batching trial, never for unbatched models, and applies it', () => {
    const best = { label: 'instances 2, batching delay 1000us', instances: 2, maxQueueDelayUs: 1000, preferredBatchSize: [8] };
    const trials = maxBatchSizeTrials(best, 8);
    assert.deepEqual(trials.map((t) => [t.instances, t.maxQueueDelayUs, t.maxBatchSize, t.preferredBatchSize]), [[2, 1000, 16, undefined], [2, 1000, 32, undefined]]);
    assert.deepEqual(maxBatchSizeTrials(best, 0), []);
    assert.deepEqual(maxBatchSizeTrials({ label: 'no batching', instances: 1 }, 8), [], 'only on a batching trial');
    assert.deepEqual(maxBatchSizeTrials(best, 200).map((t) => t.maxBatchSize), [256]);
    const config = applyTrial({ name: 'm', max_batch_size: 8, input: [] }, trials[0]!);
    assert.equal(config.max_batch_size, 16);
    assert.deepEqual(config.dynamic_batching, { max_queue_delay_microseconds: 1000 });
  });

  it('tries at most four instance counts, up to the limit', () => {
    assert.deepEqual(instanceCandidates(1), [1]);
    assert.deepEqual(instanceCandidates(2), [1, 2]);
    assert.deepEqual(instanceCandidates(6), [1, 2, 4, 6]);
    assert.deepEqual(instanceCandidates(64), [1, 2, 4, 64]);
    assert.equal(instanceTrials(16).length + batchingTrials(2, 8).length, 8);
    assert.deepEqual(batchingTrials(1, 0), []);
  });

  it('replaces instance_group and dynamic_batching and keeps the rest', () => {
    const original = { name: 'm', max_batch_size: 8, instance_group: [{ count: 1, kind: 'KIND_CPU' }], dynamic_batching: { max_queue_delay_microseconds: 7 } };
    assert.deepEqual(applyTrial(original, { label: '', instances: 3 }), { name: 'm', max_batch_size: 8, instance_group: [{ count: 3, kind: 'KIND_CPU' }] });
    assert.deepEqual(applyTrial(original, { label: '', instances: 2, maxQueueDelayUs: 1000, preferredBatchSize: [8] }).dynamic_batching, { max_queue_delay_microseconds: 1000, preferred_batch_size: [8] });
  });

  it('scores a trial by its best throughput within budget and without errors', () => {
    const levels = [level(1, 100, 2), level(4, 300, 4), level(16, 500, 9), level(8, 400, 3, 0.1)];
    assert.equal(bestWithinBudget(levels, 'p99', 5)?.level, 4);
    assert.equal(bestWithinBudget(levels, 'p99', 1), undefined);
    const trial = { label: '', instances: 1 };
    const ranked = rankTrials([{ trial, best: undefined, levels }, { trial, best: levels[0], levels }, { trial, best: levels[1], levels }]);
    assert.deepEqual(ranked.map((s) => s.best?.level), [4, 1, undefined]);
  });
});
