/**
 * @module
 * Turns engine calls into grpc-js unary handlers and errors into gRPC statuses.
 */
import { Metadata, type handleUnaryCall, type ServerUnaryCall, type StatusObject } from '@grpc/grpc-js';
import { toInferenceError } from '../../errors/index.js';
import type { Logger } from '../../engine/index.js';
import { ERROR_CODE_METADATA_KEY } from '../../protocol/index.js';

/**
 * The status for anything a handler threw. The code comes from the error's kind through the
 * one status table (errors/status-map.ts); the transport never picks one. Unexpected errors are
 * logged, since the client only sees their message.
 */
export function toGrpcStatus(error: unknown, logger: Logger, method: string): StatusObject {
  const failure = toInferenceError(error);
  if (failure.kind === 'INTERNAL' || failure.kind === 'UNKNOWN') logger.error({ err: error, method }, 'gRPC request failed');
  const metadata = new Metadata();
  metadata.set(ERROR_CODE_METADATA_KEY, failure.code);
  return { code: failure.grpcStatus, details: failure.message, metadata };
}

/**
 * A unary handler around `handler`, which gets the decoded request message (and the call, for
 * its metadata) and returns (or resolves to) the response message; whatever it throws becomes
 * the call's status.
 */
export function unaryHandler<Request, Response>(
  logger: Logger,
  method: string,
  handler: (request: Request, call: ServerUnaryCall<Request, Response>) => Response | Promise<Response>,
): handleUnaryCall<Request, Response> {
  return (call, callback) => {
    // Promise.resolve().then() turns a synchronous throw into a rejection as well.
    Promise.resolve()
      .then(() => handler(call.request, call))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcStatus(error, logger, method)),
      );
  };
}

/**
 * The `authorization` metadata of a call, for the engine's management token check. grpc-js
 * hands text metadata over as strings; a binary (`-bin`) key cannot be named authorization.
 */
export function authorizationOf(metadata: Metadata): string[] {
  return metadata.get('authorization').map((value) => (typeof value === 'string' ? value : value.toString('utf8')));
}
