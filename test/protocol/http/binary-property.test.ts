// Property tests: random tensors, mixes of JSON and binary tensors, header padding and body
// offsets round-trip exactly; and no body, however broken, makes the decoders throw anything but
// an INVALID_ARG InferenceError.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeInferRequestBody, decodeInferResponseBody, encodeInferRequestBody, encodeInferRequestJson, encodeInferResponseBody,
} from '../../../src/protocol/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import { dataTypeInfo, type InferRequest, type InferResponse, type RequestedOutput, type Tensor } from '../../../src/core/index.js';
import { jsonSafe, rawTensors } from './binary-arbitraries.js';
import { blobOf, concat, joined, placeAt } from './binary-helpers.js';

const utf8 = new TextEncoder();
const target = { modelName: 'm' };

/** The JSON text of one input as the JSON codec writes it. */
function jsonInputText(input: Tensor): string {
  const text = encodeInferRequestJson({ modelName: 'm', inputs: [input] });
  return text.slice('{"inputs":['.length, -']}'.length);
}

describe('binary codec properties', () => {
  it('request: any mix of JSON and binary inputs, any header padding and body offset, decodes exactly; aligned blobs are views', () => {
    const scenario = fc.tuple(rawTensors, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.nat(9), fc.nat(15));
    fc.assert(fc.property(scenario, ([raw, binaryMask, padding, offset]) => {
      const inputs = raw.map((t, i) => (binaryMask[i] ? t : jsonSafe(t)));
      const parts = inputs.map((t, i) => (binaryMask[i]
        ? `{"name":${JSON.stringify(t.name)},"datatype":"${t.datatype}","shape":${JSON.stringify(t.shape)},"parameters":{"binary_data_size":${blobOf(t).byteLength}}}`
        : jsonInputText(t)));
      const header = utf8.encode(`{"inputs":[${parts.join(',')}]}${' '.repeat(padding)}`);
      const blobs = inputs.filter((_, i) => binaryMask[i]).map(blobOf);
      const body = placeAt(concat([header, ...blobs]), offset);
      const decoded = decodeInferRequestBody(body, header.byteLength, target);
      assert.deepEqual(decoded, { modelName: 'm', inputs } satisfies InferRequest);

      let position = offset + header.byteLength;
      decoded.inputs.forEach((input, i) => {
        if (!binaryMask[i]) return;
        const size = dataTypeInfo(input.datatype).byteSize;
        if (input.datatype !== 'BYTES') assert.equal(input.data.buffer === body.buffer, position % size === 0, `${input.datatype} at ${position}`);
        else for (const element of input.data) assert.equal(element.buffer, body.buffer);
        position += blobOf(inputs[i]!).byteLength;
      });
    }), { numRuns: 1000 });
  });

  it('request: client encode -> server decode, binary or JSON inputs, with or without binary outputs', () => {
    fc.assert(fc.property(rawTensors, fc.boolean(), fc.boolean(), (raw, binaryInputs, binaryOutputs) => {
      const request: InferRequest = { modelName: 'm', id: 'r', inputs: binaryInputs ? raw : raw.map(jsonSafe), outputs: [{ name: 'y', parameters: { k: 1 } }] };
      const encoded = encodeInferRequestBody(request, { binaryInputs, binaryOutputs });
      assert.equal(encoded.contentType, binaryInputs ? 'application/octet-stream' : 'application/json');
      assert.equal(encoded.headerLength, binaryInputs ? encoded.chunks[0]!.byteLength : undefined);
      const expected = binaryOutputs ? { ...request, parameters: { binary_data_output: true } } : request;
      assert.deepEqual(decodeInferRequestBody(joined(encoded), encoded.headerLength, target), expected);
    }), { numRuns: 500 });
  });

  it('response: server encode -> client decode for any per-output and request-level binary flags', () => {
    const flag = fc.constantFrom(true, false, undefined);
    fc.assert(fc.property(rawTensors, fc.array(flag, { minLength: 4, maxLength: 4 }), flag, fc.nat(15), (raw, flags, fallback, offset) => {
      const binary = raw.map((_, i) => flags[i] ?? fallback ?? false);
      const response: InferResponse = { modelName: 'm', modelVersion: '7', outputs: raw.map((t, i) => (binary[i] ? t : jsonSafe(t))) };
      const outputs: RequestedOutput[] = raw.map((t, i) => (flags[i] === undefined ? { name: t.name } : { name: t.name, parameters: { binary_data: flags[i] } }));
      const encoded = encodeInferResponseBody(response, { outputs, ...(fallback === undefined ? {} : { parameters: { binary_data_output: fallback } }) });
      assert.equal(encoded.contentType, binary.includes(true) ? 'application/octet-stream' : 'application/json');
      assert.deepEqual(decodeInferResponseBody(placeAt(joined(encoded), offset), encoded.headerLength), response);
    }), { numRuns: 500 });
  });
});

