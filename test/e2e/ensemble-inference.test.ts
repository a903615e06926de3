/**
 * Ensembles on the real server (none mode): inference over every transport, metadata and config,
 * statistics, a failing step, broken ensembles beside good ones, nesting, and a drain.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import { InferenceServer } from '../../src/engine/index.js';
import { InferenceError, type InferInput, type InferResponse } from '../../src/index.js';
import { makeTempDir, request, startTestServerWithClients, type TestServer, type TestServerWithClients } from '../support/server-harness.js';
import { A, B, BROKEN, CHAIN, DIAMOND, FAILING, NESTED, X, Y, Z, writeComposingModels, writeEnsemble } from './ensemble-fixtures.js';

let repo: string;
let cleanup: () => Promise<void>;
let served: TestServerWithClients;
let server: TestServer;
let http: HttpClient;
let grpcClient: GrpcClient;

before(async () => {
  ({ dir: repo, cleanup } = await makeTempDir());
  await writeComposingModels(repo);
  await writeEnsemble(repo, 'diamond', DIAMOND);
  // 'nested' runs 'diamond', which sorts after it: start-up must still load the diamond first.
  await writeEnsemble(repo, 'a_nested', NESTED);
  await writeEnsemble(repo, 'chain', CHAIN);
  await writeEnsemble(repo, 'failing', FAILING);
  for (const broken of BROKEN) await writeEnsemble(repo, broken.name, broken.spec);
  served = await startTestServerWithClients(repo);
  ({ server, http, grpcClient } = served);
});

after(async () => {
  await served?.close();
  await cleanup?.();
});

const diamondRequest = (rows = 1): InferInput => ({
  modelName: 'diamond',
  inputs: [
    { name: 'A', datatype: 'FP32', shape: [rows, 4], data: Float32Array.from(Array.from({ length: rows }, () => A).flat()) },
    { name: 'B', datatype: 'FP32', shape: [rows, 4], data: Float32Array.from(Array.from({ length: rows }, () => B).flat()) },
  ],
});
const outputsOf = (response: InferResponse): [string, number[], number[]][] => response.outputs.map((o) => [o.name, o.shape, Array.from(o.data as Float32Array)]);

describe('ensemble inference', () => {
  it('answers in process, over HTTP binary, over gRPC (raw contents), with the same outputs', async () => {
    const expected = [['X', [1, 4], X], ['Y', [1, 4], Y]];
    for (const [transport, infer] of [
      ['in-process', (r: InferInput) => server.engine.infer(r)],
      ['http-binary', (r: InferInput) => http.infer(r)],
      ['grpc', (r: InferInput) => grpcClient.infer(r)],
    ] as const) {
      const response = await infer(diamondRequest());
      assert.deepEqual(outputsOf(response), expected, transport);
      assert.equal(response.modelName, 'diamond');
      assert.equal(response.modelVersion, '1');
    }
  });

  it('answers a curl-shaped HTTP JSON request, with only the outputs asked for', async () => {
    const response = await request(`${server.url}/v2/models/diamond/infer`, 'POST', {
      id: 'r1',
      inputs: [{ name: 'A', datatype: 'FP32', shape: [2, 4], data: [...A, ...A] }, { name: 'B', datatype: 'FP32', shape: [2, 4], data: [...B, ...B] }],
      outputs: [{ name: 'Y' }],
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { model_name: 'diamond', model_version: '1', id: 'r1', outputs: [{ name: 'Y', datatype: 'FP32', shape: [2, 4], data: [...Y, ...Y] }] });
  });

  it('answers the client\'s HTTP JSON requests, several rows at a time', async () => {
    const response = await http.infer({ ...diamondRequest(3), outputs: ['X'] }, { json: true });
    assert.deepEqual(outputsOf(response), [['X', [3, 4], [...X, ...X, ...X]]]);
  });

  it('runs a nested ensemble, loaded after the ensemble it runs', async () => {
    const response = await server.engine.infer({ ...diamondRequest(), modelName: 'a_nested' });
    assert.deepEqual(outputsOf(response), [['Z', [1, 4], Z]]);
  });

  it('serves many requests at once, each composing model batching and counting its own', async () => {
    const before = Object.fromEntries(server.engine.modelStatistics().map((s) => [s.name, s.inference_count]));
    const responses = await Promise.all(Array.from({ length: 24 }, (_u, i) => http.infer(diamondRequest(1 + (i % 3)))));
    for (const [i, response] of responses.entries()) {
      const rows = 1 + (i % 3);
      assert.deepEqual(outputsOf(response)[0]![2], Array.from({ length: rows }, () => X).flat());
    }
    const rows = responses.reduce((sum, r) => sum + r.outputs[0]!.shape[0]!, 0);
    const after = Object.fromEntries(server.engine.modelStatistics().map((s) => [s.name, s.inference_count]));
    assert.equal(after.diamond! - before.diamond!, rows);
    // add_sub runs twice per diamond request (steps 0 and 3), the scale models once.
    assert.equal(after.add_sub! - before.add_sub!, 2 * rows);
    assert.equal(after.scale2! - before.scale2!, rows);
    assert.equal(after.scale3! - before.scale3!, rows);
  });

  it('counts ensemble statistics under the ensemble, over HTTP and gRPC', async () => {
    const [httpStats] = ((await request(`${server.url}/v2/models/chain/stats`, 'GET')).body as { model_stats: { name: string; inference_count: number; execution_count: number; inference_stats: { success: { count: number } } }[] }).model_stats;
    assert.equal(httpStats!.inference_count, 0);
    await http.infer({ modelName: 'chain', inputs: [{ name: 'IN', datatype: 'FP32', shape: [2, 4], data: new Float32Array(8).fill(1) }] });
    const [stats] = server.engine.modelStatistics('chain');
    assert.deepEqual([stats!.inference_count, stats!.execution_count, stats!.inference_stats.success.count], [2, 1, 1]);
    assert.ok(stats!.inference_stats.compute_infer.ns > 0);
    const [identity] = server.engine.modelStatistics('identity4');
    assert.equal(identity!.inference_count, 2);
  });
});

describe('ensemble metadata and config', () => {
  it('reports platform "ensemble" and the declared tensors over HTTP and gRPC', async () => {
    const expected = {
      name: 'diamond', versions: ['1'], platform: 'ensemble',
      inputs: [{ name: 'A', datatype: 'FP32', shape: [-1, 4] }, { name: 'B', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'X', datatype: 'FP32', shape: [-1, 4] }, { name: 'Y', datatype: 'FP32', shape: [-1, 4] }],
    };
    assert.deepEqual((await request(`${server.url}/v2/models/diamond`, 'GET')).body, expected);
    assert.deepEqual(await http.modelMetadata('diamond'), expected);
    assert.deepEqual(await grpcClient.modelMetadata('diamond'), expected);
  });

  it('returns the config with its steps over HTTP and gRPC', async () => {
    for (const config of [(await request(`${server.url}/v2/models/diamond/config`, 'GET')).body as Record<string, unknown>, await grpcClient.modelConfig('diamond')]) {
      assert.equal(config.platform, 'ensemble');
      assert.equal(config.max_batch_size, 8);
      assert.deepEqual(config.instance_group ?? [], [], 'an ensemble has no instances of its own');
      const steps = (config.ensemble_scheduling as { step: { model_name: string; input_map: Record<string, string> }[] }).step;
      assert.deepEqual(steps.map((s) => s.model_name), ['add_sub', 'scale2', 'scale3', 'add_sub']);
      assert.deepEqual(steps[3]!.input_map, { INPUT0: 's2', INPUT1: 'd3' });
    }
  });
});

describe('ensemble errors', () => {
  const failingRequest: InferInput = {
    modelName: 'failing',
    inputs: [{ name: 'DATA', datatype: 'FP32', shape: [4], data: new Float32Array(4) }, { name: 'SHAPE', datatype: 'INT64', shape: [2], data: BigInt64Array.from([3n, 3n]) }],
  };

  it('names the failing step and model, and keeps the cause\'s code (HTTP, gRPC, in process)', async () => {
    const response = await request(`${server.url}/v2/models/failing/infer`, 'POST', {
      inputs: [{ name: 'DATA', datatype: 'FP32', shape: [4], data: [1, 2, 3, 4] }, { name: 'SHAPE', datatype: 'INT64', shape: [2], data: [3, 3] }],
    });
    assert.equal(response.status, 500);
    const body = response.body as { error: string; code: string };
    assert.equal(body.code, 'ERR_BACKEND_RUNTIME');
    assert.match(body.error, /^ensemble 'failing' step 1 \(model 'runtime_error'\): .*(reshape|Reshape)/);
    await assert.rejects(grpcClient.infer(failingRequest), (error: InferenceError) => error.code === 'ERR_BACKEND_RUNTIME' && /^ensemble 'failing' step 1 \(model 'runtime_error'\)/.test(error.message));
    await assert.rejects(server.engine.infer(failingRequest), { code: 'ERR_BACKEND_RUNTIME', message: /^ensemble 'failing' step 1 \(model 'runtime_error'\)/ });
    // The same ensemble answers when the shape fits.
    const ok = await server.engine.infer({ ...failingRequest, inputs: [failingRequest.inputs[0]!, { name: 'SHAPE', datatype: 'INT64', shape: [2], data: BigInt64Array.from([2n, 2n]) }] });
    assert.deepEqual(ok.outputs[0]!.shape, [2, 2]);
  });

  it('validates the request against the ensemble\'s own inputs first', async () => {
    await assert.rejects(http.infer({ modelName: 'diamond', inputs: [{ name: 'A', datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }, diamondRequest().inputs[1]!] }),
      (error: InferenceError) => error.code === 'ERR_INPUT_SHAPE' && /model 'diamond'/.test(error.message));
  });

  it('loads the good models and ensembles beside the broken ensembles, each broken one with its reason', () => {
    const ready = server.engine.modelIndex({ readyOnly: true }).map((r) => r.name).sort();
    assert.deepEqual(ready, ['a_nested', 'add_sub', 'chain', 'diamond', 'failing', 'identity4', 'identity_vec', 'runtime_error', 'scale2', 'scale3'].sort());
    for (const broken of BROKEN) {
      const rows = server.engine.modelIndex().filter((r) => r.name === broken.name);
      assert.equal(rows.length, 1, broken.name);
      assert.equal(rows[0]!.state, 'UNAVAILABLE', broken.name);
      assert.match(rows[0]!.reason, new RegExp(`config\\.pbtxt: ensemble '${broken.name}'`), broken.name);
      assert.match(rows[0]!.reason, broken.reason, broken.name);
    }
  });
});

describe('ensembles and a drain', () => {
  it('runs every step of a request accepted before the drain began, and refuses new ones', async () => {
    const engine = await InferenceServer.open({ modelRepository: repo });
    try {
      const accepted = engine.infer(diamondRequest());
      engine.beginDrain();
      // The steps are called after the drain began: they must not be refused.
      assert.deepEqual(outputsOf(await accepted), [['X', [1, 4], X], ['Y', [1, 4], Y]]);
      await assert.rejects(engine.infer(diamondRequest()), { code: 'ERR_SERVER_STOPPING' });
    } finally {
      await engine.close();
    }
  });
});
