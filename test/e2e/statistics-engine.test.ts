// Statistics and metrics over the real engine: requests through HTTP and gRPC, then the
// statistics extension on both transports and /metrics must tell the same story.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceServer } from '../../src/engine/index.js';
import { MetricsRegistry, startMetricsServer, type RunningMetricsServer } from '../../src/metrics/index.js';
import { grpcToModelStatistics, type ModelStatisticsResponseMessage } from '../../src/protocol/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import type { ModelStatisticsSnapshot } from '../../src/statistics/index.js';
import { GrpcStub } from '../server/grpc/grpc-harness.js';
import { writeModelFiles } from '../support/model-repository-writer.js';
import { parsePrometheusText, sampleValue, type MetricFamily } from '../support/prometheus-text.js';
import { makeTempDir, request } from '../support/server-harness.js';
import { buildMlpModel, mlpConfig, writeAddSubModel, writeRuntimeErrorModel } from '../support/test-models.js';

interface Running {
  engine: InferenceServer;
  http: RunningHttpServer;
  grpc: RunningGrpcServer;
  metricsServer: RunningMetricsServer;
  client: GrpcStub;
  cleanup: () => Promise<void>;
}

let running: Running | undefined;

async function addSub(url: string, rows: number): Promise<number> {
  const data = Array.from({ length: rows * 4 }, (_, i) => i);
  const inputs = ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [rows, 4], data }));
  return (await request(`${url}/v2/models/add_sub/infer`, 'POST', { inputs })).status;
}

async function stats(path: string): Promise<ModelStatisticsSnapshot[]> {
  const response = await request(`${running!.http.url}${path}`, 'GET');
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return (response.body as { model_stats: ModelStatisticsSnapshot[] }).model_stats;
}

async function scrape(): Promise<Map<string, MetricFamily>> {
  return parsePrometheusText(await (await fetch(`${running!.metricsServer.url}/metrics`)).text());
}

