/**
 * @module
 * JSON bodies of Triton's repository extension over HTTP: `POST v2/repository/index`,
 * `.../models/{m}/load` and `.../models/{m}/unload`. Every body is optional (Triton's clients
 * send none to unload or list), and its content type is not looked at: curl -d labels JSON as
 * a form, and Triton reads the body as JSON whatever the label.
 */
import { InferenceError } from '../../errors/index.js';
import {
  LOAD_CONFIG_PARAMETER, UNLOAD_DEPENDENTS_PARAMETER, readModelLoadParameters, readModelUnloadParameters,
  type ModelLoadParameters, type ModelUnloadParameters,
} from '../repository-parameters.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `{"ready"?: boolean}`; other fields are ignored, as Triton does.
 * @throws InferenceError ERR_INVALID_REQUEST for a body that is not a JSON object or a `ready` that is not a boolean.
 */
export function decodeRepositoryIndexBody(body: Uint8Array | undefined): { readyOnly: boolean } {
  const ready = readObject(body, 'repository index').ready;
  if (ready !== undefined && typeof ready !== 'boolean') throw new InferenceError('ERR_INVALID_REQUEST', `"ready" must be a boolean, got ${JSON.stringify(ready)}`);
  return { readyOnly: ready === true };
}

/**
 * `{"parameters"?: {"config"?: "<JSON ModelConfig>"}}`.
 * @throws InferenceError ERR_INVALID_REQUEST for a malformed body, ERR_REQUEST_PARAMETER for a parameter Wharf does not take.
 */
export function decodeModelLoadBody(body: Uint8Array | undefined): ModelLoadParameters {
  return readModelLoadParameters(readParameters(body, 'load'));
}

/**
 * `{"parameters"?: {"unload_dependents"?: boolean}}`.
 * @throws InferenceError ERR_INVALID_REQUEST for a malformed body, ERR_REQUEST_PARAMETER for a parameter Wharf does not take.
 */
export function decodeModelUnloadBody(body: Uint8Array | undefined): ModelUnloadParameters {
  return readModelUnloadParameters(readParameters(body, 'unload'));
}

/** The load body for `parameters`, `config` as a JSON string as Triton expects. */
export function encodeModelLoadBody(parameters: ModelLoadParameters): string {
  return parameters.config === undefined ? '{}' : JSON.stringify({ parameters: { [LOAD_CONFIG_PARAMETER]: parameters.config } });
}

export function encodeModelUnloadBody(parameters: ModelUnloadParameters): string {
  return parameters.unloadDependents === undefined ? '{}' : JSON.stringify({ parameters: { [UNLOAD_DEPENDENTS_PARAMETER]: parameters.unloadDependents } });
}

function readParameters(body: Uint8Array | undefined, request: 'load' | 'unload'): Record<string, unknown> | undefined {
  const object = readObject(body, request);
  // A misspelled "parameters" would otherwise load the on-disk config without a word.
  const unknown = Object.keys(object).filter((key) => key !== 'parameters');
  if (unknown.length > 0) {
    throw new InferenceError('ERR_INVALID_REQUEST', `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((k) => JSON.stringify(k)).join(', ')} in the ${request} request; the body is {"parameters": {...}}`);
  }
  const { parameters } = object;
  if (parameters === undefined) return undefined;
  if (!isObject(parameters)) throw new InferenceError('ERR_INVALID_REQUEST', `"parameters" of the ${request} request must be an object, got ${JSON.stringify(parameters)}`);
  return parameters;
}

function readObject(body: Uint8Array | undefined, request: string): Record<string, unknown> {
  if (body === undefined || body.byteLength === 0) return {};
  let parsed: unknown;
  try {
    const text = utf8.decode(body);
    if (text.trim() === '') return {};
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InferenceError('ERR_INVALID_REQUEST', `the ${request} request body is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!isObject(parsed)) throw new InferenceError('ERR_INVALID_REQUEST', `the ${request} request body must be a JSON object`);
  return parsed;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
