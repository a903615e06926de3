/**
 * @module
 * `map<string, InferParameter>` <-> core Parameters (string | number | boolean values).
 */
import { InferenceError } from '../../errors/index.js';
import type { Parameters } from '../../core/index.js';
import type { InferParameterMap, InferParameterMessage } from './messages.js';

/**
 * Reads a parameter map. 64-bit integers become numbers; one beyond ±(2^53-1) is refused rather
 * than rounded, since core Parameters hold numbers and the value the client meant would be lost.
 * `where` prefixes messages, e.g. "input 'x': ". Returns undefined for an absent or empty map,
 * which proto3 cannot tell apart.
 * @throws InferenceError ERR_INVALID_REQUEST naming the parameter.
 */
export function readGrpcParameters(map: InferParameterMap | undefined, where: string): Parameters | undefined {
  if (map === undefined) return undefined;
  const entries = Object.entries(map);
  if (entries.length === 0) return undefined;
  // fromEntries defines own data properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(entries.map(([key, parameter]) => [key, readParameter(parameter, `${where}parameter '${key}'`)]));
}

function readParameter(parameter: InferParameterMessage, where: string): string | number | boolean {
  if (parameter.bool_param !== undefined) return parameter.bool_param;
  if (parameter.string_param !== undefined) return parameter.string_param;
  if (parameter.double_param !== undefined) return parameter.double_param;
  const integer = parameter.int64_param ?? parameter.uint64_param;
  if (integer !== undefined) {
    const value = Number(integer);
    if (!Number.isSafeInteger(value)) {
      throw new InferenceError('ERR_INVALID_REQUEST', `${where}: ${integer} is beyond ±(2^53-1), the largest integer a parameter can hold exactly; send it as string_param`);
    }
    return value;
  }
  throw new InferenceError('ERR_INVALID_REQUEST', `${where} has no value; set one of bool_param, int64_param, string_param, double_param, uint64_param`);
}

/** Writes core Parameters: integers as int64_param, other numbers as double_param. */
export function writeGrpcParameters(parameters: Parameters | undefined): InferParameterMap | undefined {
  if (parameters === undefined) return undefined;
  return Object.fromEntries(Object.entries(parameters).map(([key, value]) => [key, writeParameter(value)]));
}

function writeParameter(value: string | number | boolean): InferParameterMessage {
  if (typeof value === 'boolean') return { bool_param: value };
  if (typeof value === 'string') return { string_param: value };
  return Number.isSafeInteger(value) ? { int64_param: String(value) } : { double_param: value };
}
