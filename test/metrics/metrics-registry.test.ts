import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsRegistry, TRITON_METRICS, WHARF_METRICS } from '../../src/metrics/index.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../support/prometheus-text.js';

const m1 = { model: 'resnet', version: '1' };

async function scrape(registry: MetricsRegistry): Promise<Map<string, MetricFamily>> {
  return parsePrometheusText(await registry.metrics());
}

/** Two requests (1 and 3 rows) batched into one execution of 4, one lone request of 2 rows, one timeout and one backend failure. */
function feed(registry: MetricsRegistry): void {
  const events = registry.eventsFor('resnet', '1');
  events.onLoad!(2, 0);
  events.onLoad!(0, 1);
  events.onExecution!(4, { computeInputNs: 1_000_000, computeInferNs: 20_000_000, computeOutputNs: 500_000 });
  events.onRequestSuccess!(1, { queueNs: 2_000_000, computeInputNs: 1_000_000, computeInferNs: 20_000_000, computeOutputNs: 500_000 });
  events.onRequestSuccess!(3, { queueNs: 4_000_000, computeInputNs: 1_000_000, computeInferNs: 20_000_000, computeOutputNs: 500_000 });
  events.onExecution!(2, { computeInputNs: 100_000, computeInferNs: 3_000_000, computeOutputNs: 50_000 });
  events.onRequestSuccess!(2, { queueNs: 0, computeInputNs: 100_000, computeInferNs: 3_000_000, computeOutputNs: 50_000 });
  events.onRequestFailure!('TIMEOUT', 9_000_000);
  events.onRequestFailure!('BACKEND', 1_000);
  events.onLoad!(0, 0);
}

