/**
 * @module
 * Inference response bodies with Triton's binary tensor data extension (extension_binary_data.md),
 * both directions: the server encodes, the client decodes. Without binary outputs these are
 * exactly the JSON codec (json-response.ts).
 */
import type { InferResponse } from '../../core/index.js';
import { invalid } from './json-fields.js';
import { decodeInferResponseJson, readInferResponseHeader, writeInferResponseJson } from './json-response.js';
import { INFERENCE_HEADER_CONTENT_LENGTH, assertHeaderLength, decodeTensors, frameBody, parseJsonBytes, type EncodedBody } from './binary-body.js';
import { binaryOutputSelector, type OutputEncodingRequest } from './binary-output-flags.js';
import { tensorBytesSize, encodeTensorBytes } from '../tensor-bytes.js';

/**
 * Encodes an inference response for the request it answers. An output is binary when its
 * requested output says `binary_data: true`, or says nothing and the request says
 * `binary_data_output: true`. Without binary outputs the body is encodeInferResponseJson's text;
 * with them, the JSON header (binary outputs carry `parameters.binary_data_size` and no `data`)
 * followed by their blobs in output order. Numeric blobs are views of the output tensors' memory.
 * @throws InferenceError ERR_INVALID_REQUEST when a binary flag is not a boolean (decodeInferRequestBody
 *   already refuses those; this guards requests built in code).
 */
export function encodeInferResponseBody(response: InferResponse, request: OutputEncodingRequest): EncodedBody {
  const isBinary = binaryOutputSelector(request);
  const binary = response.outputs.map((output) => isBinary(output.name));
  if (!binary.includes(true)) return frameBody(writeInferResponseJson(response, undefined), [], false);
  const sizes = response.outputs.map((output, i) => (binary[i] ? tensorBytesSize(output) : undefined));
  const blobs = response.outputs.flatMap((output, i) => (binary[i] ? [encodeTensorBytes(output)] : []));
  return frameBody(writeInferResponseJson(response, sizes), blobs, true);
}

/**
 * Decodes an inference response body (client side), the mirror of decodeInferRequestBody:
 * `headerLength` undefined means plain JSON, otherwise the first `headerLength` bytes are the
 * JSON header and the outputs with `binary_data_size` take their blobs, in order, from the rest.
 * Numeric outputs are views into `body` where alignment allows; BYTES elements always are.
 * @throws InferenceError naming the output and the sizes at fault, with the request decoder's codes.
 */
export function decodeInferResponseBody(body: Uint8Array, headerLength: number | undefined): InferResponse {
  if (headerLength === undefined) return decodeInferResponseJson(parseJsonBytes(body, 'the response body', true, true));
  assertHeaderLength(headerLength, body.byteLength);
  if (headerLength === 0) {
    // Unlike a request, a response always describes its outputs in JSON.
    throw invalid(`${INFERENCE_HEADER_CONTENT_LENGTH} is 0, but a response must start with a JSON header describing its outputs`);
  }
  const header = readInferResponseHeader(parseJsonBytes(body.subarray(0, headerLength), `the ${headerLength}-byte JSON header`, false, true));
  return { ...header, outputs: decodeTensors(header.outputs, body, headerLength, 'output') };
}
