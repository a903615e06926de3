import type { ModelSignature, Tensor } from '../core/index.js';
import type { InferenceError } from '../errors/index.js';
import type { ModelConfig } from '../config/index.js';

/** Version of the backend API; a backend built for another major version is refused. */
export const BACKEND_API_VERSION = { major: 1, minor: 0 } as const;

/** Everything a backend needs to open one version of one model. */
export interface BackendLoadSpec {
  readonly modelName: string;
  readonly version: string;
  /** `<repo>/<model>/<version>` */
  readonly versionDir: string;
  /** The file to load, inside versionDir (default `model.onnx`). */
  readonly modelFile: string;
  /** Parallel executions to prepare (instance_group count, summed). */
  readonly instanceCount: number;
  /** The config's `parameters`, flattened to strings (Triton keys, e.g. `intra_op_thread_count`). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The model's config as written (before completion), for backends whose signature comes from it. */
  readonly config?: ModelConfig;
  /**
   * An instance (worker) died or was stopped by the backend and is being replaced; its in-flight
   * executions failed. Counted in metrics and logged by the server.
   */
  readonly onInstanceLost?: (reason: string) => void;
}

/** One execution: the tensors of one (possibly batched) request, and which outputs to compute. */
export interface ExecuteRequest {
  /** Ownership moves to the backend: their buffers may be transferred to a worker and detached. */
  readonly inputs: Tensor[];
  readonly outputNames: readonly string[];
}

/** What one execution produced. */
export interface ExecuteResult {
  /** The requested outputs, in the requested order. */
  readonly outputs: Tensor[];
  /** Time the model itself ran (for onnxruntime: session.run in the worker), in nanoseconds. */
  readonly computeInferNs: number;
}

/** One request's answer from a backend that answers the requests of a batch one by one. */
export type RequestResult = { readonly outputs: Tensor[] } | { readonly error: InferenceError };

/** What executeRequests() produced. */
export interface ExecuteRequestsResult {
  /** One per request, in the order given. */
  readonly results: readonly RequestResult[];
  /** Time the model itself ran, in nanoseconds. */
  readonly computeInferNs: number;
}

/** A model version opened by a backend, ready to execute. */
export interface LoadedModel {
  /** What the model file declares, used to complete and check the config. */
  readonly signature: ModelSignature;
  /** Executions that can run at the same time (instance_group count). */
  readonly instanceCount: number;
  /** Rejects with an InferenceError. */
  execute(request: ExecuteRequest): Promise<ExecuteResult>;
  /**
   * Present on backends that answer each request of a batch on its own (custom handlers, like
   * Triton's Python backend): a dynamic batch's requests arrive unmerged, in order, whatever
   * their shapes, and one request's error fails only that request. A rejection fails them all.
   */
  executeRequests?(requests: readonly ExecuteRequest[]): Promise<ExecuteRequestsResult>;
  /** Releases every resource; in-flight executions finish first. */
  unload(): Promise<void>;
}

export interface Backend {
  /** Triton backend name, e.g. `onnxruntime`. */
  readonly name: string;
  readonly apiVersion: { readonly major: number; readonly minor: number };
  /** Platform string reported in model metadata, e.g. `onnxruntime_onnx`. */
  readonly platform: string;
  /** File name looked for when the config names none. */
  readonly defaultModelFilename: string;
  load(spec: BackendLoadSpec): Promise<LoadedModel>;
}
