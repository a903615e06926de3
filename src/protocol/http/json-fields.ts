/**
 * @module
 * Structural checks shared by the JSON request and response codecs. Every failure is an
 * InferenceError whose message names the field, as Triton's own messages do.
 */
import { InferenceError, type ErrorCode } from '../../errors/index.js';
import type { Parameters } from '../../core/index.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MAX_SHOWN_CHARS = 40;

/** A short rendering of a bad value for an error message; long strings are cut so a hostile body cannot bloat logs. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_SHOWN_CHARS ? `${JSON.stringify(value.slice(0, MAX_SHOWN_CHARS)).slice(0, -1)}..."` : JSON.stringify(value);
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object';
    default:
      return typeof value;
  }
}

export function invalid(message: string, code: ErrorCode = 'ERR_INVALID_REQUEST'): InferenceError {
  return new InferenceError(code, message);
}

/** `what` must be a JSON object; returns it typed for field access. */
export function expectObject(value: unknown, what: string): JsonObject {
  if (!isJsonObject(value)) throw invalid(`${what} must be a JSON object, got ${describeValue(value)}`);
  return value;
}

/** An optional string field: undefined when absent. */
export function readOptionalString(object: JsonObject, key: string, path: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalid(`'${path}' must be a string, got ${describeValue(value)}`);
  return value;
}

/** A required, non-empty string field such as a tensor name. */
export function readName(object: JsonObject, path: string): string {
  const value = object.name;
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`'${path}.name' must be a non-empty string, got ${value === undefined ? 'nothing' : describeValue(value)}`);
  }
  return value;
}

/**
 * A KServe `$parameters` object: string, number or boolean values only (OIP inference_rest.md).
 * Numbers must be finite because the encoder could not write them back as JSON otherwise.
 * `where` prefixes messages, e.g. "input 'x': ".
 */
export function readParameters(value: unknown, where: string): Parameters {
  if (!isJsonObject(value)) throw invalid(`${where}'parameters' must be an object of string, number or boolean values, got ${describeValue(value)}`);
  const entries = Object.entries(value);
  for (const [key, entry] of entries) {
    const ok = typeof entry === 'string' || typeof entry === 'boolean' || (typeof entry === 'number' && Number.isFinite(entry));
    if (!ok) throw invalid(`${where}'parameters.${key}' must be a string, a finite number or a boolean, got ${describeValue(entry)}`);
  }
  // fromEntries defines keys as own data properties, so a `__proto__` key stays a plain key
  // instead of replacing the prototype.
  return Object.fromEntries(entries) as Parameters;
}

export function readOptionalParameters(object: JsonObject, where: string): Parameters | undefined {
  const value = object.parameters;
  return value === undefined ? undefined : readParameters(value, where);
}
