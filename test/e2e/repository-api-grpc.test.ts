// Triton's repository API over gRPC, through a stub generated from the proto files as a
// Triton client's would be, with the token in the call metadata (see repository-api-suite.ts).
import { credentials, loadPackageDefinition, Metadata, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { loadGrpcPackageDefinition, type ModelRepositoryParameterMessage } from '../../src/protocol/index.js';
import type { ModelReadyState } from '../../src/core/index.js';
import { runRepositorySuite, type Outcome, type RepositoryTransport, type WireParameters } from './repository-api-suite.js';

type Unary = (request: object, metadata: Metadata, options: { deadline: number }, callback: (error: ServiceError | null, response?: unknown) => void) => unknown;

/** The gRPC form: the oneof member by the value's type. */
function parameterMap(parameters: WireParameters | undefined): Record<string, ModelRepositoryParameterMessage> | undefined {
  if (parameters === undefined) return undefined;
  return Object.fromEntries(Object.entries(parameters).map(([name, value]): [string, ModelRepositoryParameterMessage] => {
    if (typeof value === 'boolean') return [name, { bool_param: value }];
    if (value instanceof Uint8Array) return [name, { bytes_param: value }];
    return [name, { string_param: typeof value === 'string' ? value : JSON.stringify(value) }];
  }));
}

function connect(address: string): RepositoryTransport {
  const inference = (loadPackageDefinition(loadGrpcPackageDefinition()).inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor;
  const client = new inference(address, credentials.createInsecure()) as unknown as { close(): void } & Record<string, Unary>;
  const call = <T>(method: string, request: object, authorization?: string): Promise<Outcome<T>> => {
    const metadata = new Metadata();
    if (authorization !== undefined) metadata.set('authorization', authorization);
    return new Promise((resolve) => {
      client[method]!.call(client, request, metadata, { deadline: Date.now() + 30_000 }, (error, response) => {
        if (!error) return resolve({ ok: true, value: response as T });
        const [code] = error.metadata?.get('wharf-error-code') ?? [];
        resolve({ ok: false, status: error.code, code: typeof code === 'string' ? code : undefined, message: error.details });
      });
    });
  };
  const row = { name: 'add_sub', version: '', state: 'READY' as ModelReadyState, reason: '' };
  return {
    index: async (options = {}) => {
      const result = await call<{ models?: Partial<typeof row>[] }>('RepositoryIndex', { ready: options.ready ?? false }, options.authorization);
      // proto3 leaves out fields that hold their default ('' reason, '' version).
      return result.ok ? { ok: true, value: (result.value.models ?? []).map((m) => ({ ...row, ...m })) } : result;
    },
    load: (model, parameters, authorization) => call('RepositoryModelLoad', { model_name: model, parameters: parameterMap(parameters) }, authorization),
    unload: (model, parameters, authorization) => call('RepositoryModelUnload', { model_name: model, parameters: parameterMap(parameters) }, authorization),
    infer: async (batch) => {
      const contents = { fp32_contents: Array.from({ length: batch }, () => [1, 2, 3, 4]).flat() };
      const inputs = ['INPUT0', 'INPUT1'].map((name) => ({ name, datatype: 'FP32', shape: [batch, 4], contents }));
      const result = await call<{ raw_output_contents: Buffer[] }>('ModelInfer', { model_name: 'add_sub', inputs, outputs: [{ name: 'OUTPUT0' }] });
      if (!result.ok) return result;
      const raw = result.value.raw_output_contents[0]!;
      return { ok: true, value: [...new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))] };
    },
    maxBatchSize: async (model) => {
      const result = await call<{ config: { max_batch_size?: number } }>('ModelConfig', { name: model });
      return result.ok ? { ok: true, value: result.value.config.max_batch_size ?? 0 } : result;
    },
    serverReady: async () => {
      const result = await call<{ ready?: boolean }>('ServerReady', {});
      return result.ok ? { ok: true, value: result.value.ready === true } : result;
    },
    close: () => client.close(),
  };
}

runRepositorySuite({ name: 'gRPC', statusColumn: 'grpc', connect: (servers) => connect(servers.grpc) });
