/**
 * @module
 * Inference request bodies with Triton's binary tensor data extension (extension_binary_data.md),
 * both directions: the server decodes, the client encodes. Without binary data these are exactly
 * the JSON codec (json-request.ts).
 */
import type { InferRequest } from '../../core/index.js';
import { invalid } from './json-fields.js';
import { decodeInferRequestJson, readInferRequestHeader, writeInferRequestJson, type InferTarget } from './json-request.js';
import { INFERENCE_HEADER_CONTENT_LENGTH, assertHeaderLength, decodeTensors, frameBody, parseJsonBytes, type EncodedBody } from './binary-body.js';
import { binaryOutputSelector } from './binary-output-flags.js';
import { decodeRawBinaryRequest, type RawRequestModel } from './raw-binary-request.js';
import { encodeTensorBytes, tensorBytesSize } from '../tensor-bytes.js';

/**
 * Decodes an inference request body. `headerLength` is the parsed Inference-Header-Content-Length
 * (see parseHeaderLength): undefined means the whole body is JSON; N > 0 means the first N bytes
 * are the JSON header and the rest holds the blobs of the inputs with `binary_data_size`, in order;
 * 0 is Triton's raw binary request, decoded with `rawModel` (raw-binary-request.ts).
 *
 * Numeric input data are views into `body` where alignment allows (see decodeBinaryTensorData) and
 * BYTES elements always are: the request must not outlive changes to `body`'s memory.
 * @throws InferenceError (400) naming the input and the sizes at fault: ERR_INVALID_REQUEST for
 *   framing and flags, ERR_INPUT_SHAPE for sizes that disagree with shapes, ERR_INPUT_DATA for bad
 *   element bytes, and whatever the JSON codec throws for the header.
 */
export function decodeInferRequestBody(body: Uint8Array, headerLength: number | undefined, target: InferTarget, rawModel?: RawRequestModel): InferRequest {
  if (headerLength === undefined) {
    const request = decodeInferRequestJson(parseJsonBytes(body, 'the request body', true), target);
    binaryOutputSelector(request);
    return request;
  }
  assertHeaderLength(headerLength, body.byteLength);
  if (headerLength === 0) {
    // Triton's raw binary request has no JSON at all: the model describes its single input.
    if (!rawModel) throw invalid(`raw binary requests (${INFERENCE_HEADER_CONTENT_LENGTH}: 0) need the model's metadata; send a JSON header describing the inputs with 'parameters.binary_data_size'`);
    return decodeRawBinaryRequest(body, target, rawModel);
  }
  const header = readInferRequestHeader(parseJsonBytes(body.subarray(0, headerLength), `the ${headerLength}-byte JSON header`));
  binaryOutputSelector(header);
  const inputs = decodeTensors(header.inputs, body, headerLength, 'input');
  return {
    modelName: target.modelName,
    ...(target.modelVersion === undefined ? {} : { modelVersion: target.modelVersion }),
    ...(header.id === undefined ? {} : { id: header.id }),
    ...(header.parameters === undefined ? {} : { parameters: header.parameters }),
    inputs,
    ...(header.outputs === undefined ? {} : { outputs: header.outputs }),
  };
}

/** How the client sends a request. */
export interface RequestBodyOptions {
  /** Send every input as a blob with `binary_data_size` instead of JSON `data`. */
  binaryInputs: boolean;
  /**
   * Ask for every output as binary (request parameter `binary_data_output: true`). Per-output
   * `binary_data` parameters in `request.outputs` are kept and override it, as Triton specifies.
   */
  binaryOutputs: boolean;
}

/**
 * Encodes an inference request body (the model name and version go in the URL). With
 * `binaryInputs` false this is encodeInferRequestJson's text as UTF-8. Numeric blobs are views of
 * the input tensors' memory: keep the tensors unchanged until the body is sent.
 */
export function encodeInferRequestBody(request: InferRequest, options: RequestBodyOptions): EncodedBody {
  const sent = options.binaryOutputs ? { ...request, parameters: { ...request.parameters, binary_data_output: true } } : request;
  if (!options.binaryInputs) return frameBody(writeInferRequestJson(sent, undefined), [], false);
  const sizes = sent.inputs.map(tensorBytesSize);
  return frameBody(writeInferRequestJson(sent, sizes), sent.inputs.map(encodeTensorBytes), true);
}
