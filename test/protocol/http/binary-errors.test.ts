// Every inconsistency the binary codec refuses, with the exact message a client sees.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeInferRequestBody, decodeInferResponseBody, encodeInferResponseBody, parseHeaderLength,
} from '../../../src/protocol/index.js';
import type { InferResponse } from '../../../src/core/index.js';
import { bytesBlob, framed, hex, throwsInference } from './binary-helpers.js';

const target = { modelName: 'm' };
const utf8 = new TextEncoder();

/** A request header with these inputs (each a partial $request_input). */
const header = (...inputs: object[]): object => ({ inputs });
const binaryInput = (name: string, datatype: string, shape: number[], size: unknown): object => ({ name, datatype, shape, parameters: { binary_data_size: size } });

function rejectsRequest(body: { body: Uint8Array; headerLength: number | undefined }, code: Parameters<typeof throwsInference>[1], message: string | RegExp): void {
  throwsInference(() => decodeInferRequestBody(body.body, body.headerLength, target), code, message);
}

describe('parseHeaderLength', () => {
  it('reads one non-negative decimal integer', () => {
    assert.equal(parseHeaderLength(undefined), undefined);
    assert.equal(parseHeaderLength('0'), 0);
    assert.equal(parseHeaderLength(' 120 '), 120);
    assert.equal(parseHeaderLength(['64']), 64);
    assert.equal(parseHeaderLength(['64', '64']), 64);
  });

  it('refuses anything else, quoting the value', () => {
    for (const value of ['', 'abc', '-1', '1.5', '1e3', '0x10', '+5', '9007199254740992', '12 34']) {
      throwsInference(() => parseHeaderLength(value), 'ERR_INVALID_REQUEST',
        `Inference-Header-Content-Length must be a non-negative integer (the byte length of the JSON header), got ${JSON.stringify(value.trim())}`);
    }
    throwsInference(() => parseHeaderLength(['10', '12']), 'ERR_INVALID_REQUEST', 'Inference-Header-Content-Length must be given once, got 2 values ("10", "12")');
  });
});

