import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareOnSamples, createSession, runSession, randomFeeds, resolveInputSpecs, seededRandom, type Feeds, type OutputDifference } from '../../src/tools/evaluate/index.js';
import { decodeModel, encodeModel, GraphBuilder, readTensor, type NodeProto, type OnnxModel } from '../../src/tools/onnx/index.js';
import { applyStaticQuantization, calibrate, planStaticQuantization, quantizeModel } from '../../src/tools/quantize/index.js';
import { buildCnnModel } from '../support/test-models.js';

function samplesFor(model: OnnxModel, count: number, seed: number): Feeds[] {
  const random = seededRandom(seed);
  const specs = resolveInputSpecs(model);
  return Array.from({ length: count }, () => randomFeeds(specs, random));
}

/** Runs both models in onnxruntime-node on seeded inputs other than the calibration ones. */
async function compareInOrt(original: OnnxModel, quantized: OnnxModel, count = 40): Promise<OutputDifference[]> {
  const feeds = samplesFor(original, count, 99);
  return compareOnSamples(encodeModel(original), encodeModel(quantized), feeds);
}

const nodesOf = (model: OnnxModel, opType: string): NodeProto[] => (model.graph?.node ?? []).filter((node) => node.opType === opType);
const initializer = (model: OnnxModel, name: string) => model.graph?.initializer?.find((tensor) => tensor.name === name);
const producerOf = (model: OnnxModel, value: string): NodeProto | undefined => model.graph?.node?.find((node) => node.output?.includes(value));

