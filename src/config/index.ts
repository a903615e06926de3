/**
 * @module
 * Model configuration: Triton's ModelConfig read from config.pbtxt or config.json, validated
 * against proto/model_config.proto, completed from the model file, and printed for /config.
 */
export {
  DEFAULTS, DEFAULT_INSTANCE_COUNT, DEFAULT_INSTANCE_KIND, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_BATCH_SIZE_UNBATCHED,
  DEFAULT_MODEL_FILENAME, DEFAULT_NUM_VERSIONS, DEFAULT_ONNX_BACKEND, DEFAULT_ONNX_PLATFORM, DEFAULT_VERSION_POLICY, defaultInstanceGroups,
} from './defaults.js';
export {
  inputDataType, modelConfigParameter,
  type CompletedModelConfig, type ConfigDataType, type ConfigObject, type EnsembleStep, type InstanceGroupKind, type ModelConfig,
  type ModelDynamicBatching, type ModelEnsembling, type ModelInput, type ModelInstanceGroup, type ModelOutput, type ModelParameter,
  type ModelQueuePolicy, type ModelWarmup, type ModelWarmupInput, type TensorReshape, type VersionPolicy,
} from './model-config.js';
export { checkConfigSupport, type ConfigSupport, type ConfigSupportIssue } from './model-config-support.js';
export { completeModelConfig, type CompletionContext } from './model-config-complete.js';
export { modelConfigToJson } from './model-config-json.js';
export { modelConfigToText } from './model-config-text.js';
export { findModelConfigProto } from './model-config-schema.js';
export { parseModelConfigJson, parseModelConfigText, validateModelConfig } from './model-config-validate.js';
export { dropOneofMarkers } from './oneof-markers.js';
