/**
 * @module
 * Small helpers the gRPC converters share for their error messages.
 */
import { InferenceError } from '../../errors/index.js';

const MAX_SHOWN_CHARS = 40;

/** A bad string for an error message, cut short so a hostile request cannot bloat logs. */
export function quote(value: string): string {
  return value.length > MAX_SHOWN_CHARS ? `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS)).slice(0, -1)}..."` : JSON.stringify(value);
}

export function invalid(message: string): InferenceError {
  return new InferenceError('ERR_INVALID_REQUEST', message);
}

/** proto3 cannot tell an empty string from an absent one; both mean "not given". */
export function optionalString(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
