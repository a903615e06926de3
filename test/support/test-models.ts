/**
 * @module
 * Small models for integration tests, all built with src/tools/onnx. Each model has a `build*`
 * function (bytes only, for tests without a file system) and a `write*` function that puts it in
 * a Triton-layout repository. test/tools/test-models.test.ts runs every one in onnxruntime-node.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DATA_TYPES, type DataType } from '../../src/core/index.js';
import { GraphBuilder, makeTensor } from '../../src/tools/onnx/index.js';
import { configText, writeModelFiles, type WriteModelOptions, type WrittenModel } from './model-repository-writer.js';

/** Opset 17: supported by every onnxruntime from 1.13 on, and has every op used here. */
const OPSET = 17;

export interface IdentityOptions {
  /** Prepend a dynamic first dim named 'batch' to `dims`. @defaultValue false */
  batched?: boolean;
  /** Dims after the batch dim, -1 for dynamic. @defaultValue [-1] */
  dims?: readonly number[];
}

/**
 * INPUT0 -> Identity -> OUTPUT0, same datatype and shape. BF16 builds a valid ONNX model that
 * onnxruntime-node refuses to load ("Unsupported data type: 16"): the Node binding has no bfloat16.
 */
export function buildIdentityModel(datatype: DataType, options: IdentityOptions = {}): Uint8Array {
  const shape = [...(options.batched ? ['batch'] : []), ...(options.dims ?? [-1])];
  const g = new GraphBuilder(`identity_${datatype.toLowerCase()}`);
  const input = g.input('INPUT0', datatype, shape);
  g.output(g.node('Identity', [input]), 'OUTPUT0', datatype, shape);
  return g.toBytes({ opset: OPSET });
}

export function writeIdentityModel(repo: string, name: string, datatype: DataType, options: IdentityOptions & WriteModelOptions = {}): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildIdentityModel(datatype, options), options);
}

/** INPUT0, INPUT1 FP32 [batch, 4] -> OUTPUT0 = INPUT0 + INPUT1, OUTPUT1 = INPUT0 - INPUT1. */
export function buildAddSubModel(): Uint8Array {
  const g = new GraphBuilder('add_sub');
  const a = g.input('INPUT0', 'FP32', ['batch', 4]);
  const b = g.input('INPUT1', 'FP32', ['batch', 4]);
  g.output(g.node('Add', [a, b]), 'OUTPUT0', 'FP32', ['batch', 4]);
  g.output(g.node('Sub', [a, b]), 'OUTPUT1', 'FP32', ['batch', 4]);
  return g.toBytes({ opset: OPSET });
}

/** The add_sub config: explicit, so output selection tests do not depend on auto-completion. */
export const ADD_SUB_CONFIG = configText({
  name: 'add_sub',
  maxBatchSize: 8,
  inputs: [{ name: 'INPUT0', datatype: 'FP32', dims: [4] }, { name: 'INPUT1', datatype: 'FP32', dims: [4] }],
  outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [4] }, { name: 'OUTPUT1', datatype: 'FP32', dims: [4] }],
});

export function writeAddSubModel(repo: string, name = 'add_sub', options: WriteModelOptions = { config: ADD_SUB_CONFIG }): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildAddSubModel(), options);
}

/** INPUT0 FP32 [a, b] (both dims dynamic) -> OUTPUT0 = INPUT0 * 2, same shape. */
export function buildDynamicShapeModel(): Uint8Array {
  const g = new GraphBuilder('dynamic_shape');
  const x = g.input('INPUT0', 'FP32', ['a', 'b']);
  const two = g.initializer('two', 'FP32', [], [2]);
  g.output(g.node('Mul', [x, two]), 'OUTPUT0', 'FP32', ['a', 'b']);
  return g.toBytes({ opset: OPSET });
}

/**
 * max_batch_size 0, stated explicitly: auto-completion would take the dynamic first dim for a
 * batch dim (Triton's rule) and cap it, which is not what a "any shape" model is for.
 */
export const DYNAMIC_SHAPE_CONFIG = configText({
  name: 'dynamic_shape',
  maxBatchSize: 0,
  inputs: [{ name: 'INPUT0', datatype: 'FP32', dims: [-1, -1] }],
  outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [-1, -1] }],
});

export function writeDynamicShapeModel(repo: string, name = 'dynamic_shape', options: WriteModelOptions = { config: DYNAMIC_SHAPE_CONFIG }): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildDynamicShapeModel(), options);
}

export interface SlowOptions {
  /** Side of the square matrices. @defaultValue 1024 */
  size?: number;
  /** MatMuls in the chain; each costs 2*size^3 flops. @defaultValue 20 */
  matmuls?: number;
}

