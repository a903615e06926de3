/**
 * @module
 * Triton's raw binary request (extension_binary_data.md, "Raw Binary Request"):
 * `Inference-Header-Content-Length: 0` and a body that is nothing but the bytes of the model's
 * only input. Everything else comes from the model: the input's name and datatype, and its shape,
 * with a batch of 1 and at most one variable dimension sized from the byte count. Every output
 * comes back binary.
 */
import { InferenceError } from '../../errors/index.js';
import { dataTypeInfo, formatShape, type InferRequest, type TensorMetadata } from '../../core/index.js';
import { decodeTensorBytes } from '../tensor-bytes.js';
import { INFERENCE_HEADER_CONTENT_LENGTH } from './binary-body.js';
import type { InferTarget } from './json-request.js';

/** What a raw request needs to know about its model. */
export interface RawRequestModel {
  /** Model metadata inputs: full shapes, -1 for the batch and variable dims. */
  readonly inputs: readonly TensorMetadata[];
  readonly maxBatchSize: number;
}

export function decodeRawBinaryRequest(body: Uint8Array, target: InferTarget, model: RawRequestModel): InferRequest {
  const what = `a raw binary request (${INFERENCE_HEADER_CONTENT_LENGTH}: 0)`;
  const [input, ...others] = model.inputs;
  if (!input || others.length > 0) {
    throw new InferenceError('ERR_INVALID_REQUEST', `${what} needs a model with exactly one input, but model '${target.modelName}' has ${model.inputs.length}; send a JSON header describing the inputs`);
  }
  const shape = rawShape(input, model.maxBatchSize > 0, body.byteLength, what);
  const data = decodeTensorBytes(input.datatype, shape, body, `input '${input.name}'`, { sizeName: 'the raw body size', blobName: 'raw body' });
  return {
    modelName: target.modelName,
    ...(target.modelVersion === undefined ? {} : { modelVersion: target.modelVersion }),
    parameters: { binary_data_output: true },
    inputs: [{ name: input.name, datatype: input.datatype, shape, data } as InferRequest['inputs'][number]],
  };
}

/** The input's shape: batch 1, fixed dims as they are, the one variable dim (if any) from the byte count. */
function rawShape(input: TensorMetadata, batched: boolean, byteLength: number, what: string): number[] {
  const dims = batched ? input.shape.slice(1) : [...input.shape];
  const prefix = batched ? [1] : [];
  const variable = dims.filter((d) => d < 0).length;
  const info = dataTypeInfo(input.datatype);
  if (info.byteSize === 0) {
    // BYTES elements have no fixed size, so the shape must hold exactly one element.
    if (dims.some((d) => d > 1)) throw new InferenceError('ERR_INVALID_REQUEST', `${what} can carry a BYTES input only when it holds one element, but input '${input.name}' has shape ${formatShape(input.shape)}`);
    return [...prefix, ...dims.map(() => 1)];
  }
  if (variable > 1) {
    throw new InferenceError('ERR_INVALID_REQUEST', `${what} needs at most one variable dimension besides the batch, but input '${input.name}' has shape ${formatShape(input.shape)}; send a JSON header with the shape`);
  }
  const fixedBytes = dims.filter((d) => d >= 0).reduce((a, b) => a * b, info.byteSize);
  if (variable === 0) return [...prefix, ...dims];
  if (fixedBytes === 0 || byteLength % fixedBytes !== 0) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${what}: ${byteLength} bytes do not fill whole rows of input '${input.name}' (${input.datatype} ${formatShape(input.shape)}, ${fixedBytes} bytes per step of the variable dimension)`);
  }
  return [...prefix, ...dims.map((d) => (d < 0 ? byteLength / fixedBytes : d))];
}
