export { InferenceServer, type InferOptions, type InferenceServerOptions, type LoadModelOptions, type UnloadModelOptions } from './inference-server.js';
export { DEFAULT_MAX_TENSOR_BYTES, DEFAULT_REPOSITORY_POLL_SECONDS, DEFAULT_SHUTDOWN_TIMEOUT_SECONDS } from './defaults.js';
export { MODEL_CONTROL_MODES, type ModelControlMode } from '../repository/index.js';
export { silentLogger, type Logger } from './logger.js';
export { SERVER_NAME, SERVER_VERSION } from './package-info.js';