/**
 * x FP32 [1] -> y FP32 [1], y ≈ x, slowly: x is expanded to a size x size matrix, multiplied
 * `matmuls` times by a matrix of 1/size (which keeps every element equal to x), then averaged.
 * The matrices are made inside the graph (Expand, ConstantOfShape), so the file stays under 1 KB.
 * Defaults: 0.4-0.7 s per inference measured on one AMD EPYC core (intraOpNumThreads 1), about half
 * that with onnxruntime's default threads on 2 cores.
 */
export function buildSlowModel(options: SlowOptions = {}): Uint8Array {
  const size = options.size ?? 1024;
  const g = new GraphBuilder('slow');
  const x = g.input('x', 'FP32', [1]);
  const square = g.initializer('square', 'INT64', [2], [size, size]);
  const weights = g.node('ConstantOfShape', [square], { value: makeTensor('value', 'FP32', [1], [1 / size]) });
  let running = g.node('Expand', [x, square]);
  for (let i = 0; i < (options.matmuls ?? 20); i += 1) running = g.node('MatMul', [running, weights]);
  const mean = g.node('ReduceMean', [running], { keepdims: 0 });
  const one = g.initializer('one', 'INT64', [1], [1]);
  g.output(g.node('Reshape', [mean, one]), 'y', 'FP32', [1]);
  return g.toBytes({ opset: OPSET });
}

export function writeSlowModel(repo: string, name = 'slow', options: SlowOptions & WriteModelOptions = {}): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildSlowModel(options), options);
}

/**
 * data FP32 [n], shape INT64 [2] -> reshaped FP32 = Reshape(data, shape). Loads fine; a shape
 * whose product differs from n (data [4], shape [3, 3]) makes onnxruntime fail inside run().
 */
export function buildRuntimeErrorModel(): Uint8Array {
  const g = new GraphBuilder('runtime_error');
  const data = g.input('data', 'FP32', ['n']);
  const shape = g.input('shape', 'INT64', [2]);
  g.output(g.node('Reshape', [data, shape]), 'reshaped', 'FP32', [-1, -1]);
  return g.toBytes({ opset: OPSET });
}

export function writeRuntimeErrorModel(repo: string, name = 'runtime_error', options: WriteModelOptions = {}): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildRuntimeErrorModel(), options);
}

/**
 * Not a model: neither protobuf parser accepts it (0x74, the 't', is field 14 with the invalid
 * wire type 4), so both our decoder and onnxruntime refuse it.
 */
export const CORRUPT_MODEL_BYTES: Uint8Array = new TextEncoder().encode('this is not an ONNX model\n');

export function writeCorruptModel(repo: string, name = 'corrupt', options: WriteModelOptions = {}): Promise<WrittenModel> {
  return writeModelFiles(repo, name, CORRUPT_MODEL_BYTES, options);
}

/** Identity models in the test repository: one per datatype, named identity_<datatype in lower case>. */
export const IDENTITY_MODELS: readonly { name: string; datatype: DataType }[] = DATA_TYPES.map((datatype) => ({ name: `identity_${datatype.toLowerCase()}`, datatype }));

/** The identity models' shape: [batch, -1], so any 2-D tensor goes through. */
export const IDENTITY_OPTIONS: IdentityOptions = Object.freeze({ batched: true, dims: [-1] });

/**
 * Writes every test model into `dir` (one model per folder): identity_<datatype> for all 14
 * datatypes (identity_bf16 does not load), add_sub, dynamic_shape, slow, runtime_error, corrupt.
 * Only add_sub and dynamic_shape have a config.pbtxt.
 */
export async function writeTestRepository(dir: string): Promise<WrittenModel[]> {
  const written: WrittenModel[] = [];
  for (const { name, datatype } of IDENTITY_MODELS) written.push(await writeIdentityModel(dir, name, datatype, IDENTITY_OPTIONS));
  written.push(
    await writeAddSubModel(dir),
    await writeDynamicShapeModel(dir),
    await writeSlowModel(dir),
    await writeRuntimeErrorModel(dir),
    await writeCorruptModel(dir),
  );
  return written;
}

/**
 * A dense MLP with ReLU between layers, e.g. sizes [64, 256, 256, 10]: input `x` FP32
 * [batch, sizes[0]] -> output `y` FP32 [batch, sizes.at(-1)]. Weights are small and seeded,
 * so every build gives the same bytes. Used by the batching benchmark and scheduler tests.
 */
