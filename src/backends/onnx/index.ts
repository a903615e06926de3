export { OnnxBackend } from './onnx-backend.js';
export { sessionSettingsFromParameters, type OrtSessionSettings } from './session-options.js';
