// The IR and the ONNX emitter on their own: graphs built by hand (no source format), shape
// checks that name the layer, and the numeric helpers the emitter relies on.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { IrGraphBuilder, samePadding, spatialOutputSize } from '../../src/tools/convert/ir/index.js';
import { emitOnnx, transpose } from '../../src/tools/convert/onnx/index.js';
import { encodeModel } from '../../src/tools/onnx/index.js';

function constant(shape: number[], values: (i: number) => number): { shape: number[]; data: Float32Array } {
  return { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => values(i)) };
}

async function run(graph: ReturnType<IrGraphBuilder['build']>, input: Float32Array, dims: number[]): Promise<ort.Tensor> {
  const session = await ort.InferenceSession.create(encodeModel(emitOnnx(graph)));
  const outputs = await session.run({ [graph.inputs[0]!.name]: new ort.Tensor('float32', input, dims) });
  await session.release();
  return outputs[graph.outputs[0]!.name]!;
}

describe('IR -> ONNX without a source format', () => {
  it('batch norm along axis 1 of a channels_first tensor equals the direct formula', async () => {
    const builder = new IrGraphBuilder('bn', 'test');
    builder.input('x', [null, 3, 2, 2]);
    const mean = constant([3], (i) => i - 1);
    const variance = constant([3], (i) => 0.5 + i);
    const scale = constant([3], (i) => 2 - i);
    const offset = constant([3], (i) => 0.1 * i);
    builder.add({ kind: 'batchNorm', source: 'bn', inputs: ['x'], output: 'y', axis: 1, mean, variance, scale, offset, epsilon: 0.01 });
    const input = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i));
    const output = await run(builder.build(['y']), input, [2, 3, 2, 2]);
    const expected = Array.from(input, (x, i) => {
      const c = Math.floor(i / 4) % 3;
      return ((x - mean.data[c]!) / Math.sqrt(variance.data[c]! + 0.01)) * scale.data[c]! + offset.data[c]!;
    });
    assert.deepEqual(output.dims, [2, 3, 2, 2]);
    (output.data as Float32Array).forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-5, `y[${i}] = ${value}, expected ${expected[i]}`));
  });

  it('keeps NHWC at the boundary: a channels_last 1x1 conv is a per-pixel matrix product', async () => {
    const builder = new IrGraphBuilder('conv', 'test');
    builder.input('image', [null, 2, 3, 2]);
    const kernel = { ...constant([1, 1, 2, 3], (i) => i + 1), axes: 'HWIO' };
    builder.add({ kind: 'conv2d', source: 'conv', inputs: ['image'], output: 'out', layout: 'channels_last', kernel, strides: [1, 1], dilations: [1, 1], padding: 'same', groups: 1 });
    const input = Float32Array.from({ length: 12 }, (_, i) => i / 10);
    const output = await run(builder.build(['out']), input, [1, 2, 3, 2]);
    assert.deepEqual(output.dims, [1, 2, 3, 3]);
    const expected = Array.from({ length: 18 }, (_, i) => {
      const pixel = Math.floor(i / 3);
      const o = i % 3;
      return input[pixel * 2]! * kernel.data[o]! + input[pixel * 2 + 1]! * kernel.data[3 + o]!;
    });
    (output.data as Float32Array).forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-5, `out[${i}]`));
  });

  it('merge subtract (a Keras layer tfjs cannot build) is a - b', async () => {
    const builder = new IrGraphBuilder('sub', 'test');
    builder.input('x', [null, 3]);
    builder.add({ kind: 'activation', source: 'sq', inputs: ['x'], output: 'e', activation: { fn: 'elu', alpha: 0.5 } });
    builder.add({ kind: 'merge', fn: 'subtract', source: 'diff', inputs: ['x', 'e'], output: 'y' });
    const input = Float32Array.from([-2, 0.5, 3]);
    const output = await run(builder.build(['y']), input, [1, 3]);
    const expected = Array.from(input, (x) => x - (x > 0 ? x : 0.5 * (Math.exp(x) - 1)));
    (output.data as Float32Array).forEach((value, i) => assert.ok(Math.abs(value - expected[i]!) < 1e-6, `y[${i}] = ${value}, expected ${expected[i]}`));
  });

  it('refuses an opset outside 13-21', () => {
    const builder = new IrGraphBuilder('g', 'test');
    builder.input('x', [null, 2]);
    builder.add({ kind: 'identity', source: 'id', inputs: ['x'], output: 'y' });
    assert.throws(() => emitOnnx(builder.build(['y']), { opset: 11 }), /opset 11 is not supported; use 13 to 21/);
  });
});

