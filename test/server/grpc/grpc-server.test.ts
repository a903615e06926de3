// The gRPC front end over the real engine: health, metadata, configuration, repository index,
// unimplemented RPCs, message size limits and shutdown, seen through a generated stub.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { GrpcStub, failure, startGrpcTestServer, type GrpcTestServer } from './grpc-harness.js';
import { startGrpcServer } from '../../../src/server/grpc/index.js';

let server: GrpcTestServer;

before(async () => {
  server = await startGrpcTestServer();
});

after(async () => {
  await server?.close();
});

describe('gRPC health and metadata', () => {
  it('ServerLive, ServerReady and ServerMetadata', async () => {
    assert.deepEqual(await server.client.call('ServerLive'), { live: true });
    assert.deepEqual(await server.client.call('ServerReady'), { ready: true });
    const { name, version, extensions } = server.engine.serverMetadata();
    assert.deepEqual(await server.client.call('ServerMetadata'), { name, version, extensions });
  });

  it('ModelReady: true for a loaded model, false for one that failed to load, NOT_FOUND for an unknown one', async () => {
    assert.deepEqual(await server.client.call('ModelReady', { name: 'add_sub' }), { ready: true });
    assert.deepEqual(await server.client.call('ModelReady', { name: 'add_sub', version: '1' }), { ready: true });
    assert.deepEqual(await server.client.call('ModelReady', { name: 'identity_bf16' }), { ready: false });
    const unknown = await failure(server.client.call('ModelReady', { name: 'nope' }));
    assert.equal(unknown.code, status.NOT_FOUND);
    assert.equal(unknown.wharfCode, 'ERR_MODEL_NOT_FOUND');
    assert.match(unknown.details, /^unknown model 'nope'; the repository has: add_sub, /);
    assert.deepEqual(await failure(server.client.call('ModelReady', { name: 'add_sub', version: '7' })), {
      code: status.NOT_FOUND, details: 'model \'add_sub\' has no version "7"; served versions: 1', wharfCode: 'ERR_MODEL_VERSION_NOT_FOUND',
    });
  });

  it('ModelMetadata gives versions, platform and shapes with -1 for the batch dim', async () => {
    const tensor = (name: string) => ({ name, datatype: 'FP32', shape: ['-1', '4'] });
    assert.deepEqual(await server.client.call('ModelMetadata', { name: 'add_sub' }), {
      name: 'add_sub', versions: ['1'], platform: 'onnxruntime_onnx', inputs: [tensor('INPUT0'), tensor('INPUT1')], outputs: [tensor('OUTPUT0'), tensor('OUTPUT1')],
    });
    const unavailable = await failure(server.client.call('ModelMetadata', { name: 'identity_bf16' }));
    assert.equal(unavailable.code, status.UNAVAILABLE);
    assert.equal(unavailable.wharfCode, 'ERR_MODEL_NOT_READY');
  });
});

describe('gRPC ModelConfig', () => {
  it('decodes as an inference.ModelConfig with max_batch_size, dims (int64, as strings) and enum names', async () => {
    const { config } = await server.client.call<{ config: Record<string, unknown> }>('ModelConfig', { name: 'add_sub' });
    assert.equal(config.name, 'add_sub');
    assert.equal(config.max_batch_size, 8);
    assert.equal(config.backend, 'onnxruntime');
    const input = (name: string) => ({
      name, data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: ['4'], is_shape_tensor: false, allow_ragged_batch: false, optional: false, is_non_linear_format_io: false,
    });
    assert.deepEqual(config.input, [input('INPUT0'), input('INPUT1')]);
    assert.deepEqual(config.version_policy, { latest: { num_versions: 1 }, policy_choice: 'latest' });
    assert.deepEqual((config.instance_group as { kind: string; count: number }[]).map((g) => [g.kind, g.count]), [['KIND_CPU', 1]]);
  });

  it('carries the scheduling oneof and uint64 fields of an auto-completed config', async () => {
    const { config } = await server.client.call<{ config: Record<string, unknown> }>('ModelConfig', { name: 'identity_fp32', version: '1' });
    assert.equal(config.scheduling_choice, 'dynamic_batching');
    assert.equal((config.dynamic_batching as { max_queue_delay_microseconds: string }).max_queue_delay_microseconds, '0');
    assert.deepEqual((config.output as { dims: string[] }[])[0]!.dims, ['-1']);
  });

  it('fails like the other model RPCs for unknown and unavailable models', async () => {
    assert.equal((await failure(server.client.call('ModelConfig', { name: 'nope' }))).code, status.NOT_FOUND);
    assert.equal((await failure(server.client.call('ModelConfig', { name: 'corrupt' }))).code, status.UNAVAILABLE);
  });
});

