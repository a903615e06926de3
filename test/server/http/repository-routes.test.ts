// The HTTP repository routes in memory (fastify inject): bodies of any content type or none,
// the Authorization header in every shape, and refusals, over an engine in explicit mode.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { InferenceServer } from '../../../src/engine/index.js';
import { buildHttpApp } from '../../../src/server/http/index.js';
import { makeTempDir } from '../../support/server-harness.js';
import { writeAddSubModel } from '../../support/test-models.js';

const TOKEN = 'tok-3x4mple';
let engine: InferenceServer;
let app: FastifyInstance;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  engine = await InferenceServer.open({ modelRepository: tmp.dir, modelControlMode: 'explicit', managementToken: TOKEN });
  app = buildHttpApp(engine);
});

after(async () => {
  await app?.close();
  await engine?.close();
  await cleanup?.();
});

async function post(url: string, options: { payload?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: unknown }> {
  const request: InjectOptions = { method: 'POST', url, headers: { authorization: `Bearer ${TOKEN}`, ...options.headers } };
  if (options.payload !== undefined) request.payload = options.payload;
  const response = await app.inject(request);
  return { status: response.statusCode, body: response.body === '' ? undefined : JSON.parse(response.body) };
}

describe('repository routes: bodies', () => {
  it('take no body, an empty body with a JSON content type, or JSON under any content type', async () => {
    assert.deepEqual(await post('/v2/repository/index'), { status: 200, body: [{ name: 'add_sub', version: '', state: 'UNAVAILABLE', reason: 'not loaded' }] });
    assert.deepEqual(await post('/v2/repository/index', { payload: '', headers: { 'content-type': 'application/json' } }), await post('/v2/repository/index'));
    // curl -d sends application/x-www-form-urlencoded.
    assert.deepEqual(await post('/v2/repository/index', { payload: '{"ready":true}', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), { status: 200, body: [] });
    assert.deepEqual(await post('/v2/repository/models/add_sub/load', { payload: '{}', headers: { 'content-type': 'text/plain' } }), { status: 200, body: {} });
    assert.deepEqual(await post('/v2/repository/models/add_sub/unload'), { status: 200, body: {} });
  });

  it('refuse a body that is not a JSON object with 400 ERR_INVALID_REQUEST', async () => {
    for (const url of ['/v2/repository/index', '/v2/repository/models/add_sub/load', '/v2/repository/models/add_sub/unload']) {
      const response = await post(url, { payload: 'not json', headers: { 'content-type': 'application/json' } });
      assert.equal(response.status, 400, url);
      assert.equal((response.body as { code: string }).code, 'ERR_INVALID_REQUEST', url);
      assert.match((response.body as { error: string }).error, /request body is not JSON/, url);
    }
    const array = await post('/v2/repository/models/add_sub/load', { payload: '[]' });
    assert.deepEqual(array, { status: 400, body: { error: 'the load request body must be a JSON object', code: 'ERR_INVALID_REQUEST' } });
  });

  it('refuse file overrides and unknown parameters with 400 ERR_REQUEST_PARAMETER, before loading anything', async () => {
    const file = await post('/v2/repository/models/add_sub/load', { payload: JSON.stringify({ parameters: { config: '{}', 'file:1/model.onnx': 'AAEC' } }) });
    assert.equal(file.status, 400);
    assert.equal((file.body as { code: string }).code, 'ERR_REQUEST_PARAMETER');
    assert.match((file.body as { error: string }).error, /^file overrides are not supported \(load parameter "file:1\/model\.onnx"\)/);
    assert.deepEqual(await post('/v2/repository/models/add_sub/unload', { payload: '{"parameters":{"unload_dependents":1}}' }), {
      status: 400, body: { error: 'parameter "unload_dependents" must be a boolean, got a number (1)', code: 'ERR_REQUEST_PARAMETER' },
    });
    assert.equal(engine.modelIndex()[0]!.state, 'UNAVAILABLE');
  });
});

describe('repository routes: the management token', () => {
  const unauthenticated = (error: RegExp) => (response: { status: number; body: unknown }): void => {
    assert.equal(response.status, 401);
    assert.equal((response.body as { code: string }).code, 'ERR_UNAUTHENTICATED');
    assert.match((response.body as { error: string }).error, error);
  };

  it('is required by index, load and unload', async () => {
    for (const url of ['/v2/repository/index', '/v2/repository/models/add_sub/load', '/v2/repository/models/add_sub/unload']) {
      const response = await app.inject({ method: 'POST', url });
      unauthenticated(/needs the management token/)({ status: response.statusCode, body: JSON.parse(response.body) });
    }
  });

  it('accepts any case of the scheme; refuses a wrong token and malformed headers, saying what is wrong', async () => {
    assert.equal((await post('/v2/repository/index', { headers: { authorization: `bearer ${TOKEN}` } })).status, 200);
    unauthenticated(/^the management token is wrong$/)(await post('/v2/repository/index', { headers: { authorization: 'Bearer nope' } }));
    unauthenticated(/^the authorization scheme must be Bearer; send Authorization: Bearer <token>$/)(await post('/v2/repository/index', { headers: { authorization: TOKEN } }));
    unauthenticated(/^the authorization scheme must be Bearer/)(await post('/v2/repository/index', { headers: { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } }));
    unauthenticated(/no token after "Bearer"/)(await post('/v2/repository/index', { headers: { authorization: 'Bearer' } }));
  });

  it('comes before reading the body: an unauthenticated bad body is a 401, not a 400', async () => {
    unauthenticated(/wrong/)(await post('/v2/repository/models/add_sub/load', { payload: 'not json', headers: { authorization: 'Bearer nope' } }));
  });

  it('is not asked for by health, metadata or inference', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v2' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v2/models/add_sub/ready', headers: { authorization: 'Bearer nope' } })).statusCode, 503);
  });
});
