// The clients' repository calls (index, load, unload) against a real server in explicit mode with a
// management token, over both protocols; and, against recording fakes, that the token goes on
// those calls only and that Triton's empty 200 answers are taken.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Server, ServerCredentials, type Metadata, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { GrpcClient, HttpClient, createClient, type InferenceClient } from '../../src/client/index.js';
import { INFERENCE_SERVICE_NAME, loadGrpcPackageDefinition } from '../../src/protocol/index.js';
import { makeTempDir, startTestServerWithClients, type TestServerWithClients } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';

const TOKEN = 'client-t0ken';
let served: TestServerWithClients;
let cleanup: () => Promise<void>;
const clients: InferenceClient[] = [];

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  served = await startTestServerWithClients(tmp.dir, { modelControlMode: 'explicit', managementToken: TOKEN });
});

after(async () => {
  for (const client of clients) client.close();
  await served?.close();
  await cleanup?.();
});

function clientFor(protocol: 'http' | 'grpc', managementToken?: string): InferenceClient {
  const client = createClient(protocol, { url: protocol === 'http' ? served.server.url : served.grpc.address, ...(managementToken !== undefined ? { managementToken } : {}) });
  clients.push(client);
  return client;
}

const inputs = (batch: number) => ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32' as const, shape: [batch, 4], data: new Float32Array(batch * 4).fill(1) }));

for (const protocol of ['http', 'grpc'] as const) {
  describe(`${protocol} client repository calls`, () => {
    it('load, reload with a config (object or JSON text), and unload', async () => {
      const client = clientFor(protocol, TOKEN);
      await client.loadModel('add_sub');
      assert.deepEqual(await client.repositoryIndex({ readyOnly: true }), [{ name: 'add_sub', version: '1', state: 'READY', reason: '' }]);
      assert.equal((await client.infer({ modelName: 'add_sub', inputs: inputs(3) })).outputs.length, 2);

      await client.loadModel('add_sub', { config: { max_batch_size: 2 } });
      assert.equal((await client.modelConfig('add_sub')).max_batch_size, 2);
      await assert.rejects(client.infer({ modelName: 'add_sub', inputs: inputs(3) }), { code: 'ERR_INPUT_SHAPE' });
      await client.loadModel('add_sub', { config: '{"max_batch_size": 4}' });
      assert.equal((await client.modelConfig('add_sub')).max_batch_size, 4);

      await client.unloadModel('add_sub', { unloadDependents: true });
      assert.deepEqual(await client.repositoryIndex(), [{ name: 'add_sub', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' }]);
      await assert.rejects(client.infer({ modelName: 'add_sub', inputs: inputs(1) }), { code: 'ERR_MODEL_NOT_READY' });
      await client.loadModel('add_sub');
    });

    it("turn the server's refusals into InferenceErrors with its codes", async () => {
      const client = clientFor(protocol, TOKEN);
      await assert.rejects(client.loadModel('nope'), { name: 'InferenceError', code: 'ERR_MODEL_NOT_FOUND' });
      await assert.rejects(client.loadModel('add_sub', { config: '{"max_batch_size": -1}' }), { code: 'ERR_CONFIG_INVALID', message: /max_batch_size: -1 is negative/ });
      await assert.rejects(client.loadModel('add_sub', { config: '{oops' }), { code: 'ERR_CONFIG_INVALID', message: /not valid JSON/ });
      await assert.rejects(clientFor(protocol).repositoryIndex(), { code: 'ERR_UNAUTHENTICATED', message: /needs the management token/ });
      await assert.rejects(clientFor(protocol, 'wrong').unloadModel('add_sub'), { code: 'ERR_UNAUTHENTICATED', message: 'the management token is wrong' });
      assert.equal(await clientFor(protocol).isModelReady('add_sub'), true, 'the model calls need no token');
    });
  });
}

describe('the management token travels on the repository calls only', () => {
  it('HTTP: as Authorization: Bearer; an empty 200 answer (Triton) is success', async () => {
    const seen: [string, string | undefined][] = [];
    const fake = http.createServer((request, response) => {
      seen.push([request.url ?? '', request.headers.authorization]);
      request.resume();
      request.on('end', () => {
        if (request.url === '/v2/repository/index') return response.writeHead(200, { 'content-type': 'application/json' }).end('[]');
        if (request.url === '/v2/health/live') return response.writeHead(200).end();
        response.writeHead(200, { 'content-type': 'application/json' }).end();
      });
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    const client = new HttpClient({ url: `127.0.0.1:${(fake.address() as { port: number }).port}`, managementToken: 's3cret' });
    try {
      assert.equal(await client.isServerLive(), true);
      assert.deepEqual(await client.repositoryIndex(), []);
      await client.loadModel('a b');
      await client.unloadModel('m');
    } finally {
      client.close();
      await new Promise((resolve) => fake.close(resolve));
    }
    assert.deepEqual(seen, [
      ['/v2/health/live', undefined],
      ['/v2/repository/index', 'Bearer s3cret'],
      ['/v2/repository/models/a%20b/load', 'Bearer s3cret'],
      ['/v2/repository/models/m/unload', 'Bearer s3cret'],
    ]);
  });

  it('gRPC: as authorization metadata', async () => {
    const seen: [string, unknown[]][] = [];
    const record = (method: string, response: object) => (call: { metadata: Metadata }, callback: (error: null, value: object) => void): void => {
      seen.push([method, call.metadata.get('authorization')]);
      callback(null, response);
    };
    const handlers: UntypedServiceImplementation = {
      ServerLive: record('ServerLive', { live: true }),
      RepositoryIndex: record('RepositoryIndex', {}),
      RepositoryModelLoad: record('RepositoryModelLoad', {}),
      RepositoryModelUnload: record('RepositoryModelUnload', {}),
    };
    const fake = new Server();
    fake.addService(loadGrpcPackageDefinition()[INFERENCE_SERVICE_NAME] as ServiceDefinition, handlers);
    const port = await new Promise<number>((resolve, reject) => fake.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))));
    const client = new GrpcClient({ url: `127.0.0.1:${port}`, managementToken: 's3cret' });
    try {
      assert.equal(await client.isServerLive(), true);
      assert.deepEqual(await client.repositoryIndex(), []);
      await client.loadModel('m', { config: { max_batch_size: 1 } });
      await client.unloadModel('m');
    } finally {
      client.close();
      fake.forceShutdown();
    }
    assert.deepEqual(seen, [
      ['ServerLive', []],
      ['RepositoryIndex', ['Bearer s3cret']],
      ['RepositoryModelLoad', ['Bearer s3cret']],
      ['RepositoryModelUnload', ['Bearer s3cret']],
    ]);
  });
});
