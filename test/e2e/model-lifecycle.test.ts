/**
 * @module
 * The model lifecycle on the real engine and HTTP server: versions switched and models reloaded
 * under a continuous stream of requests, failed loads that leave the serving model alone,
 * serialised load/unload, warm-up, poll mode and the memory budget.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HttpClient } from '../../src/client/index.js';
import type { InferenceServer } from '../../src/engine/index.js';
import { MetricsRegistry } from '../../src/metrics/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { CORRUPT_MODEL_BYTES, buildOffsetModel, writeAddSubModel, writeOffsetModel } from '../support/test-models.js';

const OFFSET_CONFIG = (policy = 'latest { num_versions: 1 }', extra = ''): string =>
  `max_batch_size: 8\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] } ]\noutput [ { name: "y" data_type: TYPE_FP32 dims: [ 1 ] } ]\nversion_policy { ${policy} }\n${extra}`;

interface StreamResult {
  sent: number;
  failures: string[];
  /** Every (version, offset) pair seen in responses. */
  seen: Set<string>;
}

/**
 * Clients that send requests to `model` until stop() and record each response's version with
 * the offset its output shows (y - x), so the test can check each came from one consistent model.
 */
function startStream(url: string, model: string, clients = 4): { stop: () => Promise<StreamResult> } {
  const result: StreamResult = { sent: 0, failures: [], seen: new Set() };
  let running = true;
  const loops = Array.from({ length: clients }, async (_unused, c) => {
    const client = new HttpClient({ url });
    try {
      for (let i = 0; running; i += 1) {
        const x = c * 1000 + (i % 1000);
        result.sent += 1;
        try {
          const response = await client.infer({ modelName: model, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: new Float32Array([x]) }] });
          const y = (response.outputs[0]!.data as Float32Array)[0]!;
          result.seen.add(`${response.modelVersion}:${Math.round(y - x)}`);
        } catch (error) {
          result.failures.push(error instanceof Error ? error.message : String(error));
        }
      }
    } finally {
      client.close();
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function rowsOf(engine: InferenceServer, name: string): { version: string; state: string; reason: string }[] {
  return engine.modelIndex().filter((row) => row.name === name);
}

const x1 = { name: 'x', datatype: 'FP32' as const, shape: [1, 1], data: new Float32Array([1]) };

describe('zero-downtime version switches and reloads (explicit mode)', () => {
  let repo: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    ({ dir: repo, cleanup } = await makeTempDir());
    await writeOffsetModel(repo, 'offset', 100, { version: 1, config: OFFSET_CONFIG() });
    server = await startTestServer(repo, { modelControlMode: 'explicit', startupModels: ['offset'] });
  });
  after(async () => {
    await server.close();
    await cleanup();
  });

  it('switches to a new version, reloads changed files and config, with no failed request', async () => {
    const stream = startStream(server.url, 'offset');
    await new Promise((resolve) => setTimeout(resolve, 200));

    // A new version: loaded and warmed before it takes traffic, then version 1 drains and unloads.
    await writeOffsetModel(repo, 'offset', 200, { version: 2 });
    await server.engine.loadModel('offset');
    assert.deepEqual(rowsOf(server.engine, 'offset').map((r) => [r.version, r.state]), [['2', 'READY']]);
    await new Promise((resolve) => setTimeout(resolve, 200));

    // The same version with a new file: reloaded in place.
    await writeFile(join(repo, 'offset', '2', 'model.onnx'), buildOffsetModel(300));
    await server.engine.loadModel('offset');
    await new Promise((resolve) => setTimeout(resolve, 200));

    // A config change (a dynamic batcher) reloads every served version.
    await writeFile(join(repo, 'offset', 'config.pbtxt'), OFFSET_CONFIG('latest { num_versions: 1 }', 'dynamic_batching { max_queue_delay_microseconds: 500 }\n'));
    await server.engine.loadModel('offset');
    assert.ok('dynamic_batching' in await server.engine.modelConfig('offset'));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const result = await stream.stop();
    assert.deepEqual(result.failures, [], `${result.failures.length} of ${result.sent} requests failed`);
    assert.ok(result.sent > 20, `only ${result.sent} requests were sent`);
    // Every response came from one model: version 1 answers +100, version 2 +200 before its file changed, +300 after.
    for (const pair of result.seen) assert.ok(['1:100', '2:200', '2:300'].includes(pair), `inconsistent response ${pair}`);
    assert.ok(result.seen.has('2:300'), 'the reloaded model served');
  });

  it('keeps serving when a reload fails, and shows why in the index', async () => {
    await writeFile(join(repo, 'offset', '2', 'model.onnx'), CORRUPT_MODEL_BYTES);
    await assert.rejects(server.engine.loadModel('offset'), (error: InferenceError) => error.code === 'ERR_MODEL_LOAD_FAILED' && /model\.onnx/.test(error.message));
    const [row] = rowsOf(server.engine, 'offset');
    assert.equal(row!.state, 'READY');
    assert.match(row!.reason, /still serving the previous load/);
    const response = await server.engine.infer({ modelName: 'offset', inputs: [x1] });
    assert.equal((response.outputs[0]!.data as Float32Array)[0], 301);

    // A bad config, on disk or as an override, is refused the same way.
    await writeFile(join(repo, 'offset', '2', 'model.onnx'), buildOffsetModel(300));
    await assert.rejects(server.engine.loadModel('offset', { config: '{"max_batch_size": "many"}' }), (error: InferenceError) => error.code === 'ERR_CONFIG_INVALID' && /max_batch_size/.test(error.message));
    await assert.rejects(server.engine.loadModel('offset', { config: '{not json' }), (error: InferenceError) => error.code === 'ERR_CONFIG_INVALID');
    // An override that disagrees with the model file is the caller's mistake (400), named as the request's.
    await assert.rejects(server.engine.loadModel('offset', { config: JSON.stringify({ input: [{ name: 'x', data_type: 'TYPE_INT32', dims: [1] }] }) }),
      (error: InferenceError) => error.code === 'ERR_CONFIG_INVALID' && /load request's parameters\.config/.test(error.message) && /TYPE_INT32/.test(error.message));
    assert.equal((await server.engine.infer({ modelName: 'offset', inputs: [x1] })).modelVersion, '2');
  });

  it('keeps the serving version when the policy moves to a version that fails to load', async () => {
    await mkdir(join(repo, 'offset', '3'), { recursive: true });
    await writeFile(join(repo, 'offset', '3', 'model.onnx'), CORRUPT_MODEL_BYTES);
    await assert.rejects(server.engine.loadModel('offset'), /version 3/);
    const rows = rowsOf(server.engine, 'offset');
    assert.deepEqual(rows.map((r) => [r.version, r.state]), [['2', 'READY'], ['3', 'UNAVAILABLE']]);
    assert.match(rows[0]!.reason, /kept serving/);
    assert.equal((await server.engine.infer({ modelName: 'offset', inputs: [x1] })).modelVersion, '2');
    await rm(join(repo, 'offset', '3'), { recursive: true });
    await server.engine.loadModel('offset');
    assert.deepEqual(rowsOf(server.engine, 'offset').map((r) => [r.version, r.state, r.reason]), [['2', 'READY', '']]);
  });

  it('serialises concurrent load and unload calls for one model', async () => {
    const calls = [
      server.engine.loadModel('offset', { config: OFFSET_JSON(1) }),
      server.engine.unloadModel('offset'),
      server.engine.loadModel('offset', { config: OFFSET_JSON(4) }),
      server.engine.unloadModel('offset'),
      server.engine.loadModel('offset', { config: OFFSET_JSON(2) }),
    ];
    await Promise.all(calls);
    // The last call wins, whole: one READY version with the config it asked for.
    assert.deepEqual(rowsOf(server.engine, 'offset').map((r) => [r.version, r.state]), [['2', 'READY']]);
    assert.equal((await server.engine.modelConfig('offset')).max_batch_size, 2);
  });

  it('unloads on request and refuses requests for the unloaded model', async () => {
    await server.engine.unloadModel('offset');
    assert.deepEqual(rowsOf(server.engine, 'offset').map((r) => [r.version, r.state, r.reason]), [['2', 'UNAVAILABLE', 'unloaded']]);
    await assert.rejects(server.engine.infer({ modelName: 'offset', inputs: [x1] }), (error: InferenceError) => error.code === 'ERR_MODEL_NOT_READY');
    await assert.rejects(server.engine.loadModel('missing'), (error: InferenceError) => error.code === 'ERR_MODEL_NOT_FOUND');
    await server.engine.loadModel('offset');
    assert.equal(rowsOf(server.engine, 'offset')[0]!.state, 'READY');
  });
});

const OFFSET_JSON = (maxBatchSize: number): string => JSON.stringify({
  max_batch_size: maxBatchSize,
  input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [1] }],
  output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [1] }],
});

