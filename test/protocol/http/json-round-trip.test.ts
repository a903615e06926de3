// Property tests: encode -> JSON.parse -> decode is the identity for every datatype, and no
// body, however malformed, makes the decoders throw anything but an InferenceError.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeInferRequestJson, decodeInferResponseJson, encodeInferRequestJson, encodeInferResponseJson,
} from '../../../src/protocol/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import {
  DATA_TYPES, allocateData, bfloat16BitsToNumber, dataTypeInfo, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits,
  type DataType, type InferRequest, type InferResponse, type Parameters, type Tensor,
} from '../../../src/core/index.js';

const utf8 = new TextEncoder();

/** NaN travels as "NaN", so only the canonical NaN pattern survives a round trip. */
function canonicalHalf(datatype: DataType, bits: number): number {
  if (datatype === 'FP16') return Number.isNaN(float16BitsToNumber(bits)) ? numberToFloat16Bits(NaN) : bits;
  return Number.isNaN(bfloat16BitsToNumber(bits)) ? numberToBfloat16Bits(NaN) : bits;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** `safeIntegers`: 64-bit values within ±(2^53-1), for texts that JSON.parse reads (responses carry exact numerals). */
function element(datatype: DataType, safeIntegers: boolean): fc.Arbitrary<unknown> {
  const info = dataTypeInfo(datatype);
  switch (info.valueKind) {
    case 'int': return fc.integer({ min: Number(info.min), max: Number(info.max) });
    case 'bigint': {
      const [min, max] = [BigInt(info.min!), BigInt(info.max!)];
      return safeIntegers ? fc.bigInt({ min: min < -MAX_SAFE ? -MAX_SAFE : min, max: MAX_SAFE }) : fc.bigInt({ min, max });
    }
    case 'float': return datatype === 'FP32' ? fc.float() : fc.double();
    case 'half': return fc.integer({ min: 0, max: 0xffff }).map((bits) => canonicalHalf(datatype, bits));
    case 'bool': return fc.boolean().map((b) => (b ? 1 : 0));
    case 'bytes': return fc.string({ unit: 'binary', maxLength: 6 }).map((s) => utf8.encode(s));
  }
}

function toData(datatype: DataType, values: unknown[]): Tensor['data'] {
  if (datatype === 'BYTES') return values as Uint8Array[];
  const data = allocateData(datatype, values.length) as unknown as unknown[];
  values.forEach((value, i) => { data[i] = value; });
  return data as unknown as Tensor['data'];
}

/** A tensor with up to 4 dims of 0..4 (zero-sized dims included) and matching random data. */
const tensor = (name: string, safeIntegers: boolean, datatypes: readonly DataType[] = DATA_TYPES): fc.Arbitrary<Tensor> =>
  fc.constantFrom(...datatypes).chain((datatype) => fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }).chain((shape) => {
    const count = shape.reduce((a, b) => a * b, 1);
    return fc.array(element(datatype, safeIntegers), { minLength: count, maxLength: count })
      .map((values) => ({ name, datatype, shape, data: toData(datatype, values) }) as Tensor);
  }));

const tensors = (safeIntegers: boolean): fc.Arbitrary<Tensor[]> => fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 })
  .chain((names) => fc.tuple(...names.map((name) => tensor(name, safeIntegers))));

const parameters: fc.Arbitrary<Parameters> = fc.dictionary(
  fc.string({ maxLength: 8 }),
  fc.oneof(fc.string(), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0))),
  { maxKeys: 3, noNullPrototype: true },
);

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arbitrary, { nil: undefined });

/** Builds the object with absent keys left out, as the decoders do. */
function compact<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;
}

const requestedOutputs = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 })
  .chain((names) => fc.tuple(...names.map((name) => optional(parameters).map((p) => compact({ name, parameters: p })))));

const request: fc.Arbitrary<InferRequest> = fc.tuple(
  fc.string({ minLength: 1 }), optional(fc.string()), optional(fc.string()), optional(parameters), tensors(false), optional(requestedOutputs),
).map(([modelName, modelVersion, id, params, inputs, outputs]) => compact({ modelName, modelVersion, id, parameters: params, inputs, outputs }));

const response: fc.Arbitrary<InferResponse> = fc.tuple(
  fc.string({ minLength: 1 }), fc.string(), optional(fc.string()), optional(parameters), fc.oneof(tensors(true), fc.constant<Tensor[]>([])),
).map(([modelName, modelVersion, id, params, outputs]) => compact({ modelName, modelVersion, id, parameters: params, outputs }));