export function buildMlpModel(sizes: readonly number[]): Uint8Array {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const g = new GraphBuilder('mlp');
  let running = g.input('x', 'FP32', ['batch', sizes[0]!]);
  for (let layer = 1; layer < sizes.length; layer += 1) {
    const [fanIn, fanOut] = [sizes[layer - 1]!, sizes[layer]!];
    const weights = g.initializer(`w${layer}`, 'FP32', [fanIn, fanOut], Float32Array.from({ length: fanIn * fanOut }, () => random() / Math.sqrt(fanIn)));
    const bias = g.initializer(`b${layer}`, 'FP32', [fanOut], Float32Array.from({ length: fanOut }, () => random() * 0.1));
    running = g.node('Add', [g.node('MatMul', [running, weights]), bias]);
    if (layer < sizes.length - 1) running = g.node('Relu', [running]);
  }
  g.output(running, 'y', 'FP32', ['batch', sizes.at(-1)!]);
  return g.toBytes({ opset: OPSET });
}

/** config.pbtxt for an MLP from buildMlpModel, with optional dynamic batching and instances. */
export function mlpConfig(name: string, sizes: readonly number[], options: { maxBatchSize: number; dynamicBatching?: string; instances?: number }): string {
  return [
    configText({ name, maxBatchSize: options.maxBatchSize, inputs: [{ name: 'x', datatype: 'FP32', dims: [sizes[0]!] }], outputs: [{ name: 'y', datatype: 'FP32', dims: [sizes.at(-1)!] }] }),
    options.dynamicBatching === undefined ? '' : `dynamic_batching { ${options.dynamicBatching} }\n`,
    `instance_group [ { kind: KIND_CPU count: ${options.instances ?? 1} } ]\n`,
  ].join('');
}

/**
 * Like buildSlowModel, but batchable: x FP32 [batch, 1] -> y = x, after a MatMul chain that
 * depends on x (so onnxruntime cannot fold it away at load time). One execution takes about as
 * long as the slow model, whatever its batch size. For queue, priority and instance tests.
 */
export function buildSlowBatchedModel(options: SlowOptions = {}): Uint8Array {
  const size = options.size ?? 1024;
  const g = new GraphBuilder('slow_batched');
  const x = g.input('x', 'FP32', ['batch', 1]);
  const square = g.initializer('square', 'INT64', [2], [size, size]);
  const weights = g.node('ConstantOfShape', [square], { value: makeTensor('value', 'FP32', [1], [1 / size]) });
  let running = g.node('Expand', [g.node('ReduceMean', [x], { keepdims: 0 }), square]);
  for (let i = 0; i < (options.matmuls ?? 20); i += 1) running = g.node('MatMul', [running, weights]);
  const zero = g.initializer('zero', 'FP32', [], [0]);
  const delay = g.node('Mul', [g.node('ReduceMean', [running], { keepdims: 0 }), zero]);
  g.output(g.node('Add', [x, delay]), 'y', 'FP32', ['batch', 1]);
  return g.toBytes({ opset: OPSET });
}

export interface OffsetModelOptions {
  /**
   * Elements of an FP32 weight the model keeps resident (4 bytes each). It is read through an
   * index computed from the input, so onnxruntime cannot fold it away. @defaultValue 1
   */
  ballastElements?: number;
}

/**
 * x FP32 [batch, 1] -> y FP32 [batch, 1] = x + offset. Tests give each version its own offset,
 * so a response shows which version (and which load of it) computed it.
 */
export function buildOffsetModel(offset: number, options: OffsetModelOptions = {}): Uint8Array {
  const g = new GraphBuilder('offset');
  const x = g.input('x', 'FP32', ['batch', 1]);
  const ballast = g.initializer('ballast', 'FP32', [options.ballastElements ?? 1], new Float32Array(options.ballastElements ?? 1));
  const zero = g.initializer('zero', 'FP32', [], [0]);
  const index = g.node('Cast', [g.node('Mul', [x, zero])], { to: 7 /* INT64 */ });
  const picked = g.node('Gather', [ballast, index]);
  const plus = g.initializer('offset', 'FP32', [], [offset]);
  g.output(g.node('Add', [g.node('Add', [x, plus]), picked]), 'y', 'FP32', ['batch', 1]);
  return g.toBytes({ opset: OPSET });
}

export function writeOffsetModel(repo: string, name: string, offset: number, options: OffsetModelOptions & WriteModelOptions = {}): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildOffsetModel(offset, options), options);
}

