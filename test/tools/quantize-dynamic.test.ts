import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareOnSamples, randomFeeds, resolveInputSpecs, seededRandom, type OutputDifference } from '../../src/tools/evaluate/index.js';
import { decodeModel, encodeModel, GraphBuilder, readTensor, type OnnxModel } from '../../src/tools/onnx/index.js';
import { quantizeDynamic } from '../../src/tools/quantize/index.js';
import { buildMlpModel } from '../support/test-models.js';

/** Runs both models in onnxruntime-node on the same seeded random inputs and compares every output. */
async function compareInOrt(original: OnnxModel, quantized: OnnxModel, samples = 200, batch = 1): Promise<OutputDifference[]> {
  const random = seededRandom(11);
  const specs = resolveInputSpecs(original, { batch });
  const feeds = Array.from({ length: samples }, () => randomFeeds(specs, random));
  return compareOnSamples(encodeModel(original), encodeModel(quantized), feeds);
}

const opTypes = (model: OnnxModel): string[] => (model.graph?.node ?? []).map((node) => node.opType ?? '');
const initializer = (model: OnnxModel, name: string) => model.graph?.initializer?.find((tensor) => tensor.name === name);

/** x [batch, 8] -> Gemm(x, B, C) -> y [batch, 6], B stored [6, 8] (transB=1), alpha and beta not 1. */
function buildGemmModel(options: { constantC: boolean }): OnnxModel {
  const g = new GraphBuilder('gemm');
  const x = g.input('x', 'FP32', ['batch', 8]);
  const b = g.initializer('B', 'FP32', [6, 8], Float32Array.from({ length: 48 }, (_, i) => Math.sin(i * 1.7) * 0.5));
  const c = options.constantC ? g.initializer('C', 'FP32', [6], Float32Array.from({ length: 6 }, (_, i) => i / 10 - 0.2)) : g.input('C', 'FP32', ['batch', 6]);
  g.output(g.node('Gemm', [x, b, c], { transB: 1, alpha: 0.75, beta: 2.5 }, { name: 'dense' }), 'y', 'FP32', ['batch', 6]);
  return g.toModel({ opset: 17 });
}

