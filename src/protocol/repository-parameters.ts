/**
 * @module
 * The parameters of Triton's repository load and unload requests, checked once for both
 * transports. Each transport turns its wire values into plain ones first (HTTP: the JSON values;
 * gRPC: the member set in each ModelRepositoryParameter, undefined when none is).
 * See https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_model_repository.md
 */
import { InferenceError } from '../errors/index.js';

/** What a load request asks for. */
export interface ModelLoadParameters {
  /** A model configuration as JSON text, used instead of the one in the model's folder. */
  readonly config?: string;
}

/** What an unload request asks for. */
export interface ModelUnloadParameters {
  /** Also unload the models (ensembles) that use this one. */
  readonly unloadDependents?: boolean;
}

/** Parameter names as Triton spells them on the wire. */
export const LOAD_CONFIG_PARAMETER = 'config';
export const UNLOAD_DEPENDENTS_PARAMETER = 'unload_dependents';
const FILE_PREFIX = 'file:';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a load request's parameters: `config` as a string, UTF-8 bytes (gRPC bytes_param) or
 * an object (HTTP only, stringified). Triton's `file:<version>/<name>` overrides are refused:
 * Wharf loads model files only from the repository folder.
 * @throws InferenceError ERR_REQUEST_PARAMETER naming the parameter.
 */
export function readModelLoadParameters(parameters: Readonly<Record<string, unknown>> | undefined): ModelLoadParameters {
  const names = Object.keys(parameters ?? {});
  const files = names.filter((name) => name.startsWith(FILE_PREFIX));
  if (files.length > 0) {
    throw new InferenceError('ERR_REQUEST_PARAMETER', `file overrides are not supported (load ${plural('parameter', files.length)} ${quoted(files)}): `
      + 'Wharf loads model files only from the model repository; put the files in <repository>/<model>/<version>/ and load the model again, with "config" to override its configuration');
  }
  refuseUnknown('load', names, [LOAD_CONFIG_PARAMETER]);
  if (!names.includes(LOAD_CONFIG_PARAMETER)) return {};
  return { config: configText(parameters![LOAD_CONFIG_PARAMETER]) };
}

/**
 * Reads an unload request's parameters: `unload_dependents`, a boolean.
 * @throws InferenceError ERR_REQUEST_PARAMETER naming the parameter.
 */
export function readModelUnloadParameters(parameters: Readonly<Record<string, unknown>> | undefined): ModelUnloadParameters {
  const names = Object.keys(parameters ?? {});
  refuseUnknown('unload', names, [UNLOAD_DEPENDENTS_PARAMETER]);
  if (!names.includes(UNLOAD_DEPENDENTS_PARAMETER)) return {};
  const value = parameters![UNLOAD_DEPENDENTS_PARAMETER];
  if (typeof value !== 'boolean') throw wrongValue(UNLOAD_DEPENDENTS_PARAMETER, 'a boolean', value);
  return { unloadDependents: value };
}

function configText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) {
    try {
      return strictUtf8.decode(value);
    } catch {
      throw new InferenceError('ERR_REQUEST_PARAMETER', `load parameter "${LOAD_CONFIG_PARAMETER}" is not valid UTF-8; send the model configuration as JSON text`);
    }
  }
  // Triton takes a JSON string only; an object is accepted too, for hand-written requests.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return JSON.stringify(value);
  throw wrongValue(LOAD_CONFIG_PARAMETER, 'the model configuration as JSON text (a string; over HTTP a JSON object works too)', value);
}

function refuseUnknown(request: 'load' | 'unload', names: readonly string[], known: readonly string[]): void {
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length === 0) return;
  throw new InferenceError('ERR_REQUEST_PARAMETER', `unknown ${request} ${plural('parameter', unknown.length)} ${quoted(unknown)}; ${request} takes ${quoted(known)}`);
}

function wrongValue(name: string, expected: string, value: unknown): InferenceError {
  return new InferenceError('ERR_REQUEST_PARAMETER', value === undefined
    ? `parameter "${name}" has no value; it must be ${expected}`
    : `parameter "${name}" must be ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bytes';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return `a boolean (${value})`;
  if (typeof value === 'number') return `a number (${value})`;
  return typeof value;
}

const MAX_SHOWN_NAMES = 10;
const MAX_SHOWN_CHARS = 40;

/** Names for a message, cut short so that a hostile request cannot bloat the logs. */
function quoted(names: readonly string[]): string {
  const shown = names.slice(0, MAX_SHOWN_NAMES).map((name) => (name.length > MAX_SHOWN_CHARS ? `${JSON.stringify(name.slice(0, MAX_SHOWN_CHARS)).slice(0, -1)}..."` : JSON.stringify(name)));
  return names.length > MAX_SHOWN_NAMES ? `${shown.join(', ')} and ${names.length - MAX_SHOWN_NAMES} more` : shown.join(', ');
}

function plural(word: string, count: number): string {
  return count === 1 ? word : `${word}s`;
}
