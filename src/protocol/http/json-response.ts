/**
 * @module
 * KServe v2 REST inference response (`$inference_response`, OIP inference_rest.md) <-> InferResponse,
 * and the error body `{"error": message}` every endpoint answers with on failure.
 *
 * Data conventions (shared with the request codec):
 * - data is flat and row-major, as Triton answers;
 * - NaN and infinities are the strings "NaN", "Infinity", "-Infinity";
 * - FP32 is printed as the shortest decimal that Math.fround reads back as the same float32;
 * - FP16/BF16 are printed as the number the bits hold, FP64 as JavaScript prints it;
 * - INT64/UINT64 are exact decimal numerals, as Triton writes them (the request encoder differs);
 * - BOOL is true/false; BYTES are strings decoded from UTF-8 (invalid bytes become U+FFFD).
 */
import type { InferResponse, Parameters, Tensor } from '../../core/index.js';
import { describeValue, expectObject, invalid, readOptionalParameters, readOptionalString } from './json-fields.js';
import { decodeJsonTensor, readJsonTensorHeader, type JsonTensorHeader } from './json-tensor-header.js';
import { encodeJsonTensorData } from './json-tensor-encode.js';

/** Encodes an inference response body; `id` is written only when the request carried one. */
export function encodeInferResponseJson(response: InferResponse): string {
  return writeInferResponseJson(response, undefined);
}

/**
 * The response JSON, with the outputs that have a size in `binarySizes` (same index as `outputs`)
 * written as `"parameters":{"binary_data_size":N}` instead of `data`: the binary codec's header.
 */
export function writeInferResponseJson(response: InferResponse, binarySizes: readonly (number | undefined)[] | undefined): string {
  let text = `{"model_name":${JSON.stringify(response.modelName)},"model_version":${JSON.stringify(response.modelVersion)}`;
  if (response.id !== undefined) text += `,"id":${JSON.stringify(response.id)}`;
  if (response.parameters !== undefined) text += `,"parameters":${JSON.stringify(response.parameters)}`;
  text += ',"outputs":[';
  for (let i = 0; i < response.outputs.length; i++) {
    if (i > 0) text += ',';
    text += encodeOutput(response.outputs[i]!, binarySizes?.[i]);
  }
  return `${text}]}`;
}

function encodeOutput(output: Tensor, binarySize: number | undefined): string {
  const content = binarySize === undefined ? `"data":${encodeJsonTensorData(output.datatype, output.data, 'number')}` : `"parameters":{"binary_data_size":${binarySize}}`;
  return `{"name":${JSON.stringify(output.name)},"datatype":${JSON.stringify(output.datatype)},"shape":${JSON.stringify(output.shape)},${content}}`;
}

/**
 * The error body. Triton and KServe define only `error`; `code` is Wharf's stable error code
 * (errors/codes.ts), which clients may use to branch without parsing messages.
 */
export function encodeErrorJson(message: string, code?: string): string {
  return JSON.stringify(code === undefined ? { error: message } : { error: message, code });
}

/**
 * Decodes an inference response body (client side). `model_version` is optional in the
 * protocol; when absent it decodes as ''. The core datatype table decides each output's array.
 * Per-output `parameters` are validated but dropped: core Tensor has no place for them.
 * INT64/UINT64 values must be safe integers or decimal strings: JSON.parse has already rounded
 * larger numerals, so those are refused (ERR_INPUT_DATA) rather than returned wrong.
 * @throws InferenceError naming the field or output at fault, with the same codes as request decoding.
 */
export function decodeInferResponseJson(body: unknown): InferResponse {
  const header = readInferResponseHeader(body);
  return { ...header, outputs: header.outputs.map(decodeJsonTensor) };
}

/** An inference response body with its tensors' data still undecoded: the binary codec's starting point too. */
export interface InferResponseHeader {
  modelName: string;
  modelVersion: string;
  id?: string;
  parameters?: Parameters;
  outputs: JsonTensorHeader[];
}

/**
 * Validates the structure of a response body (what JSON.parse returned) without decoding tensor data.
 * @throws InferenceError naming the field at fault.
 */
export function readInferResponseHeader(body: unknown): InferResponseHeader {
  const object = expectObject(body, 'response body');
  const modelName = object.model_name;
  if (typeof modelName !== 'string') {
    throw invalid(`'model_name' must be a string, got ${modelName === undefined ? 'nothing' : describeValue(modelName)}`);
  }
  const modelVersion = readOptionalString(object, 'model_version', 'model_version') ?? '';
  const id = readOptionalString(object, 'id', 'id');
  const parameters = readOptionalParameters(object, '');
  const rawOutputs = object.outputs;
  if (!Array.isArray(rawOutputs)) {
    throw invalid(`'outputs' must be an array, got ${rawOutputs === undefined ? 'nothing' : describeValue(rawOutputs)}`);
  }
  const outputs: JsonTensorHeader[] = [];
  for (let i = 0; i < rawOutputs.length; i++) outputs.push(readJsonTensorHeader(rawOutputs[i], `outputs[${i}]`, 'output'));
  return {
    modelName,
    modelVersion,
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs,
  };
}