describe('MetricsRegistry (Wharf names)', () => {
  it('starts every series of a version at zero once the engine asks for its listener', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    registry.eventsFor('resnet', '1');
    const families = await scrape(registry);
    assert.equal(sampleValue(families, 'wharf_inference_requests_total', { ...m1, outcome: 'success' }), 0);
    for (const reason of ['REJECTED', 'TIMEOUT', 'BACKEND', 'CANCELLED']) {
      assert.equal(sampleValue(families, 'wharf_inference_requests_total', { ...m1, outcome: 'failure', reason }), 0);
    }
    assert.equal(sampleValue(families, 'wharf_inference_request_duration_seconds_count', m1), 0);
    assert.equal(sampleValue(families, 'wharf_inference_compute_duration_seconds_count', { ...m1, phase: 'infer' }), 0);
    assert.equal(sampleValue(families, 'wharf_inference_queue_depth', m1), 0);
    assert.equal(families.has('nv_inference_request_success'), false, 'no Triton names without compat');
  });

  it('counts, times and batches the events of one version', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    feed(registry);
    const families = await scrape(registry);
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, { ...m1, ...labels });

    assert.equal(value('wharf_inference_requests_total', { outcome: 'success' }), 3);
    assert.equal(value('wharf_inference_requests_total', { outcome: 'failure', reason: 'TIMEOUT' }), 1);
    assert.equal(value('wharf_inference_requests_total', { outcome: 'failure', reason: 'BACKEND' }), 1);
    assert.equal(value('wharf_inference_requests_total', { outcome: 'failure', reason: 'REJECTED' }), 0);
    assert.equal(value('wharf_inference_count_total'), 6);
    assert.equal(value('wharf_inference_executions_total'), 2);

    // Request duration = queue + compute, successes only: 23.5 + 25.5 + 3.15 ms.
    assert.equal(value('wharf_inference_request_duration_seconds_count'), 3);
    assert.ok(Math.abs(value('wharf_inference_request_duration_seconds_sum') - 0.05215) < 1e-12);
    assert.equal(value('wharf_inference_request_duration_seconds_bucket', { le: '0.005' }), 1);
    assert.equal(value('wharf_inference_request_duration_seconds_bucket', { le: '0.025' }), 2);
    assert.equal(value('wharf_inference_request_duration_seconds_bucket', { le: '0.05' }), 3);
    assert.ok(Math.abs(value('wharf_inference_queue_duration_seconds_sum') - 0.006) < 1e-12);

    // Compute phases: one observation per execution.
    assert.equal(value('wharf_inference_compute_duration_seconds_count', { phase: 'infer' }), 2);
    assert.ok(Math.abs(value('wharf_inference_compute_duration_seconds_sum', { phase: 'infer' }) - 0.023) < 1e-12);
    assert.ok(Math.abs(value('wharf_inference_compute_duration_seconds_sum', { phase: 'input' }) - 0.0011) < 1e-12);

    // Batch sizes 4 and 2 against power-of-two buckets.
    assert.equal(value('wharf_inference_batch_size_bucket', { le: '1' }), 0);
    assert.equal(value('wharf_inference_batch_size_bucket', { le: '2' }), 1);
    assert.equal(value('wharf_inference_batch_size_bucket', { le: '4' }), 2);
    assert.equal(value('wharf_inference_batch_size_sum'), 6);

    assert.equal(value('wharf_inference_queue_depth'), 0);
    assert.equal(value('wharf_inference_inflight_executions'), 0);
  });

  it('follows queue depth and executions in flight', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    registry.eventsFor('resnet', '1').onLoad!(5, 2);
    const families = await scrape(registry);
    assert.equal(sampleValue(families, 'wharf_inference_queue_depth', m1), 5);
    assert.equal(sampleValue(families, 'wharf_inference_inflight_executions', m1), 2);
  });

  it('reports 1 for the current model state and 0 for the others', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    registry.setModelState('resnet', '1', 'LOADING');
    registry.setModelState('resnet', '1', 'READY');
    registry.setModelState('broken', '2', 'UNAVAILABLE');
    const families = await scrape(registry);
    const state = (labels: Record<string, string>) => sampleValue(families, 'wharf_model_state', labels);
    assert.equal(state({ ...m1, state: 'READY' }), 1);
    assert.equal(state({ ...m1, state: 'LOADING' }), 0);
    assert.equal(state({ model: 'broken', version: '2', state: 'UNAVAILABLE' }), 1);
    assert.equal(families.get('wharf_model_state')!.samples.length, 10);
  });

  it('drops every series of a removed version and keeps the others', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    feed(registry);
    registry.setModelState('resnet', '1', 'READY');
    registry.eventsFor('other', '1');
    registry.setModelState('other', '1', 'READY');
    registry.removeModelVersion('resnet', '1');
    const families = await scrape(registry);
    const left = [...families.values()].flatMap((f) => f.samples).filter((s) => s.labels.model === 'resnet');
    assert.deepEqual(left, []);
    assert.equal(sampleValue(families, 'wharf_model_state', { model: 'other', version: '1', state: 'READY' }), 1);
    assert.equal(sampleValue(families, 'nv_inference_request_success', { model: 'other', version: '1' }), 0);
    // A version that comes back starts again from zero, as a restarted Triton model does.
    registry.eventsFor('resnet', '1');
    assert.equal(sampleValue(await scrape(registry), 'wharf_inference_count_total', m1), 0);
  });

  it('hands out one listener per version and keeps versions and names apart', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    assert.equal(registry.eventsFor('a', '1'), registry.eventsFor('a', '1'));
    registry.eventsFor('a', '1').onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    registry.eventsFor('a', '2');
    const families = await scrape(registry);
    assert.equal(sampleValue(families, 'wharf_inference_executions_total', { model: 'a', version: '1' }), 1);
    assert.equal(sampleValue(families, 'wharf_inference_executions_total', { model: 'a', version: '2' }), 0);
  });

  it('escapes model names that need it in label values', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false });
    const name = 'we"ird\\name\nx';
    registry.eventsFor(name, '1').onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.equal(sampleValue(await scrape(registry), 'wharf_inference_executions_total', { model: name }), 1);
  });

  it('never throws on bad numbers from a scheduler, and counts them as zero', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    const events = registry.eventsFor('resnet', '1');
    events.onRequestSuccess!(NaN, { queueNs: -1, computeInputNs: NaN, computeInferNs: Infinity, computeOutputNs: 1000 });
    events.onExecution!(-3, { computeInputNs: -1, computeInferNs: NaN, computeOutputNs: 0 });
    events.onLoad!(NaN, -2);
    const families = await scrape(registry);
    assert.equal(sampleValue(families, 'wharf_inference_count_total', m1), 1);
    assert.equal(sampleValue(families, 'wharf_inference_request_duration_seconds_sum', m1), 0.000001);
    assert.equal(sampleValue(families, 'nv_inference_request_duration_us', m1), 1);
    assert.equal(sampleValue(families, 'wharf_inference_batch_size_sum', m1), 1);
    assert.equal(sampleValue(families, 'wharf_inference_queue_depth', m1), 0);
  });

  it('keeps registries of two servers in one process apart', async () => {
    const first = new MetricsRegistry({ defaultMetrics: false });
    const second = new MetricsRegistry({ defaultMetrics: false });
    first.eventsFor('resnet', '1').onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    second.eventsFor('resnet', '1');
    assert.equal(sampleValue(await scrape(first), 'wharf_inference_executions_total', m1), 1);
    assert.equal(sampleValue(await scrape(second), 'wharf_inference_executions_total', m1), 0);
  });

  it('refuses an unknown compat value', () => {
    assert.throws(() => new MetricsRegistry({ compat: 'tfserving' as 'none' }), /metrics compat must be one of none, triton/);
  });

  it('prints every family of the table with its HELP and TYPE', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    registry.eventsFor('resnet', '1');
    registry.setModelState('resnet', '1', 'READY');
    const families = await scrape(registry);
    for (const spec of [...Object.values(WHARF_METRICS), ...Object.values(TRITON_METRICS)]) {
      const family = families.get(spec.name);
      assert.ok(family, `${spec.name} is exported`);
      assert.equal(family.type, spec.type, spec.name);
      assert.equal(family.help, spec.help, spec.name);
    }
  });
});