describe('quantizeDynamic', () => {
  it('stores the MLP weights as int8 (≤ 30% of the size) and stays close to FP32 in onnxruntime', async () => {
    const bytes = buildMlpModel([64, 256, 256, 10]);
    const original = decodeModel(bytes);
    const result = quantizeDynamic(original);
    assert.deepEqual(opTypes(result.model), ['DynamicQuantizeMatMul', 'Relu', 'DynamicQuantizeMatMul', 'Relu', 'DynamicQuantizeMatMul']);
    assert.deepEqual(result.quantized.map((node) => node.weight), ['w1', 'w2', 'w3']);
    assert.equal(initializer(result.model, 'w1'), undefined, 'the float weight is dropped');
    assert.equal(initializer(result.model, 'b1'), undefined, 'the bias of the folded Add is dropped');
    const q = readTensor(initializer(result.model, 'w1_quantized')!);
    assert.equal(q.datatype, 'INT8');
    assert.deepEqual(q.shape, [64, 256]);
    assert.ok(result.model.opsetImport?.some((opset) => opset.domain === 'com.microsoft'));
    assert.ok(encodeModel(result.model).byteLength <= 0.3 * bytes.byteLength);
    assert.equal(opTypes(original)[0], 'MatMul', 'the input model is not changed');

    const [y] = await compareInOrt(original, result.model);
    assert.ok(y!.cosine > 0.999, `cosine ${y!.cosine}`);
    assert.ok(y!.top1Agreement! >= 0.98, `top-1 agreement ${y!.top1Agreement}`);
  });

  it('writes only standard ONNX operators with form "standard", with the same accuracy', async () => {
    const original = decodeModel(buildMlpModel([16, 32, 4]));
    const result = quantizeDynamic(original, { form: 'standard' });
    assert.deepEqual(new Set(opTypes(result.model)), new Set(['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Add', 'Relu']));
    assert.ok(!(result.model.opsetImport ?? []).some((opset) => opset.domain === 'com.microsoft'));
    const [y] = await compareInOrt(original, result.model, 50, 4);
    assert.ok(y!.cosine > 0.999, `cosine ${y!.cosine}`);
  });

  for (const constantC of [true, false]) {
    it(`rewrites Gemm exactly: transB=1, alpha, beta, ${constantC ? 'constant C folded into the bias' : 'C an input added after'}`, async () => {
      const original = buildGemmModel({ constantC });
      for (const form of ['fused', 'standard'] as const) {
        const result = quantizeDynamic(original, { form });
        assert.deepEqual(result.quantized, [{ name: 'dense', opType: 'Gemm', weight: 'B' }]);
        assert.ok(!opTypes(result.model).includes('Gemm'));
        const [y] = await compareInOrt(original, result.model, 50, 3);
        assert.ok(y!.cosine > 0.999, `${form}: cosine ${y!.cosine}`);
        assert.ok(y!.maxAbs < 0.05, `${form}: max abs ${y!.maxAbs}`);
      }
    });
  }

  it('per-channel scales cut the error on a weight whose columns have very different ranges', async () => {
    const g = new GraphBuilder('skewed');
    const x = g.input('x', 'FP32', ['batch', 32]);
    // Column 0 is 1000 times larger than the others: one scale rounds the others to almost nothing.
    const w = g.initializer('w', 'FP32', [32, 4], Float32Array.from({ length: 128 }, (_, i) => (i % 4 === 0 ? 10 : 0.01) * Math.cos(i)));
    const product = g.node('MatMul', [x, w]);
    g.output(product, 'y', 'FP32', ['batch', 4]);
    // The small columns on their own, where the difference shows.
    const [starts, ends, axes] = [g.initializer('starts', 'INT64', [1], [1n]), g.initializer('ends', 'INT64', [1], [4n]), g.initializer('axes', 'INT64', [1], [1n])];
    g.output(g.node('Slice', ['y', starts, ends, axes]), 'small', 'FP32', ['batch', 3]);
    const original = g.toModel({ opset: 17 });
    const small = (differences: OutputDifference[]): OutputDifference => differences.find((d) => d.output === 'small')!;
    const perTensor = small(await compareInOrt(original, quantizeDynamic(original).model, 50));
    const perChannelResult = quantizeDynamic(original, { perChannel: true });
    assert.deepEqual(readTensor(initializer(perChannelResult.model, 'w_scale')!).shape, [4]);
    const perChannel = small(await compareInOrt(original, perChannelResult.model, 50));
    assert.ok(perChannel.meanAbs * 5 < perTensor.meanAbs, `per-channel mean abs ${perChannel.meanAbs} vs per-tensor ${perTensor.meanAbs}`);
  });

  it('leaves excluded nodes (by name or op type) and unsupported ones in float, saying why', () => {
    const original = decodeModel(buildMlpModel([8, 8, 8, 2]));
    const names = (original.graph?.node ?? []).filter((node) => node.opType === 'MatMul').map((node) => node.name!);
    const byName = quantizeDynamic(original, { exclude: [names[0]!] });
    assert.equal(byName.quantized.length, 2);
    assert.deepEqual(byName.keptFloat, [{ name: names[0], opType: 'MatMul', reason: 'excluded by --exclude' }]);
    assert.equal(opTypes(byName.model)[0], 'MatMul');
    assert.ok(initializer(byName.model, 'w1') !== undefined, 'the excluded node keeps its float weight');

    const g = new GraphBuilder('mixed');
    const x = g.input('x', 'FP32', [3, 4]);
    const w = g.initializer('w', 'FP32', [3, 5], new Float32Array(15).fill(0.5));
    const transposed = g.node('Gemm', [x, w], { transA: 1 }, { name: 'transposed' });
    const moving = g.input('m', 'FP32', [5, 2]);
    const product = g.node('MatMul', [transposed, moving], {}, { name: 'two_activations' });
    g.output(g.node('MatMul', [product, g.initializer('v', 'FP32', [2, 2], [1, 2, 3, 4])], {}, { name: 'last' }), 'y', 'FP32', [4, 2]);
    const mixed = quantizeDynamic(g.toModel({ opset: 17 }), { exclude: [] });
    assert.deepEqual(mixed.quantized.map((node) => node.name), ['last']);
    assert.deepEqual(mixed.keptFloat, [
      { name: 'transposed', opType: 'Gemm', reason: 'transA=1 is not supported' },
      { name: 'two_activations', opType: 'MatMul', reason: "input B ('m') is not a constant initializer" },
    ]);
    assert.throws(() => quantizeDynamic(g.toModel({ opset: 17 }), { exclude: ['MatMul'] }), /nothing to quantize: every candidate stays float: transposed \(Gemm\): transA=1 is not supported/);
  });

  it('rejects an unknown --exclude entry and a model with nothing to quantize', () => {
    const original = decodeModel(buildMlpModel([8, 8, 2]));
    assert.throws(() => quantizeDynamic(original, { exclude: ['no_such_node'] }), /--exclude 'no_such_node' is neither a node name nor an op type in the graph/);
    const g = new GraphBuilder('ints');
    const x = g.input('x', 'INT32', [2, 2]);
    g.output(g.node('MatMul', [x, g.initializer('w', 'INT32', [2, 2], [1, 2, 3, 4])], {}, { name: 'int_matmul' }), 'y', 'INT32', [2, 2]);
    assert.throws(() => quantizeDynamic(g.toModel({ opset: 17 })), /nothing to quantize: every candidate stays float: int_matmul \(MatMul\): weight 'w' is not FP32/);
    const h = new GraphBuilder('relu');
    h.output(h.node('Relu', [h.input('x', 'FP32', [2])]), 'y', 'FP32', [2]);
    assert.throws(() => quantizeDynamic(h.toModel({ opset: 17 })), /nothing to quantize: the model has no MatMul, Gemm node/);
  });
});
