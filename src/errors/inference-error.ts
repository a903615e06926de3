import { ERROR_CODES, type ErrorCode } from './codes.js';
import { ERROR_KINDS, type ErrorKind } from './status-map.js';

export interface ErrorDetail {
  /** Where the problem is, e.g. `input[0].max_batch_size` or `inputs.INPUT0.shape`. */
  readonly path: string;
  readonly problem: string;
}

export interface InferenceErrorOptions {
  readonly cause?: unknown;
  readonly details?: readonly ErrorDetail[];
}

/** The one error type of Wharf. Its `code` is stable and decides the wire status. */
export class InferenceError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];

  constructor(code: ErrorCode, message: string, options: InferenceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'InferenceError';
    this.code = code;
    this.details = options.details ?? [];
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code].kind;
  }

  get httpStatus(): number {
    return ERROR_KINDS[this.kind].http;
  }

  get grpcStatus(): number {
    return ERROR_KINDS[this.kind].grpc;
  }
}

export function isInferenceError(value: unknown): value is InferenceError {
  return value instanceof InferenceError;
}

/** Wraps anything thrown into an InferenceError, keeping InferenceErrors as they are. */
export function toInferenceError(value: unknown, code: ErrorCode = 'ERR_INTERNAL'): InferenceError {
  if (value instanceof InferenceError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new InferenceError(code, message, { cause: value });
}
