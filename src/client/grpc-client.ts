import { credentials, loadPackageDefinition, Metadata, status, type Client, type GrpcObject, type ServiceClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { ERROR_CODES, InferenceError, type ErrorCode } from '../errors/index.js';
import { toInferRequest, type InferInput, type InferResponse, type ModelMetadata, type ModelVersionStatus, type ServerMetadata } from '../core/index.js';
import {
  bearerAuthorization, grpcToInferResponse, grpcToModelIndex, grpcToModelMetadata, grpcToModelStatistics, grpcToServerMetadata, inferRequestToGrpc, loadGrpcPackageDefinition,
  modelLoadParametersToGrpc, modelUnloadParametersToGrpc,
  type ModelConfigResponseMessage, type ModelInferResponseMessage, type ModelMetadataResponseMessage, type ModelStatisticsResponseMessage, type RepositoryIndexResponseMessage,
  type ServerMetadataResponseMessage,
} from '../protocol/index.js';
import { dropOneofMarkers, modelConfigToJson, validateModelConfig } from '../config/index.js';
import {
  DEFAULT_CLIENT_TIMEOUT_MS, loadParameters,
  type CallOptions, type ClientOptions, type InferCallOptions, type InferenceClient, type LoadModelCallOptions, type RepositoryIndexCallOptions, type UnloadModelCallOptions,
} from './inference-client.js';
import { parseServerAddress } from './server-address.js';
import type { ModelStatisticsSnapshot } from '../statistics/index.js';

export interface GrpcClientOptions extends ClientOptions {
  /**
   * Send tensors as `raw_input_contents` (fast) or as typed `contents` (what some older clients
   * send). FP16 and BF16 always go raw: the protocol has no typed field for them. @defaultValue true
   */
  readonly rawContents?: boolean;
  /** Largest message either way, in bytes. @defaultValue 256 MiB */
  readonly maxMessageBytes?: number;
}

type Unary = (request: object, metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, response?: unknown) => void) => unknown;

/** Status codes our server never sends without its own code; used for other servers' errors. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  [status.NOT_FOUND]: 'ERR_MODEL_NOT_FOUND',
  [status.INVALID_ARGUMENT]: 'ERR_INVALID_REQUEST',
  [status.RESOURCE_EXHAUSTED]: 'ERR_BODY_TOO_LARGE',
  [status.DEADLINE_EXCEEDED]: 'ERR_TIMEOUT',
  [status.UNAVAILABLE]: 'ERR_SERVER_UNREACHABLE',
  [status.UNIMPLEMENTED]: 'ERR_DATATYPE_UNSUPPORTED',
  [status.UNAUTHENTICATED]: 'ERR_UNAUTHENTICATED',
};

const GRPC_FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

/** The server's default request limit, for both directions. */
export const DEFAULT_GRPC_CLIENT_MESSAGE_BYTES = 256 * 1024 * 1024;

/** KServe v2 over gRPC (package `inference`, service GRPCInferenceService), built with @grpc/grpc-js. */
export class GrpcClient implements InferenceClient {
  readonly protocol = 'grpc';
  readonly address: string;
  readonly #client: Client & Record<string, Unary>;
  readonly #timeoutMs: number;
  readonly #raw: boolean;
  readonly #managementToken: string | undefined;
  readonly #token: string | undefined;

