import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, formatSi, inspectModel, nodeFlops, parameterStats, peakActivation, type ValueShape } from '../../src/tools/inspect/index.js';
import fc from 'fast-check';
import { SHAPE_RULES } from '../../src/tools/inspect/shape-rules.js';
import { GraphBuilder, attr, decodeModel, makeTensor, makeValueInfo, type AttributeProto, type NodeProto, type OnnxModel } from '../../src/tools/onnx/index.js';
import { buildCnnModel, buildMlpModel, CNN_CLASSES, CNN_LAYERS } from '../support/test-models.js';

const fp32 = (...dims: number[]): ValueShape => ({ datatype: 'FP32', dims });
const node = (opType: string, attributes: Record<string, number[] | number> = {}): NodeProto => ({
  opType,
  attribute: Object.entries(attributes).map(([name, value]) => (Array.isArray(value) ? { name, ints: value.map(BigInt), type: 7 } : { name, i: BigInt(value), type: 2 })),
});

describe('nodeFlops (a multiply-add is 2 FLOPs)', () => {
  it('Conv: 2·N·Cout·Hout·Wout·(Cin/group)·kH·kW, plus the bias', () => {
    // [1,3,8,8] * [4,3,3,3], pads 1 -> [1,4,8,8]: 256 outputs, 27 multiply-adds each, 256 bias adds.
    assert.equal(nodeFlops(node('Conv'), [fp32(1, 3, 8, 8), fp32(4, 3, 3, 3), fp32(4)], [fp32(1, 4, 8, 8)]), 2 * 256 * 27 + 256);
    // Grouped, no bias: [1,4,8,8] * [4,2,3,3] group 2 stride 2 -> [1,4,4,4]: 64 outputs, 2·3·3 each.
    assert.equal(nodeFlops(node('Conv', { group: 2 }), [fp32(1, 4, 8, 8), fp32(4, 2, 3, 3), undefined], [fp32(1, 4, 4, 4)]), 2 * 64 * 18);
  });

  it('MatMul: 2·M·N·K per batch; Gemm adds M·N for C', () => {
    assert.equal(nodeFlops(node('MatMul'), [fp32(2, 5, 7), fp32(7, 3)], [fp32(2, 5, 3)]), 2 * 2 * 5 * 3 * 7);
    assert.equal(nodeFlops(node('Gemm'), [fp32(4, 8), fp32(8, 6), fp32(6)], [fp32(4, 6)]), 2 * 4 * 6 * 8 + 24);
    assert.equal(nodeFlops(node('Gemm', { transA: 1 }), [fp32(8, 4), fp32(8, 6)], [fp32(4, 6)]), 2 * 4 * 6 * 8);
  });

  it('elementwise per output element, pools per kernel element, movement 0, unknown undefined', () => {
    assert.equal(nodeFlops(node('Relu'), [fp32(1, 4, 8, 8)], [fp32(1, 4, 8, 8)]), 256);
    assert.equal(nodeFlops(node('Add'), [fp32(3, 1), fp32(4)], [fp32(3, 4)]), 12);
    assert.equal(nodeFlops(node('MaxPool', { kernel_shape: [2, 2] }), [fp32(1, 4, 8, 8)], [fp32(1, 4, 4, 4)]), 64 * 4);
    assert.equal(nodeFlops(node('GlobalAveragePool'), [fp32(1, 4, 8, 8)], [fp32(1, 4, 1, 1)]), 256);
    assert.equal(nodeFlops(node('BatchNormalization'), [fp32(1, 4, 8, 8)], [fp32(1, 4, 8, 8)]), 512);
    assert.equal(nodeFlops(node('Softmax'), [fp32(2, 10)], [fp32(2, 10)]), 100);
    assert.equal(nodeFlops(node('Reshape'), [fp32(2, 10)], [fp32(20)]), 0);
    assert.equal(nodeFlops(node('NonMaxSuppression'), [fp32(2, 10)], [fp32(20)]), undefined);
    assert.equal(nodeFlops(node('Relu'), [undefined], [undefined]), undefined);
    assert.equal(nodeFlops({ ...node('Relu'), domain: 'com.example' }, [fp32(4)], [fp32(4)]), undefined);
  });
});

