import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceError } from '../../src/errors/index.js';
import { GraphBuilder, encodeModel, modelSignature, readModelSignature, type OnnxModel } from '../../src/tools/onnx/index.js';
import {
  CORRUPT_MODEL_BYTES, IDENTITY_MODELS, IDENTITY_OPTIONS, buildAddSubModel, buildDynamicShapeModel, buildIdentityModel,
  buildRuntimeErrorModel, buildSlowModel,
} from '../support/test-models.js';

/** Asserts an ERR_MODEL_LOAD_FAILED whose message matches. */
function loadFailure(message: RegExp | string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof InferenceError);
    assert.equal(error.code, 'ERR_MODEL_LOAD_FAILED');
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  };
}

describe('readModelSignature on the test models', () => {
  for (const { name, datatype } of IDENTITY_MODELS) {
    it(name, () => {
      const tensor = { datatype, dims: [-1, -1] };
      assert.deepEqual(readModelSignature(buildIdentityModel(datatype, IDENTITY_OPTIONS)), {
        inputs: [{ name: 'INPUT0', ...tensor }],
        outputs: [{ name: 'OUTPUT0', ...tensor }],
      });
    });
  }

  it('identity with fixed dims and no batch', () => {
    assert.deepEqual(readModelSignature(buildIdentityModel('INT8', { dims: [2, 3] })).inputs, [{ name: 'INPUT0', datatype: 'INT8', dims: [2, 3] }]);
  });

  it('add_sub', () => {
    const t = (name: string) => ({ name, datatype: 'FP32', dims: [-1, 4] });
    assert.deepEqual(readModelSignature(buildAddSubModel()), { inputs: [t('INPUT0'), t('INPUT1')], outputs: [t('OUTPUT0'), t('OUTPUT1')] });
  });

  it('dynamic_shape', () => {
    const t = (name: string) => ({ name, datatype: 'FP32', dims: [-1, -1] });
    assert.deepEqual(readModelSignature(buildDynamicShapeModel()), { inputs: [t('INPUT0')], outputs: [t('OUTPUT0')] });
  });

  it('slow: initializers are not inputs', () => {
    assert.deepEqual(readModelSignature(buildSlowModel()), {
      inputs: [{ name: 'x', datatype: 'FP32', dims: [1] }],
      outputs: [{ name: 'y', datatype: 'FP32', dims: [1] }],
    });
  });

  it('runtime_error', () => {
    assert.deepEqual(readModelSignature(buildRuntimeErrorModel()), {
      inputs: [{ name: 'data', datatype: 'FP32', dims: [-1] }, { name: 'shape', datatype: 'INT64', dims: [2] }],
      outputs: [{ name: 'reshaped', datatype: 'FP32', dims: [-1, -1] }],
    });
  });

  it('corrupt', () => {
    assert.throws(() => readModelSignature(CORRUPT_MODEL_BYTES), loadFailure(/^not a valid ONNX model file/));
  });
});

describe('readModelSignature edge cases', () => {
  /** A one-input one-output model whose input ValueInfo is replaced by `input`. */
  function withInput(input: NonNullable<NonNullable<OnnxModel['graph']>['input']>[number]): Uint8Array {
    const g = new GraphBuilder('g');
    g.output(g.input('x', 'FP32', [1]), 'y', 'FP32', [1]);
    const model = g.toModel({ opset: 17 });
    model.graph!.input = [input];
    return encodeModel(model);
  }

  it('leaves out an initializer that is also listed as a graph input (IR >= 4 overridable constant)', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', 'FP32', [1]);
    const w = g.initializer('w', 'FP32', [1], [2]);
    g.output(g.node('Mul', [x, w]), 'y', 'FP32', [1]);
    const model = g.toModel({ opset: 17 });
    model.graph!.input!.push({ name: 'w', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1n }] } } } });
    assert.deepEqual(modelSignature(model).inputs.map((i) => i.name), ['x']);
  });

  it('gives -1 for named, unnamed and nonsensical negative dims, and [] for scalars', () => {
    const bytes = withInput({ name: 'x', type: { tensorType: { elemType: 6, shape: { dim: [{ dimParam: 'n' }, {}, { dimValue: -5n }, { dimValue: 3n }] } } } });
    assert.deepEqual(readModelSignature(bytes).inputs, [{ name: 'x', datatype: 'INT32', dims: [-1, -1, -1, 3] }]);
    const scalar = withInput({ name: 's', type: { tensorType: { elemType: 11, shape: {} } } });
    assert.deepEqual(readModelSignature(scalar).inputs, [{ name: 's', datatype: 'FP64', dims: [] }]);
  });

  it('refuses an element type Wharf has no datatype for, naming the tensor and the type', () => {
    const bytes = withInput({ name: 'z', type: { tensorType: { elemType: 14, shape: { dim: [] } } } });
    assert.throws(() => readModelSignature(bytes), loadFailure("input 'z' of the ONNX model has element type 14 (COMPLEX64), which Wharf cannot serve"));
    try {
      readModelSignature(bytes);
    } catch (error) {
      assert.deepEqual((error as InferenceError).details, [{ path: 'graph.input[0]', problem: 'has element type 14 (COMPLEX64), which Wharf cannot serve' }]);
    }
  });

  it('refuses non-tensor values, unknown rank and missing types', () => {
    const sequence = withInput({ name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: 1 } } } } });
    assert.throws(() => readModelSignature(sequence), loadFailure("input 'seq' of the ONNX model is a sequence, not a tensor; Wharf serves tensors only"));
    const noShape = withInput({ name: 'r', type: { tensorType: { elemType: 1 } } });
    assert.throws(() => readModelSignature(noShape), loadFailure(/^input 'r' of the ONNX model has no shape \(unknown rank\)/));
    assert.throws(() => readModelSignature(withInput({ name: 'q' })), loadFailure("input 'q' of the ONNX model has no type"));
  });

  it('refuses a model without a graph', () => {
    assert.throws(() => readModelSignature(encodeModel({ irVersion: 8n })), loadFailure('the ONNX model has no graph'));
  });
});