describe('decodeInferRequestBody: framing', () => {
  const ok = framed(header(binaryInput('x', 'UINT8', [2], 2)), Uint8Array.of(1, 2));

  it('a header length that is not a non-negative integer', () => {
    for (const bad of [-1, 1.5, NaN, Infinity]) {
      rejectsRequest({ body: ok.body, headerLength: bad }, 'ERR_INVALID_REQUEST',
        `Inference-Header-Content-Length must be a non-negative integer (the byte length of the JSON header), got ${bad}`);
    }
  });

  it('a header length beyond the body', () => {
    rejectsRequest({ body: new Uint8Array(120), headerLength: 500 }, 'ERR_INVALID_REQUEST', 'Inference-Header-Content-Length is 500 but the body has only 120 bytes');
  });

  it('a raw binary request (header length 0) without the model', () => {
    rejectsRequest({ body: Uint8Array.of(1, 2, 3, 4), headerLength: 0 }, 'ERR_INVALID_REQUEST',
      "raw binary requests (Inference-Header-Content-Length: 0) need the model's metadata; send a JSON header describing the inputs with 'parameters.binary_data_size'");
  });

  it('a header length that cuts the JSON, or a header that is not UTF-8', () => {
    rejectsRequest({ body: ok.body, headerLength: 10 }, 'ERR_INVALID_REQUEST', /^the 10-byte JSON header is not valid JSON: /);
    rejectsRequest({ body: ok.body, headerLength: ok.headerLength + 1 }, 'ERR_INVALID_REQUEST', /^the \d+-byte JSON header is not valid JSON: /);
    rejectsRequest({ body: Uint8Array.of(0x7b, 0xff, 0x7d), headerLength: 3 }, 'ERR_INVALID_REQUEST', 'the 3-byte JSON header is not valid UTF-8');
    rejectsRequest({ body: utf8.encode('{"inputs": [}'), headerLength: undefined }, 'ERR_INVALID_REQUEST', /^the request body is not valid JSON: /);
  });

  it('blobs after the JSON without the header length: a hint to send it', () => {
    rejectsRequest({ body: ok.body, headerLength: undefined }, 'ERR_INVALID_REQUEST',
      /^the request body is not valid JSON: .*; if binary tensor data follows the JSON, send the Inference-Header-Content-Length header with the JSON's byte length$/);
  });

  it('binary data without the header length gets the JSON codec\'s hint', () => {
    rejectsRequest({ body: ok.body.subarray(0, ok.headerLength), headerLength: undefined }, 'ERR_INVALID_REQUEST',
      "input 'x': binary tensor data requires the Inference-Header-Content-Length header");
  });

  it('blobs that run past the end name the input', () => {
    const body = framed(header(binaryInput('a', 'UINT8', [8], 8), binaryInput('b', 'FP32', [4], 16)), new Uint8Array(12));
    rejectsRequest(body, 'ERR_INVALID_REQUEST',
      `input 'b': binary_data_size is 16 but only 4 bytes remain: the 12 bytes after the ${body.headerLength}-byte JSON header hold the inputs' binary data in order, and the inputs before it take 8`);
  });

  it('bytes left over after the last blob', () => {
    const body = framed(header(binaryInput('a', 'UINT8', [2], 2), { name: 'j', datatype: 'INT8', shape: [1], data: [1] }), new Uint8Array(9));
    rejectsRequest(body, 'ERR_INVALID_REQUEST',
      `7 bytes are left over after the binary data: the inputs' binary_data_size values add up to 2 but 9 bytes follow the ${body.headerLength}-byte JSON header`);
  });

  it('binary_data_size that is not a non-negative integer', () => {
    for (const [size, shown] of [[-1, '-1'], [1.5, '1.5'], ['2', '"2"'], [true, 'true']] as const) {
      rejectsRequest(framed(header(binaryInput('x', 'UINT8', [2], size)), Uint8Array.of(1, 2)), 'ERR_INVALID_REQUEST',
        `input 'x': 'parameters.binary_data_size' must be a non-negative integer, got ${shown}`);
    }
  });

  it('an input with both data and binary_data_size', () => {
    rejectsRequest(framed(header({ ...binaryInput('x', 'UINT8', [2], 2), data: [1, 2] }), Uint8Array.of(1, 2)), 'ERR_INVALID_REQUEST',
      "input 'x': has both 'data' and 'parameters.binary_data_size'; send one or the other");
  });
});

describe('decodeInferRequestBody: blob contents', () => {
  it('a size that disagrees with shape x datatype size', () => {
    rejectsRequest(framed(header(binaryInput('x', 'FP32', [2, 3], 20)), new Uint8Array(20)), 'ERR_INPUT_SHAPE',
      "input 'x' (FP32 [2,3]): binary_data_size is 20 but 6 elements take 24 bytes");
    rejectsRequest(framed(header(binaryInput('x', 'INT64', [], 0))), 'ERR_INPUT_SHAPE',
      "input 'x' (INT64 []): binary_data_size is 0 but 1 elements take 8 bytes");
    rejectsRequest(framed(header(binaryInput('x', 'FP16', [0, 2], 2)), new Uint8Array(2)), 'ERR_INPUT_SHAPE',
      "input 'x' (FP16 [0,2]): binary_data_size is 2 but 0 elements take 0 bytes");
  });

  it('a BOOL byte other than 0 or 1', () => {
    rejectsRequest(framed(header(binaryInput('b', 'BOOL', [3], 3)), Uint8Array.of(1, 0, 2)), 'ERR_INPUT_DATA',
      "input 'b' (BOOL [3]): element 2 is byte 2, expected 0 (false) or 1 (true)");
  });

  it('BYTES: a truncated length prefix', () => {
    const blob = hex('01000000 61 0200');
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [2], blob.byteLength)), blob), 'ERR_INPUT_DATA',
      "input 's' (BYTES [2]): element 1's 4-byte length prefix is truncated: 2 bytes left at offset 5 of the 7-byte binary data");
  });

  it('BYTES: an element that runs past the blob', () => {
    const blob = hex('01000000 61 64000000 6263');
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [2], blob.byteLength)), blob), 'ERR_INPUT_DATA',
      "input 's' (BYTES [2]): element 1 at offset 5 claims 100 bytes but only 2 remain in the 11-byte binary data");
    // A length with the high bit set must not be read as negative.
    const huge = hex('ffffffff 00');
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [1], huge.byteLength)), huge), 'ERR_INPUT_DATA',
      "input 's' (BYTES [1]): element 0 at offset 0 claims 4294967295 bytes but only 1 remain in the 5-byte binary data");
  });

  it('BYTES: an element count that differs from the shape', () => {
    const two = bytesBlob('a', '');
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [3], two.byteLength)), two), 'ERR_INPUT_SHAPE', "input 's' (BYTES [3]): the 9-byte binary data holds 2 elements, shape needs 3");
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [1], two.byteLength)), two), 'ERR_INPUT_SHAPE', "input 's' (BYTES [1]): the 9-byte binary data holds 2 elements, shape needs 1");
    rejectsRequest(framed(header(binaryInput('s', 'BYTES', [], 0))), 'ERR_INPUT_SHAPE', "input 's' (BYTES []): the 0-byte binary data holds 0 elements, shape needs 1");
  });

  it('framing errors come before content errors of earlier inputs', () => {
    const body = framed(header(binaryInput('b', 'BOOL', [1], 1), binaryInput('c', 'UINT8', [1], 5)), Uint8Array.of(7, 1));
    rejectsRequest(body, 'ERR_INVALID_REQUEST', /^input 'c': binary_data_size is 5 but only 1 bytes remain/);
  });
});

