import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { InferenceServer } from '../../engine/index.js';
import type { TlsFiles } from '../tls.js';
import { buildHttpApp } from './http-app.js';

export interface HttpServerOptions {
  /** @defaultValue '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue 8000 */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly logger?: FastifyBaseLogger;
  /** Serve HTTPS with this key and certificate. @defaultValue plain HTTP */
  readonly tls?: TlsFiles;
  /** Browser origins allowed by CORS, `*` for any. @defaultValue none */
  readonly corsOrigins?: readonly string[];
  /**
   * Open connections allowed at once (Node's server.maxConnections); the server closes any
   * connection over it as soon as it is accepted, so the client sees a reset. @defaultValue unlimited
   */
  readonly maxConnections?: number;
}

export interface RunningHttpServer {
  /** e.g. `http://127.0.0.1:8000`, `https://...` with TLS */
  readonly url: string;
  readonly port: number;
  /**
   * Stops listening at once and closes idle keep-alive connections. Requests already on an open
   * connection are answered (during an engine drain, inference ones with 503 ERR_SERVER_STOPPING),
   * each reply with `Connection: close`. Resolves once every connection has ended.
   */
  close(): Promise<void>;
}

/**
 * How often close() looks for connections that became idle: a reply whose headers went out
 * before close() lacks `Connection: close`, so its keep-alive connection stays open after it.
 */
const IDLE_SWEEP_MS = 100;

export async function startHttpServer(engine: InferenceServer, options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const app = buildHttpApp(engine, {
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
  });
  if (options.maxConnections !== undefined) {
    const limit = options.maxConnections;
    app.server.maxConnections = limit;
    // Node closes the socket without a word to the client; say why in the log.
    app.server.on('drop', (data?: { remoteAddress?: string }) => app.log.warn({ remoteAddress: data?.remoteAddress, maxConnections: limit }, 'HTTP connection refused: --max-connections reached'));
  }
  let closing: Promise<void> | undefined;
  // Callback style, not async: this runs for every reply, and a promise per reply is not free.
  app.addHook('onSend', (_request, reply, payload, done) => {
    // Clients then take their next request elsewhere instead of to a server that is going away.
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  const host = options.host ?? '0.0.0.0';
  await app.listen({ host, port: options.port ?? 8000 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8000;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    close: () => (closing ??= closeGracefully(app)),
  };
}

/**
 * The Node server is closed first and fastify only once no connection is left. fastify's close()
 * marks the instance as closing, and from then on it answers requests that still arrive on open
 * connections itself (return503OnClosing) with a body of its own shape,
 * `{"error":"Service Unavailable","message":...,"statusCode":503}`, not our `{error, code}`.
 * @see {@link https://github.com/fastify/fastify/blob/main/lib/route.js} (the `closing === true` branch)
 */
async function closeGracefully(app: FastifyInstance): Promise<void> {
  const server = app.server;
  // Node >= 19: close() also closes the connections that are idle right now.
  const ended = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await ended;
  } finally {
    clearInterval(sweep);
  }
  await app.close();
}
