import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { float16BitsToNumber } from '../../src/core/index.js';
import { compareOutputs, createSession, randomFeeds, resolveInputSpecs, runSession, seededRandom } from '../../src/tools/evaluate/index.js';
import { convertToFloat16 } from '../../src/tools/fp16/index.js';
import { decodeModel, encodeModel, GraphBuilder, readTensor, type OnnxModel } from '../../src/tools/onnx/index.js';
import { compressedSize, pruneWeights, smallestIndices } from '../../src/tools/prune/index.js';
import { buildCnnModel, buildMlpModel } from '../support/test-models.js';

function values(model: OnnxModel, name: string): number[] {
  const proto = model.graph!.initializer!.find((t) => t.name === name);
  assert.ok(proto, `initializer ${name}`);
  const tensor = readTensor(proto);
  return tensor.datatype === 'FP16' ? Array.from(tensor.data, float16BitsToNumber) : Array.from(tensor.data as Float32Array);
}

/** x [1, rows] -> MatMul(x, w [rows, cols]) -> y, with `w` given. */
function matmulModel(weights: readonly number[], rows: number, cols: number): OnnxModel {
  const g = new GraphBuilder('matmul');
  const x = g.input('x', 'FP32', [1, rows]);
  g.output(g.node('MatMul', [x, g.initializer('w', 'FP32', [rows, cols], weights)]), 'y', 'FP32', [1, cols]);
  return g.toModel({ opset: 17 });
}

async function runsClose(original: OnnxModel, pruned: OnnxModel, minCosine: number): Promise<void> {
  const random = seededRandom(5);
  const specs = resolveInputSpecs(original, { batch: 4 });
  const samples = Array.from({ length: 4 }, () => randomFeeds(specs, random));
  const [a, b] = await Promise.all([createSession(encodeModel(original)), createSession(encodeModel(pruned))]);
  try {
    const run = async (session: typeof a): Promise<Awaited<ReturnType<typeof runSession>>[]> => Promise.all(samples.map((feeds) => runSession(session, feeds)));
    const [difference] = compareOutputs(await run(a), await run(b));
    assert.ok(difference!.maxAbs > 0, 'pruning changed the outputs');
    assert.ok(difference!.cosine > minCosine, `cosine ${difference!.cosine}`);
  } finally {
    await Promise.all([a.release(), b.release()]);
  }
}

describe('pruneWeights, unstructured', () => {
  it('zeroes exactly floor(sparsity * n) weights per tensor and leaves biases alone', async () => {
    const original = decodeModel(buildMlpModel([64, 256, 256, 10]));
    const result = pruneWeights(original, { sparsity: 0.3 });
    assert.deepEqual(result.tensors.map((t) => [t.name, t.opType, t.elements, t.zeros, t.pruned]), [
      ['w1', 'MatMul', 16384, 4915, 4915],
      ['w2', 'MatMul', 65536, 19660, 19660],
      ['w3', 'MatMul', 2560, 768, 768],
    ]);
    for (const name of ['w1', 'w2', 'w3']) {
      const after = values(result.model, name);
      assert.equal(after.filter((v) => v === 0).length, Math.floor(0.3 * after.length), name);
    }
    for (const name of ['b1', 'b2', 'b3']) assert.deepEqual(values(result.model, name), values(original, name), `bias ${name} untouched`);
    assert.equal(result.zeros, 4915 + 19660 + 768);
    assert.ok(Math.abs(result.sparsity - 0.3) < 1e-4);
    assert.ok(compressedSize(encodeModel(result.model)) < compressedSize(encodeModel(original)));
    await runsClose(original, result.model, 0.95);
  });

  it('zeroes exactly the smallest |w|, earliest first among ties (property)', () => {
    // Few distinct magnitudes, so ties and existing zeros are common.
    const weights = fc.integer({ min: 1, max: 40 }).chain((n) => fc.array(fc.constantFrom(0, 0.5, -0.5, 1, -1, 2, -3, 0.25), { minLength: n, maxLength: n }));
    fc.assert(fc.property(weights, fc.double({ min: 0, max: 0.999, noNaN: true }), (w, sparsity) => {
      const result = pruneWeights(matmulModel(w, w.length, 1), { sparsity });
      const after = values(result.model, 'w');
      const k = Math.floor(sparsity * w.length);
      const existingZeros = w.filter((v) => v === 0).length;
      assert.equal(after.filter((v) => v === 0).length, Math.max(k, existingZeros));
      const zeroed = w.map((_, i) => i).filter((i) => after[i] === 0 && w[i] !== 0);
      const kept = w.map((_, i) => i).filter((i) => after[i] !== 0);
      for (const i of kept) assert.equal(after[i], w[i], 'kept weights are unchanged');
      for (const i of zeroed) {
        for (const j of kept) {
          assert.ok(Math.abs(w[i]!) <= Math.abs(w[j]!), `zeroed ${w[i]} at ${i} but kept ${w[j]} at ${j}`);
          if (Math.abs(w[i]!) === Math.abs(w[j]!)) assert.ok(i < j, 'ties go to the earlier element');
        }
      }
      assert.equal(result.tensors[0]!.pruned, zeroed.length);
    }), { numRuns: 300 });
  });

  it('with sparsity 0 returns a model that encodes to the same bytes', () => {
    const bytes = buildCnnModel();
    const result = pruneWeights(decodeModel(bytes), { sparsity: 0 });
    assert.deepEqual(encodeModel(result.model), bytes);
    assert.ok(result.tensors.every((t) => t.pruned === 0));
  });

  it('prunes FP16 weights, and the result still runs', async () => {
    const original = convertToFloat16(decodeModel(buildMlpModel([16, 32, 4]))).model;
    const result = pruneWeights(original, { sparsity: 0.5 });
    assert.deepEqual(result.tensors.map((t) => t.zeros), [256, 64]);
    assert.equal(values(result.model, 'w1').filter((v) => v === 0).length, 256);
    await runsClose(original, result.model, 0.8);
  });

  it('refuses a sparsity outside [0, 1) and names that are not weights', () => {
    const model = decodeModel(buildMlpModel([4, 3]));
    for (const sparsity of [1, -0.1, Number.NaN, 1.5]) assert.throws(() => pruneWeights(model, { sparsity }), /sparsity must be in \[0, 1\), got/);
    assert.throws(() => pruneWeights(model, { sparsity: 0.5, include: ['b1'] }), /'b1' is not the weight initializer of a MatMul, Gemm or Conv node \(weights: w1\)/);
    const only = pruneWeights(decodeModel(buildMlpModel([4, 3, 2])), { sparsity: 0.5, include: ['w2'] });
    assert.deepEqual(only.tensors.map((t) => t.name), ['w2']);
  });
});