/** Runs `run`; anything thrown must be an InferenceError whose kind is INVALID_ARG (a 400). */
function decodesOrRefuses(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof InferenceError)) throw error;
    assert.equal(error.kind, 'INVALID_ARG', `${error.code}: ${error.message}`);
  }
}

const headerLengths = (bodyLength: number): fc.Arbitrary<number | undefined> => fc.oneof(
  fc.constant(undefined), fc.integer({ min: 0, max: bodyLength + 3 }), fc.integer({ min: -5, max: 2 ** 40 }), fc.double(),
);

function decodeBoth(body: Uint8Array, headerLength: number | undefined): void {
  decodesOrRefuses(() => decodeInferRequestBody(body, headerLength, target));
  decodesOrRefuses(() => decodeInferResponseBody(body, headerLength));
}

describe('binary decoders refuse broken bodies with INVALID_ARG and nothing else', () => {
  it('random bytes with random header lengths', { timeout: 60_000 }, () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }).chain((body) => fc.tuple(fc.constant(body), headerLengths(body.byteLength))), ([body, headerLength]) => {
      decodeBoth(body, headerLength);
    }), { numRuns: 3000 });
  });

  it('random JSON headers that almost describe binary tensors, followed by random bytes', { timeout: 60_000 }, () => {
    const field = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: fc.jsonValue() });
    const tensor = fc.record({
      name: field(fc.constantFrom('x', 'y', 'z')),
      datatype: field(fc.constantFrom('BYTES', 'BOOL', 'FP16', 'FP32', 'INT64', 'UINT8')),
      shape: field(fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 3 })),
      parameters: field(fc.record({ binary_data_size: field(fc.oneof(fc.nat(40), fc.integer({ min: -3, max: 2 ** 53 }))), binary_data: field(fc.boolean()) }, { requiredKeys: [] })),
      data: field(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 6 })),
    }, { requiredKeys: [] });
    const header = fc.record({
      model_name: fc.constant('m'),
      inputs: fc.array(tensor, { maxLength: 3 }),
      outputs: fc.array(tensor, { maxLength: 3 }),
      parameters: field(fc.record({ binary_data_output: field(fc.boolean()) }, { requiredKeys: [] })),
    }, { requiredKeys: ['inputs', 'outputs'] });
    fc.assert(fc.property(header, fc.uint8Array({ maxLength: 64 }), fc.boolean(), (h, blobs, giveLength) => {
      const json = utf8.encode(JSON.stringify(h));
      decodeBoth(concat([json, blobs]), giveLength ? json.byteLength : undefined);
    }), { numRuns: 3000 });
  });

  it('random mutations of valid binary bodies', { timeout: 60_000 }, () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 9 }) }),
      fc.record({ kind: fc.constant('length' as const), delta: fc.integer({ min: -9, max: 9 }) }),
    );
    fc.assert(fc.property(rawTensors, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.nat(7), (inputs, mutations, offset) => {
      const encoded = encodeInferRequestBody({ modelName: 'm', inputs }, { binaryInputs: true, binaryOutputs: false });
      let body = joined(encoded);
      let headerLength = encoded.headerLength!;
      for (const m of mutations) {
        if (m.kind === 'set' && body.byteLength > 0) body[m.at % body.byteLength] = m.value;
        if (m.kind === 'cut') body = body.subarray(0, m.at % (body.byteLength + 1));
        if (m.kind === 'add') body = concat([body, m.bytes]);
        if (m.kind === 'length') headerLength += m.delta;
      }
      decodeBoth(placeAt(body, offset), headerLength);
    }), { numRuns: 3000 });
  });
});
