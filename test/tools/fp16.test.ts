import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { float16BitsToNumber } from '../../src/core/index.js';
import { compareOnSamples, createSession, randomFeeds, resolveInputSpecs, seededRandom, type OutputDifference } from '../../src/tools/evaluate/index.js';
import { convertToFloat16, FLOAT16_MAX, FLOAT16_MIN_POSITIVE, toFloat16Values } from '../../src/tools/fp16/index.js';
import { attr, decodeModel, encodeModel, GraphBuilder, makeValueInfo, modelSignature, readTensor, type OnnxModel } from '../../src/tools/onnx/index.js';
import { buildCnnModel, buildMlpModel } from '../support/test-models.js';

const FLOAT = 1;
const FLOAT16 = 10;

/** Runs both models on the same seeded inputs (FP32 feeds, converted for FP16 inputs) and compares every output. */
async function compareInOrt(original: OnnxModel, converted: OnnxModel, shapes: Record<string, number[]> = {}): Promise<OutputDifference[]> {
  const random = seededRandom(3);
  const specs = resolveInputSpecs(original, { shapes });
  const samples = Array.from({ length: 8 }, () => randomFeeds(specs, random));
  return compareOnSamples(encodeModel(original), encodeModel(converted), samples);
}

function assertClose(differences: readonly OutputDifference[], maxAbs: number): void {
  assert.ok(differences.length > 0);
  for (const d of differences) {
    assert.ok(d.cosine > 0.999, `output '${d.output}': cosine ${d.cosine}`);
    assert.ok(d.maxAbs < maxAbs, `output '${d.output}': max abs diff ${d.maxAbs} >= ${maxAbs}`);
  }
}

/**
 * x FP32 [1,2,4,4] -> Conv -> Resize (scales, an FP32-only input) -> + Range(0, 8, 1) (an operator
 * with no FP16 in its schema) -> y; the Range output is also graph output `r`.
 */
function buildResizeRangeModel(): Uint8Array {
  const g = new GraphBuilder('resize_range');
  const x = g.input('x', 'FP32', [1, 2, 4, 4]);
  const w = g.initializer('w', 'FP32', [2, 2, 3, 3], Float32Array.from({ length: 36 }, (_, i) => ((i % 7) - 3) / 10));
  const conv = g.node('Conv', [x, w], { pads: [1, 1, 1, 1] });
  const scales = g.initializer('scales', 'FP32', [4], [1, 1, 2, 2]);
  const resized = g.node('Resize', [conv, '', scales], { mode: 'nearest' });
  const range = g.node('Range', [g.initializer('start', 'FP32', [], [0]), g.initializer('limit', 'FP32', [], [8]), g.initializer('delta', 'FP32', [], [1])], {}, { name: 'positions' });
  g.output(g.node('Add', [resized, range]), 'y', 'FP32', [1, 2, 8, 8]);
  g.output(range, 'r', 'FP32', [8]);
  return g.toBytes({ opset: 17 });
}

