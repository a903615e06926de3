// The inference token (--inference-token): refused without it on inference, metadata, config
// and statistics over HTTP and gRPC; health stays open for probes; the management token also
// grants inference but not the other way round; the clients send it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { InferenceServer } from '../../src/engine/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { makeTempDir, request } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';
import { GrpcStub } from '../server/grpc/grpc-harness.js';

const INFERENCE_TOKEN = 'inf-7c1e-secret';
const MANAGEMENT_TOKEN = 'mgmt-42d0-secret';

const INFER_BODY = {
  inputs: [
    { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4] },
    { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: [1, 1, 1, 1] },
  ],
};
const INFER_INPUT = {
  modelName: 'add_sub',
  inputs: [
    { name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
    { name: 'INPUT1', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array([1, 1, 1, 1]) },
  ],
};

interface Servers {
  engine: InferenceServer;
  http: RunningHttpServer;
  grpc: RunningGrpcServer;
  close(): Promise<void>;
}

async function startServers(tokens: { inferenceToken?: string; managementToken?: string }): Promise<Servers> {
  const tmp = await makeTempDir('wharf-security-');
  await writeAddSubModel(tmp.dir);
  const engine = await InferenceServer.open({ modelRepository: tmp.dir, ...tokens });
  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0 });
  return {
    engine, http, grpc,
    close: async () => {
      await Promise.all([http.close(), grpc.close()]);
      await engine.close();
      await tmp.cleanup();
    },
  };
}

const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

/** Every HTTP endpoint the inference token guards, with a body for the POST one. */
const GUARDED: readonly { method: 'GET' | 'POST'; path: string; body?: unknown }[] = [
  { method: 'GET', path: '/v2' },
  { method: 'GET', path: '/v2/models/add_sub' },
  { method: 'GET', path: '/v2/models/add_sub/versions/1' },
  { method: 'GET', path: '/v2/models/add_sub/ready' },
  { method: 'GET', path: '/v2/models/add_sub/config' },
  { method: 'GET', path: '/v2/models/add_sub/stats' },
  { method: 'GET', path: '/v2/models/stats' },
  { method: 'POST', path: '/v2/models/add_sub/infer', body: INFER_BODY },
];