describe('static QDQ quantization', () => {
  const cnn = decodeModel(buildCnnModel());
  const calibration = samplesFor(cnn, 16, 7);

  for (const method of ['minmax', 'percentile'] as const) {
    it(`quantizes the CNN's Conv and Gemm with ${method} ranges and stays close in onnxruntime`, async () => {
      const result = await quantizeModel(cnn, { mode: 'static', calibrationSamples: calibration, calibrationMethod: method });
      assert.deepEqual(result.quantized.map((node) => node.opType), ['Conv', 'Conv', 'Conv', 'Gemm']);
      assert.deepEqual(result.keptFloat, []);
      const model = result.model;
      // Every quantized node reads only dequantized values: activations, int8 weights and int32 biases.
      for (const node of [...nodesOf(model, 'Conv'), ...nodesOf(model, 'Gemm')]) {
        for (const input of node.input ?? []) assert.equal(producerOf(model, input)?.opType, 'DequantizeLinear', `${node.name} input ${input}`);
      }
      assert.equal(readTensor(initializer(model, 'conv0_w_quantized')!).datatype, 'INT8');
      assert.equal(readTensor(initializer(model, 'conv0_b_quantized')!).datatype, 'INT32');
      assert.equal(initializer(model, 'conv0_w'), undefined, 'the float weight is dropped');
      // Input, three ReLU outputs (the Conv outputs' pairs sit after their ReLU) and the Gemm input.
      assert.equal(nodesOf(model, 'QuantizeLinear').length, 5);
      assert.ok(encodeModel(model).byteLength < 0.35 * encodeModel(cnn).byteLength);
      const [y] = await compareInOrt(cnn, model);
      assert.ok(y!.cosine > 0.99, `cosine ${y!.cosine}`);
      assert.ok(y!.top1Agreement! >= 0.9, `top-1 agreement ${y!.top1Agreement}`);
    });
  }

  it('percentile ranges are inside min-max ranges', async () => {
    const plan = planStaticQuantization(cnn);
    const minmax = await calibrate(cnn, plan.activations, calibration.slice(0, 4));
    const percentile = await calibrate(cnn, plan.activations, calibration.slice(0, 4), { method: 'percentile', percentile: 99 });
    assert.deepEqual([...minmax.keys()], plan.activations);
    let narrower = 0;
    for (const [name, range] of minmax) {
      const cut = percentile.get(name)!;
      assert.ok(cut.min >= range.min && cut.max <= range.max, `${name}: [${cut.min}, ${cut.max}] outside [${range.min}, ${range.max}]`);
      if (cut.max < range.max || cut.min > range.min) narrower += 1;
    }
    assert.ok(narrower > 0, 'a 99th percentile cuts something');
  });

  it('per-channel weights: per-axis DequantizeLinear, and the opset raised to 13 when lower', async () => {
    const g = new GraphBuilder('old_conv');
    const x = g.input('x', 'FP32', [1, 2, 6, 6]);
    // Output channel 1 is 100 times larger than channel 0.
    const w = g.initializer('w', 'FP32', [2, 2, 3, 3], Float32Array.from({ length: 36 }, (_, i) => (i < 18 ? 0.01 : 1) * Math.sin(i + 1)));
    g.output(g.node('Conv', [x, w], { pads: [1, 1, 1, 1] }, { name: 'conv' }), 'y', 'FP32', [1, 2, 6, 6]);
    const original = g.toModel({ opset: 11 });
    const samples = samplesFor(original, 8, 7);
    const perTensor = await quantizeModel(original, { mode: 'static', calibrationSamples: samples });
    assert.deepEqual(perTensor.opsetChanges, []);
    const perChannel = await quantizeModel(original, { mode: 'static', calibrationSamples: samples, perChannel: true });
    assert.deepEqual(perChannel.opsetChanges, ['raised the ai.onnx opset from 11 to 13 for per-axis DequantizeLinear']);
    const weightDq = producerOf(perChannel.model, 'w_dequantized')!;
    assert.equal(weightDq.attribute?.find((a) => a.name === 'axis')?.i, 0n);
    assert.deepEqual(readTensor(initializer(perChannel.model, 'w_scale')!).shape, [2]);
    const channelZeroError = async (model: OnnxModel): Promise<number> => {
      const session = await createSession(encodeModel(model));
      const reference = await createSession(encodeModel(original));
      try {
        const { y } = await runSession(session, samples[0]!);
        const { y: expected } = await runSession(reference, samples[0]!);
        const values = y!.data as Float32Array;
        return (expected!.data as Float32Array).slice(0, 36).reduce((max, value, i) => Math.max(max, Math.abs(value - values[i]!)), 0);
      } finally {
        await Promise.all([session.release(), reference.release()]);
      }
    };
    assert.ok(await channelZeroError(perChannel.model) < await channelZeroError(perTensor.model));
  });

  it('leaves excluded nodes float: their inputs are not rewired and their weights stay float', async () => {
    const result = await quantizeModel(cnn, { mode: 'static', calibrationSamples: calibration.slice(0, 4), exclude: ['Gemm'] });
    assert.deepEqual(result.quantized.map((node) => node.opType), ['Conv', 'Conv', 'Conv']);
    assert.equal(result.keptFloat[0]!.reason, 'excluded by --exclude');
    const gemm = nodesOf(result.model, 'Gemm')[0]!;
    assert.deepEqual(gemm.input!.slice(1), ['fc_w', 'fc_b']);
    assert.notEqual(producerOf(result.model, gemm.input![0]!)?.opType, 'DequantizeLinear');
    const [y] = await compareInOrt(cnn, result.model, 10);
    assert.ok(y!.cosine > 0.99, `cosine ${y!.cosine}`);
  });

  it('quantizes both inputs of a MatMul of two activations', async () => {
    const g = new GraphBuilder('attention_like');
    const a = g.input('a', 'FP32', [4, 8]);
    const b = g.input('b', 'FP32', [8, 5]);
    g.output(g.node('MatMul', [a, b], {}, { name: 'scores' }), 'y', 'FP32', [4, 5]);
    const original = g.toModel({ opset: 17 });
    const result = await quantizeModel(original, { mode: 'static', calibrationSamples: samplesFor(original, 8, 7) });
    assert.deepEqual(result.quantized, [{ name: 'scores', opType: 'MatMul' }]);
    const matmul = nodesOf(result.model, 'MatMul')[0]!;
    assert.deepEqual(matmul.input, ['a_dequantized', 'b_dequantized']);
    const [y] = await compareInOrt(original, result.model, 10);
    assert.ok(y!.cosine > 0.99, `cosine ${y!.cosine}`);
  });

  it('rejects missing calibration, missing ranges and unknown exclusions', async () => {
    await assert.rejects(quantizeModel(cnn, { mode: 'static' }), /static quantization needs calibration samples/);
    await assert.rejects(quantizeModel(cnn, { mode: 'static', calibrationSamples: [] }), /static quantization needs calibration samples/);
    await assert.rejects(quantizeModel(cnn, { mode: 'static', calibrationSamples: calibration, exclude: ['conv9'] }), /--exclude 'conv9' is neither a node name nor an op type/);
    const plan = planStaticQuantization(cnn);
    assert.throws(() => applyStaticQuantization(cnn, plan, new Map()), /no calibrated range for activation 'x'/);
    await assert.rejects(calibrate(cnn, plan.activations, []), /calibration needs at least one sample/);
    await assert.rejects(calibrate(cnn, plan.activations, calibration, { method: 'percentile', percentile: 20 }), /percentile must be in \(50, 100\], got 20/);
  });
});
