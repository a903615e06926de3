/**
 * @module
 * What a custom model written in JavaScript or TypeScript implements, published as `wharf/backend`.
 * A version folder holds `model.js` or `model.mjs` whose default export (or named export `handler`)
 * is a ModelHandler, or a class whose instances are. Each instance of the model (instance_group
 * count) runs it in a worker thread of its own.
 */
import type { DataType, Tensor } from '../../core/index.js';

export type { DataType, Tensor } from '../../core/index.js';

/** What initialize() learns about the model and this instance of it. */
export interface HandlerContext {
  readonly modelName: string;
  readonly version: string;
  /** `<repository>/<model>` */
  readonly modelDirectory: string;
  /** `<repository>/<model>/<version>` */
  readonly versionDirectory: string;
  /** This instance's index, 0 to instance count - 1. */
  readonly instanceIndex: number;
  /** The model configuration in Triton's JSON form (what GET /v2/models/{model}/config returns). */
  readonly config: Readonly<Record<string, unknown>>;
  /** The config's `parameters`, as strings. */
  readonly parameters: Readonly<Record<string, string>>;
}

/** One inference request, as the client sent it (shapes include the batch dim when max_batch_size > 0). */
export interface HandlerRequest {
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** The outputs to return: those the client asked for, or every config output. */
  readonly requestedOutputs: readonly string[];
}

/** An output tensor; its name is its key in HandlerResponse.outputs. BYTES data may be strings. */
export type OutputTensor =
  | { readonly datatype: Exclude<DataType, 'BYTES'>; readonly shape: readonly number[]; readonly data: Exclude<Tensor['data'], Uint8Array[]> }
  | { readonly datatype: 'BYTES'; readonly shape: readonly number[]; readonly data: readonly (Uint8Array | string)[] };

/**
 * What a request's error is, as Triton's Python backend lets TritonError say: `INVALID_ARG` for a
 * request the handler refuses (HTTP 400, gRPC INVALID_ARGUMENT, code ERR_HANDLER_INPUT_REJECTED),
 * `INTERNAL` for a failure of the model itself (HTTP 500, gRPC INTERNAL, code ERR_BACKEND_RUNTIME).
 */
export type HandlerErrorKind = 'INVALID_ARG' | 'INTERNAL';

/**
 * The answer to one request: its outputs, or an error that fails this request alone.
 * Numeric output arrays are moved to the server thread, not copied: a typed array returned here is
 * empty (detached) in the handler afterwards, so return fresh arrays or `.slice()` cached ones.
 */
export type HandlerResponse =
  | { readonly outputs: Readonly<Record<string, OutputTensor>> }
  | { readonly error: string; readonly kind?: HandlerErrorKind };

export interface ModelHandler {
  /** Once per instance, before it takes requests; a throw fails the model's load with its message. */
  initialize?(context: HandlerContext): void | Promise<void>;
  /**
   * The requests of one (dynamic) batch, in order; return one response per request. A throw
   * fails every request of the batch with its message.
   */
  execute(requests: readonly HandlerRequest[]): readonly HandlerResponse[] | Promise<readonly HandlerResponse[]>;
  /** Once per instance when the model unloads, after its last execute() has answered. */
  finalize?(): void | Promise<void>;
}

/** A class whose instances are handlers: exported instead of an object, it is instantiated once per instance. */
export type ModelHandlerClass = new () => ModelHandler;

/** Identity, for type checking: `export default defineHandler({ execute(requests) { ... } })`. */
export function defineHandler<H extends ModelHandler>(handler: H): H {
  return handler;
}
