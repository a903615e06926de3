import type { InferInput, InferResponse, ModelMetadata, ModelVersionStatus, ServerMetadata } from '../core/index.js';

export interface CallOptions {
  /** Abandon the call after this long, with ERR_TIMEOUT. @defaultValue the client's timeoutMs */
  readonly timeoutMs?: number;
}

export interface InferCallOptions extends CallOptions {
  /**
   * HTTP only: send and receive tensors as JSON instead of the binary extension.
   * Slower for anything but small tensors; useful to see what goes over the wire.
   * @defaultValue false
   */
  readonly json?: boolean;
}

/**
 * What every Wharf client offers, whatever the transport. Errors are InferenceError with the
 * server's stable code when the server sent one (both transports carry it).
 */
export interface InferenceClient {
  readonly protocol: 'http' | 'grpc';
  isServerLive(options?: CallOptions): Promise<boolean>;
  isServerReady(options?: CallOptions): Promise<boolean>;
  isModelReady(name: string, version?: string, options?: CallOptions): Promise<boolean>;
  serverMetadata(options?: CallOptions): Promise<ServerMetadata>;
  modelMetadata(name: string, version?: string, options?: CallOptions): Promise<ModelMetadata>;
  /** The model's configuration in Triton's JSON form. */
  modelConfig(name: string, version?: string, options?: CallOptions): Promise<Record<string, unknown>>;
  repositoryIndex(options?: CallOptions & { readyOnly?: boolean }): Promise<ModelVersionStatus[]>;
  infer(request: InferInput, options?: InferCallOptions): Promise<InferResponse>;
  /** Releases connections. */
  close(): void;
}

export interface ClientOptions {
  /** `localhost:8000` (as perf_analyzer takes it) or a full URL such as `http://host:8000`. */
  readonly url: string;
  /** Default per-call timeout. @defaultValue 60000 */
  readonly timeoutMs?: number;
}

export const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;
