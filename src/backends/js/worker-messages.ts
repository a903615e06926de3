import type { ErrorCode } from '../../errors/index.js';
import type { HandlerContext } from './handler-api.js';
import type { OutputSpec } from './js-model-config.js';
import type { WireTensor } from './tensor-wire.js';

/** Data a handler worker starts with. */
export interface HandlerWorkerData {
  /** Absolute path of the handler module. */
  readonly modelFile: string;
  readonly context: HandlerContext;
  readonly outputs: readonly OutputSpec[];
}

export interface WireRequest {
  readonly inputs: WireTensor[];
  readonly outputNames: readonly string[];
}

export type WorkerCommand =
  | { readonly kind: 'execute'; readonly id: number; readonly requests: readonly WireRequest[] }
  | { readonly kind: 'finalize' };

/** One request's answer; messages are complete (they name the model). */
export type WireResult =
  | { readonly outputs: WireTensor[] }
  | { readonly code: ErrorCode; readonly message: string };

export type WorkerReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-failed'; readonly message: string }
  | { readonly kind: 'executed'; readonly id: number; readonly results: readonly WireResult[]; readonly computeInferNs: number }
  /** The whole batch failed: the handler threw or returned something that is not one response per request. */
  | { readonly kind: 'execute-failed'; readonly id: number; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'finalized'; readonly message?: string };