describe('peakActivation', () => {
  it('frees a value after its last consumer and keeps one that is read later', () => {
    // x -> a = Relu(x) -> b = Relu(a) -> y = Add(x, b): x (4000 B) stays alive until the Add.
    const g = new GraphBuilder('peak');
    const x = g.input('x', 'FP32', [1, 1000]);
    const a = g.node('Relu', [x], {}, { name: 'a' });
    const b = g.node('Relu', [a], {}, { name: 'b' });
    g.output(g.node('Add', [x, b], {}, { name: 'add' }), 'y', 'FP32', [1, 1000]);
    const model = g.toModel({ opset: 17 });
    const values = new Map(['x', 'a', 'b', 'y'].map((name) => [name, fp32(1, 1000)]));
    // During b: x, a and b are live (12000 B); a is freed after b, so the Add holds x, b, y.
    assert.deepEqual(peakActivation(model.graph!, values), { bytes: 12000, nodeIndex: 1 });
    const report = inspectModel(model);
    assert.equal(report.totals.peakActivationBytes, 12000);
    assert.equal(report.totals.peakAtNode, 'b');
    assert.equal(report.totals.activationBytes, 12000);
  });

  it('a chain holds two values at a time', () => {
    const g = new GraphBuilder('chain');
    let running = g.input('x', 'FP32', [1, 1000]);
    for (let i = 0; i < 4; i += 1) running = g.node('Relu', [running]);
    g.output(running, 'y', 'FP32', [1, 1000]);
    assert.equal(inspectModel(g.toModel({ opset: 17 })).totals.peakActivationBytes, 8000);
  });
});

describe('parameterStats', () => {
  it('counts initializers by datatype, largest first, and sparse values without their indices', () => {
    const g = new GraphBuilder('params');
    const x = g.input('x', 'FP32', [2]);
    g.initializer('w', 'FP32', [10, 10], new Float32Array(100));
    g.initializer('h', 'FP16', [3], [1, 2, 3]);
    g.initializer('shape', 'INT64', [2], [1, 2]);
    g.output(x, 'y', 'FP32', [2]);
    const graph = g.toGraph();
    graph.sparseInitializer = [{ dims: [100n], values: makeTensor('s', 'FP32', [5], [1, 2, 3, 4, 5]), indices: makeTensor('s_idx', 'INT64', [5], [0, 10, 20, 30, 40]) }];
    const stats = parameterStats(graph);
    assert.deepEqual(stats.byDatatype, [
      { datatype: 'FP32', tensors: 2, count: 105, bytes: 420 },
      { datatype: 'INT64', tensors: 2, count: 2, bytes: 56 },
      { datatype: 'FP16', tensors: 1, count: 3, bytes: 6 },
    ]);
    assert.equal(stats.count, 110);
    assert.equal(stats.bytes, 482);
    assert.equal(stats.sparseTensors, 1);
  });
});

