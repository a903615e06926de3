export { BACKEND_API_VERSION, type Backend, type BackendLoadSpec, type ExecuteRequest, type ExecuteRequestsResult, type ExecuteResult, type LoadedModel, type RequestResult } from './backend.js';
export { BackendRegistry } from './registry.js';