describe('version policies', () => {
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    let repo: string;
    ({ dir: repo, cleanup } = await makeTempDir());
    for (const version of [1, 2, 3]) {
      await writeOffsetModel(repo, 'latest_two', version * 10, { version, config: OFFSET_CONFIG('latest { num_versions: 2 }') });
      await writeOffsetModel(repo, 'specific', version * 10, { version, config: OFFSET_CONFIG('specific { versions: [ 1, 3 ] }') });
      await writeOffsetModel(repo, 'all', version * 10, { version, config: OFFSET_CONFIG('all { }') });
    }
    server = await startTestServer(repo);
  });
  after(async () => {
    await server.close();
    await cleanup();
  });

  for (const [model, served] of [['latest_two', ['2', '3']], ['specific', ['1', '3']], ['all', ['1', '2', '3']]] as const) {
    it(`${model} serves versions ${served.join(', ')}, the highest by default`, async () => {
      assert.deepEqual((await server.engine.modelMetadata(model)).versions, served);
      assert.equal((await server.engine.infer({ modelName: model, inputs: [x1] })).modelVersion, '3');
      for (const version of served) {
        const response = await server.engine.infer({ modelName: model, modelVersion: version, inputs: [x1] });
        assert.equal((response.outputs[0]!.data as Float32Array)[0], 1 + Number(version) * 10);
      }
      for (const version of ['1', '2', '3'].filter((v) => !(served as readonly string[]).includes(v))) {
        const response = await fetch(`${server.url}/v2/models/${model}/versions/${version}/infer`, { method: 'POST', body: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }] }) });
        assert.equal(response.status, 404);
        const body = await response.json() as { error: string };
        assert.match(body.error, new RegExp(`served versions: ${served.join(', ')}`));
      }
    });
  }
});