describe('statistics and metrics over the real engine', () => {
  before(async () => {
    const tmp = await makeTempDir('wharf-stats-');
    await writeAddSubModel(tmp.dir);
    await writeRuntimeErrorModel(tmp.dir);
    await writeModelFiles(tmp.dir, 'mlp', buildMlpModel([4, 8, 2]), { config: mlpConfig('mlp', [4, 8, 2], { maxBatchSize: 8, dynamicBatching: 'max_queue_delay_microseconds: 50000' }) });
    const metrics = new MetricsRegistry({ compat: 'triton' });
    const engine = await InferenceServer.open({ modelRepository: tmp.dir, metrics });
    const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
    const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0 });
    const metricsServer = await startMetricsServer(metrics, { host: '127.0.0.1', port: 0 });
    const client = new GrpcStub(grpc.address);
    running = {
      engine, http, grpc, metricsServer, client,
      cleanup: async () => {
        client.close();
        await Promise.all([http.close(), grpc.close()]);
        await engine.close();
        await metricsServer.close();
        await tmp.cleanup();
      },
    };
  });

  after(async () => {
    await running?.cleanup();
  });

  it('advertises the statistics extension', () => {
    assert.ok(running!.engine.serverMetadata().extensions.includes('statistics'));
  });

  it('starts every ready version at zero, with its state in /metrics', async () => {
    const [addSubStats] = await stats('/v2/models/add_sub/stats');
    assert.deepEqual([addSubStats!.inference_count, addSubStats!.execution_count, addSubStats!.last_inference], [0, 0, 0]);
    const families = await scrape();
    assert.equal(sampleValue(families, 'wharf_model_state', { model: 'add_sub', version: '1', state: 'READY' }), 1);
    assert.equal(sampleValue(families, 'nv_inference_count', { model: 'add_sub', version: '1' }), 0);
  });

  it('counts requests of 1, 2 and 3 rows on add_sub (no dynamic batching: one execution each)', async () => {
    const before = Date.now();
    for (const rows of [1, 2, 3]) assert.equal(await addSub(running!.http.url, rows), 200);
    const [s] = await stats('/v2/models/add_sub/versions/1/stats');
    assert.equal(s!.inference_count, 6);
    assert.equal(s!.execution_count, 3);
    assert.ok(s!.last_inference >= before && s!.last_inference <= Date.now());
    assert.equal(s!.inference_stats.success.count, 3);
    assert.equal(s!.inference_stats.fail.count, 0);
    assert.deepEqual(s!.batch_stats.map((b) => [b.batch_size, b.compute_infer.count]), [[1, 1], [2, 1], [3, 1]]);
    const i = s!.inference_stats;
    assert.equal(i.success.ns, i.queue.ns + i.compute_input.ns + i.compute_infer.ns + i.compute_output.ns);
    assert.ok(i.compute_infer.ns > 0);
  });

  it('counts a backend failure', async () => {
    const response = await request(`${running!.http.url}/v2/models/runtime_error/infer`, 'POST', {
      inputs: [{ name: 'data', datatype: 'FP32', shape: [4], data: [1, 2, 3, 4] }, { name: 'shape', datatype: 'INT64', shape: [2], data: [3, 3] }],
    });
    assert.notEqual(response.status, 200);
    const [s] = await stats('/v2/models/runtime_error/stats');
    assert.equal(s!.inference_stats.fail.count, 1);
    assert.equal(s!.inference_stats.success.count, 0);
    const families = await scrape();
    assert.equal(sampleValue(families, 'wharf_inference_requests_total', { model: 'runtime_error', outcome: 'failure', reason: 'BACKEND' }), 1);
    assert.equal(sampleValue(families, 'nv_inference_request_failure', { model: 'runtime_error', reason: 'BACKEND' }), 1);
  });

  it('sees dynamic batching: inference_count / execution_count is the average batch size', async () => {
    const statuses = await Promise.all(Array.from({ length: 4 }, () => request(`${running!.http.url}/v2/models/mlp/infer`, 'POST', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] }],
    })));
    assert.deepEqual(statuses.map((r) => r.status), [200, 200, 200, 200]);
    const [s] = await stats('/v2/models/mlp/stats');
    assert.equal(s!.inference_count, 4);
    assert.ok(s!.execution_count >= 1 && s!.execution_count < 4, `4 requests within 50 ms ran in ${s!.execution_count} executions`);
    assert.equal(s!.batch_stats.reduce((rows, b) => rows + b.batch_size * b.compute_infer.count, 0), 4);
    const families = await scrape();
    assert.equal(sampleValue(families, 'wharf_inference_executions_total', { model: 'mlp' }), s!.execution_count);
    assert.equal(sampleValue(families, 'wharf_inference_batch_size_sum', { model: 'mlp' }), 4);
  });

  it('tells the same story in /metrics as in the statistics', async () => {
    const [s] = await stats('/v2/models/add_sub/versions/1/stats');
    const families = await scrape();
    const labels = { model: 'add_sub', version: '1' };
    assert.equal(sampleValue(families, 'nv_inference_request_success', labels), s!.inference_stats.success.count);
    assert.equal(sampleValue(families, 'nv_inference_count', labels), s!.inference_count);
    assert.equal(sampleValue(families, 'nv_inference_exec_count', labels), s!.execution_count);
    assert.equal(sampleValue(families, 'wharf_inference_count_total', labels), s!.inference_count);
    assert.ok(Math.abs(sampleValue(families, 'nv_inference_request_duration_us', labels) * 1000 - s!.inference_stats.success.ns) <= 1);
    assert.ok(Math.abs(sampleValue(families, 'wharf_inference_queue_duration_seconds_sum', labels) * 1e9 - s!.inference_stats.queue.ns) <= 1);
    assert.equal(sampleValue(families, 'wharf_inference_queue_depth', labels), 0);
  });

  it('answers gRPC ModelStatistics with the numbers of the HTTP endpoint', async () => {
    const http = await stats('/v2/models/stats');
    const grpc = grpcToModelStatistics(await running!.client.call<ModelStatisticsResponseMessage>('ModelStatistics', {}));
    assert.deepEqual(grpc, http);
    assert.deepEqual(http.map((s) => s.name), ['add_sub', 'mlp', 'runtime_error']);
  });

  it('answers 404 for an unknown model', async () => {
    const response = await request(`${running!.http.url}/v2/models/nope/stats`, 'GET');
    assert.equal(response.status, 404);
    assert.equal((response.body as { code: string }).code, 'ERR_MODEL_NOT_FOUND');
  });
});
