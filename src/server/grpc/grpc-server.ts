/**
 * @module
 * The gRPC front end (@grpc/grpc-js): Triton's GRPCInferenceService plus grpc.health.v1.Health,
 * over the same engine as the HTTP front end.
 */
import { Server, ServerCredentials, type ServiceDefinition } from '@grpc/grpc-js';
import type { PackageDefinition } from '@grpc/proto-loader';
import { silentLogger, type InferenceServer, type Logger } from '../../engine/index.js';
import { HEALTH_SERVICE_NAME, INFERENCE_SERVICE_NAME, loadGrpcPackageDefinition } from '../../protocol/index.js';
import { healthServiceHandlers } from './health-service.js';
import { inferenceServiceHandlers } from './inference-service.js';
import type { TlsFiles } from '../tls.js';

/** Triton's gRPC port. */
export const DEFAULT_GRPC_PORT = 8001;

/**
 * Largest request message, the same limit as the HTTP body (grpc-js would otherwise refuse
 * anything over 4 MiB, too small for image batches). @defaultValue 256 MiB
 */
export const DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * How long close() lets open calls finish before cancelling them. `wharf serve` passes its
 * --shutdown-timeout instead. @defaultValue 10 s
 */
export const DEFAULT_GRPC_CLOSE_GRACE_MS = 10_000;

export interface GrpcServerOptions {
  /** @defaultValue '0.0.0.0' */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue 8001 */
  readonly port?: number;
  /**
   * Requests above this size are refused by grpc-js with RESOURCE_EXHAUSTED
   * ("Received message larger than max (X vs. Y)"). @defaultValue 256 MiB
   */
  readonly maxReceiveMessageBytes?: number;
  /** Responses above this size fail with RESOURCE_EXHAUSTED. @defaultValue unlimited (-1) */
  readonly maxSendMessageBytes?: number;
  /** @defaultValue 10 000 ms */
  readonly closeGraceMs?: number;
  /** Unexpected (INTERNAL) errors are logged here. */
  readonly logger?: Logger;
  /** Serve TLS with this key and certificate (clients connect with grpcs:// or SSL credentials). @defaultValue plaintext */
  readonly tls?: TlsFiles;
  /**
   * Calls open at once on one connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS, grpc-js's
   * grpc.max_concurrent_streams). Clients queue calls over it until one ends. @defaultValue unlimited
   */
  readonly maxConcurrentStreams?: number;
}

export interface RunningGrpcServer {
  readonly port: number;
  /** `host:port` as gRPC clients take it, e.g. `127.0.0.1:8001`. */
  readonly address: string;
  /**
   * Stops listening and sends every connection a GOAWAY, so new calls are refused (clients see
   * UNAVAILABLE) while the open ones go on. Resolves once they have finished, or once the grace
   * period is over, when the rest are cancelled.
   */
  close(): Promise<void>;
}

export async function startGrpcServer(engine: InferenceServer, options: GrpcServerOptions = {}): Promise<RunningGrpcServer> {
  const logger = options.logger ?? silentLogger;
  const definition = loadGrpcPackageDefinition();
  const server = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? -1,
    ...(options.maxConcurrentStreams !== undefined ? { 'grpc.max_concurrent_streams': options.maxConcurrentStreams } : {}),
  });
  server.addService(serviceDefinition(definition, INFERENCE_SERVICE_NAME), inferenceServiceHandlers(engine, logger));
  server.addService(serviceDefinition(definition, HEALTH_SERVICE_NAME), healthServiceHandlers(engine, logger));

  const host = options.host ?? '0.0.0.0';
  const bracketed = host.includes(':') ? `[${host}]` : host;
  const target = `${bracketed}:${options.port ?? DEFAULT_GRPC_PORT}`;
  // grpc-js >= 1.10 serves as soon as the port is bound; Server.start() is deprecated.
  const port = await new Promise<number>((resolve, reject) => {
    const credentials = options.tls
      ? ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], false)
      : ServerCredentials.createInsecure();
    server.bindAsync(target, credentials, (error, bound) => {
      if (error) reject(new Error(`cannot listen for gRPC on ${target}: ${error.message}`, { cause: error }));
      else resolve(bound);
    });
  });
  const clientHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : bracketed;
  const graceMs = options.closeGraceMs ?? DEFAULT_GRPC_CLOSE_GRACE_MS;
  let closing: Promise<void> | undefined;
  return { port, address: `${clientHost}:${port}`, close: () => (closing ??= shutdown(server, graceMs)) };
}

function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    // tryShutdown() unbinds the ports and closes each HTTP/2 session gracefully (GOAWAY with the
    // last stream it took); its callback runs once every session has ended.
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** proto-loader's ServiceDefinition is the method table grpc-js expects; check it is one. */
function serviceDefinition(definition: PackageDefinition, name: string): ServiceDefinition {
  const service = definition[name];
  if (service === undefined || 'format' in service) throw new Error(`${name} is not a service in proto/grpc_service.proto or proto/health.proto`);
  return service;
}
