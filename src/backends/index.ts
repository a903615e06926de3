export { BACKEND_API_VERSION, type Backend, type BackendLoadSpec, type ExecuteRequest, type ExecuteResult, type LoadedModel } from './backend.js';
export { BackendRegistry } from './registry.js';
