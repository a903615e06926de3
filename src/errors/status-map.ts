/**
 * Error kinds and their wire statuses. This table is the only place a status is chosen:
 * transports look an error's kind up here and never pick a status of their own.
 * The kinds follow Triton's `Status` codes (core/src/status.h) plus TOO_LARGE and
 * UNAUTHENTICATED, which Triton folds into INVALID_ARG but HTTP clients expect as 413 / 401.
 */
export const ERROR_KINDS = {
  INVALID_ARG: { http: 400, grpc: 3 /* INVALID_ARGUMENT */ },
  NOT_FOUND: { http: 404, grpc: 5 /* NOT_FOUND */ },
  ALREADY_EXISTS: { http: 409, grpc: 6 /* ALREADY_EXISTS */ },
  TOO_LARGE: { http: 413, grpc: 8 /* RESOURCE_EXHAUSTED */ },
  UNAUTHENTICATED: { http: 401, grpc: 16 /* UNAUTHENTICATED */ },
  CANCELLED: { http: 499, grpc: 1 /* CANCELLED */ },
  DEADLINE_EXCEEDED: { http: 504, grpc: 4 /* DEADLINE_EXCEEDED */ },
  UNAVAILABLE: { http: 503, grpc: 14 /* UNAVAILABLE */ },
  UNSUPPORTED: { http: 501, grpc: 12 /* UNIMPLEMENTED */ },
  INTERNAL: { http: 500, grpc: 13 /* INTERNAL */ },
  UNKNOWN: { http: 500, grpc: 2 /* UNKNOWN */ },
} as const satisfies Record<string, { http: number; grpc: number }>;

export type ErrorKind = keyof typeof ERROR_KINDS;
