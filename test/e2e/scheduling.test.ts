import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceError, InferenceServer, MetricsRegistry, type InferInput } from '../../src/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { buildMlpModel, buildSlowBatchedModel, mlpConfig } from '../support/test-models.js';

const SIZES = [64, 256, 256, 10];
let engine: InferenceServer;
let metrics: MetricsRegistry;
let cleanup: () => Promise<void>;

async function writeModel(repo: string, name: string, bytes: Uint8Array, config: string): Promise<void> {
  await mkdir(join(repo, name, '1'), { recursive: true });
  await writeFile(join(repo, name, '1', 'model.onnx'), bytes);
  await writeFile(join(repo, name, 'config.pbtxt'), config);
}

const slowConfig = (name: string, extra: string, instances = 1) =>
  `name: "${name}"\nmax_batch_size: 8\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]\n` +
  `instance_group [ { kind: KIND_CPU count: ${instances} } ]\nparameters { key: "intra_op_thread_count" value: { string_value: "1" } }\n${extra}`;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  const mlp = buildMlpModel(SIZES);
  await writeModel(tmp.dir, 'mlp_plain', mlp, mlpConfig('mlp_plain', SIZES, { maxBatchSize: 32 }));
  await writeModel(tmp.dir, 'mlp_batched', mlp, mlpConfig('mlp_batched', SIZES, { maxBatchSize: 32, dynamicBatching: 'max_queue_delay_microseconds: 2000' }));
  const slow = buildSlowBatchedModel({ size: 1024, matmuls: 10 });
  await writeModel(tmp.dir, 'slow_one', slow, slowConfig('slow_one', 'dynamic_batching { }'));
  await writeModel(tmp.dir, 'slow_two', slow, slowConfig('slow_two', 'dynamic_batching { }', 2));
  await writeModel(tmp.dir, 'slow_policy', slow, slowConfig('slow_policy', [
    'dynamic_batching {',
    '  priority_levels: 2',
    '  default_priority_level: 2',
    '  default_queue_policy { max_queue_size: 2 }',
    '  priority_queue_policy { key: 1 value: { max_queue_size: 2 timeout_action: REJECT allow_timeout_override: true } }',
    '}',
    '',
  ].join('\n')));
  metrics = new MetricsRegistry();
  engine = await InferenceServer.open({ modelRepository: tmp.dir, metrics });
});

after(async () => {
  await engine?.close();
  await cleanup?.();
});

const mlpRequest = (modelName: string, rows: number, seed: number): InferInput => ({
  modelName,
  inputs: [{ name: 'x', datatype: 'FP32', shape: [rows, SIZES[0]!], data: Float32Array.from({ length: rows * SIZES[0]! }, (_, i) => Math.sin(seed * 31 + i)) }],
});
const slowRequest = (modelName: string, value: number, parameters?: Record<string, number>): InferInput => ({
  modelName, ...(parameters ? { parameters } : {}), inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: new Float32Array([value]) }],
});
const stats = (name: string) => engine.modelStatistics(name)[0]!;

describe('scheduling on real models', () => {
  it('gives batched requests the same results as unbatched ones, element for element', async () => {
    const requests = Array.from({ length: 48 }, (_, i) => ({ rows: 1 + (i % 3), seed: i }));
    const plain = await Promise.all(requests.map((r) => engine.infer(mlpRequest('mlp_plain', r.rows, r.seed))));
    const batched = await Promise.all(requests.map((r) => engine.infer(mlpRequest('mlp_batched', r.rows, r.seed))));
    batched.forEach((response, i) => {
      const expected = plain[i]!.outputs[0]!;
      const actual = response.outputs[0]!;
      assert.deepEqual(actual.shape, [requests[i]!.rows, 10]);
      const a = actual.data as Float32Array;
      const e = expected.data as Float32Array;
      // One row's arithmetic is the same in a batch; only kernel blocking may move the last bit.
      for (let j = 0; j < e.length; j += 1) assert.ok(Math.abs(a[j]! - e[j]!) <= 1e-5 * Math.max(1, Math.abs(e[j]!)), `request ${i} element ${j}: ${a[j]} vs ${e[j]}`);
    });
    const batchedStats = stats('mlp_batched');
    assert.equal(batchedStats.inference_count, requests.reduce((sum, r) => sum + r.rows, 0));
    assert.ok(batchedStats.execution_count < requests.length, `${batchedStats.execution_count} executions for ${requests.length} requests: requests were merged`);
    assert.equal(stats('mlp_plain').execution_count, requests.length);
  });

  it('runs two executions at once with two instances, one at a time with one', async () => {
    const inflightSeen = async (modelName: string): Promise<number> => {
      // Requests of 8 rows fill max_batch_size alone, so each is its own execution.
      const full = (value: number): InferInput => ({ modelName, inputs: [{ name: 'x', datatype: 'FP32', shape: [8, 1], data: new Float32Array(8).fill(value) }] });
      const running = [engine.infer(full(1)), engine.infer(full(2))];
      await new Promise((resolve) => setTimeout(resolve, 100));
      const text = await metrics.metrics();
      const line = text.split('\n').find((l) => l.startsWith('wharf_inference_inflight_executions{') && l.includes(`model="${modelName}"`));
      await Promise.all(running);
      return Number(line?.split(' ').at(-1));
    };
    assert.equal(await inflightSeen('slow_two'), 2);
    assert.equal(await inflightSeen('slow_one'), 1);
  });

  it('serves the higher priority first, refuses a full queue at once, and times requests out', async () => {
    const order: string[] = [];
    const track = (label: string, promise: Promise<unknown>) => promise.then(() => order.push(label), (error: InferenceError) => order.push(`${label}:${error.code}`));
    // The first request occupies the single instance; the next ones queue behind it.
    const busy = track('busy', engine.infer({ modelName: 'slow_policy', inputs: [{ name: 'x', datatype: 'FP32', shape: [8, 1], data: new Float32Array(8) }] }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const low = [track('low-a', engine.infer({ ...slowRequest('slow_policy', 1), inputs: [{ name: 'x', datatype: 'FP32', shape: [8, 1], data: new Float32Array(8) }] })),
      track('low-b', engine.infer({ ...slowRequest('slow_policy', 2), inputs: [{ name: 'x', datatype: 'FP32', shape: [8, 1], data: new Float32Array(8) }] }))];
    await assert.rejects(engine.infer(slowRequest('slow_policy', 3)), (error: InferenceError) =>
      error.code === 'ERR_QUEUE_FULL' && error.httpStatus === 503 && /model 'slow_policy' version 1: .*full \(max_queue_size 2\)/.test(error.message));
    const high = track('high', engine.infer(slowRequest('slow_policy', 4, { priority: 1 })));
    const expiring = track('expiring', engine.infer(slowRequest('slow_policy', 5, { priority: 1, timeout: 1000 })));
    await Promise.all([busy, ...low, high, expiring]);
    assert.equal(order[0], 'expiring:ERR_QUEUE_TIMEOUT', `a 1 ms request timeout expires while the instance is busy: ${order.join(', ')}`);
    assert.ok(order.indexOf('high') < order.indexOf('low-a') && order.indexOf('high') < order.indexOf('low-b'), `priority 1 runs before level 2: ${order.join(', ')}`);
    await assert.rejects(engine.infer(slowRequest('slow_policy', 6, { priority: 3 })), (error: InferenceError) => error.code === 'ERR_REQUEST_PARAMETER');
  });
});