describe('binary output flags must be booleans', () => {
  const input = { name: 'x', datatype: 'UINT8', shape: [1], data: [1] };

  it('refused when the request is decoded, JSON or binary', () => {
    for (const binary of [false, true]) {
      const withLength = (h: object): { body: Uint8Array; headerLength: number | undefined } => {
        const f = framed(h);
        return { body: f.body, headerLength: binary ? f.headerLength : undefined };
      };
      rejectsRequest(withLength({ inputs: [input], parameters: { binary_data_output: 'true' } }), 'ERR_INVALID_REQUEST',
        `'parameters.binary_data_output' must be a boolean, got "true"`);
      rejectsRequest(withLength({ inputs: [input], outputs: [{ name: 'y', parameters: { binary_data: 1 } }] }), 'ERR_INVALID_REQUEST',
        "output 'y': 'parameters.binary_data' must be a boolean, got 1");
    }
  });

  it('refused when a response is encoded for a request built in code', () => {
    const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: [] };
    throwsInference(() => encodeInferResponseBody(response, { outputs: [{ name: 'y', parameters: { binary_data: 'yes' } }] }), 'ERR_INVALID_REQUEST',
      `output 'y': 'parameters.binary_data' must be a boolean, got "yes"`);
  });
});

describe('decodeInferResponseBody: the same checks, worded for outputs', () => {
  const response = (...outputs: object[]): object => ({ model_name: 'm', model_version: '1', outputs });

  it('sizes that do not add up and sizes that disagree with shapes', () => {
    const short = framed(response(binaryInput('y', 'INT32', [2], 8)), new Uint8Array(4));
    throwsInference(() => decodeInferResponseBody(short.body, short.headerLength), 'ERR_INVALID_REQUEST',
      `output 'y': binary_data_size is 8 but only 4 bytes remain: the 4 bytes after the ${short.headerLength}-byte JSON header hold the outputs' binary data in order, and the outputs before it take 0`);
    const long = framed(response(binaryInput('y', 'INT32', [1], 4)), new Uint8Array(5));
    throwsInference(() => decodeInferResponseBody(long.body, long.headerLength), 'ERR_INVALID_REQUEST',
      `1 bytes are left over after the binary data: the outputs' binary_data_size values add up to 4 but 5 bytes follow the ${long.headerLength}-byte JSON header`);
    const mismatch = framed(response(binaryInput('y', 'UINT16', [3], 4)), new Uint8Array(4));
    throwsInference(() => decodeInferResponseBody(mismatch.body, mismatch.headerLength), 'ERR_INPUT_SHAPE', "output 'y' (UINT16 [3]): binary_data_size is 4 but 3 elements take 6 bytes");
  });

  it('a header length of 0 or beyond the body, and a body that is not JSON', () => {
    throwsInference(() => decodeInferResponseBody(new Uint8Array(3), 0), 'ERR_INVALID_REQUEST',
      'Inference-Header-Content-Length is 0, but a response must start with a JSON header describing its outputs');
    throwsInference(() => decodeInferResponseBody(new Uint8Array(3), 4), 'ERR_INVALID_REQUEST', 'Inference-Header-Content-Length is 4 but the body has only 3 bytes');
    throwsInference(() => decodeInferResponseBody(utf8.encode('<html>'), undefined), 'ERR_INVALID_REQUEST', /^the response body is not valid JSON: /);
  });
});
