// model_warmup against real models in onnxruntime (through the ONNX backend, as the repository
// loads them), plus failure cases and a property test of the sample builder.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ExecuteRequest, ExecuteResult, LoadedModel } from '../../src/backends/index.js';
import { OnnxBackend } from '../../src/backends/onnx/index.js';
import { completeModelConfig, parseModelConfigText, type CompletedModelConfig, type ModelConfig, type ModelWarmup } from '../../src/config/index.js';
import { DATA_TYPES, dataTypeInfo, elementCount, hasExpectedArray, type DataType, type Tensor } from '../../src/core/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { buildWarmupInputs, runModelWarmup } from '../../src/repository/model-warmup.js';
import type { WrittenModel } from '../support/model-repository-writer.js';
import {
  ADD_SUB_CONFIG, DYNAMIC_SHAPE_CONFIG, IDENTITY_OPTIONS, writeAddSubModel, writeDynamicShapeModel, writeIdentityModel, writeRuntimeErrorModel,
} from '../support/test-models.js';

interface OpenModel {
  readonly loaded: LoadedModel;
  readonly config: CompletedModelConfig;
  /** `<repo>/<model>`, the folder whose warmup/ holds the data files. */
  readonly dir: string;
}

/** Wraps a model to keep a copy of every request (the backend detaches the originals) and every result. */
class RecordingModel implements LoadedModel {
  readonly requests: ExecuteRequest[] = [];
  readonly results: ExecuteResult[] = [];
  readonly #inner: LoadedModel;

  constructor(inner: LoadedModel) {
    this.#inner = inner;
  }

