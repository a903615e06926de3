export { HttpClient, normalizeServerUrl, type HttpClientOptions } from './http-client.js';
