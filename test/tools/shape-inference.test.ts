// Static shape inference, checked against what onnxruntime-node actually computes: every node
// output of a model is made a graph output, the model is run, and each inferred shape and
// datatype must equal the real one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { dataTypeFromOrt } from '../../src/core/index.js';
import { inferShapes } from '../../src/tools/inspect/index.js';
import { GraphBuilder, attr, decodeModel, encodeModel, makeTensor, type OnnxModel } from '../../src/tools/onnx/index.js';
import { buildCnnModel, buildMlpModel } from '../support/test-models.js';

type Feeds = Record<string, ort.Tensor>;

function floats(dims: readonly number[]): ort.Tensor {
  const count = dims.reduce((a, b) => a * b, 1);
  return new ort.Tensor('float32', Float32Array.from({ length: count }, (_, i) => Math.sin(i)), dims);
}

/**
 * Infers shapes, runs the model with every node output exposed, and compares. Returns the
 * number of values compared, so a test can check it compared what it meant to.
 */
async function assertMatchesOrt(model: OnnxModel, feeds: Feeds): Promise<number> {
  const inputs = Object.entries(feeds).map(([name, tensor]) => ({ name, dims: tensor.dims }));
  const { values, unresolved } = inferShapes(model, inputs);
  assert.deepEqual(unresolved, []);
  const probe = structuredClone(model);
  const graph = probe.graph!;
  const names = (graph.node ?? []).flatMap((node) => node.output ?? []).filter((name) => name !== '');
  // Every node output becomes a graph output with a type but no shape (unknown rank), so that
  // onnxruntime reports the shape it computes rather than checking one we declared.
  graph.output = names.map((name) => ({ name, type: { tensorType: { elemType: elementTypeOf(values.get(name)?.datatype) } } }));
  const session = await ort.InferenceSession.create(encodeModel(probe));
  const results = await session.run(feeds);
  for (const name of names) {
    const actual = results[name]!;
    const inferred = values.get(name);
    assert.ok(inferred !== undefined, `no shape inferred for '${name}'`);
    assert.deepEqual(inferred.dims, actual.dims, `dims of '${name}'`);
    assert.equal(inferred.datatype, dataTypeFromOrt(actual.type), `datatype of '${name}'`);
  }
  await session.release();
  return names.length;
}

const ELEMENT_TYPES: Record<string, number> = { FP32: 1, UINT8: 2, INT8: 3, INT32: 6, INT64: 7, BOOL: 9, FP16: 10 };
function elementTypeOf(datatype: string | undefined): number {
  const type = ELEMENT_TYPES[datatype ?? ''];
  assert.ok(type !== undefined, `unexpected inferred datatype ${datatype}`);
  return type;
}

