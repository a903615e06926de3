/**
 * @module
 * The Prometheus scrape endpoint, `GET /metrics`, on its own port (Triton's 8002) so that it
 * can be exposed to the monitoring network only. Plain node:http: one route needs no router,
 * and a scrape must not queue behind inference bodies on the KServe port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InferenceError } from '../errors/index.js';

/** Triton's metrics port. */
export const DEFAULT_METRICS_PORT = 8002;

/** What the server scrapes: a MetricsRegistry, or any prom-client Registry. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsServerOptions {
  /** @defaultValue '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue 8002 */
  readonly port?: number;
}

export interface RunningMetricsServer {
  /** e.g. `http://127.0.0.1:8002`; append `/metrics` to scrape. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections; resolves once open scrapes have been answered. */
  close(): Promise<void>;
}

export async function startMetricsServer(source: MetricsSource, options: MetricsServerOptions = {}): Promise<RunningMetricsServer> {
  const host = options.host ?? '0.0.0.0';
  const server = createServer((request, response) => {
    void handle(source, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_METRICS_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    // Node >= 19 closes idle keep-alive sockets in close(), so Prometheus' open connection does not hold it up.
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function handle(source: MetricsSource, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
    sendError(response, new InferenceError('ERR_ROUTE_NOT_FOUND', `no endpoint ${request.method ?? ''} ${path ?? ''}; metrics are at GET /metrics`));
    return;
  }
  let body: string;
  try {
    body = await source.metrics();
  } catch (error) {
    // A failing collector (a user-registered metric) must not take the process down with an unhandled rejection.
    sendError(response, new InferenceError('ERR_INTERNAL', `collecting metrics failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    return;
  }
  response.writeHead(200, { 'content-type': source.contentType, 'content-length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** The error body of Wharf's KServe endpoints, `{ error, code }`, with the status of the code's kind. */
function sendError(response: ServerResponse, error: InferenceError): void {
  const body = JSON.stringify({ error: error.message, code: error.code });
  response.writeHead(error.httpStatus, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
