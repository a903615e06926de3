import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { InferenceError, createClient, parseServerAddress, type InferenceClient } from '../../src/client/index.js';
import { makeTempDir, startTestServerWithClients, type TestServer, type TestServerWithClients } from '../support/server-harness.js';
import { writeAddSubModel, writeCorruptModel, writeSlowModel } from '../support/test-models.js';

let served: TestServerWithClients;
let server: TestServer;
let cleanup: () => Promise<void>;
let clients: InferenceClient[] = [];

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  await writeSlowModel(tmp.dir);
  await writeCorruptModel(tmp.dir);
  served = await startTestServerWithClients(tmp.dir);
  server = served.server;
  clients = [served.http, served.grpcClient];
});

after(async () => {
  await served?.close();
  await cleanup?.();
});

/** A port with nothing listening: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('client address parsing', () => {
  it('takes host:port as perf_analyzer does, or a URL', () => {
    assert.deepEqual(parseServerAddress('localhost:8000', 8000), { secure: false, host: 'localhost', port: 8000, basePath: '' });
    assert.deepEqual(parseServerAddress('https://models.example/prefix/', 8000), { secure: true, host: 'models.example', port: 8000, basePath: '/prefix' });
    assert.deepEqual(parseServerAddress('[::1]:9001', 8001), { secure: false, host: '::1', port: 9001, basePath: '' });
    assert.equal(parseServerAddress('grpc://h', 8001).port, 8001);
    assert.throws(() => parseServerAddress('ftp://h', 8000), /unsupported scheme ftp:/);
  });
});

for (const index of [0, 1]) {
  const name = index === 0 ? 'HttpClient' : 'GrpcClient';
  describe(name, () => {
    const client = (): InferenceClient => clients[index]!;

    it('reads health, metadata, config and the index', async () => {
      assert.equal(await client().isServerLive(), true);
      assert.equal(await client().isServerReady(), true);
      assert.equal(await client().isModelReady('add_sub'), true);
      assert.equal(await client().isModelReady('corrupt'), false);
      assert.deepEqual(await client().serverMetadata(), server.engine.serverMetadata());
      assert.deepEqual(await client().modelMetadata('add_sub'), await server.engine.modelMetadata('add_sub'));
      assert.deepEqual(await client().modelConfig('add_sub'), await server.engine.modelConfig('add_sub'));
      assert.deepEqual(await client().repositoryIndex(), server.engine.modelIndex());
      assert.deepEqual(await client().repositoryIndex({ readyOnly: true }), server.engine.modelIndex({ readyOnly: true }));
    });

    it('infers with typed arrays, a request id and requested outputs', async () => {
      const response = await client().infer({
        modelName: 'add_sub',
        id: 'client-1',
        inputs: [
          { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: new Float32Array([1, 2, 3, 4]) },
          { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: new Float32Array([1, 1, 1, 1]) },
        ],
        outputs: ['OUTPUT1'],
      });
      assert.equal(response.id, 'client-1');
      assert.equal(response.modelVersion, '1');
      assert.deepEqual(response.outputs.map((o) => [o.name, o.shape, [...(o.data as Float32Array)]]), [['OUTPUT1', [1, 4], [0, 1, 2, 3]]]);
    });

    it('raises the server\'s errors as InferenceError with its code', async () => {
      await assert.rejects(client().modelMetadata('nope'), (error: InferenceError) => error.code === 'ERR_MODEL_NOT_FOUND' && /unknown model 'nope'/.test(error.message));
      await assert.rejects(client().isModelReady('nope'), (error: InferenceError) => error.code === 'ERR_MODEL_NOT_FOUND');
      await assert.rejects(
        client().infer({ modelName: 'add_sub', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) }] }),
        (error: InferenceError) => error.code === 'ERR_INPUT_MISSING' && error.httpStatus === 400 && error.grpcStatus === 3,
      );
    });

    it('gives up after its timeout with ERR_TIMEOUT', async () => {
      const started = performance.now();
      await assert.rejects(
        client().infer({ modelName: 'slow', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data: new Float32Array([1]) }] }, { timeoutMs: 50 }),
        (error: InferenceError) => error.code === 'ERR_TIMEOUT',
      );
      assert.ok(performance.now() - started < 5000);
    });

    it('says when the server cannot be reached', async () => {
      const port = await closedPort();
      const unreachable = createClient(index === 0 ? 'http' : 'grpc', { url: `127.0.0.1:${port}`, timeoutMs: 2000 });
      await assert.rejects(unreachable.serverMetadata(), (error: InferenceError) => error.code === 'ERR_SERVER_UNREACHABLE' && error.message.includes(String(port)));
      unreachable.close();
    });
  });
}
