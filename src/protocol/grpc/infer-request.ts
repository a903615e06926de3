/**
 * @module
 * ModelInferRequest (grpc_service.proto) <-> core InferRequest. The checks and error codes are
 * those of the HTTP codec (protocol/http/json-request.ts), so a bad request fails the same way
 * over either transport.
 */
import { InferenceError } from '../../errors/index.js';
import { dataTypeInfo, type InferRequest, type RequestedOutput } from '../../core/index.js';
import { invalid, optionalString } from './grpc-fields.js';
import { decodeGrpcTensors, readGrpcTensorHeader, type GrpcTensorHeader } from './grpc-tensor.js';
import type { InferRequestedOutputMessage, InferTensorMessage, ModelInferRequestMessage } from './messages.js';
import { readGrpcParameters, writeGrpcParameters } from './parameters.js';
import { encodeRawContents } from './raw-contents.js';
import { encodeTypedContents } from './typed-contents.js';

/**
 * Decodes a ModelInferRequest as proto-loader delivers it. Raw numeric inputs are typed-array
 * views into the received message where alignment allows (see decodeRawContents).
 * @throws InferenceError ERR_INVALID_REQUEST, ERR_INPUT_DUPLICATE, ERR_INPUT_DATATYPE,
 *   ERR_INPUT_SHAPE or ERR_INPUT_DATA; the message names the input or field at fault.
 */
export function grpcToInferRequest(message: ModelInferRequestMessage): InferRequest {
  const modelName = message.model_name ?? '';
  if (modelName === '') throw invalid(`'model_name' is required`);
  const rawInputs = message.inputs ?? [];
  if (rawInputs.length === 0) throw invalid(`'inputs' must hold at least one input`);
  const headers: GrpcTensorHeader[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < rawInputs.length; i++) {
    const header = readGrpcTensorHeader(rawInputs[i]!, `inputs[${i}]`, 'input');
    const first = seen.get(header.name);
    if (first !== undefined) {
      throw new InferenceError('ERR_INPUT_DUPLICATE', `input '${header.name}' appears twice in 'inputs' (positions ${first} and ${i})`);
    }
    if (header.parameters?.shared_memory_region !== undefined) {
      throw invalid(`${header.where}: shared-memory tensors ('parameters.shared_memory_region') are not supported; send 'contents' or 'raw_input_contents'`);
    }
    seen.set(header.name, i);
    headers.push(header);
  }
  const inputs = decodeGrpcTensors(headers, message.raw_input_contents, 'input');
  const modelVersion = optionalString(message.model_version);
  const id = optionalString(message.id);
  const parameters = readGrpcParameters(message.parameters, '');
  const outputs = readRequestedOutputs(message.outputs ?? []);
  return {
    modelName,
    ...(modelVersion === undefined ? {} : { modelVersion }),
    ...(id === undefined ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    ...(outputs === undefined ? {} : { outputs }),
  };
}

/** An empty list means every output, as in Triton and the HTTP codec. */
function readRequestedOutputs(messages: readonly InferRequestedOutputMessage[]): RequestedOutput[] | undefined {
  if (messages.length === 0) return undefined;
  const seen = new Set<string>();
  return messages.map((message, i) => {
    const name = message.name ?? '';
    if (name === '') throw invalid(`'outputs[${i}].name' must be a non-empty string`);
    if (seen.has(name)) throw invalid(`output '${name}' is requested twice in 'outputs'`);
    seen.add(name);
    const parameters = readGrpcParameters(message.parameters, `output '${name}': `);
    return parameters === undefined ? { name } : { name, parameters };
  });
}

export interface GrpcRequestEncodeOptions {
  /**
   * Send tensor data as `raw_input_contents` (the fast path) rather than typed `contents`.
   * A request holding FP16 or BF16 inputs is always sent raw: the protocol has no typed field
   * for them and forbids mixing the two forms in one request.
   */
  readonly raw: boolean;
}

/** Encodes a request for proto-loader (client side). Raw entries are zero-copy views of the tensors. */
export function inferRequestToGrpc(request: InferRequest, options: GrpcRequestEncodeOptions): ModelInferRequestMessage {
  const raw = options.raw || request.inputs.some((input) => dataTypeInfo(input.datatype).valueKind === 'half');
  const inputs: InferTensorMessage[] = request.inputs.map((input) => ({
    name: input.name,
    datatype: input.datatype,
    shape: input.shape.map(String),
    ...(raw ? {} : { contents: encodeTypedContents(input) }),
  }));
  const parameters = writeGrpcParameters(request.parameters);
  return {
    model_name: request.modelName,
    ...(request.modelVersion === undefined ? {} : { model_version: request.modelVersion }),
    ...(request.id === undefined ? {} : { id: request.id }),
    ...(parameters === undefined ? {} : { parameters }),
    inputs,
    ...(request.outputs === undefined || request.outputs.length === 0 ? {} : { outputs: request.outputs.map(writeRequestedOutput) }),
    ...(raw ? { raw_input_contents: request.inputs.map(encodeRawContents) } : {}),
  };
}

function writeRequestedOutput(output: RequestedOutput): InferRequestedOutputMessage {
  const parameters = writeGrpcParameters(output.parameters);
  return parameters === undefined ? { name: output.name } : { name: output.name, parameters };
}
