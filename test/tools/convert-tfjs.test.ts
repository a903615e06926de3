// `convertModel('tfjs', ...)`: models built and run with TensorFlow.js (pure-JS cpu backend),
// converted, run in onnxruntime-node, and compared output by output.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { float16BitsToNumber, numberToFloat16Bits } from '../../src/core/index.js';
import { convertModel, type Conversion } from '../../src/tools/convert/index.js';
import { encodeModel } from '../../src/tools/onnx/index.js';
import { makeTempDir } from '../support/server-harness.js';
import { predict, randomInput, randomizeWeights, saveTfjsModel, tf, useCpuBackend } from '../support/tfjs-models.js';

const TOLERANCE = 1e-4;
const BATCH = 2;

let tmp: { dir: string; cleanup: () => Promise<void> };
let modelCount = 0;

before(async () => {
  await useCpuBackend();
  tmp = await makeTempDir('wharf-convert-');
});
after(() => tmp.cleanup());

interface ConvertTestOptions {
  seed?: number;
  shardBytes?: number;
  dir?: string;
  /** Input values by element count; seeded uniform [-1, 1) when absent. */
  input?: (size: number) => Float32Array;
  /** Per-sample input shape (without the batch) for models with dynamic dims. */
  sampleShape?: number[];
  /** Edits the saved model.json (the parsed `modelTopology`) before conversion. */
  rewrite?: (topology: Record<string, unknown>) => Record<string, unknown>;
}

/** Saves `model` with random weights, converts it and checks every output against tfjs's. */
async function convertAndCompare(model: tf.LayersModel, options: ConvertTestOptions = {}): Promise<Conversion> {
  const seed = options.seed ?? 7;
  randomizeWeights(model, seed);
  const dir = options.dir ?? join(tmp.dir, `model-${(modelCount += 1)}`);
  await saveTfjsModel(model, dir, options.shardBytes === undefined ? {} : { shardBytes: options.shardBytes });
  if (options.rewrite !== undefined) {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { modelTopology: Record<string, unknown> };
    json.modelTopology = options.rewrite(json.modelTopology);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  }
  const conversion = await convertModel('tfjs', dir);
  const inputs = model.inputs.map((input, i) => {
    const shape = [BATCH, ...(options.sampleShape ?? (input.shape.slice(1) as number[]))];
    const data = options.input?.(shape.reduce((product, dim) => product * dim, 1)) ?? randomInput(shape, seed + 100 + i);
    return { name: conversion.graph.inputs[i]!.name, shape, data };
  });
  const expected = predict(model, inputs);
  const session = await ort.InferenceSession.create(encodeModel(conversion.model));
  const feeds = Object.fromEntries(inputs.map((input) => [input.name, new ort.Tensor('float32', input.data, input.shape)]));
  const results = await session.run(feeds);
  assert.equal(conversion.graph.outputs.length, expected.length);
  conversion.graph.outputs.forEach((output, i) => {
    const actual = results[output.name];
    assert.ok(actual !== undefined, `output ${output.name} missing`);
    if (options.sampleShape === undefined) assert.deepEqual(actual.dims, model.outputs[i]!.shape.map((dim) => dim ?? BATCH), `output ${output.name} shape`);
    const maxAbs = maxAbsDifference(actual.data as Float32Array, expected[i]!);
    assert.ok(maxAbs <= TOLERANCE, `output ${output.name}: max abs difference ${maxAbs} > ${TOLERANCE}`);
  });
  await session.release();
  return conversion;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, 'output sizes differ');
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  assert.ok(Number.isFinite(max), 'non-finite output');
  return max;
}

function count(conversion: Conversion, opType: string): number {
  return conversion.opHistogram.find(([op]) => op === opType)?.[1] ?? 0;
}