  get signature(): LoadedModel['signature'] { return this.#inner.signature; }
  get instanceCount(): number { return this.#inner.instanceCount; }

  async execute(request: ExecuteRequest): Promise<ExecuteResult> {
    this.requests.push({ inputs: request.inputs.map(copyTensor), outputNames: [...request.outputNames] });
    const result = await this.#inner.execute(request);
    this.results.push(result);
    return result;
  }

  unload(): Promise<void> {
    return this.#inner.unload();
  }
}

function copyTensor(tensor: Tensor): Tensor {
  const data = tensor.datatype === 'BYTES' ? tensor.data.map((e) => e.slice()) : tensor.data.slice();
  return { ...tensor, shape: [...tensor.shape], data } as Tensor;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();
const text = (tensor: Tensor): string[] => (tensor.data as Uint8Array[]).map((e) => fromUtf8.decode(e));

/** Triton's binary BYTES layout: a 4-byte little-endian length before each element. */
function lengthPrefixed(elements: readonly string[]): Uint8Array {
  const parts = elements.map((e) => utf8.encode(e));
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    new DataView(out.buffer).setUint32(at, part.byteLength, true);
    out.set(part, at + 4);
    at += 4 + part.byteLength;
  }
  return out;
}

const withWarmup = (config: CompletedModelConfig, ...warmups: ModelWarmup[]): CompletedModelConfig => ({ ...config, model_warmup: warmups });

async function rejectsWarmup(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof InferenceError, `expected an InferenceError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_WARMUP_FAILED');
    assert.match(error.message, message);
    return true;
  });
}

let repo: string;
const opened: LoadedModel[] = [];
let addSub: OpenModel;
let identityFp32: OpenModel;
let identityBytes: OpenModel;
let dynamicShape: OpenModel;
let runtimeError: OpenModel;

async function open(model: WrittenModel, config?: ModelConfig): Promise<OpenModel> {
  const backend = new OnnxBackend({ cores: 1 });
  const loaded = await backend.load({ modelName: model.name, version: '1', versionDir: join(model.directory, '1'), modelFile: 'model.onnx', instanceCount: 1, parameters: {} });
  opened.push(loaded);
  const completed = completeModelConfig(config, { modelName: model.name, configFile: model.configFile, modelFile: model.modelFile, signature: loaded.signature });
  return { loaded, config: completed, dir: model.directory };
}

before(async () => {
  repo = await mkdtemp(join(tmpdir(), 'wharf-warmup-'));
  addSub = await open(await writeAddSubModel(repo), parseModelConfigText(ADD_SUB_CONFIG, 'add_sub/config.pbtxt'));
  identityFp32 = await open(await writeIdentityModel(repo, 'identity_fp32', 'FP32', IDENTITY_OPTIONS));
  identityBytes = await open(await writeIdentityModel(repo, 'identity_bytes', 'BYTES', IDENTITY_OPTIONS));
  dynamicShape = await open(await writeDynamicShapeModel(repo), parseModelConfigText(DYNAMIC_SHAPE_CONFIG, 'dynamic_shape/config.pbtxt'));
  runtimeError = await open(await writeRuntimeErrorModel(repo));
  await mkdir(join(identityFp32.dir, 'warmup'), { recursive: true });
  await mkdir(join(identityBytes.dir, 'warmup'), { recursive: true });
  await mkdir(join(runtimeError.dir, 'warmup'), { recursive: true });
});

after(async () => {
  await Promise.all(opened.map((loaded) => loaded.unload()));
  await rm(repo, { recursive: true, force: true });
});

describe('model warm-up on real models', () => {
  it('runs zero_data from a parsed config.pbtxt, with the batch dim prepended and every output requested', async () => {
    const text = `${ADD_SUB_CONFIG}model_warmup [ { name: "zeros" batch_size: 3 inputs [
      { key: "INPUT0" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } },
      { key: "INPUT1" value: { data_type: TYPE_FP32 dims: [ 4 ] zero_data: true } } ] } ]\n`;
    const config = completeModelConfig(parseModelConfigText(text, 'add_sub/config.pbtxt'), {
      modelName: 'add_sub', configFile: 'add_sub/config.pbtxt', modelFile: 'add_sub/1/model.onnx', signature: addSub.loaded.signature,
    });
    const model = new RecordingModel(addSub.loaded);
    await runModelWarmup(model, config, addSub.dir);
    assert.equal(model.requests.length, 1);
    const [request] = model.requests;
    assert.deepEqual(request!.outputNames, ['OUTPUT0', 'OUTPUT1']);
    assert.deepEqual(request!.inputs.map((t) => [t.name, t.datatype, t.shape]), [['INPUT0', 'FP32', [3, 4]], ['INPUT1', 'FP32', [3, 4]]]);
    for (const input of request!.inputs) assert.deepEqual(input.data, new Float32Array(12));
    assert.deepEqual(model.results[0]!.outputs.map((t) => [t.name, t.shape]), [['OUTPUT0', [3, 4]], ['OUTPUT1', [3, 4]]]);
  });

  it('runs random_data with floats in [0, 1) that the model computes on', async () => {
    const random = { data_type: 'TYPE_FP32', dims: [4], random_data: true } as const;
    const model = new RecordingModel(addSub.loaded);
    await runModelWarmup(model, withWarmup(addSub.config, { name: 'random', batch_size: 2, inputs: { INPUT0: random, INPUT1: random } }), addSub.dir);
    const [a, b] = model.requests[0]!.inputs.map((t) => t.data as Float32Array);
    for (const value of [...a!, ...b!]) assert.ok(value >= 0 && value < 1, `${value} is outside [0, 1)`);
    const sum = model.results[0]!.outputs[0]!.data as Float32Array;
    sum.forEach((value, i) => assert.ok(Math.abs(value - (a![i]! + b![i]!)) < 1e-6));
  });

  it('reads an FP32 input_data_file and repeats the sample for each of batch_size', async () => {
    await writeFile(join(identityFp32.dir, 'warmup', 'sample.bin'), new Uint8Array(Float32Array.of(1.5, -2, 3).buffer));
    const model = new RecordingModel(identityFp32.loaded);
    const input = { data_type: 'TYPE_FP32', dims: [3], input_data_file: 'sample.bin' } as const;
    await runModelWarmup(model, withWarmup(identityFp32.config, { name: 'file', batch_size: 2, inputs: { INPUT0: input } }), identityFp32.dir);
    const [sent] = model.requests[0]!.inputs;
    assert.deepEqual(sent!.shape, [2, 3]);
    assert.deepEqual(sent!.data, Float32Array.of(1.5, -2, 3, 1.5, -2, 3));
    assert.deepEqual(model.results[0]!.outputs[0]!.data, Float32Array.of(1.5, -2, 3, 1.5, -2, 3));
  });

  it('reads a BYTES input_data_file of length-prefixed elements', async () => {
    await writeFile(join(identityBytes.dir, 'warmup', 'strings.bin'), lengthPrefixed(['a', '', 'héllo']));
    const model = new RecordingModel(identityBytes.loaded);
    const input = { data_type: 'TYPE_STRING', dims: [3], input_data_file: 'strings.bin' } as const;
    await runModelWarmup(model, withWarmup(identityBytes.config, { batch_size: 2, inputs: { INPUT0: input } }), identityBytes.dir);
    const [sent] = model.requests[0]!.inputs;
    assert.deepEqual(sent!.shape, [2, 3]);
    assert.deepEqual(text(sent!), ['a', '', 'héllo', 'a', '', 'héllo']);
    assert.deepEqual(text(model.results[0]!.outputs[0]!), ['a', '', 'héllo', 'a', '', 'héllo']);
  });

  it('sends empty strings for BYTES zero_data and random_data, as Triton does', async () => {
    for (const kind of ['zero_data', 'random_data'] as const) {
      const model = new RecordingModel(identityBytes.loaded);
      await runModelWarmup(model, withWarmup(identityBytes.config, { batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_STRING', dims: [2], [kind]: true } } }), identityBytes.dir);
      assert.deepEqual(text(model.requests[0]!.inputs[0]!), ['', ''], kind);
    }
  });

  it('adds no batch dim when max_batch_size is 0', async () => {
    const model = new RecordingModel(dynamicShape.loaded);
    await runModelWarmup(model, withWarmup(dynamicShape.config, { batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [2, 5], zero_data: true } } }), dynamicShape.dir);
    assert.deepEqual(model.requests[0]!.inputs[0]!.shape, [2, 5]);
    assert.deepEqual(model.results[0]!.outputs[0]!.shape, [2, 5]);
  });

  it('executes each warm-up count times, in config order, with fresh buffers each time', async () => {
    const input = { data_type: 'TYPE_FP32', dims: [2], random_data: true } as const;
    const model = new RecordingModel(identityFp32.loaded);
    await runModelWarmup(model, withWarmup(identityFp32.config,
      { name: 'thrice', batch_size: 1, count: 3, inputs: { INPUT0: input } },
      { name: 'count zero', batch_size: 2, count: 0, inputs: { INPUT0: input } },
      { name: 'no count', batch_size: 4, inputs: { INPUT0: input } },
    ), identityFp32.dir);
    // The backend moves input buffers to its worker; reusing one would send a detached buffer.
    assert.deepEqual(model.requests.map((r) => r.inputs[0]!.shape[0]), [1, 1, 1, 2, 4]);
    assert.equal(model.results.length, 5);
  });

  it('warms every instance: one execution per instance for each iteration', async () => {
    const backend = new OnnxBackend({ cores: 1 });
    const model = await writeIdentityModel(repo, 'identity_two_instances', 'FP32', IDENTITY_OPTIONS);
    const twoInstances = await backend.load({ modelName: model.name, version: '1', versionDir: join(model.directory, '1'), modelFile: 'model.onnx', instanceCount: 2, parameters: {} });
    opened.push(twoInstances);
    const recording = new RecordingModel(twoInstances);
    const input = { data_type: 'TYPE_FP32', dims: [2], zero_data: true } as const;
    await runModelWarmup(recording, withWarmup(identityFp32.config, { name: 'twice', batch_size: 1, count: 2, inputs: { INPUT0: input } }), model.directory);
    assert.equal(recording.results.length, 4);
  });

  it('does nothing without model_warmup', async () => {
    const model = new RecordingModel(addSub.loaded);
    await runModelWarmup(model, addSub.config, addSub.dir);
    await runModelWarmup(model, withWarmup(addSub.config), addSub.dir);
    assert.equal(model.requests.length, 0);
  });

  it('appends the backend message when an execution fails', async () => {
    // runtime_error reshapes `data` to `shape`; 4 elements do not fit [3, 3], so onnxruntime fails in run().
    await writeFile(join(runtimeError.dir, 'warmup', 'shape.bin'), new Uint8Array(BigInt64Array.of(3n, 3n).buffer));
    const config = withWarmup(runtimeError.config, { name: 'bad reshape', batch_size: 1, inputs: {
      data: { data_type: 'TYPE_FP32', dims: [4], zero_data: true },
      shape: { data_type: 'TYPE_INT64', dims: [2], input_data_file: 'shape.bin' },
    } });
    await rejectsWarmup(runModelWarmup(runtimeError.loaded, config, runtimeError.dir),
      /^model 'runtime_error' warm-up 'bad reshape' \(model_warmup\[0\]\), execution 1 of 1: the model failed: .*[Rr]eshape/);
  });
});

describe('model warm-up failures', () => {
  const fp32 = (dims: number[]) => ({ data_type: 'TYPE_FP32', dims, zero_data: true }) as const;
  const inputs = { INPUT0: fp32([4]), INPUT1: fp32([4]) };

  it('refuses an input the config does not have, naming the inputs it does', async () => {
    await rejectsWarmup(runModelWarmup(addSub.loaded, withWarmup(addSub.config, { name: 'typo', batch_size: 1, inputs: { ...inputs, INPUT2: fp32([4]) } }), addSub.dir),
      /^model 'add_sub' warm-up 'typo' \(model_warmup\[0\]\), input 'INPUT2': is not an input of the model; its inputs are: INPUT0, INPUT1$/);
  });

  it('refuses a data_type that differs from the config input', async () => {
    await rejectsWarmup(runModelWarmup(addSub.loaded, withWarmup(addSub.config, { batch_size: 1, inputs: { ...inputs, INPUT1: { data_type: 'TYPE_INT32', dims: [4], zero_data: true } } }), addSub.dir),
      /warm-up model_warmup\[0\], input 'INPUT1': data_type TYPE_INT32 does not match the config input's TYPE_FP32/);
  });

  it('refuses a warm-up without a required input, and accepts one without an optional input', async () => {
    await rejectsWarmup(runModelWarmup(addSub.loaded, withWarmup(addSub.config, { name: 'half', batch_size: 1, inputs: { INPUT0: fp32([4]) } }), addSub.dir),
      /warm-up 'half' \(model_warmup\[0\]\): has no entry for input 'INPUT1', which is not optional/);
    const optional = { ...addSub.config, input: addSub.config.input.map((i) => (i.name === 'INPUT1' ? { ...i, optional: true } : i)) };
    const tensors = await buildWarmupInputs({ batch_size: 1, inputs: { INPUT0: fp32([4]) } }, optional, addSub.dir);
    assert.deepEqual(tensors.map((t) => t.name), ['INPUT0']);
  });

  it('refuses -1 and shapes that disagree with the config dims', async () => {
    await rejectsWarmup(runModelWarmup(identityFp32.loaded, withWarmup(identityFp32.config, { name: 'variable', batch_size: 1, inputs: { INPUT0: fp32([-1]) } }), identityFp32.dir),
      /warm-up 'variable' \(model_warmup\[0\]\), input 'INPUT0': dims \[-1\] has -1 at position 0; a warm-up needs a concrete shape/);
    await rejectsWarmup(buildWarmupInputs({ batch_size: 1, inputs: { ...inputs, INPUT1: fp32([5]) } }, addSub.config, addSub.dir),
      /^model 'add_sub' warm-up \(unnamed\), input 'INPUT1': dims \[5\] does not match the config input's dims \[4\]: position 0 is 5, expected 4$/);
    await rejectsWarmup(buildWarmupInputs({ batch_size: 1, inputs: { ...inputs, INPUT1: fp32([2, 2]) } }, addSub.config, addSub.dir),
      /input 'INPUT1': dims \[2,2\] has rank 2 but the config input's dims \[4\] have rank 1/);
  });

  it('refuses batch sizes the model cannot take', async () => {
    await rejectsWarmup(buildWarmupInputs({ name: 'big', batch_size: 9, inputs }, addSub.config, addSub.dir), /warm-up 'big': batch_size 9 is larger than max_batch_size 8/);
    await rejectsWarmup(buildWarmupInputs({ batch_size: 2, inputs: { INPUT0: fp32([2, 2]) } }, dynamicShape.config, dynamicShape.dir),
      /batch_size must be 1 when max_batch_size is 0, got 2/);
  });

  it('refuses a missing input_data_file', async () => {
    await rejectsWarmup(buildWarmupInputs({ name: 'f', batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [3], input_data_file: 'absent.bin' } } }, identityFp32.config, identityFp32.dir),
      /warm-up 'f', input 'INPUT0': input_data_file .*warmup.absent\.bin does not exist$/);
  });

  it('refuses an input_data_file whose size is not one sample', async () => {
    await writeFile(join(identityFp32.dir, 'warmup', 'short.bin'), new Uint8Array(8));
    await rejectsWarmup(buildWarmupInputs({ batch_size: 2, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [3], input_data_file: 'short.bin' } } }, identityFp32.config, identityFp32.dir),
      /input 'INPUT0': input_data_file .*short\.bin has 8 bytes but 3 FP32 elements \(one sample, without the batch dim\) take 12$/);
    await writeFile(join(identityBytes.dir, 'warmup', 'two.bin'), lengthPrefixed(['x', 'y']));
    await rejectsWarmup(buildWarmupInputs({ batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_STRING', dims: [3], input_data_file: 'two.bin' } } }, identityBytes.config, identityBytes.dir),
      /two\.bin: the file holds 2 elements, shape needs 3$/);
    await writeFile(join(identityBytes.dir, 'warmup', 'cut.bin'), lengthPrefixed(['hello']).subarray(0, 7));
    await rejectsWarmup(buildWarmupInputs({ batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_STRING', dims: [1], input_data_file: 'cut.bin' } } }, identityBytes.config, identityBytes.dir),
      /cut\.bin: element 0 at offset 0 claims 5 bytes but only 3 remain/);
  });

  it('refuses input_data_file paths that leave <model>/warmup/', async () => {
    const outside = join(repo, 'outside.bin');
    await writeFile(outside, new Uint8Array(12));
    await symlink(outside, join(identityFp32.dir, 'warmup', 'link.bin'));
    const file = (input_data_file: string): ModelWarmup => ({ batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [3], input_data_file } } });
    for (const path of ['../../outside.bin', outside, '../warmup/../1/model.onnx', '']) {
      await rejectsWarmup(buildWarmupInputs(file(path), identityFp32.config, identityFp32.dir), /input 'INPUT0': input_data_file '.*' must be a relative path inside .*warmup$/);
    }
    await rejectsWarmup(buildWarmupInputs(file('link.bin'), identityFp32.config, identityFp32.dir), /input_data_file 'link\.bin' resolves to .*outside\.bin, outside .*warmup$/);
  });

  it('builds every sample before running any', async () => {
    const model = new RecordingModel(identityFp32.loaded);
    const good = { batch_size: 1, inputs: { INPUT0: fp32([2]) } };
    const bad = { name: 'second', batch_size: 1, inputs: { INPUT0: { data_type: 'TYPE_FP32', dims: [2], input_data_file: 'absent.bin' } } } as const;
    await rejectsWarmup(runModelWarmup(model, withWarmup(identityFp32.config, good, bad), identityFp32.dir), /warm-up 'second' \(model_warmup\[1\]\), input 'INPUT0'/);
    assert.equal(model.requests.length, 0);
  });

  it('refuses a result without a requested output', async () => {
    const model: LoadedModel = { ...identityFp32.loaded, execute: () => Promise.resolve({ outputs: [], computeInferNs: 0 }) };
    await rejectsWarmup(runModelWarmup(model, withWarmup(identityFp32.config, { batch_size: 1, count: 2, inputs: { INPUT0: fp32([2]) } }), identityFp32.dir),
      /warm-up model_warmup\[0\], execution 1 of 2: the model returned no output 'OUTPUT0'$/);
  });

  it('keeps the backend error as the cause', async () => {
    const cause = new InferenceError('ERR_MODEL_NOT_READY', 'the model is unloading');
    const model: LoadedModel = { ...identityFp32.loaded, execute: () => Promise.reject(cause) };
    await assert.rejects(runModelWarmup(model, withWarmup(identityFp32.config, { name: 'w', batch_size: 1, inputs: { INPUT0: fp32([2]) } }), identityFp32.dir), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.message, "model 'identity_fp32' warm-up 'w' (model_warmup[0]), execution 1 of 1: the model failed: the model is unloading");
      assert.equal(error.cause, cause);
      return true;
    });
  });
});

describe('warm-up sample builder (property)', () => {
  const configFor = (datatype: DataType, dims: number[], maxBatchSize: number): CompletedModelConfig => ({
    name: 'p', max_batch_size: maxBatchSize, version_policy: { latest: { num_versions: 1 } }, instance_group: [],
    input: [{ name: 'x', data_type: dataTypeInfo(datatype).config as CompletedModelConfig['input'][number]['data_type'], dims }], output: [],
  });

  it('gives tensors whose data holds exactly the elements of their shape, with valid values', async () => {
    const sample = fc.record({
      datatype: fc.constantFrom(...DATA_TYPES),
      dims: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
      maxBatchSize: fc.integer({ min: 0, max: 8 }),
      batch: fc.integer({ min: 1, max: 8 }),
      kind: fc.constantFrom('zero_data', 'random_data'),
    }).filter(({ maxBatchSize, batch }) => (maxBatchSize === 0 ? batch === 1 : batch <= maxBatchSize));
    await fc.assert(fc.asyncProperty(sample, async ({ datatype, dims, maxBatchSize, batch, kind }) => {
      const config = configFor(datatype, dims, maxBatchSize);
      const warmup: ModelWarmup = { batch_size: batch, inputs: { x: { data_type: config.input[0]!.data_type, dims, [kind]: true } } };
      const [tensor, ...rest] = await buildWarmupInputs(warmup, config, repo);
      assert.equal(rest.length, 0);
      assert.equal(tensor!.datatype, datatype);
      assert.deepEqual(tensor!.shape, maxBatchSize > 0 ? [batch, ...dims] : dims);
      assert.equal(tensor!.data.length, elementCount(tensor!.shape));
      assert.ok(hasExpectedArray(tensor!));
      const info = dataTypeInfo(datatype);
      for (const value of tensor!.data) {
        if (value instanceof Uint8Array) assert.equal(value.byteLength, 0);
        else if (kind === 'zero_data') assert.ok(value === 0 || value === 0n);
        else if (info.valueKind === 'bool') assert.ok(value === 0 || value === 1);
        else if (info.valueKind === 'float') assert.ok(typeof value === 'number' && value >= 0 && value < 1);
        else if (info.valueKind !== 'half') assert.ok(value >= info.min! && value <= info.max!);
      }
    }));
  });
});
