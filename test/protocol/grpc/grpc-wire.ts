/**
 * @module
 * The real proto-loader (de)serializers of proto/grpc_service.proto, so converter tests go
 * through the protobuf wire format exactly as grpc-js does, not just through plain objects.
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import { loadGrpcPackageDefinition, type ModelInferRequestMessage, type ModelInferResponseMessage } from '../../../src/protocol/index.js';

export function grpcMethod<Request extends object, Response extends object>(service: string, method: string): MethodDefinition<Request, Response> {
  const definition = loadGrpcPackageDefinition()[service] as Record<string, MethodDefinition<Request, Response>> | undefined;
  const found = definition?.[method];
  if (found === undefined) throw new Error(`${service}/${method} is not in the proto files`);
  return found;
}

const modelInfer = grpcMethod<ModelInferRequestMessage, ModelInferResponseMessage>('inference.GRPCInferenceService', 'ModelInfer');

/** A request message as the server receives it after the client serialized `message`. */
export function overTheWire(message: ModelInferRequestMessage): ModelInferRequestMessage {
  return modelInfer.requestDeserialize(modelInfer.requestSerialize(message));
}

/** A response message as the client receives it after the server serialized `message`. */
export function responseOverTheWire(message: ModelInferResponseMessage): ModelInferResponseMessage {
  return modelInfer.responseDeserialize(modelInfer.responseSerialize(message));
}