describe('tfjs -> ONNX: dense models and activations', () => {
  it('converts a sequential MLP (bias and no bias, rank-3 input) equal to tfjs', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [3, 6], units: 8, activation: 'relu' }),
      tf.layers.dense({ units: 5, useBias: false, activation: 'tanh' }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ] });
    const conversion = await convertAndCompare(model);
    assert.deepEqual(conversion.layers.map((layer) => layer.ops), [['dense', 'activation(relu)'], ['dense', 'activation(tanh)'], ['flatten'], ['identity'], ['dense', 'activation(softmax)']]);
    assert.equal(count(conversion, 'Gemm'), 1);
    assert.equal(count(conversion, 'MatMul'), 2);
  });

  const activations = ['elu', 'hardSigmoid', 'linear', 'relu', 'relu6', 'selu', 'sigmoid', 'softmax', 'softplus', 'softsign', 'tanh', 'swish', 'mish', 'gelu', 'gelu_new'] as const;
  for (const activation of activations) {
    it(`activation '${activation}' (in Dense and as an Activation layer) equals tfjs`, async () => {
      const model = tf.sequential({ layers: [
        // A wide weight scale pushes inputs into each function's saturated and clipped ranges.
        tf.layers.dense({ inputShape: [5], units: 12, activation }),
        tf.layers.dense({ units: 12 }),
        tf.layers.activation({ activation }),
      ] });
      await convertAndCompare(model, { seed: 3 });
    });
  }

  it('advanced activation layers: ReLU(maxValue), LeakyReLU, ELU, Softmax, ThresholdedReLU', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [6], units: 10 }),
      tf.layers.reLU({ maxValue: 0.3 }),
      tf.layers.dense({ units: 10 }),
      tf.layers.leakyReLU({ alpha: 0.2 }),
      tf.layers.dense({ units: 10 }),
      tf.layers.elu(),
      tf.layers.dense({ units: 10 }),
      tf.layers.thresholdedReLU({ theta: 0.1 }),
      tf.layers.dense({ units: 10 }),
      tf.layers.softmax(),
    ] });
    const conversion = await convertAndCompare(model);
    for (const op of ['Clip', 'LeakyRelu', 'Elu', 'ThresholdedRelu', 'Softmax']) assert.equal(count(conversion, op), 1, op);
  });
});

describe('tfjs -> ONNX: convolutional models (NHWC kept at the boundary)', () => {
  it('converts Conv2D/DepthwiseConv2D/SeparableConv2D/BatchNorm/pooling/ZeroPadding/Flatten with one transpose in and one out', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [9, 11, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
      tf.layers.separableConv2d({ filters: 5, kernelSize: [2, 3], padding: 'valid', depthMultiplier: 2, activation: 'relu6' }),
      tf.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.conv2d({ filters: 6, kernelSize: 2, dilationRate: 2, padding: 'same', useBias: false }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3 }),
    ] });
    const conversion = await convertAndCompare(model);
    assert.equal(count(conversion, 'Transpose'), 2, JSON.stringify(conversion.opHistogram));
    assert.equal(count(conversion, 'Conv'), 5);
    const input = conversion.model.graph!.input![0]!;
    assert.deepEqual(input.type?.tensorType?.shape?.dim?.map((d) => d.dimParam ?? Number(d.dimValue)), ['batch', 9, 11, 3]);
  });

  it('valid padding with strides 2, average pooling over odd sizes, global pooling, reshape', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [10, 7, 2], filters: 3, kernelSize: [3, 2], strides: 2, padding: 'valid', activation: 'sigmoid' }),
      tf.layers.averagePooling2d({ poolSize: [2, 3], strides: [2, 2], padding: 'same' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 1 }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.reshape({ targetShape: [2, 2] }),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    const conversion = await convertAndCompare(model);
    assert.equal(count(conversion, 'GlobalAveragePool'), 1);
    assert.equal(count(conversion, 'Reshape'), 1);
  });

  for (const pool of ['max', 'average'] as const) {
    it(`ZeroPadding2D before ${pool} pooling: the padded zeros take part (onnxruntime must not fuse them into the pool)`, async () => {
      const pooling = pool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d;
      const model = tf.sequential({ layers: [
        tf.layers.zeroPadding2d({ inputShape: [4, 5, 2], padding: [[2, 1], [1, 2]] }),
        pooling({ poolSize: 3, strides: 2, padding: 'valid' }),
        pooling({ poolSize: 2, strides: 1, padding: 'same' }),
      ] });
      // All-negative inputs: a window over padding has maximum 0, which a fused pool would miss.
      await convertAndCompare(model, { input: (size) => Float32Array.from({ length: size }, (_, i) => -1 - i / size) });
    });
  }

  it('a fully convolutional model with dynamic height and width (auto_pad instead of explicit pads)', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [null, null, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
      tf.layers.conv2d({ filters: 2, kernelSize: 1 }),
      tf.layers.globalAveragePooling2d({}),
    ] });
    const conversion = await convertAndCompare(model, { sampleShape: [11, 6, 3] });
    const input = conversion.model.graph!.input![0]!;
    const name = conversion.graph.inputs[0]!.name;
    assert.deepEqual(input.type?.tensorType?.shape?.dim?.map((d) => d.dimParam ?? Number(d.dimValue)), ['batch', `${name}_dim1`, `${name}_dim2`, 3]);
  });

  it('channels_first layers run on the value itself, with no transposes', async () => {
    // No BatchNormalization(axis: 1) here: tfjs's cpu BatchNorm kernel cycles its parameters over
    // the flat input, which is right only for the last axis. test/tools/convert-ir.test.ts checks
    // the converter's axis-1 batch norm against a direct computation instead.
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ inputShape: [2, 7, 6], filters: 3, kernelSize: 3, strides: 2, padding: 'same', dataFormat: 'channelsFirst', activation: 'elu' }),
      tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: 2, dataFormat: 'channelsFirst' }),
      tf.layers.zeroPadding2d({ padding: [1, 2], dataFormat: 'channelsFirst' }),
      tf.layers.maxPooling2d({ poolSize: 2, padding: 'same', dataFormat: 'channelsFirst' }),
      tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', dataFormat: 'channelsFirst' }),
      tf.layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' }),
    ] });
    const conversion = await convertAndCompare(model);
    assert.equal(count(conversion, 'Transpose'), 0);
  });

  it('GlobalMaxPooling2D, MaxPooling2D with valid padding, softmax over channels', async () => {
    const model = tf.sequential({ layers: [
      tf.layers.maxPooling2d({ inputShape: [7, 7, 3], poolSize: 2, padding: 'valid' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same' }),
      // Softmax over channels while the tensor is NCHW inside: axis -1 must become axis 1.
      tf.layers.softmax({ axis: -1 }),
      tf.layers.globalMaxPooling2d({}),
    ] });
    await convertAndCompare(model);
  });
});