describe('model warm-up', () => {
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    let repo: string;
    ({ dir: repo, cleanup } = await makeTempDir());
    const warmup = (input: string) => `model_warmup [ { name: "sample" batch_size: 2 count: 3 inputs { key: "x" value: { data_type: TYPE_FP32 dims: [ 1 ] ${input} } } } ]\n`;
    await writeOffsetModel(repo, 'warm', 1, { config: OFFSET_CONFIG(undefined, warmup('random_data: true')) });
    await writeOffsetModel(repo, 'warm_from_file', 1, { config: OFFSET_CONFIG(undefined, warmup('input_data_file: "x.bin"')) });
    await mkdir(join(repo, 'warm_from_file', 'warmup'));
    await writeFile(join(repo, 'warm_from_file', 'warmup', 'x.bin'), new Uint8Array(new Float32Array([0.5]).buffer));
    await writeOffsetModel(repo, 'cold', 1, { config: OFFSET_CONFIG(undefined, warmup('input_data_file: "missing.bin"')) });
    await writeOffsetModel(repo, 'wrong_input', 1, { config: OFFSET_CONFIG(undefined, warmup('zero_data: true').replace('key: "x"', 'key: "nope"')) });
    server = await startTestServer(repo);
  });
  after(async () => {
    await server.close();
    await cleanup();
  });

  it('runs the warm-up before the model turns READY', async () => {
    for (const model of ['warm', 'warm_from_file']) {
      assert.deepEqual(rowsOf(server.engine, model).map((r) => r.state), ['READY']);
      assert.equal((await server.engine.infer({ modelName: model, inputs: [x1] })).modelVersion, '1');
    }
  });

  it('fails the load with the reason when the warm-up fails', () => {
    const [cold] = rowsOf(server.engine, 'cold');
    assert.equal(cold!.state, 'UNAVAILABLE');
    assert.match(cold!.reason, /warm-up 'sample'.*missing\.bin/);
    const [wrong] = rowsOf(server.engine, 'wrong_input');
    assert.match(wrong!.reason, /warm-up 'sample'.*'nope'/);
  });
});

