// Runs every model in test/support/test-models.ts in onnxruntime-node, so the integration
// tests built on them can trust what each model does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { dataTypeInfo, type DataType } from '../../src/core/index.js';
import { toTypedArray } from '../../src/tools/onnx/index.js';
import {
  ADD_SUB_CONFIG, CORRUPT_MODEL_BYTES, IDENTITY_MODELS, IDENTITY_OPTIONS, buildAddSubModel, buildDynamicShapeModel,
  buildIdentityModel, buildRuntimeErrorModel, buildSlowModel, writeTestRepository,
} from '../support/test-models.js';

const ONE_THREAD = { intraOpNumThreads: 1, interOpNumThreads: 1 };
/** For sessions expected to fail: onnxruntime would also print the error to stderr. */
const QUIET = { ...ONE_THREAD, logSeverityLevel: 4 } as const;

/** Six sample elements of each datatype, as onnxruntime-node takes them. */
function sampleTensor(datatype: DataType, dims: readonly number[]): ort.Tensor {
  const ortType = dataTypeInfo(datatype).ortType as ort.Tensor.Type;
  if (datatype === 'BYTES') return new ort.Tensor('string', ['a', '', 'héllo', 'x', 'y', 'z'], dims);
  const values = dataTypeInfo(datatype).valueKind === 'bool' ? [1, 0, 1, 1, 0, 0] : [0, 1, 2, 3, 4, 5];
  return new ort.Tensor(ortType, toTypedArray(datatype, values) as ort.Tensor.DataType, dims);
}

function floats(values: number[], dims: readonly number[]): ort.Tensor {
  return new ort.Tensor('float32', Float32Array.from(values), dims);
}

describe('test models in onnxruntime-node', () => {
  for (const { name, datatype } of IDENTITY_MODELS) {
    if (datatype === 'BF16') continue;
    it(`${name} returns its input`, async () => {
      const session = await ort.InferenceSession.create(buildIdentityModel(datatype, IDENTITY_OPTIONS), ONE_THREAD);
      const input = sampleTensor(datatype, [2, 3]);
      const { OUTPUT0 } = await session.run({ INPUT0: input });
      assert.equal(OUTPUT0!.type, input.type);
      assert.deepEqual(OUTPUT0!.dims, [2, 3]);
      assert.deepEqual(OUTPUT0!.data, input.data);
      await session.release();
    });
  }

  it('identity_bf16 is a valid model that onnxruntime-node refuses to load', async () => {
    await assert.rejects(ort.InferenceSession.create(buildIdentityModel('BF16', IDENTITY_OPTIONS), QUIET), { message: /Unsupported data type: 16/ });
  });

  it('add_sub returns the sum and the difference', async () => {
    const session = await ort.InferenceSession.create(buildAddSubModel(), ONE_THREAD);
    const result = await session.run({ INPUT0: floats([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]), INPUT1: floats([8, 7, 6, 5, 4, 3, 2, 1], [2, 4]) });
    assert.deepEqual(session.outputNames, ['OUTPUT0', 'OUTPUT1']);
    assert.deepEqual(result.OUTPUT0!.data, Float32Array.of(9, 9, 9, 9, 9, 9, 9, 9));
    assert.deepEqual(result.OUTPUT1!.data, Float32Array.of(-7, -5, -3, -1, 1, 3, 5, 7));
    assert.deepEqual(result.OUTPUT1!.dims, [2, 4]);
    await session.release();
  });

  it('dynamic_shape doubles inputs of any 2-D shape', async () => {
    const session = await ort.InferenceSession.create(buildDynamicShapeModel(), ONE_THREAD);
    for (const dims of [[1, 1], [3, 5], [7, 2]]) {
      const values = Array.from({ length: dims[0]! * dims[1]! }, (_, i) => i - 3.5);
      const { OUTPUT0 } = await session.run({ INPUT0: floats(values, dims) });
      assert.deepEqual(OUTPUT0!.dims, dims);
      assert.deepEqual(OUTPUT0!.data, Float32Array.from(values, (v) => v * 2));
    }
    await session.release();
  });

  it('slow returns its input after a few hundred milliseconds on one thread', async (t) => {
    const session = await ort.InferenceSession.create(buildSlowModel(), ONE_THREAD);
    const started = performance.now();
    const { y } = await session.run({ x: floats([1.5], [1]) });
    const elapsedMs = performance.now() - started;
    t.diagnostic(`slow: one inference took ${elapsedMs.toFixed(0)} ms`);
    assert.deepEqual(y!.dims, [1]);
    assert.ok(Math.abs((y!.data as Float32Array)[0]! - 1.5) < 1e-4);
    // 20 MatMuls of 1024x1024 are 43 GFLOP: no single core does that in under 100 ms.
    assert.ok(elapsedMs > 100, `expected > 100 ms, took ${elapsedMs} ms`);
    await session.release();
  });

  it('runtime_error runs for a fitting shape and fails inside run() for another', async () => {
    const session = await ort.InferenceSession.create(buildRuntimeErrorModel(), QUIET);
    const data = floats([1, 2, 3, 4], [4]);
    const ok = await session.run({ data, shape: new ort.Tensor('int64', BigInt64Array.of(2n, 2n), [2]) });
    assert.deepEqual(ok.reshaped!.dims, [2, 2]);
    await assert.rejects(session.run({ data, shape: new ort.Tensor('int64', BigInt64Array.of(3n, 3n), [2]) }), { message: /cannot be reshaped/ });
    await session.release();
  });

  it('corrupt is refused by onnxruntime', async () => {
    await assert.rejects(ort.InferenceSession.create(CORRUPT_MODEL_BYTES, QUIET), { message: /protobuf parsing failed/ });
  });
});

describe('writeTestRepository', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-test-models-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes every model in the Triton layout', async () => {
    const written = await writeTestRepository(dir);
    const names = written.map((model) => model.name);
    assert.deepEqual(names, [...IDENTITY_MODELS.map((m) => m.name), 'add_sub', 'dynamic_shape', 'slow', 'runtime_error', 'corrupt']);
    assert.deepEqual((await readdir(dir)).sort(), [...names].sort());
    for (const model of written) {
      assert.equal(model.modelFile, join(dir, model.name, '1', 'model.onnx'));
      assert.deepEqual(await readdir(join(dir, model.name, '1')), ['model.onnx']);
    }
    assert.deepEqual(written.filter((m) => m.configFile !== undefined).map((m) => m.name), ['add_sub', 'dynamic_shape']);
    assert.equal(await readFile(join(dir, 'add_sub', 'config.pbtxt'), 'utf8'), ADD_SUB_CONFIG);
    assert.deepEqual(await readFile(join(dir, 'identity_fp32', '1', 'model.onnx')), Buffer.from(buildIdentityModel('FP32', IDENTITY_OPTIONS)));
    assert.deepEqual(await readFile(join(dir, 'corrupt', '1', 'model.onnx')), Buffer.from(CORRUPT_MODEL_BYTES));
  });
});