describe('tfjs -> ONNX: functional models', () => {
  it('multi-input, multi-output with branches, Concatenate(-1), a skip Add and a shared layer', async () => {
    const image = tf.input({ shape: [8, 8, 3], name: 'image' });
    const extra = tf.input({ shape: [4], name: 'extra' });
    const stem = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }).apply(image) as tf.SymbolicTensor;
    const left = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'left' }).apply(stem) as tf.SymbolicTensor;
    const right = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'right' }).apply(stem) as tf.SymbolicTensor;
    const joined = tf.layers.concatenate({ axis: -1, name: 'joined' }).apply([left, right]) as tf.SymbolicTensor;
    const mixed = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'mixed' }).apply(joined) as tf.SymbolicTensor;
    const skip = tf.layers.add({ name: 'skip' }).apply([mixed, stem]) as tf.SymbolicTensor;
    const normed = tf.layers.batchNormalization({ name: 'bn' }).apply(skip) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(normed) as tf.SymbolicTensor;
    const shared = tf.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
    const extraA = shared.apply(extra) as tf.SymbolicTensor;
    const extraB = shared.apply(extraA) as tf.SymbolicTensor;
    const features = tf.layers.concatenate({ name: 'features' }).apply([pooled, extraB]) as tf.SymbolicTensor;
    const classes = tf.layers.dense({ units: 3, activation: 'softmax', name: 'classes' }).apply(features) as tf.SymbolicTensor;
    const score = tf.layers.multiply({ name: 'score' }).apply([extraA, extraB]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: [image, extra], outputs: [classes, score] });
    const conversion = await convertAndCompare(model);
    assert.deepEqual(conversion.graph.inputs.map((input) => input.name), ['image', 'extra']);
    assert.deepEqual(conversion.graph.outputs.map((output) => output.name), ['classes', 'score']);
    // The shared Dense layer's weights are stored once.
    assert.equal(conversion.model.graph!.initializer!.filter((t) => t.name?.startsWith('shared')).length, 2);
  });

  it('merge layers: Average, Maximum, Minimum, 3-way Add', async () => {
    const x = tf.input({ shape: [6] });
    const a = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
    const c = tf.layers.dense({ units: 5 }).apply(x) as tf.SymbolicTensor;
    const outputs = [
      tf.layers.average().apply([a, b, c]),
      tf.layers.maximum().apply([a, b, c]),
      tf.layers.minimum().apply([a, c]),
      tf.layers.add().apply([a, b, c]),
    ] as tf.SymbolicTensor[];
    await convertAndCompare(tf.model({ inputs: x, outputs }));
  });
});