describe('inference token over HTTP', () => {
  let servers: Servers;
  before(async () => { servers = await startServers({ inferenceToken: INFERENCE_TOKEN, managementToken: MANAGEMENT_TOKEN }); });
  after(() => servers.close());

  it('leaves the health endpoints open, so probes need no token', async () => {
    assert.equal((await request(`${servers.http.url}/v2/health/live`, 'GET')).status, 200);
    assert.equal((await request(`${servers.http.url}/v2/health/ready`, 'GET')).status, 200);
  });

  it('refuses every other endpoint without the token, with 401 ERR_UNAUTHENTICATED', async () => {
    for (const { method, path, body } of GUARDED) {
      const response = await request(`${servers.http.url}${path}`, method, body);
      assert.equal(response.status, 401, `${method} ${path}`);
      assert.deepEqual(response.body, { error: 'this endpoint needs the inference token: send Authorization: Bearer <token>', code: 'ERR_UNAUTHENTICATED' }, `${method} ${path}`);
    }
  });

  it('refuses a wrong token and a malformed Authorization header', async () => {
    const wrong = await request(`${servers.http.url}/v2/models/add_sub/infer`, 'POST', INFER_BODY, bearer('guess'));
    assert.deepEqual({ status: wrong.status, body: wrong.body }, { status: 401, body: { error: 'the inference token is wrong', code: 'ERR_UNAUTHENTICATED' } });
    const basic = await request(`${servers.http.url}/v2`, 'GET', undefined, { authorization: `Basic ${INFERENCE_TOKEN}` });
    assert.equal(basic.status, 401);
    assert.match((basic.body as { error: string }).error, /the authorization scheme must be Bearer; send Authorization: Bearer <token>/);
    assert.equal(JSON.stringify(basic.body).includes(INFERENCE_TOKEN), false, 'the refusal does not echo the value');
  });

  it('answers every endpoint with the inference token, and with the management token', async () => {
    for (const token of [INFERENCE_TOKEN, MANAGEMENT_TOKEN]) {
      for (const { method, path, body } of GUARDED) {
        const response = await request(`${servers.http.url}${path}`, method, body, bearer(token));
        assert.equal(response.status, 200, `${method} ${path} with the ${token === INFERENCE_TOKEN ? 'inference' : 'management'} token`);
      }
    }
  });

  it('keeps the repository API for the management token: the inference token does not open it', async () => {
    const index = (headers: Record<string, string>) => request(`${servers.http.url}/v2/repository/index`, 'POST', {}, headers);
    const refused = await index(bearer(INFERENCE_TOKEN));
    assert.deepEqual({ status: refused.status, body: refused.body }, { status: 401, body: { error: 'the management token is wrong', code: 'ERR_UNAUTHENTICATED' } });
    assert.equal((await index(bearer(MANAGEMENT_TOKEN))).status, 200);
  });

  it('refuses a large body without the token before reading it (401, not 413)', async () => {
    const response = await request(`${servers.http.url}/v2/models/add_sub/infer`, 'POST', 'x'.repeat(4 * 1024 * 1024));
    assert.equal(response.status, 401);
  });

  it('answers unknown paths 401 without the token, so they do not reveal what exists', async () => {
    assert.equal((await request(`${servers.http.url}/v2/nothing/here`, 'GET')).status, 401);
    assert.equal((await request(`${servers.http.url}/v2/nothing/here`, 'GET', undefined, bearer(INFERENCE_TOKEN))).status, 404);
  });

  it('HttpClient sends `token` on inference calls and `managementToken` on repository calls', async () => {
    const client = new HttpClient({ url: servers.http.url, token: INFERENCE_TOKEN, managementToken: MANAGEMENT_TOKEN });
    const anonymous = new HttpClient({ url: servers.http.url });
    try {
      assert.equal(await client.isServerReady(), true);
      assert.deepEqual([...(await client.infer(INFER_INPUT)).outputs[0]!.data as Float32Array], [2, 3, 4, 5]);
      assert.equal((await client.modelMetadata('add_sub')).name, 'add_sub');
      assert.equal((await client.repositoryIndex()).length, 1);
      assert.equal(await anonymous.isServerLive(), true);
      await assert.rejects(anonymous.infer(INFER_INPUT), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_UNAUTHENTICATED');
      await assert.rejects(anonymous.serverMetadata(), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_UNAUTHENTICATED');
    } finally {
      client.close();
      anonymous.close();
    }
  });
});

describe('inference token over gRPC', () => {
  let servers: Servers;
  before(async () => { servers = await startServers({ inferenceToken: INFERENCE_TOKEN, managementToken: MANAGEMENT_TOKEN }); });
  after(() => servers.close());

  it('leaves ServerLive, ServerReady and grpc.health.v1 Check open', async () => {
    const anonymous = new GrpcClient({ url: servers.grpc.address });
    const stub = new GrpcStub(servers.grpc.address);
    try {
      assert.equal(await anonymous.isServerLive(), true);
      assert.equal(await anonymous.isServerReady(), true);
      assert.deepEqual(await stub.check(''), { status: 'SERVING' });
      assert.deepEqual(await stub.check('add_sub'), { status: 'SERVING' });
    } finally {
      anonymous.close();
      stub.close();
    }
  });

  it('refuses the other calls with UNAUTHENTICATED without the token or with a wrong one', async () => {
    for (const token of [undefined, 'guess']) {
      const client = new GrpcClient({ url: servers.grpc.address, ...(token !== undefined ? { token } : {}) });
      const message = token === undefined ? 'this endpoint needs the inference token: send Authorization: Bearer <token>' : 'the inference token is wrong';
      const refused = (error: unknown): boolean => error instanceof InferenceError && error.code === 'ERR_UNAUTHENTICATED' && error.message === message
        && (error.cause as { code?: number }).code === status.UNAUTHENTICATED;
      try {
        await assert.rejects(client.infer(INFER_INPUT), refused);
        await assert.rejects(client.serverMetadata(), refused);
        await assert.rejects(client.modelMetadata('add_sub'), refused);
        await assert.rejects(client.modelConfig('add_sub'), refused);
        await assert.rejects(client.modelStatistics(), refused);
        await assert.rejects(client.isModelReady('add_sub'), refused);
      } finally {
        client.close();
      }
    }
  });

  it('answers with the inference token or the management token; the repository API wants the management one', async () => {
    const inference = new GrpcClient({ url: servers.grpc.address, token: INFERENCE_TOKEN, managementToken: INFERENCE_TOKEN });
    const admin = new GrpcClient({ url: servers.grpc.address, token: MANAGEMENT_TOKEN, managementToken: MANAGEMENT_TOKEN });
    try {
      for (const client of [inference, admin]) {
        assert.deepEqual([...(await client.infer(INFER_INPUT)).outputs[1]!.data as Float32Array], [0, 1, 2, 3]);
        assert.equal((await client.modelConfig('add_sub')).max_batch_size, 8);
        assert.equal(await client.isModelReady('add_sub'), true);
      }
      await assert.rejects(inference.repositoryIndex(), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_UNAUTHENTICATED');
      assert.equal((await admin.repositoryIndex()).length, 1);
    } finally {
      inference.close();
      admin.close();
    }
  });
});

describe('management token alone', () => {
  let servers: Servers;
  before(async () => { servers = await startServers({ managementToken: MANAGEMENT_TOKEN }); });
  after(() => servers.close());

  it('leaves inference open and keeps guarding the repository API', async () => {
    assert.equal((await request(`${servers.http.url}/v2/models/add_sub/infer`, 'POST', INFER_BODY)).status, 200);
    assert.equal((await request(`${servers.http.url}/v2`, 'GET')).status, 200);
    assert.equal((await request(`${servers.http.url}/v2/repository/index`, 'POST', {})).status, 401);
    const client = new GrpcClient({ url: servers.grpc.address });
    try {
      assert.equal((await client.infer(INFER_INPUT)).modelName, 'add_sub');
    } finally {
      client.close();
    }
  });
});