describe('inspectModel', () => {
  it('the CNN: signature, histogram, parameters and FLOPs equal to the hand count', () => {
    const report = inspectModel(decodeModel(buildCnnModel()), { batch: 2, top: 3 });
    assert.deepEqual(report.inputs, [{ name: 'x', datatype: 'FP32', shape: ['batch', 3, 64, 64] }]);
    assert.deepEqual(report.outputs, [{ name: 'y', datatype: 'FP32', shape: ['batch', CNN_CLASSES] }]);
    assert.deepEqual(report.estimatedFor, [{ name: 'x', datatype: 'FP32', dims: [2, 3, 64, 64] }]);
    assert.deepEqual(report.opsets, [{ domain: 'ai.onnx', version: 17 }]);
    assert.deepEqual(report.operators.map((op) => [op.opType, op.count]), [['Conv', 3], ['Relu', 3], ['Flatten', 1], ['Gemm', 1], ['GlobalAveragePool', 1]]);
    let size = 64;
    let expected = 0;
    let parameters = 0;
    for (const [cin, cout, stride] of CNN_LAYERS) {
      size /= stride;
      const outputs = 2 * cout * size * size;
      expected += 2 * outputs * cin * 9 + outputs + outputs; // conv multiply-adds, bias, relu
      parameters += cout * cin * 9 + cout;
    }
    const features = CNN_LAYERS.at(-1)![1];
    expected += 2 * features * size * size; // global average pool reads every element
    expected += 2 * (2 * features * CNN_CLASSES) + 2 * CNN_CLASSES; // gemm + bias, batch 2
    parameters += features * CNN_CLASSES + CNN_CLASSES;
    assert.equal(report.totals.flops, expected);
    assert.equal(report.totals.nodesWithoutFlops, 0);
    assert.equal(report.parameters.count, parameters);
    assert.equal(report.parameters.bytes, parameters * 4);
    assert.deepEqual(report.largest.byFlops.map((layer) => layer.name), ['Conv_1', 'Conv_2', 'Conv_0']);
    assert.deepEqual(report.largest.byParameterBytes.map((layer) => layer.name), ['Conv_2', 'Conv_1', 'Gemm_0']);
    assert.ok(Math.abs(report.largest.byFlops.reduce((total, layer) => total + layer.share, 0) - 0.99) < 0.01);
    assert.deepEqual(report.nodes[0]?.outputs, [{ name: 'Conv_0', datatype: 'FP32', dims: [2, 16, 64, 64] }]);
    assert.equal(report.nodes[0]?.activationBytes, 2 * 16 * 64 * 64 * 4);
    assert.deepEqual(report.unresolved, []);
  });

  it('--shape overrides the batch, and scales the estimate', () => {
    const model = decodeModel(buildMlpModel([8, 16, 4]));
    const one = inspectModel(model);
    const four = inspectModel(model, { shapes: { x: [4, 8] } });
    assert.equal(four.totals.flops, 4 * one.totals.flops);
    assert.equal(one.totals.flops, 2 * 8 * 16 + 16 + 16 + 2 * 16 * 4 + 4);
  });

  it('refuses a --shape for an input the model does not have, or of the wrong rank', () => {
    const model = decodeModel(buildMlpModel([8, 4]));
    assert.throws(() => inspectModel(model, { shapes: { image: [1, 8] } }), /--shape names input 'image', but the model's inputs are 'x'/);
    assert.throws(() => inspectModel(model, { shapes: { x: [8] } }), /has rank 1, but the model declares/);
  });

  it('keeps metadata, doc, producer and custom opsets; names unknown dims; counts subgraph nodes', () => {
    const g = new GraphBuilder('meta');
    const x = g.input('x', 'FP32', ['n', -1]);
    const c = g.input('c', 'BOOL', []);
    const branch = { name: 'b', node: [{ opType: 'Identity', input: [x], output: ['bx'] }], output: [{ name: 'bx' }] };
    g.output(g.node('If', [c], { then_branch: attr.graph(branch), else_branch: attr.graph(branch) }), 'y', 'FP32', ['n', -1]);
    const model = g.toModel({ opset: 13, domains: { 'ai.onnx.ml': 2 }, docString: 'a doc', metadata: { owner: 'me' } });
    model.producerVersion = '9.9';
    const report = inspectModel(model);
    assert.deepEqual(report.inputs[0], { name: 'x', datatype: 'FP32', shape: ['n', '?'] });
    assert.deepEqual(report.opsets, [{ domain: 'ai.onnx', version: 13 }, { domain: 'ai.onnx.ml', version: 2 }]);
    assert.deepEqual(report.metadata, { owner: 'me' });
    assert.deepEqual(report.producer, { name: 'wharf', version: '9.9' });
    assert.equal(report.docString, 'a doc');
    assert.equal(report.subgraphNodes, 2);
    assert.equal(report.unresolved.length, 1);
    const text = formatReport(report).join('\n');
    assert.match(text, /x\s+FP32\s+\[n, \?\]/);
    assert.match(text, /shapes not inferred for 1 nodes/);
    assert.match(text, /\+ 2 in subgraphs/);
  });
});

describe('formatReport', () => {
  it('aligns columns and uses human units', () => {
    const lines = formatReport(inspectModel(decodeModel(buildCnnModel())));
    const header = lines.findIndex((line) => line.trimStart().startsWith('node '));
    const rows = lines.slice(header, header + 10);
    // Right-aligned numbers end in the same column on every row.
    const flopsEnds = rows.map((row) => row.indexOf('FLOPs', 20) + 5);
    assert.equal(new Set(flopsEnds).size, 1, rows.join('\n'));
    assert.match(lines.join('\n'), /Conv_0\s+Conv\s+\[1, 16, 64, 64\]\s+3\.60 MFLOPs\s+256\.0 KiB\s+1\.8 KiB/);
    assert.match(lines.join('\n'), /total: 22\.7 MFLOPs; activations 896\.5 KiB written, peak about 512\.0 KiB \(at Relu_0\)/);
  });

  it('formatSi', () => {
    assert.equal(formatSi(999), '999');
    assert.equal(formatSi(1234, 'FLOPs'), '1.23 KFLOPs');
    assert.equal(formatSi(40_100_000_000, 'FLOPs'), '40.1 GFLOPs');
  });
});

describe('inspectModel on arbitrary graphs', () => {
  it('property: never throws, whatever the ops, inputs and attributes; inferred dims are non-negative integers', () => {
    const ops = [...SHAPE_RULES.keys(), 'NoSuchOp'];
    const intsAttribute = (name: string): fc.Arbitrary<AttributeProto> => fc.array(fc.integer({ min: -3, max: 4 }), { maxLength: 6 }).map((values) => ({ name, type: 7, ints: values.map(BigInt) }));
    const intAttribute = (name: string): fc.Arbitrary<AttributeProto> => fc.integer({ min: -3, max: 16 }).map((value) => ({ name, type: 2, i: BigInt(value) }));
    const attribute = fc.oneof(
      intAttribute('axis'), intAttribute('keepdims'), intAttribute('to'), intAttribute('group'), intAttribute('ceil_mode'), intAttribute('transB'),
      intsAttribute('perm'), intsAttribute('kernel_shape'), intsAttribute('strides'), intsAttribute('pads'), intsAttribute('axes'), intsAttribute('dilations'),
    );
    const step = fc.record({ op: fc.constantFrom(...ops), inputs: fc.array(fc.nat(), { minLength: 0, maxLength: 4 }), attributes: fc.uniqueArray(attribute, { maxLength: 4, selector: (a) => a.name }) });
    const graph = fc.record({
      dims: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
      constant: fc.array(fc.integer({ min: -2, max: 6 }), { minLength: 1, maxLength: 4 }),
      steps: fc.array(step, { minLength: 1, maxLength: 8 }),
      opset: fc.constantFrom(9, 11, 13, 17, 18),
    });
    fc.assert(fc.property(graph, ({ dims, constant, steps, opset }) => {
      const available = ['x', 'k'];
      const node = steps.map(({ op, inputs, attributes }, index): NodeProto => {
        const output = `v${index}`;
        const picked = inputs.map((i) => available[i % available.length]!);
        available.push(output);
        return { opType: op, name: `n${index}`, input: picked, output: [output], attribute: attributes };
      });
      const model: OnnxModel = {
        irVersion: 8n,
        opsetImport: [{ domain: '', version: BigInt(opset) }],
        graph: {
          name: 'random',
          node,
          initializer: [makeTensor('k', 'INT64', [constant.length], constant)],
          input: [makeValueInfo('x', 'FP32', dims)],
          output: [makeValueInfo(available.at(-1)!, 'FP32', [-1])],
        },
      };
      const report = inspectModel(model);
      for (const reported of report.nodes) {
        for (const output of reported.outputs) {
          for (const dim of output.dims ?? []) assert.ok(Number.isSafeInteger(dim) && dim >= 0, `${reported.opType} gave dims [${output.dims?.join(',')}]`);
        }
        if (reported.flops !== undefined) assert.ok(Number.isFinite(reported.flops) && reported.flops >= 0, `${reported.opType} flops ${reported.flops}`);
      }
      assert.ok(formatReport(report).length > 10);
    }), { numRuns: 300 });
  });
});