describe('tfjs -> ONNX: model.json written by Keras rather than tfjs', () => {
  interface RawLayer { class_name: string; name?: string; config: Record<string, unknown>; inbound_nodes?: unknown[] }

  it('a Sequential model with an explicit InputLayer, wrapped in model_config (Keras 2 converter)', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 4, activation: 'relu' }), tf.layers.dense({ units: 2 })] });
    const conversion = await convertAndCompare(model, {
      rewrite: (topology) => {
        const config = topology.config as { layers: RawLayer[] };
        const first = config.layers[0]!;
        const shape = first.config.batch_input_shape;
        delete first.config.batch_input_shape;
        config.layers.unshift({ class_name: 'InputLayer', config: { batch_input_shape: shape, dtype: 'float32', name: 'features' } });
        return { model_config: topology, training_config: { loss: 'mse' } };
      },
    });
    assert.deepEqual(conversion.graph.inputs.map((input) => input.name), ['features']);
  });

  it('a functional model in Keras 3 form (inbound nodes as args with keras_history, batch_shape)', async () => {
    const x = tf.input({ shape: [6], name: 'x' });
    const a = tf.layers.dense({ units: 4, name: 'a' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 4, activation: 'sigmoid', name: 'b' }).apply(x) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'sum' }).apply([a, b]) as tf.SymbolicTensor;
    const kerasTensor = (ref: unknown[]): unknown => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: ref.slice(0, 3) } });
    await convertAndCompare(tf.model({ inputs: x, outputs: sum }), {
      rewrite: (topology) => {
        for (const layer of (topology.config as { layers: RawLayer[] }).layers) {
          if (layer.class_name === 'InputLayer') {
            layer.config.batch_shape = layer.config.batch_input_shape;
            delete layer.config.batch_input_shape;
          }
          layer.inbound_nodes = (layer.inbound_nodes ?? []).map((node) => {
            const refs = (node as unknown[][]).map(kerasTensor);
            return { args: refs.length === 1 ? refs : [refs], kwargs: {} };
          });
        }
        return { ...topology, class_name: 'Functional' };
      },
    });
  });
});

describe('tfjs -> ONNX: weight files', () => {
  it('reads weights split across several shard files', async () => {
    const dir = join(tmp.dir, 'sharded');
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [16], units: 32, activation: 'relu' }), tf.layers.dense({ units: 4 })] });
    await convertAndCompare(model, { dir, shardBytes: 1000 });
    const manifest = (JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] }).weightsManifest;
    assert.equal(manifest[0]!.paths.length, 3, 'the test should have produced 3 shards of 1000 bytes');
  });

  // The kernel [3, 2] stored quantized, the bias as float32, as tfjs-converter --quantize_* writes them.
  const quantizations = {
    uint8: { spec: { dtype: 'uint8', scale: 0.01, min: -1 }, stored: [7, 0, 255, 128, 3, 250], bytes: (q: number[]) => Uint8Array.from(q), value: (q: number) => q * 0.01 - 1 },
    uint16: { spec: { dtype: 'uint16', scale: 0.001, min: -30 }, stored: [7, 0, 65535, 30000, 3, 40000], bytes: (q: number[]) => new Uint8Array(Uint16Array.from(q).buffer), value: (q: number) => q * 0.001 - 30 },
    float16: { spec: { dtype: 'float16' }, stored: [0.5, -1.25, 3, 0, 2.5, -0.125].map(numberToFloat16Bits), bytes: (q: number[]) => new Uint8Array(Uint16Array.from(q).buffer), value: float16BitsToNumber },
  } as const;
  for (const [dtype, quantization] of Object.entries(quantizations)) {
    it(`dequantizes ${dtype}-quantized weights as tfjs does`, async () => {
      const dir = join(tmp.dir, `quantized-${dtype}`);
      await saveTfjsModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] }), dir);
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[]; weights: Record<string, unknown>[] }[] };
      const [kernelSpec, biasSpec] = json.weightsManifest[0]!.weights as [Record<string, unknown>, Record<string, unknown>];
      assert.match(kernelSpec.name as string, /\/kernel$/);
      assert.match(biasSpec.name as string, /\/bias$/);
      kernelSpec.quantization = quantization.spec;
      const bias = new Float32Array([0.25, -0.5]);
      await writeFile(join(dir, json.weightsManifest[0]!.paths[0]!), Buffer.concat([quantization.bytes([...quantization.stored]), new Uint8Array(bias.buffer)]));
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      const conversion = await convertModel('tfjs', dir);
      const kernel = quantization.stored.map((q) => quantization.value(q));
      const input = new Float32Array([0.5, -1, 2]);
      const session = await ort.InferenceSession.create(encodeModel(conversion.model));
      const output = (await session.run({ [conversion.graph.inputs[0]!.name]: new ort.Tensor('float32', input, [1, 3]) }))[conversion.graph.outputs[0]!.name]!;
      const expected = [0, 1].map((j) => input.reduce((sum, x, i) => sum + x * kernel[i * 2 + j]!, bias[j]!));
      assert.ok(maxAbsDifference(output.data as Float32Array, Float32Array.from(expected)) < 1e-3 * Math.max(1, ...expected.map(Math.abs)));
    });
  }
});

