import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceServer, type InferenceServerOptions } from '../../src/engine/index.js';
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/index.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { GrpcClient, HttpClient } from '../../src/client/index.js';

export interface TestServer {
  readonly engine: InferenceServer;
  readonly http: RunningHttpServer;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the real engine and HTTP server on an ephemeral loopback port. */
export async function startTestServer(repository: string, options: Partial<InferenceServerOptions> & { maxBodyBytes?: number } = {}): Promise<TestServer> {
  const { maxBodyBytes, ...engineOptions } = options;
  const engine = await InferenceServer.open({ modelRepository: repository, ...engineOptions });
  const http = await startHttpServer(engine, { host: '127.0.0.1', port: 0, ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}) });
  return {
    engine,
    http,
    url: http.url,
    close: async () => {
      await http.close();
      await engine.close();
    },
  };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export async function makeTempDir(prefix = 'wharf-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Sends a request and parses a JSON reply (or keeps the text when it is not JSON). */
export async function request(url: string, method: 'GET' | 'POST', body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse> {
  const init: RequestInit = { method, headers: { ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers } };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // leave as text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export interface TestServerWithClients {
  readonly server: TestServer;
  readonly grpc: RunningGrpcServer;
  readonly http: HttpClient;
  readonly grpcClient: GrpcClient;
  /** Closes the clients, then the gRPC and HTTP servers and the engine. */
  close(): Promise<void>;
}

/** startTestServer plus a gRPC server on the same engine, and one client of each protocol. */
export async function startTestServerWithClients(repository: string, options: Parameters<typeof startTestServer>[1] = {}): Promise<TestServerWithClients> {
  const server = await startTestServer(repository, options);
  const grpc = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0 });
  const http = new HttpClient({ url: server.url });
  const grpcClient = new GrpcClient({ url: grpc.address });
  return {
    server, grpc, http, grpcClient,
    close: async () => {
      http.close();
      grpcClient.close();
      await grpc.close();
      await server.close();
    },
  };
}
