export { JsBackend } from './js-backend.js';
export { DEFAULT_EXECUTION_TIMEOUT_MS, DEFAULT_INITIALIZE_TIMEOUT_MS, DEFAULT_MAX_HEAP_MB, jsSettingsFromParameters, type JsModelSettings } from './js-parameters.js';
export {
  defineHandler,
  type HandlerContext, type HandlerErrorKind, type HandlerRequest, type HandlerResponse, type ModelHandler, type ModelHandlerClass, type OutputTensor,
} from './handler-api.js';
