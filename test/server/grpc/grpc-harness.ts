/**
 * @module
 * The real engine on a generated repository, the gRPC server on an ephemeral loopback port, and
 * a client stub generated at run time from the same proto files by proto-loader, as a
 * Triton-generated client would be: it knows nothing of Wharf's converters.
 */
import {
  credentials, loadPackageDefinition, Metadata,
  type CallOptions, type ChannelOptions, type ClientUnaryCall, type GrpcObject, type ServiceClientConstructor, type ServiceError,
} from '@grpc/grpc-js';
import { InferenceServer } from '../../../src/engine/index.js';
import { startGrpcServer, type GrpcServerOptions, type RunningGrpcServer } from '../../../src/server/grpc/index.js';
import { loadGrpcPackageDefinition } from '../../../src/protocol/index.js';
import { makeTempDir } from '../../support/server-harness.js';
import { writeTestRepository } from '../../support/test-models.js';

export interface GrpcTestServer {
  readonly engine: InferenceServer;
  readonly grpc: RunningGrpcServer;
  readonly client: GrpcStub;
  close(): Promise<void>;
}

/** Writes the test repository (every identity model, add_sub, corrupt...), opens the engine and serves it. */
export async function startGrpcTestServer(options: GrpcServerOptions = {}): Promise<GrpcTestServer> {
  const tmp = await makeTempDir('wharf-grpc-');
  await writeTestRepository(tmp.dir);
  const engine = await InferenceServer.open({ modelRepository: tmp.dir });
  const grpc = await startGrpcServer(engine, { host: '127.0.0.1', port: 0, ...options });
  const client = new GrpcStub(grpc.address);
  return {
    engine,
    grpc,
    client,
    close: async () => {
      client.close();
      await grpc.close();
      await engine.close();
      await tmp.cleanup();
    },
  };
}

type UnaryMethod = (request: object, metadata: Metadata, options: CallOptions, callback: (error: ServiceError | null, response?: unknown) => void) => ClientUnaryCall;

interface StubClient {
  close(): void;
  [method: string]: unknown;
}

function stubConstructor(path: string): ServiceClientConstructor {
  let node: GrpcObject | ServiceClientConstructor = loadPackageDefinition(loadGrpcPackageDefinition());
  for (const part of path.split('.')) node = (node as GrpcObject)[part] as GrpcObject | ServiceClientConstructor;
  return node as ServiceClientConstructor;
}

/** Unary calls on GRPCInferenceService and grpc.health.v1.Health through generated stubs. */
export class GrpcStub {
  readonly #inference: StubClient;
  readonly #health: StubClient;

  /** The client accepts any message size: the tests check the server's limits, not the client's. */
  constructor(address: string, options: ChannelOptions = { 'grpc.max_receive_message_length': -1, 'grpc.max_send_message_length': -1 }) {
    const Inference = stubConstructor('inference.GRPCInferenceService');
    const Health = stubConstructor('grpc.health.v1.Health');
    this.#inference = new Inference(address, credentials.createInsecure(), options);
    this.#health = new Health(address, credentials.createInsecure(), options);
  }

  /** Calls `method` of GRPCInferenceService; rejects with the ServiceError on a non-OK status. */
  call<Response = Record<string, unknown>>(method: string, request: object = {}): Promise<Response> {
    return unary(this.#inference, method, request) as Promise<Response>;
  }

  check(service: string): Promise<{ status?: string }> {
    return unary(this.#health, 'Check', { service }) as Promise<{ status?: string }>;
  }

  close(): void {
    this.#inference.close();
    this.#health.close();
  }
}

function unary(client: StubClient, method: string, request: object): Promise<unknown> {
  const call = client[method] as UnaryMethod;
  return new Promise((resolve, reject) => {
    call.call(client, request, new Metadata(), { deadline: Date.now() + 30_000 }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Resolves to the ServiceError a call fails with; fails the test if it succeeds. */
export async function callError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error('expected the call to fail');
}

/** The status, details and Wharf error code of a failed call, for one deepEqual. */
export async function failure(promise: Promise<unknown>): Promise<{ code: number; details: string; wharfCode: string | undefined }> {
  const error = await callError(promise);
  const [wharfCode] = error.metadata?.get('wharf-error-code') ?? [];
  return { code: error.code, details: error.details, wharfCode: typeof wharfCode === 'string' ? wharfCode : undefined };
}
