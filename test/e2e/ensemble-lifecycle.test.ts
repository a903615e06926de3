/**
 * Ensembles and the model lifecycle on the real server: composing models loaded with the
 * ensemble (explicit --load-model, the load API, polls, the memory budget), unload_dependents,
 * and what a loaded ensemble does when a composing model is unloaded without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InferInput } from '../../src/index.js';
import { makeTempDir, request, startTestServer, type TestServer } from '../support/server-harness.js';
import { A, B, CHAIN, DIAMOND, NESTED, X, Z, writeComposingModels, writeEnsemble } from './ensemble-fixtures.js';

const diamondRequest = (modelName = 'diamond'): InferInput => ({
  modelName,
  inputs: [{ name: 'A', datatype: 'FP32', shape: [1, 4], data: Float32Array.from(A) }, { name: 'B', datatype: 'FP32', shape: [1, 4], data: Float32Array.from(B) }],
});

function states(server: TestServer): Record<string, string> {
  return Object.fromEntries(server.engine.modelIndex().map((row) => [row.name, row.state === 'UNAVAILABLE' ? `UNAVAILABLE: ${row.reason}` : row.state]));
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('explicit mode: composing models load with the ensemble', () => {
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    let repo: string;
    ({ dir: repo, cleanup } = await makeTempDir());
    await writeComposingModels(repo);
    await writeEnsemble(repo, 'diamond', DIAMOND);
    await writeEnsemble(repo, 'nested', NESTED);
    await writeEnsemble(repo, 'chain', CHAIN);
    // --load-model nested: the diamond it runs, and the diamond's models, load first.
    server = await startTestServer(repo, { modelControlMode: 'explicit', startupModels: ['nested'] });
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('--load-model of an ensemble loads the models it runs, transitively', async () => {
    assert.deepEqual(states(server), {
      add_sub: 'READY', chain: 'UNAVAILABLE: not loaded', corrupt: 'UNAVAILABLE: not loaded', diamond: 'READY', identity4: 'UNAVAILABLE: not loaded',
      identity_vec: 'UNAVAILABLE: not loaded', nested: 'READY', runtime_error: 'UNAVAILABLE: not loaded', scale2: 'READY', scale3: 'READY',
    });
    const response = await server.engine.infer(diamondRequest('nested'));
    assert.deepEqual(Array.from(response.outputs[0]!.data as Float32Array), Z);
  });

  it('the load API on an ensemble loads its composing models that are not loaded', async () => {
    const loaded = await request(`${server.url}/v2/repository/models/chain/load`, 'POST', {});
    assert.equal(loaded.status, 200, JSON.stringify(loaded.body));
    assert.equal(states(server).identity4, 'READY');
    assert.equal(states(server).chain, 'READY');
    const response = await server.engine.infer({ modelName: 'chain', inputs: [{ name: 'IN', datatype: 'FP32', shape: [1, 4], data: Float32Array.from(A) }] });
    assert.deepEqual(Array.from(response.outputs[0]!.data as Float32Array), A.map((a) => 3 * a));
  });

  it('unload_dependents unloads the ensembles that run the model, directly or nested, and nothing else', async () => {
    const unloaded = await request(`${server.url}/v2/repository/models/add_sub/unload`, 'POST', { parameters: { unload_dependents: true } });
    assert.equal(unloaded.status, 200, JSON.stringify(unloaded.body));
    const now = states(server);
    assert.deepEqual([now.add_sub, now.diamond, now.nested], ['UNAVAILABLE: unloaded', 'UNAVAILABLE: unloaded', 'UNAVAILABLE: unloaded']);
    assert.deepEqual([now.chain, now.scale2, now.scale3, now.identity4], ['READY', 'READY', 'READY', 'READY']);
  });

  it('a loaded ensemble whose composing model was unloaded alone fails its requests at once, naming the step and model', async () => {
    assert.equal((await request(`${server.url}/v2/repository/models/diamond/load`, 'POST', {})).status, 200);
    assert.equal(states(server).add_sub, 'READY', 'loading the diamond loaded add_sub again');
    assert.equal((await request(`${server.url}/v2/repository/models/scale2/unload`, 'POST', {})).status, 200);
    assert.equal(states(server).diamond, 'READY', 'the ensemble stays loaded');
    const response = await request(`${server.url}/v2/models/diamond/infer`, 'POST', {
      inputs: [{ name: 'A', datatype: 'FP32', shape: [1, 4], data: A }, { name: 'B', datatype: 'FP32', shape: [1, 4], data: B }],
    });
    assert.equal(response.status, 503);
    assert.deepEqual(response.body, {
      code: 'ERR_MODEL_NOT_READY',
      error: "ensemble 'diamond' step 1 (model 'scale2'): model 'scale2' has no ready version (version 1 is UNAVAILABLE: unloaded)",
    });
    // Loading the composing model again is enough: the ensemble resolves it on every request.
    assert.equal((await request(`${server.url}/v2/repository/models/scale2/load`, 'POST', {})).status, 200);
    const answer = await server.engine.infer(diamondRequest());
    assert.deepEqual(Array.from(answer.outputs[0]!.data as Float32Array), X);
  });

  it('refuses to load an ensemble whose composing model cannot load, naming both', async () => {
    const repo = server.engine.repositoryPath;
    await writeEnsemble(repo, 'uses_corrupt', { ...CHAIN, steps: [{ model: 'corrupt', inputs: { INPUT0: 'IN' }, outputs: { OUTPUT0: 'OUT' } }] });
    const response = await request(`${server.url}/v2/repository/models/uses_corrupt/load`, 'POST', {});
    assert.equal(response.status, 500);
    const body = response.body as { code: string; error: string };
    assert.equal(body.code, 'ERR_MODEL_LOAD_FAILED');
    assert.match(body.error, /ensemble 'uses_corrupt' step 0 \(model 'corrupt'\): cannot use model 'corrupt': model 'corrupt' has no ready version \(.*model\.onnx/);
    assert.match(states(server).corrupt!, /^UNAVAILABLE: .*corrupt\/1\/model\.onnx/);
  });
});

describe('poll mode: an ensemble added with its composing models', () => {
  let repo: string;
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    ({ dir: repo, cleanup } = await makeTempDir());
    await writeComposingModels(repo, { only: ['add_sub'] });
    server = await startTestServer(repo, { modelControlMode: 'poll', repositoryPollSeconds: 0.1 });
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('loads the ensemble once they are loaded, whichever poll sees them first', async () => {
    // The ensemble is written first: a poll may see it before its models. Its folder does not
    // change after that, so it must retry when a poll loads a model it runs; and when a poll sees
    // everything, the ensemble loads after its models.
    await writeEnsemble(repo, 'diamond', DIAMOND);
    await writeComposingModels(repo, { only: ['scale2', 'scale3'] });
    await waitFor('the diamond to be READY', () => states(server).diamond === 'READY');
    const response = await server.engine.infer(diamondRequest());
    assert.deepEqual(Array.from(response.outputs[0]!.data as Float32Array), X);
  });

  it('retries an unchanged ensemble that failed for a missing model once a poll loads that model', async () => {
    await writeEnsemble(repo, 'chain', CHAIN);
    await waitFor('chain to fail', () => /cannot use model 'identity4': unknown model 'identity4'/.test(states(server).chain ?? ''));
    await writeComposingModels(repo, { only: ['identity4'] });
    await waitFor('chain to be READY', () => states(server).chain === 'READY');
  });
});

describe('memory budget: an ensemble loads its composing models on its first request', () => {
  let cleanup: () => Promise<void>;
  let server: TestServer;

  before(async () => {
    let repo: string;
    ({ dir: repo, cleanup } = await makeTempDir());
    await writeComposingModels(repo, { only: ['add_sub', 'scale2', 'scale3'] });
    await writeEnsemble(repo, 'diamond', DIAMOND);
    server = await startTestServer(repo, { modelMemoryBudgetBytes: 4 * 1024 ** 3 });
  });
  after(async () => {
    await server?.close();
    await cleanup?.();
  });

  it('nothing is resident until the first request, which loads the ensemble and its models', async () => {
    assert.deepEqual(server.engine.memoryUsage().models, {});
    const response = await server.engine.infer(diamondRequest());
    assert.deepEqual(Array.from(response.outputs[0]!.data as Float32Array), X);
    assert.deepEqual(Object.keys(server.engine.memoryUsage().models).sort(), ['add_sub', 'diamond', 'scale2', 'scale3']);
    assert.equal(server.engine.memoryUsage().models.diamond, 0, 'an ensemble holds no memory of its own');
  });
});