describe('MetricsRegistry (Triton names, compat: triton)', () => {
  it('updates nv_inference_* as Triton does, latencies as cumulative microseconds', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    feed(registry);
    registry.eventsFor('resnet', '1').onLoad!(3, 1);
    const families = await scrape(registry);
    const value = (name: string, labels: Record<string, string> = {}) => sampleValue(families, name, { ...m1, ...labels });
    assert.equal(value('nv_inference_request_success'), 3);
    assert.equal(value('nv_inference_count'), 6);
    assert.equal(value('nv_inference_exec_count'), 2);
    assert.equal(value('nv_inference_pending_request_count'), 3);
    assert.equal(value('nv_inference_request_duration_us'), 23_500 + 25_500 + 3_150);
    assert.equal(value('nv_inference_queue_duration_us'), 6_000);
    assert.equal(value('nv_inference_compute_input_duration_us'), 2_100);
    assert.equal(value('nv_inference_compute_infer_duration_us'), 43_000);
    assert.equal(value('nv_inference_compute_output_duration_us'), 1_050);
    // A queue timeout is Triton's REJECTED; every Triton reason has a series.
    assert.equal(value('nv_inference_request_failure', { reason: 'REJECTED' }), 1);
    assert.equal(value('nv_inference_request_failure', { reason: 'BACKEND' }), 1);
    assert.equal(value('nv_inference_request_failure', { reason: 'CANCELED' }), 0);
    assert.equal(value('nv_inference_request_failure', { reason: 'OTHER' }), 0);
    assert.equal(families.get('nv_inference_request_duration_us')!.type, 'counter');
  });

  it('maps CANCELLED to Triton\'s CANCELED', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    registry.eventsFor('resnet', '1').onRequestFailure!('CANCELLED', 0);
    assert.equal(sampleValue(await scrape(registry), 'nv_inference_request_failure', { ...m1, reason: 'CANCELED' }), 1);
  });

  it('keeps Wharf\'s names next to Triton\'s', async () => {
    const registry = new MetricsRegistry({ defaultMetrics: false, compat: 'triton' });
    feed(registry);
    const families = await scrape(registry);
    assert.equal(sampleValue(families, 'wharf_inference_count_total', m1), sampleValue(families, 'nv_inference_count', m1));
  });
});

describe('MetricsRegistry default metrics', () => {
  it('adds prom-client\'s process and Node.js metrics, event-loop lag included', async () => {
    const registry = new MetricsRegistry();
    const families = await scrape(registry);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(families.has(name), `${name} is exported`);
    }
    assert.equal(registry.contentType, 'text/plain; version=0.0.4; charset=utf-8');
  });
});
