// The server-wide limits: --max-batch-size (400 ERR_BATCH_TOO_LARGE over HTTP, INVALID_ARGUMENT
// over gRPC) and --max-connections (HTTP connections over it are reset on accept; gRPC
// advertises it as SETTINGS_MAX_CONCURRENT_STREAMS, so clients queue calls over it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as connectHttp2 } from 'node:http2';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { status } from '@grpc/grpc-js';
import { InferenceServer } from '../../src/engine/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { makeTempDir, request } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';
import { killAll, startServe } from './serve-process.js';

function batchOf(rows: number) {
  const data = new Float32Array(rows * 4).fill(1);
  return {
    modelName: 'add_sub',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32' as const, shape: [rows, 4], data },
      { name: 'INPUT1', datatype: 'FP32' as const, shape: [rows, 4], data: data.slice() },
    ],
  };
}

let tmp: { dir: string; cleanup: () => Promise<void> };
let engine: InferenceServer;

before(async () => {
  tmp = await makeTempDir('wharf-limits-');
  await writeAddSubModel(tmp.dir);
  engine = await InferenceServer.open({ modelRepository: tmp.dir, maxBatchSize: 2 });
});
after(async () => {
  killAll();
  await engine.close();
  await tmp.cleanup();
});

describe('--max-batch-size', () => {
  let http: RunningHttpServer;
  let grpc: RunningGrpcServer;
  before(async () => {
    http = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
    grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0 });
  });
  after(() => Promise.all([http.close(), grpc.close()]));

  const message = "batch size 3 exceeds the server's limit of 2 (--max-batch-size); send at most 2 per request";

  it('refuses a larger batch over HTTP with 400 naming the limit, below the model\'s own max_batch_size of 8', async () => {
    const body = { inputs: batchOf(3).inputs.map((input) => ({ ...input, data: [...input.data] })) };
    const refused = await request(`${http.url}/v2/models/add_sub/infer`, 'POST', body);
    assert.deepEqual({ status: refused.status, body: refused.body }, { status: 400, body: { error: message, code: 'ERR_BATCH_TOO_LARGE' } });
    const client = new HttpClient({ url: http.url });
    try {
      assert.deepEqual((await client.infer(batchOf(2))).outputs[0]!.shape, [2, 4]);
    } finally {
      client.close();
    }
  });

  it('refuses it over gRPC with INVALID_ARGUMENT', async () => {
    const client = new GrpcClient({ url: grpc.address });
    try {
      await assert.rejects(client.infer(batchOf(3)), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_BATCH_TOO_LARGE'
        && error.message === message && (error.cause as { code?: number }).code === status.INVALID_ARGUMENT);
      assert.deepEqual((await client.infer(batchOf(1))).outputs[0]!.shape, [1, 4]);
    } finally {
      client.close();
    }
  });
});

/** A raw connection that has had one keep-alive request answered, so the server surely counts it. */
async function openConnection(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  const [chunk] = await once(socket, 'data') as [Buffer];
  assert.match(chunk.toString(), /^HTTP\/1\.1 200/);
  return socket;
}

describe('--max-connections over HTTP', () => {
  it('resets connections over the limit at once; a freed slot takes a new one', async () => {
    const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0, maxConnections: 2 });
    const held = [await openConnection(http.port), await openConnection(http.port)];
    const client = new HttpClient({ url: http.url, timeoutMs: 5000 });
    try {
      await assert.rejects(client.isServerLive(), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_SERVER_UNREACHABLE'
        && /ECONNRESET|socket hang up/.test(error.message));
      const fetched = await fetch(`${http.url}/v2/health/live`).then(() => 'answered', (error: Error) => `${error.message}: ${String((error.cause as Error | undefined)?.message)}`);
      assert.match(fetched, /fetch failed: (other side closed|read ECONNRESET|.*socket)/);
      held[0]!.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(await client.isServerLive(), true);
    } finally {
      client.close();
      for (const socket of held) socket.destroy();
      await http.close();
    }
  });
});

describe('--max-connections over gRPC', () => {
  it('advertises the limit as SETTINGS_MAX_CONCURRENT_STREAMS; calls over it wait their turn', async () => {
    const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0, maxConcurrentStreams: 1 });
    const session = connectHttp2(`http://${grpc.address}`);
    const client = new GrpcClient({ url: grpc.address });
    try {
      const [settings] = await once(session, 'remoteSettings') as [{ maxConcurrentStreams?: number }];
      assert.equal(settings.maxConcurrentStreams, 1);
      const answers = await Promise.all([1, 2, 1, 2].map((rows) => client.infer(batchOf(rows))));
      assert.deepEqual(answers.map((answer) => answer.outputs[0]!.shape[0]), [1, 2, 1, 2]);
    } finally {
      session.close();
      client.close();
      await grpc.close();
    }
  });
});

describe('wharf serve limits and token flags', () => {
  it('takes them from the environment, and never logs the inference token', { timeout: 30_000 }, async () => {
    const token = 'inf-9b2e-never-logged';
    const server = startServe(tmp.dir, ['--allow-metrics', 'false'], {
      WHARF_INFERENCE_TOKEN: token, WHARF_MAX_BATCH_SIZE: '1', WHARF_MAX_CONNECTIONS: '8', WHARF_CORS_ORIGIN: 'https://app.example',
    });
    const starting = await server.waitFor('starting');
    assert.equal(starting.inferenceToken, '[redacted]');
    await server.waitFor('server ready');
    const { http } = await server.addresses();
    const body = { inputs: batchOf(2).inputs.map((input) => ({ ...input, data: [...input.data] })) };
    assert.equal((await request(`${http}/v2/models/add_sub/infer`, 'POST', body)).status, 401);
    const refused = await request(`${http}/v2/models/add_sub/infer`, 'POST', body, { authorization: `Bearer ${token}`, origin: 'https://app.example' });
    assert.equal(refused.status, 400);
    assert.equal((refused.body as { code: string }).code, 'ERR_BATCH_TOO_LARGE');
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://app.example');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
    assert.equal(server.output().includes(token), false, 'the token is not in the output');
  });
});
