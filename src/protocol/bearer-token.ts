/**
 * @module
 * The `Authorization: Bearer <token>` header (RFC 6750 section 2.1) of HTTP requests, and the
 * `authorization` metadata of gRPC calls, which carries the same text.
 */
import { InferenceError } from '../errors/index.js';

/** An Authorization value: absent, a bearer token, or something else (which never authenticates). */
export type BearerToken =
  | { readonly kind: 'absent' }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'malformed'; readonly problem: string };

/**
 * Reads an Authorization value. The scheme is case-insensitive (RFC 9110 section 11.1). Several
 * values (a repeated header or metadata key) are malformed: which one counts would be a guess.
 * Problems never quote the value, which may hold a secret.
 */
export function readBearerToken(value: string | readonly string[] | undefined): BearerToken {
  if (value === undefined) return { kind: 'absent' };
  if (typeof value !== 'string') {
    if (value.length > 1) return { kind: 'malformed', problem: `${value.length} authorization values were sent; send one` };
    return readBearerToken(value[0]);
  }
  const match = /^[ \t]*(\S+)(?:[ \t]+(\S+))?[ \t]*$/.exec(value);
  if (!match) return { kind: 'malformed', problem: 'the authorization value is not "Bearer <token>"' };
  const [, scheme, token] = match;
  if (scheme!.toLowerCase() !== 'bearer') return { kind: 'malformed', problem: 'the authorization scheme must be Bearer' };
  if (token === undefined) return { kind: 'malformed', problem: 'the authorization value has no token after "Bearer"' };
  return { kind: 'bearer', token };
}

/** The Authorization value that sends `token`. */
export function bearerAuthorization(token: string): string {
  return `Bearer ${token}`;
}

/**
 * Runs `check` (whoever decides, e.g. the engine's checkManagementToken) on the token an
 * Authorization value presents. A malformed value is checked as no token: it passes only when
 * no token is needed, and the refusal then says what is wrong with the value.
 * @throws whatever `check` throws; InferenceError ERR_UNAUTHENTICATED for a refused malformed value.
 */
export function checkBearerToken(value: string | readonly string[] | undefined, check: (presented: string | undefined) => void): void {
  const presented = readBearerToken(value);
  if (presented.kind !== 'malformed') return check(presented.kind === 'bearer' ? presented.token : undefined);
  try {
    check(undefined);
  } catch (error) {
    throw new InferenceError('ERR_UNAUTHENTICATED', `${presented.problem}; send Authorization: Bearer <token>`, { cause: error });
  }
}
