import { InferenceError } from '../errors/index.js';
import {
  assertDataMatchesShape, assertValidShape, dataTypeFromConfig, dataTypeInfo, formatShape, hasExpectedArray, reshapeKeepingBatch, tensorByteSize,
  type InferRequest, type Tensor,
} from '../core/index.js';
import type { CompletedModelConfig as ModelConfig, ModelInput } from '../config/index.js';

export interface RequestLimits {
  /** Largest tensor, in bytes, that a request may carry. */
  readonly maxTensorBytes: number;
}

/** What the backend should compute for a validated request. */
export interface ValidatedRequest {
  /** Inputs as the model takes them (reshaped where the config says so). */
  readonly inputs: Tensor[];
  readonly outputNames: string[];
  /** The request's batch size; 0 for models without batching. */
  readonly batchSize: number;
}

function describeInputs(config: ModelConfig): string {
  return config.input.map((i) => `${i.name} (${dataTypeFromConfig(i.data_type)} ${formatShape(clientShape(config, i))})`).join(', ');
}

/** The shape a client sends for an input, `-1` for the batch and variable dims. */
function clientShape(config: ModelConfig, input: ModelInput): (number | string)[] {
  return config.max_batch_size > 0 ? ['batch', ...input.dims] : [...input.dims];
}

/**
 * Checks a request against the model's config: names, datatypes, shapes (explaining the
 * batch-dimension convention, the most common confusion of Triton users), sizes and outputs.
 */
export function validateRequest(request: InferRequest, config: ModelConfig, limits: RequestLimits): ValidatedRequest {
  const model = `model '${config.name}'`;
  const byName = new Map<string, Tensor>();
  for (const input of request.inputs) {
    if (byName.has(input.name)) throw new InferenceError('ERR_INPUT_DUPLICATE', `input '${input.name}' appears more than once`);
    byName.set(input.name, input);
  }
  for (const name of byName.keys()) {
    if (!config.input.some((i) => i.name === name)) {
      throw new InferenceError('ERR_INPUT_UNKNOWN', `input '${name}' is not an input of ${model}; its inputs are: ${describeInputs(config)}`);
    }
  }

  let batchSize = 0;
  let batchSource = '';
  const inputs: Tensor[] = [];
  for (const spec of config.input) {
    const tensor = byName.get(spec.name);
    if (!tensor) {
      if (spec.optional) continue;
      throw new InferenceError('ERR_INPUT_MISSING', `${model} needs input '${spec.name}' (${dataTypeFromConfig(spec.data_type)} ${formatShape(clientShape(config, spec))}) but the request does not have it`);
    }
    const where = `input '${spec.name}'`;
    const expectedType = dataTypeFromConfig(spec.data_type);
    if (tensor.datatype !== expectedType) {
      throw new InferenceError('ERR_INPUT_DATATYPE', `${where}: datatype ${tensor.datatype} but ${model} expects ${expectedType}`);
    }
    if (!hasExpectedArray(tensor)) {
      const info = dataTypeInfo(tensor.datatype);
      throw new InferenceError('ERR_INPUT_DATA', `${where}: ${tensor.datatype} data must be ${info.array ? `a ${info.array.name}` : 'an array of Uint8Array or string elements'}`);
    }
    assertValidShape(tensor.shape, where);
    checkShape(tensor.shape, spec, config, where);
    if (config.max_batch_size > 0) {
      const batch = tensor.shape[0]!;
      if (batchSource && batch !== batchSize) {
        throw new InferenceError('ERR_INPUT_SHAPE', `${where}: batch size ${batch} differs from ${batchSource}'s ${batchSize}; all inputs of one request share the batch dimension`);
      }
      batchSize = batch;
      batchSource = `input '${spec.name}'`;
    }
    assertDataMatchesShape(tensor, where);
    const bytes = tensorByteSize(tensor);
    if (bytes > limits.maxTensorBytes) {
      throw new InferenceError('ERR_TENSOR_TOO_LARGE', `${where}: ${bytes} bytes exceeds the tensor size limit of ${limits.maxTensorBytes} bytes`);
    }
    inputs.push(spec.reshape ? { ...tensor, shape: reshapeKeepingBatch(tensor.shape, spec.reshape.shape, config.max_batch_size > 0) } : tensor);
  }
  return { inputs, outputNames: selectOutputs(request, config), batchSize };
}

function checkShape(shape: number[], spec: ModelInput, config: ModelConfig, where: string): void {
  const dims = spec.dims;
  const batched = config.max_batch_size > 0;
  const expectedRank = dims.length + (batched ? 1 : 0);
  const expected = formatShape(clientShape(config, spec));
  if (shape.length !== expectedRank) {
    const hint = batched
      ? `max_batch_size is ${config.max_batch_size}, so requests carry a leading batch dimension (1..${config.max_batch_size}) before the config dims ${formatShape(dims)}`
      : `max_batch_size is 0, so the shape must match the config dims ${formatShape(dims)} exactly, with no batch dimension`;
    throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(shape)} has rank ${shape.length} but model '${config.name}' expects ${expected} (rank ${expectedRank}); ${hint}`);
  }
  if (batched) {
    const batch = shape[0]!;
    if (batch < 1 || batch > config.max_batch_size) {
      throw new InferenceError('ERR_INPUT_SHAPE', `${where}: batch size ${batch} (the first dim of ${formatShape(shape)}) must be between 1 and max_batch_size ${config.max_batch_size} of model '${config.name}'`);
    }
  }
  const offset = batched ? 1 : 0;
  dims.forEach((dim, i) => {
    if (dim !== -1 && shape[i + offset] !== dim) {
      throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(shape)} does not match ${expected} expected by model '${config.name}': dim ${i + offset} is ${shape[i + offset]}, expected ${dim}`);
    }
  });
}

function selectOutputs(request: InferRequest, config: ModelConfig): string[] {
  if (!request.outputs || request.outputs.length === 0) return config.output.map((o) => o.name);
  const names: string[] = [];
  for (const requested of request.outputs) {
    if (!config.output.some((o) => o.name === requested.name)) {
      throw new InferenceError('ERR_OUTPUT_UNKNOWN', `requested output '${requested.name}' is not an output of model '${config.name}'; its outputs are: ${config.output.map((o) => o.name).join(', ')}`);
    }
    if (names.includes(requested.name)) throw new InferenceError('ERR_INVALID_REQUEST', `output '${requested.name}' is requested more than once`);
    names.push(requested.name);
  }
  return names;
}

/** The schedule policy extension's request parameters (Triton: `priority`, `timeout` in microseconds). */
export interface SchedulingParameters {
  readonly priority?: number;
  readonly timeoutUs?: number;
}

export function readSchedulingParameters(parameters: InferRequest['parameters']): SchedulingParameters {
  const read = (key: 'priority' | 'timeout'): number | undefined => {
    const value = parameters?.[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new InferenceError('ERR_REQUEST_PARAMETER', `request parameter '${key}' must be a non-negative integer${key === 'timeout' ? ' (microseconds)' : ''}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
  const priority = read('priority');
  const timeoutUs = read('timeout');
  return { ...(priority !== undefined ? { priority } : {}), ...(timeoutUs !== undefined ? { timeoutUs } : {}) };
}
