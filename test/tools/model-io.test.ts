import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceError } from '../../src/errors/index.js';
import { GraphBuilder, attr, decodeModel, encodeModel, findSchemaFile, type OnnxModel } from '../../src/tools/onnx/index.js';
import {
  CORRUPT_MODEL_BYTES, IDENTITY_MODELS, IDENTITY_OPTIONS, buildAddSubModel, buildDynamicShapeModel, buildIdentityModel,
  buildRuntimeErrorModel, buildSlowModel,
} from '../support/test-models.js';

const builtModels: [string, Uint8Array][] = [
  ...IDENTITY_MODELS.map(({ name, datatype }): [string, Uint8Array] => [name, buildIdentityModel(datatype, IDENTITY_OPTIONS)]),
  ['add_sub', buildAddSubModel()],
  ['dynamic_shape', buildDynamicShapeModel()],
  ['slow', buildSlowModel()],
  ['runtime_error', buildRuntimeErrorModel()],
];

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

describe('encodeModel / decodeModel', () => {
  for (const [name, bytes] of builtModels) {
    it(`${name}: encode(decode(bytes)) is byte-identical`, () => {
      const decoded = decodeModel(bytes);
      assert.deepEqual(Buffer.from(encodeModel(decoded)), Buffer.from(bytes));
      // And the typed view itself survives a second trip.
      assert.deepEqual(decodeModel(encodeModel(decoded)), decoded);
    });
  }

  it('keeps 64-bit integers exact as bigint, including the extremes of int64 and uint64', () => {
    const g = new GraphBuilder('extremes');
    const x = g.input('x', 'INT64', [3]);
    const ends = g.initializer('ends', 'INT64', [3], [INT64_MAX, INT64_MIN, -1n]);
    g.output(g.node('Add', [x, ends], { big: INT64_MAX, list: attr.ints([INT64_MIN, 0, 1]) }), 'y', 'INT64', [3]);
    const model = g.toModel({ opset: 17 });
    model.graph!.initializer!.push({ name: 'u', dataType: 13, dims: [1n], uint64Data: [UINT64_MAX] });
    const decoded = decodeModel(encodeModel(model));
    const node = decoded.graph!.node![0]!;
    assert.equal(node.attribute![0]!.i, INT64_MAX);
    assert.deepEqual(node.attribute![1]!.ints, [INT64_MIN, 0n, 1n]);
    assert.deepEqual(decoded.graph!.initializer![1]!.uint64Data, [UINT64_MAX]);
    assert.equal(decoded.irVersion, 8n);
    assert.equal(decoded.opsetImport![0]!.version, 17n);
  });

  it('keeps a field that is present with its default value (proto2 presence)', () => {
    const model: OnnxModel = { irVersion: 0n, producerName: '', graph: { name: 'g', node: [{ opType: 'Identity', domain: '' }] } };
    const bytes = encodeModel(model);
    assert.deepEqual(decodeModel(bytes), model);
    assert.deepEqual(Buffer.from(encodeModel(decodeModel(bytes))), Buffer.from(bytes));
  });

  it('returns Uint8Array, not Buffer, for bytes fields even when given a Buffer', () => {
    const decoded = decodeModel(Buffer.from(buildIdentityModel('FP32')));
    const g = new GraphBuilder('w');
    g.initializer('w', 'FP32', [1], [1]);
    const raw = decodeModel(Buffer.from(g.toBytes({ opset: 17 }))).graph!.initializer![0]!.rawData!;
    assert.equal(Object.getPrototypeOf(raw), Uint8Array.prototype);
    assert.equal(decoded.graph!.name, 'identity_fp32');
  });

  it('refuses bytes that are not a model with ERR_MODEL_LOAD_FAILED', () => {
    assert.throws(() => decodeModel(CORRUPT_MODEL_BYTES), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.code, 'ERR_MODEL_LOAD_FAILED');
      assert.match(error.message, /not a valid ONNX model file \(26 bytes\): invalid wire type 4/);
      return true;
    });
  });

  it('names the field when encoding a value of the wrong kind', () => {
    const bad = { graph: { name: 42 } } as unknown as OnnxModel;
    assert.throws(() => encodeModel(bad), { name: 'TypeError', message: /invalid ONNX model: graph\.name: string expected/ });
  });

  it('refuses bigints wider than 64 bits', () => {
    assert.throws(() => encodeModel({ irVersion: 2n ** 64n }), RangeError);
  });

  it('finds proto/onnx.proto from the compiled file', () => {
    assert.match(findSchemaFile(), /proto[\\/]onnx\.proto$/);
  });
});
