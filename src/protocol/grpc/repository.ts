/**
 * @module
 * RepositoryModelLoad / RepositoryModelUnload parameter maps
 * (`map<string, ModelRepositoryParameter>`) <-> load and unload parameters.
 */
import {
  LOAD_CONFIG_PARAMETER, UNLOAD_DEPENDENTS_PARAMETER, readModelLoadParameters, readModelUnloadParameters,
  type ModelLoadParameters, type ModelUnloadParameters,
} from '../repository-parameters.js';
import type { ModelRepositoryParameterMap, ModelRepositoryParameterMessage } from './messages.js';

/**
 * `config` as string_param, or bytes_param holding UTF-8 JSON; `file:` overrides and other
 * names are refused.
 * @throws InferenceError ERR_REQUEST_PARAMETER naming the parameter.
 */
export function grpcToModelLoadParameters(map: ModelRepositoryParameterMap | undefined): ModelLoadParameters {
  return readModelLoadParameters(plainValues(map));
}

/**
 * `unload_dependents` as bool_param.
 * @throws InferenceError ERR_REQUEST_PARAMETER naming the parameter.
 */
export function grpcToModelUnloadParameters(map: ModelRepositoryParameterMap | undefined): ModelUnloadParameters {
  return readModelUnloadParameters(plainValues(map));
}

export function modelLoadParametersToGrpc(parameters: ModelLoadParameters): ModelRepositoryParameterMap {
  return parameters.config === undefined ? {} : { [LOAD_CONFIG_PARAMETER]: { string_param: parameters.config } };
}

export function modelUnloadParametersToGrpc(parameters: ModelUnloadParameters): ModelRepositoryParameterMap {
  return parameters.unloadDependents === undefined ? {} : { [UNLOAD_DEPENDENTS_PARAMETER]: { bool_param: parameters.unloadDependents } };
}

/** Each parameter's set member as a plain value; undefined when none is set. */
function plainValues(map: ModelRepositoryParameterMap | undefined): Record<string, unknown> | undefined {
  if (map === undefined) return undefined;
  // fromEntries defines own data properties, so a `__proto__` key stays a plain key.
  return Object.fromEntries(Object.entries(map).map(([name, parameter]) => [name, plainValue(parameter)]));
}

function plainValue(parameter: ModelRepositoryParameterMessage): unknown {
  if (parameter.string_param !== undefined) return parameter.string_param;
  if (parameter.bool_param !== undefined) return parameter.bool_param;
  if (parameter.bytes_param !== undefined) return parameter.bytes_param;
  // Only ever shown in an error message: no parameter takes an integer.
  if (parameter.int64_param !== undefined) return Number(parameter.int64_param);
  return undefined;
}
