// CORS (--cors-origin): off by default (no CORS headers, preflights 404); with origins, the
// actual requests carry the headers for allowed origins only and preflights are answered, before
// the token check, which browsers never satisfy on a preflight.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceServer } from '../../src/engine/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';

const APP = 'https://app.example';

let tmp: { dir: string; cleanup: () => Promise<void> };
let engine: InferenceServer;

before(async () => {
  tmp = await makeTempDir('wharf-cors-');
  await writeAddSubModel(tmp.dir);
  engine = await InferenceServer.open({ modelRepository: tmp.dir, inferenceToken: 'cors-token' });
});
after(async () => {
  await engine.close();
  await tmp.cleanup();
});

function preflight(url: string, origin: string): Promise<Response> {
  return fetch(`${url}/v2/models/add_sub/infer`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

const corsHeaders = (response: Response): string[] => [...response.headers.keys()].filter((name) => name.startsWith('access-control-'));

describe('CORS off (no --cors-origin)', () => {
  let http: RunningHttpServer;
  before(async () => { http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 }); });
  after(() => http.close());

  it('sends no CORS headers and does not answer preflights', async () => {
    const actual = await fetch(`${http.url}/v2/health/ready`, { headers: { origin: APP } });
    assert.equal(actual.status, 200);
    assert.deepEqual(corsHeaders(actual), []);
    const options = await preflight(http.url, APP);
    assert.notEqual(options.status, 204);
    assert.deepEqual(corsHeaders(options), []);
  });
});

describe('CORS with --cors-origin', () => {
  let http: RunningHttpServer;
  before(async () => { http = await startHttpServer(engine, { host: '127.0.0.1', port: 0, corsOrigins: [APP, 'http://localhost:3000'] }); });
  after(() => http.close());

  it('answers a preflight from an allowed origin, without a token', async () => {
    const response = await preflight(http.url, APP);
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), APP);
    assert.match(response.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match(response.headers.get('access-control-allow-headers') ?? '', /authorization/);
    assert.equal(response.headers.get('access-control-max-age'), '600');
  });

  it('puts the headers on actual requests from an allowed origin, refusals included', async () => {
    const ok = await fetch(`${http.url}/v2`, { headers: { origin: 'http://localhost:3000', authorization: 'Bearer cors-token' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:3000');
    assert.equal(ok.headers.get('access-control-expose-headers'), 'inference-header-content-length');
    const refused = await fetch(`${http.url}/v2`, { headers: { origin: APP } });
    assert.equal(refused.status, 401);
    assert.equal(refused.headers.get('access-control-allow-origin'), APP, 'the page can read why it was refused');
  });

  it('gives other origins no allow-origin header', async () => {
    const actual = await fetch(`${http.url}/v2/health/live`, { headers: { origin: 'https://evil.example' } });
    assert.equal(actual.headers.get('access-control-allow-origin'), null);
    const options = await preflight(http.url, 'https://evil.example');
    assert.equal(options.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS with --cors-origin "*"', () => {
  let http: RunningHttpServer;
  before(async () => { http = await startHttpServer(engine, { host: '127.0.0.1', port: 0, corsOrigins: ['*'] }); });
  after(() => http.close());

  it('allows any origin', async () => {
    const response = await preflight(http.url, 'https://anywhere.example');
    assert.equal(response.status, 204);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const actual = await fetch(`${http.url}/v2/health/live`, { headers: { origin: 'https://anywhere.example' } });
    assert.equal(actual.headers.get('access-control-allow-origin'), '*');
  });
});
