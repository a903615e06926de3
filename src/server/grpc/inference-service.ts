/**
 * @module
 * The GRPCInferenceService methods Wharf implements: parse with protocol/grpc, call the engine,
 * encode. RPCs missing here (ModelStreamInfer, shared memory, trace and log settings) are
 * answered UNIMPLEMENTED by grpc-js, which installs a default handler for every method of the
 * service definition that has no implementation.
 */
import type { Metadata, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { InferenceServer, Logger } from '../../engine/index.js';
import {
  checkBearerToken, grpcToInferRequest, grpcToModelLoadParameters, grpcToModelUnloadParameters, inferResponseToGrpc, modelConfigToGrpc, modelIndexToGrpc,
  modelMetadataToGrpc, modelStatisticsToGrpc, serverMetadataToGrpc,
  type ModelConfigResponseMessage, type ModelInferRequestMessage, type ModelInferResponseMessage, type ModelMetadataResponseMessage,
  type ModelRefMessage, type ModelStatisticsRequestMessage, type ModelStatisticsResponseMessage, type RepositoryIndexRequestMessage,
  type RepositoryIndexResponseMessage, type RepositoryModelControlRequestMessage, type ServerMetadataResponseMessage,
} from '../../protocol/index.js';
import { authorizationOf, unaryHandler } from './grpc-handlers.js';

/** proto3 sends an unset version as ''; the engine reads undefined as "pick by version policy". */
function version(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** ModelStatistics: an empty (unset) name asks for every model, as the HTTP /v2/models/stats does. */
function modelName(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

export function inferenceServiceHandlers(engine: InferenceServer, logger: Logger): UntypedServiceImplementation {
  return {
    ServerLive: unaryHandler<object, { live: boolean }>(logger, 'ServerLive', () => ({ live: engine.isLive() })),
    ServerReady: unaryHandler<object, { ready: boolean }>(logger, 'ServerReady', () => ({ ready: engine.isReady() })),
    // Every call below but the repository ones needs the inference token, when one is set; the
    // server's health (above, and grpc.health.v1) needs none, so probes work.
    // An unknown model is NOT_FOUND (the engine throws), as over HTTP; a known one answers ready true/false.
    ModelReady: unaryHandler<ModelRefMessage, { ready: boolean }>(logger, 'ModelReady', (request, call) => {
      authorizeInference(engine, call.metadata);
      return { ready: engine.isModelReady(request.name ?? '', version(request.version)) };
    }),
    ServerMetadata: unaryHandler<object, ServerMetadataResponseMessage>(logger, 'ServerMetadata', (_request, call) => {
      authorizeInference(engine, call.metadata);
      return serverMetadataToGrpc(engine.serverMetadata());
    }),
    ModelMetadata: unaryHandler<ModelRefMessage, ModelMetadataResponseMessage>(logger, 'ModelMetadata', async (request, call) => {
      authorizeInference(engine, call.metadata);
      return modelMetadataToGrpc(await engine.modelMetadata(request.name ?? '', version(request.version)));
    }),
    // The decoded inputs are views into a message buffer nobody else uses, so the engine may take them.
    ModelInfer: unaryHandler<ModelInferRequestMessage, ModelInferResponseMessage>(logger, 'ModelInfer', async (request, call) => {
      authorizeInference(engine, call.metadata);
      return inferResponseToGrpc(await engine.infer(grpcToInferRequest(request), { transferInputs: true }));
    }),
    ModelConfig: unaryHandler<ModelRefMessage, ModelConfigResponseMessage>(logger, 'ModelConfig', async (request, call) => {
      authorizeInference(engine, call.metadata);
      return { config: modelConfigToGrpc(await engine.modelConfig(request.name ?? '', version(request.version))) };
    }),
    ModelStatistics: unaryHandler<ModelStatisticsRequestMessage, ModelStatisticsResponseMessage>(logger, 'ModelStatistics', (request, call) => {
      authorizeInference(engine, call.metadata);
      return modelStatisticsToGrpc(engine.modelStatistics(modelName(request.name), version(request.version)));
    }),
    // Wharf serves one repository, so repository_name does not narrow anything. The three
    // repository RPCs check the management token first, before reading anything else.
    RepositoryIndex: unaryHandler<RepositoryIndexRequestMessage, RepositoryIndexResponseMessage>(logger, 'RepositoryIndex', (request, call) => {
      authorize(engine, call.metadata);
      return modelIndexToGrpc(engine.modelIndex({ readyOnly: request.ready === true }));
    }),
    RepositoryModelLoad: unaryHandler<RepositoryModelControlRequestMessage, object>(logger, 'RepositoryModelLoad', async (request, call) => {
      authorize(engine, call.metadata);
      await engine.loadModel(request.model_name ?? '', grpcToModelLoadParameters(request.parameters));
      return {};
    }),
    RepositoryModelUnload: unaryHandler<RepositoryModelControlRequestMessage, object>(logger, 'RepositoryModelUnload', async (request, call) => {
      authorize(engine, call.metadata);
      await engine.unloadModel(request.model_name ?? '', grpcToModelUnloadParameters(request.parameters));
      return {};
    }),
  };
}

/** The engine decides whether inference calls need a token and whether this one is it. */
function authorizeInference(engine: InferenceServer, metadata: Metadata): void {
  checkBearerToken(authorizationOf(metadata), (token) => engine.checkInferenceToken(token));
}

/** The engine decides whether the repository API needs a token and whether this one is it. */
function authorize(engine: InferenceServer, metadata: Metadata): void {
  checkBearerToken(authorizationOf(metadata), (token) => engine.checkManagementToken(token));
}
