export { InferenceServer, type InferOptions, type InferenceServerOptions } from './inference-server.js';
export { DEFAULT_MAX_TENSOR_BYTES } from './defaults.js';
export { silentLogger, type Logger } from './logger.js';
export { SERVER_NAME, SERVER_VERSION } from './package-info.js';