describe('gRPC RepositoryIndex', () => {
  it('lists every model with its state and reason; ready=true keeps the READY ones', async () => {
    const all = await server.client.call<{ models: { name: string; version: string; state: string; reason?: string }[] }>('RepositoryIndex', {});
    const corrupt = all.models.find((m) => m.name === 'corrupt');
    assert.equal(corrupt?.state, 'UNAVAILABLE');
    assert.match(corrupt?.reason ?? '', /corrupt\/1\/model\.onnx: onnxruntime could not load the model/);
    assert.deepEqual(all.models.find((m) => m.name === 'add_sub'), { name: 'add_sub', version: '1', state: 'READY', reason: '' });
    const ready = await server.client.call<{ models: { name: string; state: string }[] }>('RepositoryIndex', { ready: true });
    assert.deepEqual(ready.models.map((m) => m.name), server.engine.modelIndex({ readyOnly: true }).map((m) => m.name));
    assert.ok(ready.models.every((m) => m.state === 'READY'));
    assert.equal(ready.models.length, all.models.length - 2);
  });
});

describe('gRPC RPCs Wharf does not implement', () => {
  for (const method of ['SystemSharedMemoryStatus', 'TraceSetting', 'LogSettings']) {
    it(`${method} answers UNIMPLEMENTED`, async () => {
      const error = await failure(server.client.call(method, {}));
      assert.equal(error.code, status.UNIMPLEMENTED);
      assert.match(error.details, new RegExp(method));
    });
  }
});

describe('grpc.health.v1.Health/Check', () => {
  it('answers for the server, the inference service and each model', async () => {
    assert.deepEqual(await server.client.check(''), { status: 'SERVING' });
    assert.deepEqual(await server.client.check('inference.GRPCInferenceService'), { status: 'SERVING' });
    assert.deepEqual(await server.client.check('identity_fp32'), { status: 'SERVING' });
    assert.deepEqual(await server.client.check('identity_bf16'), { status: 'NOT_SERVING' });
    const unknown = await failure(server.client.check('nope'));
    assert.equal(unknown.code, status.NOT_FOUND);
    assert.equal(unknown.wharfCode, 'ERR_MODEL_NOT_FOUND');
  });
});

describe('gRPC message size limits and shutdown', () => {
  const fp32Request = (elements: number) => ({
    model_name: 'identity_fp32',
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: ['1', String(elements)] }],
    raw_input_contents: [Buffer.alloc(elements * 4)],
  });

  it('refuses a message over a configured limit with RESOURCE_EXHAUSTED naming the limit', async () => {
    const small = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0, maxReceiveMessageBytes: 1024 });
    const client = new GrpcStub(small.address);
    try {
      const error = await failure(client.call('ModelInfer', fp32Request(1024)));
      assert.equal(error.code, status.RESOURCE_EXHAUSTED);
      assert.match(error.details, /^Received message larger than max \(4\d{3} vs 1024\)$/);
      const fits = await client.call<{ raw_output_contents: Buffer[] }>('ModelInfer', fp32Request(16));
      assert.equal(fits.raw_output_contents[0]!.byteLength, 64);
    } finally {
      client.close();
      await small.close();
    }
  });

  it('accepts messages beyond grpc-js\'s 4 MiB default by default', async () => {
    const response = await server.client.call<{ raw_output_contents: Buffer[] }>('ModelInfer', fp32Request(1_500_000));
    assert.equal(response.raw_output_contents[0]!.byteLength, 6_000_000);
  });

  it('close() stops serving: later calls fail UNAVAILABLE', async () => {
    const extra = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0, closeGraceMs: 1000 });
    const client = new GrpcStub(extra.address);
    try {
      assert.deepEqual(await client.call('ServerLive'), { live: true });
      await extra.close();
      assert.equal((await failure(client.call('ServerLive'))).code, status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });
});
