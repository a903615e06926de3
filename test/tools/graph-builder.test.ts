import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DATA_TYPES, dataTypeInfo, type DataType } from '../../src/core/index.js';
import {
  ATTRIBUTE_TYPE, GraphBuilder, attr, decodeModel, makeAttribute, makeTensor, makeValueInfo, readTensor, toTypedArray,
} from '../../src/tools/onnx/index.js';

const utf8 = new TextEncoder();

/** Four sample values per datatype, as plain JS values. */
function sampleValues(datatype: DataType): readonly number[] | readonly bigint[] | readonly string[] {
  const kind = dataTypeInfo(datatype).valueKind;
  if (kind === 'bytes') return ['a', '', 'héllo', 'z'];
  if (kind === 'bigint') return [0n, 1n, 2n ** 62n, 7n];
  if (kind === 'bool') return [1, 0, 0, 1];
  return [0, 1, 2.5, 100].map((v) => (kind === 'int' ? Math.floor(v) : v));
}

describe('makeTensor / readTensor', () => {
  for (const datatype of DATA_TYPES) {
    it(`${datatype}: makeTensor then readTensor gives the same values`, () => {
      const values = sampleValues(datatype);
      const proto = makeTensor('t', datatype, [2, 2], values);
      assert.equal(proto.dataType, dataTypeInfo(datatype).onnxElementType);
      assert.deepEqual(proto.dims, [2n, 2n]);
      const tensor = readTensor(proto);
      assert.deepEqual(tensor.shape, [2, 2]);
      assert.equal(tensor.datatype, datatype);
      if (datatype === 'BYTES') {
        assert.equal(proto.rawData, undefined);
        assert.deepEqual(tensor.data, values.map((v) => utf8.encode(v as string)));
      } else {
        assert.equal(proto.rawData!.byteLength, 4 * dataTypeInfo(datatype).byteSize);
        assert.deepEqual(tensor.data, toTypedArray(datatype, values));
      }
    });
  }

  it('writes raw_data little-endian', () => {
    assert.deepEqual([...makeTensor('t', 'INT32', [1], [0x01020304]).rawData!], [4, 3, 2, 1]);
    assert.deepEqual([...makeTensor('t', 'FP16', [1], [1]).rawData!], [0x00, 0x3c]);
    assert.deepEqual([...makeTensor('t', 'BF16', [1], [1]).rawData!], [0x80, 0x3f]);
  });

  it('takes typed arrays as they are (FP16 as bit patterns) and copies them', () => {
    const bits = Uint16Array.of(0x3c00);
    const proto = makeTensor('t', 'FP16', [1], bits);
    bits[0] = 0;
    assert.deepEqual(readTensor(proto).data, Uint16Array.of(0x3c00));
  });

  it('reads the typed *_data fields that other exporters write', () => {
    assert.deepEqual(readTensor({ name: 'f', dataType: 1, dims: [2n], floatData: [1.5, -2] }).data, Float32Array.of(1.5, -2));
    assert.deepEqual(readTensor({ name: 'h', dataType: 10, dims: [1n], int32Data: [0x3c00] }).data, Uint16Array.of(0x3c00));
    assert.deepEqual(readTensor({ name: 'u', dataType: 12, dims: [1n], uint64Data: [7n] }).data, Uint32Array.of(7));
    assert.deepEqual(readTensor({ name: 's', dataType: 7, dims: [], int64Data: [-3n] }).data, BigInt64Array.of(-3n));
  });

  it('refuses element counts that do not match the dims', () => {
    assert.throws(() => makeTensor('t', 'FP32', [2, 3], [1, 2]), { name: 'RangeError', message: /tensor 't': dims \[2,3\] need 6 elements but 2 were given/ });
    assert.throws(() => readTensor({ name: 'r', dataType: 1, dims: [3n], floatData: [1] }), RangeError);
  });

  it('refuses element types without a datatype and external data, naming the tensor', () => {
    assert.throws(() => readTensor({ name: 'c', dataType: 14, dims: [] }), { message: "tensor 'c' has element type 14 (COMPLEX64), which Wharf has no datatype for" });
    assert.throws(() => readTensor({ name: 'e', dataType: 1, dims: [1n], dataLocation: 1 }), /external file/);
  });
});

