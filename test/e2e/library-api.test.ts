import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceServer, InferenceError, type Tensor } from '../../src/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { writeAddSubModel, writeIdentityModel } from '../support/test-models.js';

let engine: InferenceServer;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  cleanup = tmp.cleanup;
  await writeAddSubModel(tmp.dir);
  await writeIdentityModel(tmp.dir, 'identity_bytes', 'BYTES', { batched: true });
  await writeIdentityModel(tmp.dir, 'identity_fp16', 'FP16', { batched: true });
  await writeIdentityModel(tmp.dir, 'identity_bool', 'BOOL', { batched: true });
  await writeIdentityModel(tmp.dir, 'identity_rank1', 'INT32', { batched: true, dims: [] });
  engine = await InferenceServer.open({ modelRepository: tmp.dir });
});

after(async () => {
  await engine?.close();
  await cleanup?.();
});

describe('InferenceServer as a library', () => {
  it('infers with typed arrays and leaves the caller\'s arrays intact', async () => {
    const a = new Float32Array([1, 2, 3, 4]);
    const b = new Float32Array([4, 3, 2, 1]);
    const response = await engine.infer({ modelName: 'add_sub', inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: a },
      { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: b },
    ] });
    assert.equal(response.modelVersion, '1');
    const sum = response.outputs[0] as Extract<Tensor, { datatype: 'FP32' }>;
    assert.ok(sum.data instanceof Float32Array);
    assert.deepEqual([...sum.data], [5, 5, 5, 5]);
    assert.deepEqual([...a], [1, 2, 3, 4], 'inputs are copied by default');
  });

  it('moves buffers without copying when asked to', async () => {
    const a = new Float32Array([1, 2, 3, 4]);
    await engine.infer({ modelName: 'add_sub', inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: a },
      { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) },
    ] }, { transferInputs: true });
    assert.equal(a.length, 0, 'the buffer was transferred to the worker');
  });

  it('takes BYTES as strings or bytes and returns bytes', async () => {
    const response = await engine.infer({ modelName: 'identity_bytes', inputs: [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, 3], data: ['a', 'ü', ''] }] });
    const output = response.outputs[0] as Extract<Tensor, { datatype: 'BYTES' }>;
    assert.deepEqual(output.data.map((b) => new TextDecoder().decode(b)), ['a', 'ü', '']);
    const invalid = engine.infer({ modelName: 'identity_bytes', inputs: [{ name: 'INPUT0', datatype: 'BYTES', shape: [1, 1], data: [new Uint8Array([0xff, 0xfe])] }] });
    await assert.rejects(invalid, (error: InferenceError) => error.code === 'ERR_INPUT_DATA' && /element 0 is not valid UTF-8/.test(error.message));
  });

  it('keeps FP16 bits and BOOL values exact', async () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]);
    const fp16 = await engine.infer({ modelName: 'identity_fp16', inputs: [{ name: 'INPUT0', datatype: 'FP16', shape: [1, 4], data: bits }] });
    assert.deepEqual([...(fp16.outputs[0]!.data as Uint16Array)], [...bits]);
    const bool = await engine.infer({ modelName: 'identity_bool', inputs: [{ name: 'INPUT0', datatype: 'BOOL', shape: [2, 1], data: new Uint8Array([1, 0]) }] });
    assert.deepEqual([...(bool.outputs[0]!.data as Uint8Array)], [1, 0]);
  });

  it('applies the reshape Triton completes for rank-1 batched tensors', async () => {
    const config = await engine.modelConfig('identity_rank1') as { input: { dims: number[]; reshape?: { shape: number[] } }[] };
    assert.deepEqual([config.input[0]!.dims, config.input[0]!.reshape], [[1], { shape: [] }]);
    const response = await engine.infer({ modelName: 'identity_rank1', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [3, 1], data: new Int32Array([7, 8, 9]) }] });
    assert.deepEqual(response.outputs[0]!.shape, [3, 1], 'the model sees [3]; the client sees the config dims again');
    assert.deepEqual([...(response.outputs[0]!.data as Int32Array)], [7, 8, 9]);
  });

  it('refuses data in the wrong kind of array', async () => {
    const wrong = engine.infer({ modelName: 'add_sub', inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: [1, 4], data: new Float64Array(4) as unknown as Float32Array },
      { name: 'INPUT1', datatype: 'FP32', shape: [1, 4], data: new Float32Array(4) },
    ] });
    await assert.rejects(wrong, (error: InferenceError) => error.code === 'ERR_INPUT_DATA' && /FP32 data must be a Float32Array/.test(error.message));
  });

  it('exposes metadata, config and the index', async () => {
    assert.deepEqual((await engine.modelMetadata('add_sub')).inputs[0], { name: 'INPUT0', datatype: 'FP32', shape: [-1, 4] });
    assert.equal((await engine.modelConfig('add_sub')).max_batch_size, 8);
    assert.equal(engine.modelIndex().length, 5);
    assert.equal(engine.isModelReady('add_sub'), true);
  });

  it('rejects new requests once closing, after finishing the ones in flight', async () => {
    const tmp = await makeTempDir();
    await writeAddSubModel(tmp.dir);
    const local = await InferenceServer.open({ modelRepository: tmp.dir });
    const inputs = [
      { name: 'INPUT0', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array(4) },
      { name: 'INPUT1', datatype: 'FP32' as const, shape: [1, 4], data: new Float32Array(4) },
    ];
    const inflight = local.infer({ modelName: 'add_sub', inputs });
    const closing = local.close();
    await assert.rejects(local.infer({ modelName: 'add_sub', inputs }), (error: InferenceError) => error.code === 'ERR_SERVER_STOPPING');
    assert.equal((await inflight).outputs.length, 2);
    await closing;
    assert.equal(local.isReady(), false);
    await tmp.cleanup();
  });
});