describe('JSON codec round trips', () => {
  it('request: decode(JSON.parse(encode(r))) deep-equals r for every datatype', () => {
    fc.assert(fc.property(request, (r) => {
      const target = compact({ modelName: r.modelName, modelVersion: r.modelVersion });
      assert.deepEqual(decodeInferRequestJson(JSON.parse(encodeInferRequestJson(r)), target), r);
    }), { numRuns: 500 });
  });

  it('response: decode(JSON.parse(encode(r))) deep-equals r for every datatype (64-bit values within ±(2^53-1))', () => {
    fc.assert(fc.property(response, (r) => {
      assert.deepEqual(decodeInferResponseJson(JSON.parse(encodeInferResponseJson(r))), r);
    }), { numRuns: 500 });
  });

  it('response: INT64/UINT64 over their full range are written as exact decimal numerals', () => {
    fc.assert(fc.property(tensor('y', false, ['INT64', 'UINT64']), (output) => {
      const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [output] });
      const data = text.slice(text.indexOf('"data":[') + 8, -4);
      assert.deepEqual(data === '' ? [] : data.split(',').map(BigInt), [...(output.data as BigInt64Array)]);
    }), { numRuns: 300 });
  });

  it('FP32: every float32 is written as a token that reads back to itself, 22 characters at most', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), { minLength: 1, maxLength: 200 }), (bits) => {
      const data = new Float32Array(Uint32Array.from(bits).buffer);
      const output: Tensor = { name: 'y', datatype: 'FP32', shape: [data.length], data };
      const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [output] });
      const tokens = text.slice(text.indexOf('"data":[') + 8, -4).split(',');
      assert.equal(tokens.length, data.length);
      tokens.forEach((token, i) => {
        assert.ok(token.length <= 22, token);
        const value = data[i]!;
        if (Number.isNaN(value)) assert.equal(token, '"NaN"');
        else assert.ok(Object.is(Math.fround(Number(JSON.parse(token))), value), `${token} for ${value}`);
      });
    }), { numRuns: 300 });
  });

  it('FP32: the token is the shortest decimal that reads back, printed as JavaScript prints numbers', () => {
    fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }).filter((x) => x !== 0), (value) => {
      const data = Float32Array.of(value);
      const text = encodeInferRequestJson({ modelName: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: [1], data }] });
      const token = text.slice(text.indexOf('"data":[') + 8, -4);
      // toPrecision(p) is the nearest p-digit decimal; the smallest p that reads back is the shortest.
      let precision = 1;
      while (Math.fround(Number(value.toPrecision(precision))) !== value) precision++;
      assert.equal(token, String(Number(value.toPrecision(precision))));
    }), { numRuns: 5000 });
  });
});

describe('JSON decoders never throw anything but InferenceError', () => {
  const onlyInferenceErrors = (run: () => unknown): void => {
    try {
      run();
    } catch (error) {
      if (!(error instanceof InferenceError)) throw error;
    }
  };

  it('arbitrary JSON values and JavaScript values as the body', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.anything({ withNullPrototype: true, withBigInt: true })), (body) => {
      onlyInferenceErrors(() => decodeInferRequestJson(body, { modelName: 'm' }));
      onlyInferenceErrors(() => decodeInferResponseJson(body));
    }), { numRuns: 1000 });
  });

  it('well-formed bodies with one field replaced by arbitrary JSON', () => {
    const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> => fc.oneof(valid, fc.jsonValue());
    const input = fc.record({
      name: field(fc.constantFrom('x', 'y')),
      shape: field(fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 })),
      datatype: field(fc.constantFrom(...DATA_TYPES)),
      data: field(fc.array(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })), { maxLength: 9 })),
      parameters: field(fc.dictionary(fc.constantFrom('binary_data_size', 'a'), fc.oneof(fc.integer(), fc.string()))),
    }, { requiredKeys: [] });
    const body = fc.record({ id: field(fc.string()), parameters: field(parameters), inputs: field(fc.array(input, { maxLength: 3 })), outputs: field(fc.array(fc.record({ name: field(fc.string()) }))) }, { requiredKeys: [] });
    fc.assert(fc.property(body, (b) => {
      onlyInferenceErrors(() => decodeInferRequestJson(b, { modelName: 'm' }));
      onlyInferenceErrors(() => decodeInferResponseJson({ model_name: 'm', outputs: (b as { inputs?: unknown }).inputs }));
    }), { numRuns: 2000 });
  });
});