describe('convertToFloat16', () => {
  it('converts an MLP: FP16 initializers and I/O, runs in onnxruntime close to FP32', async () => {
    const original = decodeModel(buildMlpModel([64, 256, 256, 10]));
    // As shape inference writes them: the converter must retype these too.
    original.graph!.valueInfo = [makeValueInfo('Relu_1', 'FP32', ['batch', 256])];
    const before = encodeModel(original);
    const result = convertToFloat16(original);
    assert.deepEqual(encodeModel(original), before, 'the input model is not changed');
    assert.deepEqual(result.model.graph!.initializer!.map((t) => t.dataType), Array<number>(6).fill(FLOAT16));
    assert.equal(result.model.graph!.valueInfo![0]!.type!.tensorType!.elemType, FLOAT16);
    assert.deepEqual(result.initializers.map((i) => i.name), ['w1', 'b1', 'w2', 'b2', 'w3', 'b3']);
    assert.equal(result.casts.length, 0);
    assert.equal(result.keptFp32.length, 0);
    const signature = modelSignature(result.model);
    assert.deepEqual([...signature.inputs, ...signature.outputs].map((io) => io.datatype), ['FP16', 'FP16']);
    assert.ok(encodeModel(result.model).byteLength < 0.55 * before.byteLength);
    assertClose(await compareInOrt(original, result.model, { x: [16, 64] }), 0.01);
  });

  it('converts the CNN with --keep-io-types: FP32 inputs and outputs, Casts at the boundary', async () => {
    const original = decodeModel(buildCnnModel());
    const result = convertToFloat16(original, { keepIoTypes: true });
    const signature = modelSignature(result.model);
    assert.deepEqual([...signature.inputs, ...signature.outputs].map((io) => io.datatype), ['FP32', 'FP32']);
    assert.deepEqual(result.casts.map((c) => [c.value, c.to]), [['x', 'FP16'], ['y_fp16', 'FP32']]);
    const nodes = result.model.graph!.node!;
    assert.equal(nodes[0]!.opType, 'Cast', 'the input cast comes before its first consumer');
    assert.deepEqual(nodes.at(-1)!.output, ['y']);
    assert.ok(result.model.graph!.initializer!.every((t) => t.dataType === FLOAT16));
    const differences = await compareInOrt(original, result.model, { x: [2, 3, 64, 64] });
    assertClose(differences, 0.01);
    assert.equal(differences[0]!.top1Agreement, 1);
  });

  it('keeps Range in FP32 and Resize scales FP32, which onnxruntime refuses in FP16', async () => {
    // The premise: an FP16 Range does not even load.
    const g = new GraphBuilder('range16');
    const scalar = (name: string, bits: number): string => g.initializer(name, 'FP16', [], Uint16Array.of(bits));
    g.output(g.node('Range', [scalar('a', 0), scalar('b', 0x4800), scalar('c', 0x3c00)]), 'r', 'FP16', [8]);
    await assert.rejects(createSession(g.toBytes({ opset: 17 })), /float16/);

    const original = decodeModel(buildResizeRangeModel());
    const result = convertToFloat16(original);
    assert.deepEqual(result.keptFp32, [{ name: 'positions', opType: 'Range', reason: 'operator without FP16 support (default block list)' }]);
    const initializers = new Map(result.model.graph!.initializer!.map((t) => [t.name, t.dataType]));
    assert.equal(initializers.get('scales'), FLOAT, 'Resize scales stay FP32');
    assert.equal(initializers.get('start'), FLOAT, 'Range inputs stay FP32');
    assert.equal(initializers.get('w'), FLOAT16);
    // Range's FP32 output is cast once, to the graph output r (now FP16), which Add reads too.
    assert.deepEqual(result.casts.map((c) => [c.value, c.to]), [['r_fp32', 'FP16']]);
    assert.deepEqual(modelSignature(result.model).outputs.map((o) => [o.name, o.datatype]), [['y', 'FP16'], ['r', 'FP16']]);
    assertClose(await compareInOrt(original, result.model), 0.01);
  });

  it('lets callers keep more operators and nodes in FP32', async () => {
    const original = decodeModel(buildCnnModel());
    const result = convertToFloat16(original, { blockList: ['Gemm'], blockNodes: ['Conv_0'] });
    assert.deepEqual(result.keptFp32.map((k) => [k.name, k.reason]), [['Conv_0', 'node in the block list'], ['Gemm_0', 'operator type in the block list']]);
    const stored = new Map(result.model.graph!.initializer!.map((t) => [t.name, t.dataType]));
    assert.equal(stored.get('conv0_w'), FLOAT);
    assert.equal(stored.get('fc_w'), FLOAT);
    assert.equal(stored.get('conv1_w'), FLOAT16);
    assertClose(await compareInOrt(original, result.model), 0.01);
  });

  it('converts Constant, ConstantOfShape and Cast-to-float nodes', async () => {
    const g = new GraphBuilder('constants');
    const x = g.input('x', 'FP32', [2, 3]);
    const c = g.node('Constant', [], { value_floats: attr.floats([0.5, 1.5, 2.5]) }, { name: 'three' });
    const shape = g.node('Shape', [x]);
    const zeros = g.node('ConstantOfShape', [shape], {}, { name: 'zeros' });
    const ints = g.node('Cast', [x], { to: 7 });
    const back = g.node('Cast', [ints], { to: FLOAT }, { name: 'to_float' });
    const sum = g.node('Add', [g.node('Add', [g.node('Mul', [x, c]), zeros]), back]);
    g.output(sum, 'y', 'FP32', [2, 3]);
    const original = g.toModel({ opset: 17 });
    const result = convertToFloat16(original);
    assert.deepEqual(result.constants, ['three', 'zeros']);
    const nodes = new Map(result.model.graph!.node!.map((n) => [n.name, n]));
    assert.equal(nodes.get('three')!.attribute![0]!.t!.dataType, FLOAT16);
    assert.equal(nodes.get('zeros')!.attribute![0]!.t!.dataType, FLOAT16);
    assert.equal(nodes.get('to_float')!.attribute![0]!.i, BigInt(FLOAT16));
    assertClose(await compareInOrt(original, result.model), 0.01);
  });

  it('clamps values beyond the FP16 range and keeps tiny nonzero values nonzero', () => {
    const g = new GraphBuilder('extremes');
    const x = g.input('x', 'FP32', [7]);
    const values = [1e6, -70000, 1e-10, -1e-12, 0, 1.5, Number.POSITIVE_INFINITY];
    g.output(g.node('Add', [x, g.initializer('k', 'FP32', [7], values)]), 'y', 'FP32', [7]);
    const result = convertToFloat16(g.toModel({ opset: 17 }));
    assert.deepEqual(result.initializers, [{ name: 'k', elements: 7, clamped: 2, raised: 2 }]);
    const stored = readTensor(result.model.graph!.initializer![0]!);
    assert.equal(stored.datatype, 'FP16');
    assert.deepEqual(Array.from(stored.data, float16BitsToNumber), [FLOAT16_MAX, -FLOAT16_MAX, FLOAT16_MIN_POSITIVE, -FLOAT16_MIN_POSITIVE, 0, 1.5, Number.POSITIVE_INFINITY]);
  });

  it('refuses models with subgraphs and models without a graph, naming the node', () => {
    const g = new GraphBuilder('with_if');
    const condition = g.input('c', 'BOOL', []);
    const branch = new GraphBuilder('branch');
    branch.output(branch.initializer('one', 'FP32', [1], [1]), 'o', 'FP32', [1]);
    g.output(g.node('If', [condition], { then_branch: attr.graph(branch.toGraph()), else_branch: attr.graph(branch.toGraph()) }, { name: 'choose' }), 'y', 'FP32', [1]);
    assert.throws(() => convertToFloat16(g.toModel({ opset: 17 })), /node 'choose' \(If\) has a subgraph/);
    assert.throws(() => convertToFloat16({ irVersion: 8n }), /no graph/);
  });

  it('leaves FP64 and integer tensors alone', () => {
    const g = new GraphBuilder('mixed');
    const x = g.input('x', 'FP64', [2]);
    g.output(g.node('Add', [x, g.initializer('d', 'FP64', [2], [1, 2])]), 'y', 'FP64', [2]);
    const original = g.toModel({ opset: 17 });
    const result = convertToFloat16(original);
    assert.deepEqual(encodeModel(result.model), encodeModel(original));
    assert.equal(result.initializers.length, 0);
  });
});

describe('toFloat16Values', () => {
  it('never turns a finite value into an infinity or a nonzero value into zero, and keeps the sign', () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (value) => {
      const [decoded] = Array.from(toFloat16Values([value]).bits, float16BitsToNumber);
      assert.ok(Number.isFinite(decoded!));
      assert.equal(decoded === 0, value === 0);
      if (value !== 0) assert.equal(Math.sign(decoded!), Math.sign(value));
      const magnitude = Math.abs(value);
      // Normal FP16 numbers carry 11 significant bits: relative error at most 2^-11.
      if (magnitude >= 2 ** -14 && magnitude <= FLOAT16_MAX) assert.ok(Math.abs(decoded! - value) <= magnitude * 2 ** -11);
    }));
  });

  it('counts what it clamps and raises', () => {
    const { clamped, raised } = toFloat16Values([65504, 65505, -1e9, 2 ** -24, 2 ** -26, Number.NaN]);
    assert.deepEqual([clamped, raised], [2, 1]);
  });
});