describe('poll mode', () => {
  let repo: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    ({ dir: repo, cleanup } = await makeTempDir());
    await writeOffsetModel(repo, 'stays', 5, { config: OFFSET_CONFIG() });
    await writeAddSubModel(repo);
    server = await startTestServer(repo, { modelControlMode: 'poll', repositoryPollSeconds: 0.1 });
  });
  after(async () => {
    await server.close();
    await cleanup();
  });

  it('picks up added, changed and removed models, and new versions', async () => {
    const stream = startStream(server.url, 'stays', 2);
    await writeOffsetModel(repo, 'added', 7, { config: OFFSET_CONFIG() });
    await waitFor('the added model', () => rowsOf(server.engine, 'added')[0]?.state === 'READY');

    await writeFile(join(repo, 'added', 'config.pbtxt'), OFFSET_CONFIG(undefined, 'dynamic_batching { }\n'));
    await waitFor('the changed config', async () => 'dynamic_batching' in await server.engine.modelConfig('added'));

    await rm(join(repo, 'add_sub'), { recursive: true });
    await waitFor('the removed model', () => rowsOf(server.engine, 'add_sub').length === 0);
    await assert.rejects(server.engine.infer({ modelName: 'add_sub', inputs: [] }), (error: InferenceError) => error.code === 'ERR_MODEL_NOT_FOUND');

    await writeOffsetModel(repo, 'stays', 6, { version: 2 });
    await waitFor('version 2', () => rowsOf(server.engine, 'stays').map((r) => `${r.version}:${r.state}`).join() === '2:READY');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await stream.stop();
    assert.deepEqual(result.failures, []);
    for (const pair of result.seen) assert.ok(['1:5', '2:6'].includes(pair), `inconsistent response ${pair}`);
  });

  it('keeps a model serving when its new files are broken, and reloads once fixed', async () => {
    await writeFile(join(repo, 'stays', '2', 'model.onnx'), CORRUPT_MODEL_BYTES);
    await waitFor('the failed reload', () => /still serving/.test(rowsOf(server.engine, 'stays')[0]?.reason ?? ''));
    assert.equal((await server.engine.infer({ modelName: 'stays', inputs: [x1] })).modelVersion, '2');
    await writeFile(join(repo, 'stays', '2', 'model.onnx'), buildOffsetModel(8));
    await waitFor('the fixed reload', () => rowsOf(server.engine, 'stays')[0]?.reason === '');
    const response = await server.engine.infer({ modelName: 'stays', inputs: [x1] });
    assert.equal((response.outputs[0]!.data as Float32Array)[0], 9);
  });

  it('refuses the load and unload API', async () => {
    await assert.rejects(server.engine.loadModel('stays'), (error: InferenceError) => error.code === 'ERR_MODEL_CONTROL_DISABLED' && /poll mode/.test(error.message));
  });
});

