/**
 * @module
 * KServe v2 REST inference request (`$inference_request`, OIP inference_rest.md) <-> InferRequest.
 * Unknown fields are ignored at every level: KServe and Triton clients add their own.
 */
import { InferenceError } from '../../errors/index.js';
import type { InferRequest, Parameters, RequestedOutput } from '../../core/index.js';
import { describeValue, expectObject, invalid, readName, readOptionalParameters, readOptionalString } from './json-fields.js';
import { decodeJsonTensor, readJsonTensorHeader, type JsonTensorHeader } from './json-tensor-header.js';
import { encodeJsonTensorData } from './json-tensor-encode.js';

/** Which model the request is for: from the URL, not the body. */
export interface InferTarget {
  modelName: string;
  modelVersion?: string;
}

/** An inference request body with its tensors' data still undecoded: the binary codec's starting point too. */
export interface InferRequestHeader {
  id?: string;
  parameters?: Parameters;
  inputs: JsonTensorHeader[];
  outputs?: RequestedOutput[];
}

/**
 * Validates the structure of a request body (what JSON.parse returned) without decoding tensor data.
 * @throws InferenceError naming the field at fault.
 */
export function readInferRequestHeader(body: unknown): InferRequestHeader {
  const object = expectObject(body, 'request body');
  const id = readOptionalString(object, 'id', 'id');
  const parameters = readOptionalParameters(object, '');
  const rawInputs = object.inputs;
  if (!Array.isArray(rawInputs) || rawInputs.length === 0) {
    throw invalid(`'inputs' must be a non-empty array, got ${rawInputs === undefined ? 'nothing' : describeValue(rawInputs)}`);
  }
  const inputs: JsonTensorHeader[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < rawInputs.length; i++) {
    const input = readJsonTensorHeader(rawInputs[i], `inputs[${i}]`, 'input');
    const first = seen.get(input.name);
    if (first !== undefined) {
      throw new InferenceError('ERR_INPUT_DUPLICATE', `input '${input.name}' appears twice in 'inputs' (positions ${first} and ${i})`);
    }
    seen.set(input.name, i);
    inputs.push(input);
  }
  const outputs = readRequestedOutputs(object.outputs);
  return {
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
  };
}

/**
 * `outputs` is optional. An empty array means the same as none (every output), as in Triton,
 * where an empty list requests nothing specific and the model returns all outputs.
 */
function readRequestedOutputs(value: unknown): RequestedOutput[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw invalid(`'outputs' must be an array, got ${describeValue(value)}`);
  if (value.length === 0) return undefined;
  const outputs: RequestedOutput[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < value.length; i++) {
    const object = expectObject(value[i], `'outputs[${i}]'`);
    const name = readName(object, `outputs[${i}]`);
    if (seen.has(name)) throw invalid(`output '${name}' is requested twice in 'outputs'`);
    seen.add(name);
    const parameters = readOptionalParameters(object, `output '${name}': `);
    outputs.push(parameters === undefined ? { name } : { name, parameters });
  }
  return outputs;
}

/**
 * Decodes a KServe v2 JSON inference request. `body` is what JSON.parse returned; `target`
 * comes from the URL. Tensor data is decoded into freshly allocated typed arrays.
 * @throws InferenceError with ERR_INVALID_REQUEST, ERR_INPUT_SHAPE, ERR_INPUT_DATATYPE,
 *   ERR_INPUT_DATA or ERR_INPUT_DUPLICATE; the message names the input and field.
 */
export function decodeInferRequestJson(body: unknown, target: InferTarget): InferRequest {
  const header = readInferRequestHeader(body);
  return {
    modelName: target.modelName,
    ...(target.modelVersion === undefined ? {} : { modelVersion: target.modelVersion }),
    ...(header.id === undefined ? {} : { id: header.id }),
    ...(header.parameters === undefined ? {} : { parameters: header.parameters }),
    inputs: header.inputs.map(decodeJsonTensor),
    ...(header.outputs === undefined ? {} : { outputs: header.outputs }),
  };
}

/**
 * Encodes an inference request body (the model name and version go in the URL).
 * Data conventions are those of encodeInferResponseJson except one: INT64/UINT64 values beyond
 * ±(2^53-1) are sent as decimal strings, which Wharf decodes exactly (as JSON numerals they would
 * be rounded by the server's JSON.parse; Triton accepts neither form beyond 2^53 in JSON, so use
 * the binary extension there). An empty `outputs` list is left out: the server reads that as
 * "every output".
 */
export function encodeInferRequestJson(request: InferRequest): string {
  return writeInferRequestJson(request, undefined);
}

/**
 * The request JSON, with the inputs that have a size in `binarySizes` (same index as `inputs`)
 * written as `"parameters":{"binary_data_size":N}` instead of `data`: the binary codec's header.
 */
export function writeInferRequestJson(request: InferRequest, binarySizes: readonly (number | undefined)[] | undefined): string {
  let text = '{';
  if (request.id !== undefined) text += `"id":${JSON.stringify(request.id)},`;
  if (request.parameters !== undefined) text += `"parameters":${JSON.stringify(request.parameters)},`;
  text += '"inputs":[';
  for (let i = 0; i < request.inputs.length; i++) {
    const input = request.inputs[i]!;
    if (i > 0) text += ',';
    const size = binarySizes?.[i];
    const content = size === undefined ? `"data":${encodeJsonTensorData(input.datatype, input.data, 'string')}` : `"parameters":{"binary_data_size":${size}}`;
    text += `{"name":${JSON.stringify(input.name)},"shape":${JSON.stringify(input.shape)},"datatype":${JSON.stringify(input.datatype)},${content}}`;
  }
  text += ']';
  if (request.outputs !== undefined && request.outputs.length > 0) text += `,"outputs":${JSON.stringify(request.outputs)}`;
  return `${text}}`;
}
