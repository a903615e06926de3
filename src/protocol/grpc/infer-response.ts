/**
 * @module
 * ModelInferResponse (grpc_service.proto) <-> core InferResponse.
 */
import type { InferResponse } from '../../core/index.js';
import { decodeGrpcTensors, readGrpcTensorHeader } from './grpc-tensor.js';
import type { ModelInferResponseMessage } from './messages.js';
import { readGrpcParameters, writeGrpcParameters } from './parameters.js';
import { encodeRawContents } from './raw-contents.js';

/**
 * Encodes a response with every output in `raw_output_contents`, as Triton answers: no
 * per-element protobuf work, and numeric outputs are Buffers over the tensors' own memory until
 * grpc-js serializes the message. The caller must not reuse the tensors' memory before then.
 */
export function inferResponseToGrpc(response: InferResponse): ModelInferResponseMessage {
  const parameters = writeGrpcParameters(response.parameters);
  return {
    model_name: response.modelName,
    model_version: response.modelVersion,
    ...(response.id === undefined ? {} : { id: response.id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs: response.outputs.map((output) => ({ name: output.name, datatype: output.datatype, shape: output.shape.map(String) })),
    raw_output_contents: response.outputs.map(encodeRawContents),
  };
}

/**
 * Decodes a response (client side), raw or typed. `model_version` and `id` are '' when absent,
 * which proto3 cannot tell from empty; an empty id is left out. Per-output parameters are
 * validated but dropped: core Tensor has no place for them (as in the HTTP codec).
 * @throws InferenceError with the same codes as request decoding, naming the output at fault.
 */
export function grpcToInferResponse(message: ModelInferResponseMessage): InferResponse {
  const headers = (message.outputs ?? []).map((output, i) => readGrpcTensorHeader(output, `outputs[${i}]`, 'output'));
  const outputs = decodeGrpcTensors(headers, message.raw_output_contents, 'output');
  const parameters = readGrpcParameters(message.parameters, '');
  const id = message.id ?? '';
  return {
    modelName: message.model_name ?? '',
    modelVersion: message.model_version ?? '',
    ...(id === '' ? {} : { id }),
    ...(parameters === undefined ? {} : { parameters }),
    outputs,
  };
}
