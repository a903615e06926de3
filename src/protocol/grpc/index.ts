export { grpcToInferRequest, inferRequestToGrpc, type GrpcRequestEncodeOptions } from './infer-request.js';
export { grpcToInferResponse, inferResponseToGrpc } from './infer-response.js';
export {
  grpcToModelIndex, grpcToModelMetadata, grpcToServerMetadata, modelConfigToGrpc, modelIndexToGrpc, modelMetadataToGrpc, serverMetadataToGrpc,
} from './metadata.js';
export { readGrpcParameters, writeGrpcParameters } from './parameters.js';
export { grpcToModelLoadParameters, grpcToModelUnloadParameters, modelLoadParametersToGrpc, modelUnloadParametersToGrpc } from './repository.js';
export { grpcToModelStatistics, modelStatisticsToGrpc } from './statistics.js';
export { CONTENTS_FIELDS } from './typed-contents.js';
export { HEALTH_SERVICE_NAME, INFERENCE_SERVICE_NAME, loadGrpcPackageDefinition } from './service-definition.js';
export {
  ERROR_CODE_METADATA_KEY, GRPC_LOADER_OPTIONS,
  type ContentsField, type HealthCheckRequestMessage, type HealthCheckResponseMessage, type InferBatchStatisticsMessage, type InferParameterMap,
  type InferParameterMessage, type InferRequestedOutputMessage, type InferStatisticsMessage, type InferTensorContentsMessage, type InferTensorMessage,
  type Int64String, type ModelConfigMessage, type ModelConfigResponseMessage, type ModelIndexMessage, type ModelInferRequestMessage,
  type ModelInferResponseMessage, type ModelMetadataResponseMessage, type ModelRefMessage, type ModelRepositoryParameterMap, type ModelRepositoryParameterMessage, type ModelStatisticsMessage,
  type ModelStatisticsRequestMessage, type ModelStatisticsResponseMessage, type RepositoryIndexRequestMessage, type RepositoryIndexResponseMessage, type RepositoryModelControlRequestMessage,
  type ServerMetadataResponseMessage, type ServingStatus, type StatisticDurationMessage, type TensorMetadataMessage,
} from './messages.js';
