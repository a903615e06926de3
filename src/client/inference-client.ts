import type { InferInput, InferResponse, ModelMetadata, ModelVersionStatus, ServerMetadata } from '../core/index.js';
import type { ModelStatisticsSnapshot } from '../statistics/index.js';

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

export interface RepositoryIndexCallOptions extends CallOptions {
  /** Only the READY model versions. @defaultValue false */
  readonly readyOnly?: boolean;
}

export interface LoadModelCallOptions extends CallOptions {
  /**
   * A model configuration used instead of the one in the model's folder: JSON text, or an
   * object in Triton's JSON config form, which is sent as its JSON text (what Triton expects).
   */
  readonly config?: string | Readonly<Record<string, unknown>>;
}

export interface UnloadModelCallOptions extends CallOptions {
  /** Also unload the models (ensembles) that use this one. @defaultValue false */
  readonly unloadDependents?: boolean;
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
  /**
   * Triton's statistics extension: every READY version of the model (of every model without a
   * name, of one version with one), cumulative since the server started.
   */
  modelStatistics(name?: string, version?: string, options?: CallOptions): Promise<ModelStatisticsSnapshot[]>;
  /** Every model version and its state, with the reason when it is not READY (Triton's repository index). */
  repositoryIndex(options?: RepositoryIndexCallOptions): Promise<ModelVersionStatus[]>;
  /**
   * Loads or reloads a model. Resolves once it is loaded; rejects with the reason when it fails
   * (what was serving keeps serving). The server must run with --model-control-mode explicit,
   * or the call fails with ERR_MODEL_CONTROL_DISABLED.
   */
  loadModel(name: string, options?: LoadModelCallOptions): Promise<void>;
  /** Unloads a model; resolves once its accepted requests have finished and it is unloaded. */
  unloadModel(name: string, options?: UnloadModelCallOptions): Promise<void>;
  infer(request: InferInput, options?: InferCallOptions): Promise<InferResponse>;
  /** Releases connections. */
  close(): void;
}

export interface ClientOptions {
  /** `localhost:8000` (as perf_analyzer takes it) or a full URL such as `http://host:8000`. */
  readonly url: string;
  /** Default per-call timeout. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /**
   * The server's management token (`wharf serve --management-token`), sent as
   * `Authorization: Bearer <token>` on the repository calls (index, load, unload) and on no other.
   */
  readonly managementToken?: string;
  /**
   * The server's inference token (`wharf serve --inference-token`), sent as
   * `Authorization: Bearer <token>` on every call but the repository ones (health included,
   * where the server ignores it).
   */
  readonly token?: string;
  /**
   * PEM certificate(s) to trust for an https:// or grpcs:// server, instead of the system's
   * roots: a self-signed server certificate or a private CA. @defaultValue the system's roots
   */
  readonly ca?: string | Buffer;
}

export const DEFAULT_CLIENT_TIMEOUT_MS = 60_000;

/** @internal The load parameters of a client call: an object config travels as its JSON text. */
export function loadParameters(options: LoadModelCallOptions): { config?: string } {
  if (options.config === undefined) return {};
  return { config: typeof options.config === 'string' ? options.config : JSON.stringify(options.config) };
}
