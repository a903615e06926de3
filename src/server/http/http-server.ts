import type { FastifyBaseLogger } from 'fastify';
import type { InferenceServer } from '../../engine/index.js';
import { buildHttpApp } from './http-app.js';

export interface HttpServerOptions {
  /** @defaultValue '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue 8000 */
  readonly port?: number;
  readonly maxBodyBytes?: number;
  readonly logger?: FastifyBaseLogger;
}

export interface RunningHttpServer {
  /** e.g. `http://127.0.0.1:8000` */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

export async function startHttpServer(engine: InferenceServer, options: HttpServerOptions = {}): Promise<RunningHttpServer> {
  const app = buildHttpApp(engine, { ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}), ...(options.logger ? { logger: options.logger } : {}) });
  const host = options.host ?? '0.0.0.0';
  await app.listen({ host, port: options.port ?? 8000 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port ?? 8000;
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${port}`, port, close: () => app.close() };
}