describe('memory budget', () => {
  /**
   * Models of 64 MiB of weights, measured at 77-83 MiB resident each on our machines (a worker
   * thread and its session add the rest), and a small keep_loaded one of about 10 MiB once
   * onnxruntime is initialised by the suites above: two large ones fit, three do not.
   */
  const BALLAST = 16 * 1024 * 1024;
  const BUDGET = 208 * 1024 * 1024;
  const metrics = new MetricsRegistry({ defaultMetrics: false });
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    let repo: string;
    ({ dir: repo, cleanup } = await makeTempDir());
    for (const [i, name] of ['a', 'b', 'c'].entries()) await writeOffsetModel(repo, name, i + 1, { ballastElements: BALLAST, config: OFFSET_CONFIG() });
    await writeOffsetModel(repo, 'pinned', 0, { config: OFFSET_CONFIG(undefined, 'parameters { key: "keep_loaded" value: { string_value: "true" } }\n') });
    server = await startTestServer(repo, { modelMemoryBudgetBytes: BUDGET, metrics });
  });
  after(async () => {
    await server.close();
    await cleanup();
  });

  it('loads only keep_loaded models at start, and is ready', () => {
    assert.equal(server.engine.isReady(), true);
    assert.deepEqual(server.engine.modelIndex().map((r) => [r.name, r.state]), [['a', 'UNAVAILABLE'], ['b', 'UNAVAILABLE'], ['c', 'UNAVAILABLE'], ['pinned', 'READY']]);
    assert.deepEqual(server.engine.modelIndex().slice(0, 3).map((r) => r.reason), Array(3).fill('not loaded yet; loads on its first request (memory budget)'));
    assert.equal(server.engine.isModelReady('a'), true, 'a request would load it');
  });

  it('serves requests to three models with room for two, never above the budget and with no failed request', async () => {
    let peak = 0;
    let mostResident = 0;
    const sampler = setInterval(() => {
      const usage = server.engine.memoryUsage();
      peak = Math.max(peak, usage.residentBytes);
      mostResident = Math.max(mostResident, Object.keys(usage.models).length);
    }, 5);
    const clients = ['a', 'b', 'c'].map(() => new HttpClient({ url: server.url }));
    const failures: string[] = [];
    let served = 0;
    try {
      // Each client walks the models in its own order, so every model is wanted while others are resident.
      await Promise.all(clients.map(async (client, c) => {
        for (let i = 0; i < 12; i += 1) {
          const model = ['a', 'b', 'c'][(i + c) % 3]!;
          try {
            const response = await client.infer({ modelName: model, inputs: [x1] });
            assert.equal((response.outputs[0]!.data as Float32Array)[0], 1 + ['a', 'b', 'c'].indexOf(model) + 1);
            served += 1;
          } catch (error) {
            failures.push(`${model}: ${(error as Error).message}`);
          }
        }
      }));
    } finally {
      clearInterval(sampler);
      for (const client of clients) client.close();
    }
    assert.deepEqual(failures, []);
    assert.equal(served, 36);
    assert.ok(peak <= BUDGET, `resident ${peak} bytes exceeded the budget of ${BUDGET}`);
    assert.ok(mostResident <= 3, `${mostResident - 1} large models were resident at once`);
    assert.ok(mostResident === 3, 'two large models were resident together');
    assert.ok('pinned' in server.engine.memoryUsage().models, 'the keep_loaded model stayed resident');
    const usage = server.engine.memoryUsage();
    for (const [model, bytes] of Object.entries(usage.models)) {
      if (model !== 'pinned') assert.ok(bytes >= BALLAST * 4, `${model} was counted at ${bytes} bytes, less than its weights`);
    }
    const evicted = server.engine.modelIndex().filter((r) => /memory budget/.test(r.reason));
    assert.ok(evicted.length >= 1, 'the index shows the model that is not resident');
    const text = await metrics.metrics();
    assert.match(text, new RegExp(`^wharf_model_memory_budget_bytes ${BUDGET}$`, 'm'));
    for (const [model, bytes] of Object.entries(server.engine.memoryUsage().models)) assert.match(text, new RegExp(`^wharf_model_memory_bytes\\{model="${model}"\\} ${bytes}$`, 'm'));
    for (const row of evicted) assert.doesNotMatch(text, new RegExp(`wharf_model_memory_bytes\\{model="${row.name}"\\}`));
  });
});
