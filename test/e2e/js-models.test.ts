/**
 * @module
 * Custom js models on the real server: a handler answering over HTTP JSON, HTTP binary and gRPC,
 * metadata and config, a model.js picked without a config naming the backend, and dynamic
 * batching with per-request errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GrpcClient, HttpClient } from '../../src/client/index.js';
import type { InferInput, InferResponse } from '../../src/index.js';
import { makeTempDir, request, startTestServerWithClients, type TestServer, type TestServerWithClients } from '../support/server-harness.js';
import { COMMAND_HANDLER, UPPER_CONFIG, UPPER_HANDLER } from '../support/js-models/command-handler.js';
import { commandConfig, commandRequest, writeJsModel } from '../support/js-models/js-model-writer.js';

let served: TestServerWithClients;
let server: TestServer;
let http: HttpClient;
let grpcClient: GrpcClient;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir('wharf-js-e2e-');
  cleanup = tmp.cleanup;
  await writeJsModel(tmp.dir, 'double', { source: COMMAND_HANDLER, config: commandConfig({ instances: 2 }) });
  await writeJsModel(tmp.dir, 'upper', { source: UPPER_HANDLER, config: UPPER_CONFIG });
  // Batches wait up to 2 s for a fourth request; four concurrent requests therefore run as one batch at once.
  await writeJsModel(tmp.dir, 'batcher', { source: COMMAND_HANDLER, config: commandConfig({ dynamicBatching: 'max_queue_delay_microseconds: 2000000 preferred_batch_size: [ 4 ]' }) });
  // No backend named: the folder's model.js picks the js backend.
  await writeJsModel(tmp.dir, 'unnamed', { source: COMMAND_HANDLER, config: commandConfig().replace('backend: "js"\n', '') });
  await writeJsModel(tmp.dir, 'module_named', { source: UPPER_HANDLER, fileName: 'model.mjs', config: `${UPPER_CONFIG}default_model_filename: "model.mjs"\n` });
  await writeJsModel(tmp.dir, 'module_only', { source: UPPER_HANDLER, fileName: 'model.mjs', config: UPPER_CONFIG });
  served = await startTestServerWithClients(tmp.dir);
  ({ server, http, grpcClient } = served);
});

after(async () => {
  await served?.close();
  await cleanup?.();
});

const decode = (data: unknown): string[] => (data as Uint8Array[]).map((e) => Buffer.from(e).toString('utf8'));
const numbers = (data: unknown): number[] => Array.from(data as ArrayLike<number>);

describe('a js model', () => {
  const transports: [string, (r: InferInput) => Promise<InferResponse>][] = [
    ['HTTP JSON', (r) => http.infer(r, { json: true })],
    ['HTTP binary', (r) => http.infer(r)],
    ['gRPC', (r) => grpcClient.infer(r)],
  ];
  for (const [name, infer] of transports) {
    it(`answers over ${name}`, async () => {
      const doubled = await infer(commandRequest('double', 'ok', [1.5, -2, 3]));
      assert.deepEqual(doubled.outputs.map((o) => [o.name, o.datatype, o.shape]), [['y', 'FP32', [1, 3]], ['batch', 'INT32', [1, 1]], ['instance', 'INT32', [1, 1]]]);
      assert.deepEqual(numbers(doubled.outputs[0]!.data), [3, -4, 6]);
      const upper = await infer({ modelName: 'upper', inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['wharf', 'héllo'] }] });
      assert.deepEqual(decode(upper.outputs[0]!.data), ['WHARF', 'HÉLLO']);
    });
  }

  it('reports platform js in metadata and backend js in its config, also when picked by its model.js', async () => {
    const metadata = await request(`${server.url}/v2/models/double`, 'GET');
    assert.equal((metadata.body as { platform: string }).platform, 'js');
    const config = await request(`${server.url}/v2/models/double/config`, 'GET');
    assert.equal((config.body as { backend: string }).backend, 'js');
    const unnamed = await request(`${server.url}/v2/models/unnamed`, 'GET');
    assert.equal(unnamed.status, 200, JSON.stringify(unnamed.body));
    assert.equal((unnamed.body as { platform: string }).platform, 'js');
    assert.deepEqual(numbers((await http.infer(commandRequest('unnamed', 'ok'))).outputs[0]!.data), [2, 4]);
  });

  it('loads model.mjs named by default_model_filename', async () => {
    const upper = await http.infer({ modelName: 'module_named', inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['mjs'] }] });
    assert.deepEqual(decode(upper.outputs[0]!.data), ['MJS']);
  });

  it('loads a folder holding only model.mjs, and reports backend js for a model picked by its file', async () => {
    const upper = await http.infer({ modelName: 'module_only', inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['mjs'] }] });
    assert.deepEqual(decode(upper.outputs[0]!.data), ['MJS']);
    const config = await request(`${server.url}/v2/models/unnamed/config`, 'GET');
    assert.equal((config.body as { backend: string }).backend, 'js');
  });

  it('returns only the requested outputs, in the requested order', async () => {
    const response = await http.infer({ ...commandRequest('double', 'ok'), outputs: ['instance', 'y'] });
    assert.deepEqual(response.outputs.map((o) => o.name), ['instance', 'y']);
  });

  it('takes part in dynamic batching: requests arrive unmerged, and one request\'s error fails it alone', async () => {
    const commands = ['ok', 'refuse', 'bad-dtype', 'ok'];
    const settled = await Promise.allSettled(commands.map((command, i) => http.infer(commandRequest('batcher', command, Array.from({ length: i + 1 }, () => i)))));
    const [first, refused, invalid, last] = settled;
    assert.ok(first?.status === 'fulfilled' && last?.status === 'fulfilled');
    // Each request keeps its own shape: a batch is a list of requests, not a merged tensor.
    assert.deepEqual(numbers(first.value.outputs[0]!.data), [0]);
    assert.deepEqual(numbers(last.value.outputs[0]!.data), [6, 6, 6, 6]);
    assert.ok(refused?.status === 'rejected' && invalid?.status === 'rejected');
    assert.equal((refused.reason as { code: string }).code, 'ERR_HANDLER_INPUT_REJECTED');
    assert.match((refused.reason as Error).message, /model 'batcher': x must not be refused/);
    assert.equal((invalid.reason as { code: string }).code, 'ERR_HANDLER_OUTPUT_INVALID');
    assert.match((invalid.reason as Error).message, /model 'batcher', request \d, output 'y': datatype the string "FP64" but the config declares FP32/);
    const sizes = [first.value, last.value].map((r) => numbers(r.outputs[1]!.data)[0]!);
    assert.ok(sizes.every((size) => size > 1), `the successful requests ran in batches with others (batch sizes ${sizes.join(', ')})`);
  });

  it('answers a per-request handler error with 400 for INVALID_ARG and 500 otherwise, over HTTP JSON', async () => {
    const body = (command: string) => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1], data: [1] }, { name: 'cmd', datatype: 'BYTES', shape: [1, 1], data: [command] }] });
    assert.deepEqual(await request(`${server.url}/v2/models/double/infer`, 'POST', body('refuse')).then((r) => [r.status, r.body]),
      [400, { error: "model 'double': x must not be refused", code: 'ERR_HANDLER_INPUT_REJECTED' }]);
    assert.deepEqual(await request(`${server.url}/v2/models/double/infer`, 'POST', body('fail')).then((r) => [r.status, r.body]),
      [500, { error: "model 'double': the model failed for this request", code: 'ERR_BACKEND_RUNTIME' }]);
  });
});