describe('inferShapes against onnxruntime-node', () => {
  it('the CNN: every intermediate of Conv, Relu, GlobalAveragePool, Flatten, Gemm at batch 3', async () => {
    const compared = await assertMatchesOrt(decodeModel(buildCnnModel()), { x: floats([3, 3, 64, 64]) });
    assert.equal(compared, 9);
  });

  it('the MLP', async () => {
    assert.equal(await assertMatchesOrt(decodeModel(buildMlpModel([64, 256, 256, 10])), { x: floats([5, 64]) }), 8);
  });

  it('Reshape with 0 and -1, Flatten, Transpose, Concat, broadcast Add', async () => {
    const g = new GraphBuilder('reshape');
    const x = g.input('x', 'FP32', ['n', 3, 4]);
    const a = g.node('Reshape', [x, g.initializer('s1', 'INT64', [2], [0, -1])]);
    const b = g.node('Reshape', [x, g.initializer('s2', 'INT64', [3], [-1, 0, 2])]);
    const t = g.node('Transpose', [b], { perm: [2, 0, 1] });
    const t2 = g.node('Transpose', [x]);
    const c = g.node('Concat', [a, g.node('Flatten', [x], { axis: 1 })], { axis: 1 });
    const added = g.node('Add', [g.node('Unsqueeze', [x, g.initializer('ax', 'INT64', [1], [1])]), g.initializer('k', 'FP32', [3, 1, 1], [1, 2, 3])]);
    const f0 = g.node('Flatten', [x], { axis: 0 });
    const f3 = g.node('Flatten', [x], { axis: -1 });
    for (const [value, name] of [[t, 'yt'], [t2, 'yt2'], [c, 'yc'], [added, 'ya'], [f0, 'yf0'], [f3, 'yf3']] as const) g.output(value, name, 'FP32', [-1]);
    const compared = await assertMatchesOrt(g.toModel({ opset: 17 }), { x: floats([2, 3, 4]) });
    assert.equal(compared, 10);
  });

  it('an exporter-style Shape -> Gather -> Unsqueeze -> Concat -> Reshape chain resolves to concrete dims', async () => {
    const g = new GraphBuilder('dynamic_reshape');
    const x = g.input('x', 'FP32', ['n', 3, 4]);
    const shape = g.node('Shape', [x]);
    const batch = g.node('Gather', [shape, g.initializer('zero', 'INT64', [], [0])], { axis: 0 });
    const target = g.node('Concat', [g.node('Unsqueeze', [batch, g.initializer('ax0', 'INT64', [1], [0])]), g.initializer('rest', 'INT64', [1], [-1])], { axis: 0 });
    const doubled = g.node('Mul', [batch, g.initializer('two', 'INT64', [], [2])]);
    const target2 = g.node('Concat', [g.node('Unsqueeze', [doubled, g.initializer('ax1', 'INT64', [1], [0])]), g.initializer('six', 'INT64', [1], [6])], { axis: 0 });
    g.output(g.node('Reshape', [x, target]), 'y', 'FP32', ['n', 12]);
    g.output(g.node('Reshape', [x, target2]), 'z', 'FP32', [-1, 6]);
    const model = g.toModel({ opset: 17 });
    await assertMatchesOrt(model, { x: floats([5, 3, 4]) });
    const { values } = inferShapes(model, [{ name: 'x', dims: [5, 3, 4] }]);
    assert.deepEqual(values.get('y')?.dims, [5, 12]);
    assert.deepEqual(values.get('z')?.dims, [10, 6]);
  });

  it('pools with pads, strides, dilations, ceil_mode and auto_pad', async () => {
    const g = new GraphBuilder('pools');
    const x = g.input('x', 'FP32', [1, 2, 7, 6]);
    const pools = [
      g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
      g.node('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }),
      g.node('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], dilations: [2, 2], pads: [0, 1, 0, 1] }),
      g.node('AveragePool', [x], { kernel_shape: [2, 3], strides: [2, 2], pads: [0, 0, 1, 1], ceil_mode: 1 }),
      g.node('AveragePool', [x], { kernel_shape: [3, 3], strides: [2, 3], auto_pad: 'SAME_UPPER' }),
      g.node('MaxPool', [x], { kernel_shape: [3, 2], auto_pad: 'VALID' }),
      g.node('GlobalMaxPool', [x]),
    ];
    pools.forEach((value, i) => g.output(value, `y${i}`, 'FP32', [-1, -1, -1, -1]));
    assert.equal(await assertMatchesOrt(g.toModel({ opset: 17 }), { x: floats([1, 2, 7, 6]) }), 7);
  });

  it('property: random pool and conv windows match onnxruntime', async () => {
    const window = fc.record({
      op: fc.constantFrom('MaxPool', 'AveragePool', 'Conv'),
      size: fc.tuple(fc.integer({ min: 3, max: 12 }), fc.integer({ min: 3, max: 12 })),
      kernel: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
      pads: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      ceil: fc.boolean(),
    }).filter(({ kernel, pads }) => pads.every((pad, i) => pad < kernel[i % 2]!));
    await fc.assert(fc.asyncProperty(window, async ({ op, size, kernel, stride, pads, ceil }) => {
      const g = new GraphBuilder('window');
      const x = g.input('x', 'FP32', [1, 2, ...size]);
      const attributes = { kernel_shape: kernel, strides: stride, pads, ...(op !== 'Conv' && ceil ? { ceil_mode: 1 } : {}) };
      const inputs = op === 'Conv' ? [x, g.initializer('w', 'FP32', [3, 2, ...kernel], new Float32Array(6 * kernel[0] * kernel[1]))] : [x];
      g.output(g.node(op, inputs, attributes), 'y', 'FP32', [-1, -1, -1, -1]);
      await assertMatchesOrt(g.toModel({ opset: 17 }), { x: floats([1, 2, ...size]) });
    }), { numRuns: 40 });
  });

  it('MatMul with batch broadcasting and 1-D operands, Gemm with transB, ConvTranspose, Softmax, BatchNormalization', async () => {
    const g = new GraphBuilder('compute');
    const a = g.input('a', 'FP32', [2, 1, 3, 4]);
    const v = g.input('v', 'FP32', [4]);
    const img = g.input('img', 'FP32', [1, 2, 5, 5]);
    g.output(g.node('MatMul', [a, g.initializer('b', 'FP32', [5, 4, 6], new Float32Array(120))]), 'mm', 'FP32', [-1, -1, -1, -1]);
    g.output(g.node('MatMul', [a, v]), 'mv', 'FP32', [-1, -1, -1]);
    g.output(g.node('MatMul', [v, g.initializer('m', 'FP32', [4, 3], new Float32Array(12))]), 'vm', 'FP32', [-1]);
    const flat = g.node('Reshape', [a, g.initializer('s', 'INT64', [2], [-1, 4])]);
    g.output(g.node('Gemm', [flat, g.initializer('wt', 'FP32', [7, 4], new Float32Array(28)), g.initializer('c', 'FP32', [7], new Float32Array(7))], { transB: 1 }), 'gemm', 'FP32', [-1, -1]);
    g.output(g.node('ConvTranspose', [img, g.initializer('wct', 'FP32', [2, 3, 3, 3], new Float32Array(54))], { strides: [2, 2], pads: [1, 1, 0, 0], output_padding: [1, 0] }), 'ct', 'FP32', [-1, -1, -1, -1]);
    g.output(g.node('Softmax', [a], { axis: -1 }), 'sm', 'FP32', [-1, -1, -1, -1]);
    const ones = g.initializer('ones', 'FP32', [2], [1, 1]);
    const zeros = g.initializer('zeros', 'FP32', [2], [0, 0]);
    g.output(g.node('BatchNormalization', [img, ones, zeros, zeros, ones]), 'bn', 'FP32', [-1, -1, -1, -1]);
    await assertMatchesOrt(g.toModel({ opset: 17 }), { a: floats([2, 1, 3, 4]), v: floats([4]), img: floats([1, 2, 5, 5]) });
  });

  it('Slice, Squeeze/Unsqueeze with axes inputs, Split, Pad, reductions, Cast, ArgMax, Expand, Tile, Where, Gather, Dropout', async () => {
    const g = new GraphBuilder('tensor_ops');
    const x = g.input('x', 'FP32', [2, 6, 5]);
    const i64 = (name: string, values: number[]): string => g.initializer(name, 'INT64', [values.length], values);
    g.output(g.node('Slice', [x, i64('st', [1, -4]), i64('en', [100, -1]), i64('axs', [1, 2]), i64('stp', [2, 1])]), 'slice', 'FP32', [-1, -1, -1]);
    g.output(g.node('Slice', [x, i64('st2', [-1]), i64('en2', [-100]), i64('axs2', [1]), i64('stp2', [-2])]), 'slice_back', 'FP32', [-1, -1, -1]);
    const unsq = g.node('Unsqueeze', [x, i64('uax', [0, -1])]);
    g.output(g.node('Squeeze', [unsq, i64('sax', [0])]), 'squeezed', 'FP32', [-1, -1, -1, -1]);
    const parts = g.nodeWithOutputs('Split', [x, i64('sizes', [2, 4])], 2, { axis: 1 });
    parts.forEach((part, i) => g.output(part, `part${i}`, 'FP32', [-1, -1, -1]));
    g.nodeWithOutputs('Split', [x], 3, { axis: 1 }, { outputs: ['third0', 'third1', 'third2'] });
    g.output(g.node('Pad', [x, i64('pads', [0, 1, 2, 0, 3, 0])]), 'padded', 'FP32', [-1, -1, -1]);
    g.output(g.node('ReduceMean', [x], { axes: [1], keepdims: 0 }), 'mean', 'FP32', [-1, -1]);
    g.output(g.node('ReduceSum', [x, i64('rax', [-1])]), 'sum', 'FP32', [-1, -1, -1]);
    g.output(g.node('ReduceMax', [x], { keepdims: 0 }), 'max', 'FP32', []);
    g.output(g.node('Cast', [x], { to: 7 }), 'cast', 'INT64', [-1, -1, -1]);
    g.output(g.node('ArgMax', [x], { axis: 2, keepdims: 0 }), 'argmax', 'INT64', [-1, -1]);
    g.output(g.node('Expand', [g.node('Slice', [x, i64('s0', [0]), i64('e0', [1]), i64('a0', [0])]), i64('eshape', [3, 1, 1])]), 'expanded', 'FP32', [-1, -1, -1]);
    g.output(g.node('Tile', [x, i64('reps', [1, 2, 3])]), 'tiled', 'FP32', [-1, -1, -1]);
    const positive = g.node('Greater', [x, g.initializer('zero', 'FP32', [], [0])]);
    g.output(g.node('Where', [positive, x, g.initializer('neg', 'FP32', [1, 5], new Float32Array(5))]), 'where', 'FP32', [-1, -1, -1]);
    g.output(g.node('Gather', [x, g.initializer('idx', 'INT64', [2, 2], [0, 1, 1, 0])], { axis: 1 }), 'gathered', 'FP32', [-1, -1, -1, -1]);
    g.nodeWithOutputs('Dropout', [x], 2, {}, { outputs: ['dropped', 'mask'] });
    g.output(g.node('Constant', [], { value: makeTensor('cv', 'INT32', [2, 2], [1, 2, 3, 4]) }), 'const', 'INT32', [2, 2]);
    g.output(g.node('ConstantOfShape', [i64('cs', [2, 3])], { value: makeTensor('one', 'INT64', [1], [1]) }), 'filled', 'INT64', [2, 3]);
    g.output(g.node('Resize', [x, '', g.initializer('scales', 'FP32', [3], [1, 0.5, 2])], { mode: 'nearest' }), 'resized', 'FP32', [-1, -1, -1]);
    const compared = await assertMatchesOrt(g.toModel({ opset: 17 }), { x: floats([2, 6, 5]) });
    assert.ok(compared >= 25, `compared ${compared} values`);
  });

  it('opset 11 Squeeze/Unsqueeze and ReduceSum axes as attributes', async () => {
    const g = new GraphBuilder('old');
    const x = g.input('x', 'FP32', [3, 1, 4]);
    g.output(g.node('Squeeze', [x], { axes: [1] }), 'sq', 'FP32', [-1, -1]);
    g.output(g.node('Unsqueeze', [x], { axes: [0, 4] }), 'unsq', 'FP32', [-1, -1, -1, -1, -1]);
    g.output(g.node('ReduceSum', [x], { axes: [0, 2] }), 'sum', 'FP32', [-1, -1, -1]);
    g.output(g.node('Squeeze', [x]), 'all', 'FP32', [-1, -1]);
    await assertMatchesOrt(g.toModel({ opset: 11 }), { x: floats([3, 1, 4]) });
  });
});

describe('inferShapes on what it cannot know', () => {
  it('reports an op without a rule and its consumers, and keeps going after them', () => {
    const g = new GraphBuilder('unknown');
    const x = g.input('x', 'FP32', ['n', 4]);
    const custom = g.node('Mystery', [x], {}, { domain: 'com.example', name: 'mystery' });
    const after = g.node('Relu', [custom], {}, { name: 'after' });
    const nonzero = g.node('NonZero', [x], {}, { name: 'nz' });
    g.output(after, 'y', 'FP32', ['n', 4]);
    g.output(nonzero, 'z', 'INT64', [2, -1]);
    g.output(g.node('Relu', [x], {}, { name: 'fine' }), 'w', 'FP32', ['n', 4]);
    const { values, unresolved } = inferShapes(g.toModel({ opset: 17, domains: { 'com.example': 1 } }), [{ name: 'x', dims: [2, 4] }]);
    assert.deepEqual(unresolved, [
      { node: 'mystery', opType: 'Mystery', reason: 'operator com.example.Mystery is from a custom domain' },
      { node: 'after', opType: 'Relu', reason: "input 'mystery' has no inferred shape" },
      { node: 'nz', opType: 'NonZero', reason: 'no shape rule for NonZero' },
    ]);
    assert.deepEqual(values.get('w')?.dims, [2, 4]);
  });

  it('a Reshape whose target is computed at run time, and shapes that do not fit, are reported with the reason', () => {
    const g = new GraphBuilder('runtime');
    const x = g.input('x', 'FP32', [2, 6]);
    const target = g.input('target', 'INT64', [2]);
    g.output(g.node('Reshape', [x, target], {}, { name: 'dynamic' }), 'y', 'FP32', [-1, -1]);
    g.output(g.node('Reshape', [x, g.initializer('bad', 'INT64', [2], [5, -1])], {}, { name: 'bad_reshape' }), 'z', 'FP32', [-1, -1]);
    g.output(g.node('MatMul', [x, g.initializer('w', 'FP32', [5, 2], new Float32Array(10))], {}, { name: 'bad_matmul' }), 'm', 'FP32', [-1, -1]);
    const { unresolved } = inferShapes(g.toModel({ opset: 17 }), [{ name: 'x', dims: [2, 6] }, { name: 'target', dims: [2] }]);
    assert.deepEqual(unresolved.map((u) => [u.node, u.reason]), [
      ['dynamic', "input 'target' is not a constant known before running"],
      ['bad_reshape', 'cannot reshape [2,6] to [5,-1]'],
      ['bad_matmul', 'MatMul inner dims differ: [2,6] x [5,2]'],
    ]);
  });

  it('falls back to a declared static shape for an op it cannot infer', () => {
    const g = new GraphBuilder('declared');
    const x = g.input('x', 'FP32', [3]);
    g.output(g.node('Mystery', [x], {}, { domain: 'com.example' }), 'y', 'FP32', [3]);
    const model = g.toModel({ opset: 17, domains: { 'com.example': 1 } });
    const { values, unresolved } = inferShapes(model, [{ name: 'x', dims: [3] }]);
    assert.deepEqual(values.get('y')?.dims, [3]);
    assert.deepEqual(unresolved, []);
  });

  it('an If node with subgraphs is unresolved (its branches are not inferred)', () => {
    const g = new GraphBuilder('branch');
    const c = g.input('c', 'BOOL', []);
    const branch = { name: 'b', node: [], output: [{ name: 'c' }] };
    g.output(g.node('If', [c], { then_branch: attr.graph(branch), else_branch: attr.graph(branch) }, { name: 'if' }), 'y', 'BOOL', [-1]);
    const { unresolved } = inferShapes(g.toModel({ opset: 17 }), [{ name: 'c', dims: [] }]);
    assert.deepEqual(unresolved, [{ node: 'if', opType: 'If', reason: 'no shape rule for If' }]);
  });
});