describe('makeAttribute', () => {
  it('infers the attribute type from plain values', () => {
    assert.deepEqual(makeAttribute('axis', 1), { name: 'axis', type: ATTRIBUTE_TYPE.INT, i: 1n });
    assert.deepEqual(makeAttribute('alpha', 0.5), { name: 'alpha', type: ATTRIBUTE_TYPE.FLOAT, f: 0.5 });
    assert.deepEqual(makeAttribute('big', 2n ** 40n), { name: 'big', type: ATTRIBUTE_TYPE.INT, i: 2n ** 40n });
    assert.deepEqual(makeAttribute('mode', 'constant'), { name: 'mode', type: ATTRIBUTE_TYPE.STRING, s: utf8.encode('constant') });
    assert.deepEqual(makeAttribute('perm', [1, 0]), { name: 'perm', type: ATTRIBUTE_TYPE.INTS, ints: [1n, 0n] });
    assert.deepEqual(makeAttribute('scales', [1, 0.5]), { name: 'scales', type: ATTRIBUTE_TYPE.FLOATS, floats: [1, 0.5] });
    assert.deepEqual(makeAttribute('words', ['a', 'b']), { name: 'words', type: ATTRIBUTE_TYPE.STRINGS, strings: [utf8.encode('a'), utf8.encode('b')] });
    const value = makeTensor('v', 'FP32', [1], [0]);
    assert.deepEqual(makeAttribute('value', value), { name: 'value', type: ATTRIBUTE_TYPE.TENSOR, t: value });
  });

  it('uses the explicit type from attr.*', () => {
    assert.deepEqual(makeAttribute('alpha', attr.float(1)), { name: 'alpha', type: ATTRIBUTE_TYPE.FLOAT, f: 1 });
    assert.deepEqual(makeAttribute('pads', attr.ints([])), { name: 'pads', type: ATTRIBUTE_TYPE.INTS, ints: [] });
    assert.deepEqual(makeAttribute('body', attr.graph({ name: 'b' })), { name: 'body', type: ATTRIBUTE_TYPE.GRAPH, g: { name: 'b' } });
  });

  it('refuses values whose type cannot be told', () => {
    assert.throws(() => makeAttribute('pads', []), { message: /attribute 'pads': an empty array has no type/ });
    assert.throws(() => makeAttribute('mixed', [1, 'a'] as unknown as string[]), { message: /attribute 'mixed': arrays must hold/ });
  });
});

describe('makeValueInfo', () => {
  it('maps sizes, -1 and names to dim_value, an empty dim and dim_param', () => {
    assert.deepEqual(makeValueInfo('x', 'FP32', ['batch', -1, 4]), {
      name: 'x',
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'batch' }, {}, { dimValue: 4n }] } } },
    });
    assert.throws(() => makeValueInfo('x', 'FP32', [-2]), RangeError);
  });
});

describe('GraphBuilder', () => {
  it('renames a node output that becomes a graph output, also for later nodes', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'FP32', [2]);
    const y = g.node('Relu', [x]);
    assert.equal(g.output(y, 'y', 'FP32', [2]), 'y');
    g.output(g.node('Neg', [y]), 'z', 'FP32', [2]);
    const graph = g.toGraph();
    assert.deepEqual(graph.node!.map((n) => [n.opType, n.input, n.output]), [['Relu', ['x'], ['y']], ['Neg', ['y'], ['z']]]);
    assert.deepEqual(graph.output!.map((o) => o.name), ['y', 'z']);
  });

  it('puts an Identity between a graph input and an output of another name', () => {
    const g = new GraphBuilder('g');
    g.output(g.input('x', 'FP32', [1]), 'y', 'FP32', [1]);
    assert.deepEqual(g.toGraph().node, [{ input: ['x'], output: ['y'], name: 'Identity_0', opType: 'Identity' }]);
  });

  it('generates unique node names and supports several outputs', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'FP32', [4]);
    const [a, b] = g.nodeWithOutputs('Split', [x], 2, { axis: 0, num_outputs: 2 });
    assert.deepEqual([a, b], ['Split_0_out0', 'Split_0_out1']);
    assert.equal(g.node('Add', [a!, b!]), 'Add_0');
    assert.equal(g.node('Add', [a!, b!]), 'Add_1');
  });

  it('refuses undefined inputs and duplicate names, naming them', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'FP32', [1]);
    assert.throws(() => g.node('Relu', ['nope']), { message: "graph 'g': node 'Relu_0' reads 'nope', which is not defined yet" });
    assert.throws(() => g.input('x', 'FP32', [1]), { message: "graph 'g': value 'x' is defined twice" });
    assert.equal(g.node('Clip', [x, '', '']), 'Clip_0');
  });

  it('writes the model header: IR version, opsets, producer, metadata', () => {
    const g = new GraphBuilder('g', { docString: 'a graph' });
    g.output(g.input('x', 'FP32', [1]), 'y', 'FP32', [1]);
    const model = decodeModel(g.toBytes({ opset: 17, domains: { 'ai.onnx.ml': 3 }, metadata: { author: 'wharf' } }));
    assert.equal(model.irVersion, 8n);
    assert.deepEqual(model.opsetImport, [{ domain: '', version: 17n }, { domain: 'ai.onnx.ml', version: 3n }]);
    assert.equal(model.producerName, 'wharf');
    assert.deepEqual(model.metadataProps, [{ key: 'author', value: 'wharf' }]);
    assert.equal(model.graph!.docString, 'a graph');
  });

  it('returns copies: building on does not change a graph already taken', () => {
    const g = new GraphBuilder('g');
    g.input('x', 'FP32', [1]);
    const before = g.toGraph();
    g.node('Relu', ['x']);
    assert.equal(before.node!.length, 0);
  });
});
