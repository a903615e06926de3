import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildHttpApp } from '../../src/server/http/index.js';
import { statisticsStub } from './statistics-stub.js';

const zero = { count: 0, ns: 0 };

describe('HTTP statistics extension', () => {
  it('GET /v2/models/stats lists every model version and is not taken for the metadata of a model "stats"', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    const response = await app.inject({ method: 'GET', url: '/v2/models/stats' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /^application\/json/);
    const body = response.json<{ model_stats: { name: string; version: string }[] }>();
    assert.deepEqual(body.model_stats.map((s) => `${s.name}/${s.version}`), ['resnet/1', 'resnet/2', 'stats/1']);
    assert.deepEqual(stub.calls, [[undefined, undefined]]);
    assert.deepEqual(stub.metadataCalls, []);
    await app.close();
  });

  it('GET /v2/models/{m}/stats answers Triton\'s JSON for every version of the model', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    const response = await app.inject({ method: 'GET', url: '/v2/models/resnet/stats' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      model_stats: [
        {
          name: 'resnet',
          version: '1',
          last_inference: 1_700_000_000_123,
          inference_count: 2,
          execution_count: 1,
          inference_stats: {
            success: { count: 1, ns: 253 },
            fail: zero,
            queue: { count: 1, ns: 40 },
            compute_input: { count: 1, ns: 10 },
            compute_infer: { count: 1, ns: 200 },
            compute_output: { count: 1, ns: 3 },
            cache_hit: zero,
            cache_miss: zero,
          },
          batch_stats: [{ batch_size: 2, compute_input: { count: 1, ns: 10 }, compute_infer: { count: 1, ns: 200 }, compute_output: { count: 1, ns: 3 } }],
        },
        {
          name: 'resnet',
          version: '2',
          last_inference: 0,
          inference_count: 0,
          execution_count: 0,
          inference_stats: { success: zero, fail: zero, queue: zero, compute_input: zero, compute_infer: zero, compute_output: zero, cache_hit: zero, cache_miss: zero },
          batch_stats: [],
        },
      ],
    });
    assert.deepEqual(stub.calls, [['resnet', undefined]]);
    await app.close();
  });

  it('GET /v2/models/{m}/versions/{v}/stats narrows to the version', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    const response = await app.inject({ method: 'GET', url: '/v2/models/resnet/versions/2/stats' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json<{ model_stats: { version: string }[] }>().model_stats.map((s) => s.version), ['2']);
    assert.deepEqual(stub.calls, [['resnet', '2']]);
    await app.close();
  });

  it('answers 404 with the engine\'s error for an unknown model or version', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    const model = await app.inject({ method: 'GET', url: '/v2/models/missing/stats' });
    assert.equal(model.statusCode, 404);
    assert.deepEqual(model.json(), { error: 'model \'missing\' is not in the repository', code: 'ERR_MODEL_NOT_FOUND' });
    const version = await app.inject({ method: 'GET', url: '/v2/models/resnet/versions/9/stats' });
    assert.equal(version.statusCode, 404);
    assert.equal(version.json<{ code: string }>().code, 'ERR_MODEL_VERSION_NOT_FOUND');
    await app.close();
  });

  it('still routes model metadata, including that of a model named "stats" through its version path', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/resnet' })).json<{ name: string }>().name, 'resnet');
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/stats/versions/1' })).json<{ name: string }>().name, 'stats');
    const statsOfStats = await app.inject({ method: 'GET', url: '/v2/models/stats/stats' });
    assert.deepEqual(statsOfStats.json<{ model_stats: { name: string }[] }>().model_stats.map((s) => s.name), ['stats']);
    assert.deepEqual(stub.metadataCalls, ['resnet', 'stats']);
    await app.close();
  });

  it('accepts a trailing slash like the other model routes', async () => {
    const stub = statisticsStub();
    const app = buildHttpApp(stub.engine);
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/stats/' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/resnet/stats/' })).statusCode, 200);
    assert.deepEqual(stub.calls, [[undefined, undefined], ['resnet', undefined]]);
    await app.close();
  });
});
