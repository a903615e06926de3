/**
 * @module
 * Which outputs a request wants as binary data (Triton binary tensor data extension): a requested
 * output's `parameters.binary_data`, else the request's `parameters.binary_data_output`, else JSON.
 */
import type { Parameters, RequestedOutput } from '../../core/index.js';
import { describeValue, invalid } from './json-fields.js';

/** The parts of a request that decide how outputs are encoded. */
export interface OutputEncodingRequest {
  parameters?: Parameters;
  outputs?: RequestedOutput[];
}

/**
 * Returns a test "is output `name` binary?". Request decoding calls this too, so that a bad flag
 * is refused before the model runs rather than after.
 * @throws InferenceError ERR_INVALID_REQUEST when a flag is present but not a boolean: Triton
 *   defines both as bool, and reading "false" or 0 as truthy would flip the client's intent.
 */
export function binaryOutputSelector(request: OutputEncodingRequest): (name: string) => boolean {
  const fallback = request.parameters?.binary_data_output;
  if (fallback !== undefined && typeof fallback !== 'boolean') {
    throw invalid(`'parameters.binary_data_output' must be a boolean, got ${describeValue(fallback)}`);
  }
  const byName = new Map<string, boolean>();
  for (const output of request.outputs ?? []) {
    const flag = output.parameters?.binary_data;
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') throw invalid(`output '${output.name}': 'parameters.binary_data' must be a boolean, got ${describeValue(flag)}`);
    byName.set(output.name, flag);
  }
  const defaultBinary = fallback === true;
  return (name) => byName.get(name) ?? defaultBinary;
}