/** INPUT0 FP32 [batch, 4] -> OUTPUT0 = INPUT0 * factor. For ensemble tests: steps that tell apart. */
export function buildScaleModel(factor: number): Uint8Array {
  const g = new GraphBuilder('scale');
  const x = g.input('INPUT0', 'FP32', ['batch', 4]);
  const k = g.initializer('factor', 'FP32', [], [factor]);
  g.output(g.node('Mul', [x, k]), 'OUTPUT0', 'FP32', ['batch', 4]);
  return g.toBytes({ opset: OPSET });
}

/** config.pbtxt of a scale model (and of identity models built with dims [4]): FP32 [4], max_batch_size 8. */
export function vectorConfig(name: string, options: { maxBatchSize?: number; dynamicBatching?: boolean } = {}): string {
  return configText({
    name,
    maxBatchSize: options.maxBatchSize ?? 8,
    inputs: [{ name: 'INPUT0', datatype: 'FP32', dims: [4] }],
    outputs: [{ name: 'OUTPUT0', datatype: 'FP32', dims: [4] }],
  }) + (options.dynamicBatching ? 'dynamic_batching { }\n' : '');
}

export function writeScaleModel(repo: string, name: string, factor: number, options: WriteModelOptions = { config: vectorConfig(name) }): Promise<WrittenModel> {
  return writeModelFiles(repo, name, buildScaleModel(factor), options);
}

/**
 * An ensemble as Triton lays it out: `<repo>/<name>/config.pbtxt` and an empty version folder
 * `<repo>/<name>/1/` (an ensemble has no model file).
 */
export async function writeEnsembleModel(repo: string, name: string, config: string, version = 1): Promise<string> {
  const directory = join(repo, name);
  await mkdir(join(directory, String(version)), { recursive: true });
  await writeFile(join(directory, 'config.pbtxt'), config);
  return directory;
}

/** Layers of buildCnnModel: [in channels, out channels, stride] of each 3x3 Conv (padding 1). */
export const CNN_LAYERS: readonly (readonly [number, number, number])[] = [[3, 16, 1], [16, 32, 2], [32, 64, 2]];
export const CNN_INPUT_DIMS: readonly number[] = [3, 64, 64];
export const CNN_CLASSES = 10;

/**
 * A small image classifier with realistic convolution work: input `x` FP32 [batch, 3, 64, 64] ->
 * three 3x3 Conv + ReLU (3->16, 16->32 stride 2, 32->64 stride 2) -> GlobalAveragePool ->
 * Flatten -> Gemm 64->10 -> output `y` FP32 [batch, 10]. About 23 MFLOPs per image (a multiply-add counted as 2). Weights are
 * seeded, so every build gives the same bytes. Used by the benchmark suite (bench/suite.ts).
 */
export function buildCnnModel(): Uint8Array {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
  const g = new GraphBuilder('cnn');
  let running = g.input('x', 'FP32', ['batch', ...CNN_INPUT_DIMS]);
  CNN_LAYERS.forEach(([cin, cout, stride], i) => {
    const fanIn = cin * 9;
    const weights = g.initializer(`conv${i}_w`, 'FP32', [cout, cin, 3, 3], Float32Array.from({ length: cout * fanIn }, () => random() / Math.sqrt(fanIn)));
    const bias = g.initializer(`conv${i}_b`, 'FP32', [cout], Float32Array.from({ length: cout }, () => random() * 0.1));
    running = g.node('Relu', [g.node('Conv', [running, weights, bias], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [stride, stride] })]);
  });
  const features = CNN_LAYERS.at(-1)![1];
  running = g.node('Flatten', [g.node('GlobalAveragePool', [running])], { axis: 1 });
  const weights = g.initializer('fc_w', 'FP32', [features, CNN_CLASSES], Float32Array.from({ length: features * CNN_CLASSES }, () => random() / Math.sqrt(features)));
  const bias = g.initializer('fc_b', 'FP32', [CNN_CLASSES], Float32Array.from({ length: CNN_CLASSES }, () => random() * 0.1));
  g.output(g.node('Gemm', [running, weights, bias]), 'y', 'FP32', ['batch', CNN_CLASSES]);
  return g.toBytes({ opset: OPSET });
}

/** config.pbtxt for buildCnnModel: batchable up to maxBatchSize, one CPU instance. */
export function cnnConfig(name: string, maxBatchSize = 8): string {
  return [
    configText({ name, maxBatchSize, inputs: [{ name: 'x', datatype: 'FP32', dims: [...CNN_INPUT_DIMS] }], outputs: [{ name: 'y', datatype: 'FP32', dims: [CNN_CLASSES] }] }),
    'instance_group [ { kind: KIND_CPU count: 1 } ]\n',
  ].join('');
}