describe('IR shape checks name the layer', () => {
  it('a dense kernel that does not fit the input', () => {
    const builder = new IrGraphBuilder('g', 'test');
    builder.input('x', [null, 4]);
    assert.throws(() => builder.add({ kind: 'dense', source: 'fc1', inputs: ['x'], output: 'y', kernel: constant([5, 2], () => 0) }), /layer 'fc1' \(dense\): kernel takes 5 features but the input has 4/);
  });

  it('a conv whose channels do not match, a window larger than the input, an unknown input', () => {
    const builder = new IrGraphBuilder('g', 'test');
    builder.input('x', [null, 3, 3, 2]);
    const conv = (kernel: number[], output: string) => ({ kind: 'conv2d' as const, source: output, inputs: ['x'], output, layout: 'channels_last' as const, kernel: constant(kernel, () => 0), strides: [1, 1] as const, dilations: [1, 1] as const, padding: 'valid' as const, groups: 1 });
    assert.throws(() => builder.add(conv([1, 1, 3, 4], 'c1')), /layer 'c1' \(conv2d\): kernel takes 3 input channels .* but the input has 2/);
    assert.throws(() => builder.add(conv([5, 5, 2, 4], 'c2')), /layer 'c2' \(conv2d\): the output would be empty/);
    assert.throws(() => builder.add({ kind: 'identity', source: 'id', inputs: ['nope'], output: 'y' }), /layer 'id' reads 'nope', which is not defined before it/);
  });

  it('a reshape to a different element count and a merge of different shapes', () => {
    const builder = new IrGraphBuilder('g', 'test');
    builder.input('x', [null, 6]);
    builder.input('z', [null, 5]);
    assert.throws(() => builder.add({ kind: 'reshape', source: 'r', inputs: ['x'], output: 'y', shape: [4, -1] }), /layer 'r' \(reshape\): cannot reshape \[6\]/);
    assert.throws(() => builder.add({ kind: 'merge', fn: 'add', source: 'm', inputs: ['x', 'z'], output: 'y' }), /layer 'm' \(merge\): inputs have different shapes: \[\?,6\] vs \[\?,5\]/);
  });
});

describe('layout and padding helpers', () => {
  it('transpose by a permutation and back by its inverse gives the original', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }).chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }))),
      ([shape, perm]) => {
        const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
        const inverse = perm.map((_, axis) => perm.indexOf(axis));
        const there = transpose(data, shape, perm);
        assert.deepEqual(Array.from(transpose(there, perm.map((axis) => shape[axis]!), inverse)), Array.from(data));
      },
    ));
  });

  it('transposes a [2,3] matrix to [3,2]', () => {
    assert.deepEqual(Array.from(transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3], [1, 0])), [1, 4, 2, 5, 3, 6]);
  });

  it('TensorFlow "same" padding: output ceil(in / stride), odd padding at the end', () => {
    assert.deepEqual(samePadding(5, 3, 2, 1), [1, 1]);
    assert.deepEqual(samePadding(6, 3, 2, 1), [0, 1]);
    assert.deepEqual(samePadding(4, 2, 1, 1), [0, 1]);
    assert.deepEqual(samePadding(3, 2, 1, 2), [1, 1]);
    assert.equal(samePadding(null, 3, 1, 1), undefined);
    assert.equal(spatialOutputSize(9, 3, 2, 1, 'same'), 5);
    assert.equal(spatialOutputSize(9, 3, 2, 1, 'valid'), 4);
    assert.equal(spatialOutputSize(7, 2, 1, 3, 'valid'), 4);
  });
});