describe('tfjs -> ONNX: errors name what is wrong', () => {
  async function savedModel(name: string, model: tf.LayersModel): Promise<string> {
    const dir = join(tmp.dir, name);
    await saveTfjsModel(model, dir, { shardBytes: 64 });
    return dir;
  }

  it('an unsupported layer is named by class and layer name', async () => {
    const model = tf.sequential({ layers: [tf.layers.simpleRNN({ inputShape: [3, 2], units: 2, name: 'rnn_1' })] });
    const dir = await savedModel('unsupported', model);
    await assert.rejects(convertModel('tfjs', dir), /unsupported layer SimpleRNN \(layer 'rnn_1'\); supported layers: .*Conv2D/);
  });

  it('a missing weight shard is named', async () => {
    const dir = await savedModel('missing-shard', tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 8 })] }));
    await rm(join(dir, 'group1-shard2of5.bin'));
    await assert.rejects(convertModel('tfjs', dir), /cannot read weight shard .*group1-shard2of5\.bin \(listed in model\.json\): no such file/);
  });

  it('a truncated shard names the weight that does not fit', async () => {
    const dir = join(tmp.dir, 'short-shard');
    await saveTfjsModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 8, name: 'fc' })] }), dir);
    const shard = join(dir, 'group1-shard1of1.bin');
    await writeFile(shard, (await readFile(shard)).subarray(0, 200));
    await assert.rejects(convertModel('tfjs', dir), /weight 'fc\/kernel' \[8,8\] needs bytes 0-256 of the shards group1-shard1of1\.bin, which hold only 200 bytes/);
  });

  it('a shard path leaving the model folder is refused', async () => {
    const dir = join(tmp.dir, 'escaping');
    await saveTfjsModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { paths: string[] }[] };
    json.weightsManifest[0]!.paths = ['../../etc/passwd'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await assert.rejects(convertModel('tfjs', dir), /weight shard '\.\.\/\.\.\/etc\/passwd' lies outside the model's folder/);
  });

  it('a graph model, a missing model.json, broken JSON and an unknown format are explained', async () => {
    const graphDir = join(tmp.dir, 'graph-model');
    await saveTfjsModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1 })] }), graphDir);
    await writeFile(join(graphDir, 'model.json'), JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] }));
    await assert.rejects(convertModel('tfjs', graphDir), /is a TensorFlow\.js graph model .*only layers models/);
    await assert.rejects(convertModel('tfjs', join(tmp.dir, 'nowhere')), /cannot read the TensorFlow\.js model .*nowhere.*no such file/);
    const broken = join(tmp.dir, 'broken.json');
    await writeFile(broken, '{"modelTopology": ');
    await assert.rejects(convertModel('tfjs', broken), /broken\.json is not JSON/);
    await assert.rejects(convertModel('keras', graphDir), /unknown source format 'keras' \(supported: tfjs\)/);
  });

  it('a weight missing from the manifest names the layer and the weight', async () => {
    const dir = join(tmp.dir, 'missing-weight');
    await saveTfjsModel(tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 1, name: 'head' })] }), dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { weightsManifest: { weights: unknown[] }[] };
    json.weightsManifest[0]!.weights = json.weightsManifest[0]!.weights.slice(0, 1);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await assert.rejects(convertModel('tfjs', dir), /layer 'head' \(Dense\): weight 'bias' is missing from the weights manifest/);
  });
});
