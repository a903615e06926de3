export { buildHttpApp, DEFAULT_MAX_BODY_BYTES, type HttpAppOptions } from './http-app.js';
export { startHttpServer, type HttpServerOptions, type RunningHttpServer } from './http-server.js';