  constructor(options: GrpcClientOptions) {
    const parsed = parseServerAddress(options.url, 8001);
    this.address = `${parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host}:${parsed.port}`;
    const limit = options.maxMessageBytes ?? DEFAULT_GRPC_CLIENT_MESSAGE_BYTES;
    const packageObject = loadPackageDefinition(loadGrpcPackageDefinition());
    const Service = (packageObject.inference as GrpcObject).GRPCInferenceService as ServiceClientConstructor;
    const channelCredentials = parsed.secure
      ? credentials.createSsl(options.ca === undefined ? null : Buffer.from(options.ca))
      : credentials.createInsecure();
    this.#client = new Service(this.address, channelCredentials, {
      'grpc.max_receive_message_length': limit,
      'grpc.max_send_message_length': limit,
      // HTTP/2's default 64 KiB window makes a 1 MiB tensor wait on many window updates.
      'grpc-node.flow_control_window': GRPC_FLOW_CONTROL_WINDOW_BYTES,
    }) as Client & Record<string, Unary>;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    this.#raw = options.rawContents ?? true;
    this.#managementToken = options.managementToken;
    this.#token = options.token;
  }

  async isServerLive(options?: CallOptions): Promise<boolean> {
    return (await this.#call<{ live?: boolean }>('ServerLive', {}, options)).live === true;
  }

  async isServerReady(options?: CallOptions): Promise<boolean> {
    return (await this.#call<{ ready?: boolean }>('ServerReady', {}, options)).ready === true;
  }

  async isModelReady(name: string, version?: string, options?: CallOptions): Promise<boolean> {
    return (await this.#call<{ ready?: boolean }>('ModelReady', { name, version: version ?? '' }, options)).ready === true;
  }

  async serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    return grpcToServerMetadata(await this.#call<ServerMetadataResponseMessage>('ServerMetadata', {}, options));
  }

  async modelMetadata(name: string, version?: string, options?: CallOptions): Promise<ModelMetadata> {
    return grpcToModelMetadata(await this.#call<ModelMetadataResponseMessage>('ModelMetadata', { name, version: version ?? '' }, options));
  }

  async modelConfig(name: string, version?: string, options?: CallOptions): Promise<Record<string, unknown>> {
    const response = await this.#call<ModelConfigResponseMessage>('ModelConfig', { name, version: version ?? '' }, options);
    // The message carries int64 fields as strings; the config reader normalizes them to the JSON form HTTP returns.
    return modelConfigToJson(validateModelConfig(dropOneofMarkers(response.config ?? {}), `ModelConfig of '${name}' from ${this.address}`));
  }

  async modelStatistics(name?: string, version?: string, options?: CallOptions): Promise<ModelStatisticsSnapshot[]> {
    return grpcToModelStatistics(await this.#call<ModelStatisticsResponseMessage>('ModelStatistics', { name: name ?? '', version: version ?? '' }, options));
  }

  async repositoryIndex(options: RepositoryIndexCallOptions = {}): Promise<ModelVersionStatus[]> {
    const request = { repository_name: '', ready: options.readyOnly ?? false };
    return grpcToModelIndex(await this.#call<RepositoryIndexResponseMessage>('RepositoryIndex', request, options, this.#repositoryMetadata()));
  }

  async loadModel(name: string, options: LoadModelCallOptions = {}): Promise<void> {
    const request = { repository_name: '', model_name: name, parameters: modelLoadParametersToGrpc(loadParameters(options)) };
    await this.#call('RepositoryModelLoad', request, options, this.#repositoryMetadata());
  }

  async unloadModel(name: string, options: UnloadModelCallOptions = {}): Promise<void> {
    const parameters = modelUnloadParametersToGrpc(options.unloadDependents === undefined ? {} : { unloadDependents: options.unloadDependents });
    await this.#call('RepositoryModelUnload', { repository_name: '', model_name: name, parameters }, options, this.#repositoryMetadata());
  }

  async infer(input: InferInput, options?: InferCallOptions): Promise<InferResponse> {
    const message = inferRequestToGrpc(toInferRequest(input), { raw: this.#raw });
    const response = await this.#call<ModelInferResponseMessage>('ModelInfer', message, options);
    try {
      return grpcToInferResponse(response);
    } catch (error) {
      throw new InferenceError('ERR_RESPONSE_INVALID', `cannot decode the ModelInfer response of ${this.address}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  close(): void {
    this.#client.close();
  }

  /** The management token, as the `authorization` metadata of the repository calls only. */
  #repositoryMetadata(): Metadata {
    const metadata = new Metadata();
    if (this.#managementToken !== undefined) metadata.set('authorization', bearerAuthorization(this.#managementToken));
    return metadata;
  }

  /** The inference token, as the `authorization` metadata of every other call. */
  #metadata(): Metadata {
    const metadata = new Metadata();
    if (this.#token !== undefined) metadata.set('authorization', bearerAuthorization(this.#token));
    return metadata;
  }

  #call<T>(method: string, request: object, options: CallOptions | undefined, metadata = this.#metadata()): Promise<T> {
    const deadline = new Date(Date.now() + (options?.timeoutMs ?? this.#timeoutMs));
    return new Promise((resolve, reject) => {
      this.#client[method]!.call(this.#client, request, metadata, { deadline }, (error, response) => {
        if (error) reject(toInferenceError(error, this.address, method));
        else resolve(response as T);
      });
    });
  }
}

/** Rebuilds the server's typed error from the status and the `wharf-error-code` trailer. */
function toInferenceError(error: ServiceError, address: string, method: string): InferenceError {
  const sent = error.metadata?.get('wharf-error-code')[0];
  if (typeof sent === 'string' && Object.hasOwn(ERROR_CODES, sent)) return new InferenceError(sent as ErrorCode, error.details, { cause: error });
  if (error.code === status.UNAVAILABLE) return new InferenceError('ERR_SERVER_UNREACHABLE', `cannot reach ${address}: ${error.details}`, { cause: error });
  if (error.code === status.DEADLINE_EXCEEDED) return new InferenceError('ERR_TIMEOUT', `${method} on ${address} did not answer in time: ${error.details}`, { cause: error });
  return new InferenceError(CODE_BY_STATUS[error.code] ?? 'ERR_INTERNAL', error.details || error.message, { cause: error });
}