describe('smallestIndices', () => {
  it('marks the k smallest, earliest first among ties, NaN last', () => {
    const scores = Float64Array.of(Number.NaN, 1, 0, 1, Number.NaN, 3);
    assert.deepEqual(Array.from(smallestIndices(scores, 2)), [0, 1, 1, 0, 0, 0]);
    assert.deepEqual(Array.from(smallestIndices(scores, 3)), [0, 1, 1, 1, 0, 0]);
    assert.deepEqual(Array.from(smallestIndices(scores, 5)), [1, 1, 1, 1, 0, 1]);
    assert.deepEqual(Array.from(smallestIndices(scores, 0)), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(smallestIndices(scores, 9)), [1, 1, 1, 1, 1, 1]);
  });
});

describe('pruneWeights, structured', () => {
  it('zeroes whole Conv filters with the smallest L1 norms, and Gemm columns', async () => {
    const original = decodeModel(buildCnnModel());
    const result = pruneWeights(original, { sparsity: 0.25, structured: true });
    assert.deepEqual(result.tensors.map((t) => [t.name, t.channels, t.channelsPruned]), [['conv0_w', 16, 4], ['conv1_w', 32, 8], ['conv2_w', 64, 16], ['fc_w', 10, 2]]);
    const before = values(original, 'conv1_w');
    const after = values(result.model, 'conv1_w');
    const filter = 16 * 9;
    const norms = Array.from({ length: 32 }, (_, m) => before.slice(m * filter, (m + 1) * filter).reduce((s, v) => s + Math.abs(v), 0));
    const zeroedFilters = norms.map((_, m) => m).filter((m) => after.slice(m * filter, (m + 1) * filter).every((v) => v === 0));
    assert.equal(zeroedFilters.length, 8);
    const smallest = norms.map((n, m) => [n, m] as const).sort((a, b) => a[0] - b[0]).slice(0, 8).map(([, m]) => m).sort((a, b) => a - b);
    assert.deepEqual(zeroedFilters, smallest);
    for (let m = 0; m < 32; m += 1) {
      if (!zeroedFilters.includes(m)) assert.deepEqual(after.slice(m * filter, (m + 1) * filter), before.slice(m * filter, (m + 1) * filter));
    }
    // fc_w is [64, 10] with transB = 0: a channel is a column.
    const fc = values(result.model, 'fc_w');
    const zeroColumns = Array.from({ length: 10 }, (_, j) => j).filter((j) => Array.from({ length: 64 }, (_, i) => fc[i * 10 + j]).every((v) => v === 0));
    assert.equal(zeroColumns.length, 2);
    assert.deepEqual(values(result.model, 'conv1_b'), values(original, 'conv1_b'), 'biases untouched');
    await runsClose(original, result.model, 0.9);
  });

  it('treats Gemm rows as channels when transB = 1, and ranks by L2 when asked', () => {
    const g = new GraphBuilder('gemm_t');
    const x = g.input('x', 'FP32', [1, 3]);
    // Rows (output channels): L1 norms 3, 2.2, 4 but L2 norms 1.73, 2.005, 4.
    const w = g.initializer('w', 'FP32', [3, 3], [1, 1, 1, 0.1, 0.1, 2, 0, 0, 4]);
    g.output(g.node('Gemm', [x, w], { transB: 1 }), 'y', 'FP32', [1, 3]);
    const model = g.toModel({ opset: 17 });
    const l1 = values(pruneWeights(model, { sparsity: 0.34, structured: true }).model, 'w');
    assert.deepEqual(l1, [1, 1, 1, 0, 0, 0, 0, 0, 4]);
    const l2 = values(pruneWeights(model, { sparsity: 0.34, structured: true, norm: 'l2' }).model, 'w');
    assert.deepEqual(l2.map((v) => Math.fround(v)), [0, 0, 0, 0.1, 0.1, 2, 0, 0, 4].map((v) => Math.fround(v)));
  });

  it('skips weights of rank 1, which have no output channels', () => {
    const g = new GraphBuilder('vector');
    const x = g.input('x', 'FP32', [1, 4]);
    g.output(g.node('MatMul', [x, g.initializer('v', 'FP32', [4], [1, 2, 3, 4])]), 'y', 'FP32', [1]);
    const result = pruneWeights(g.toModel({ opset: 17 }), { sparsity: 0.5, structured: true });
    assert.deepEqual(result.skipped, [{ name: 'v', reason: 'a weight of rank < 2 has no output channels to prune' }]);
    assert.equal(result.tensors.length, 0);
  });
});
