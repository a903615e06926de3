/**
 * @module
 * Every error a scheduler produces, with its message, in one place. Messages start with the
 * model and version ("model 'mlp' version 1: ...") because a client may talk to many models.
 */
import { formatShape } from '../core/index.js';
import { InferenceError } from '../errors/index.js';

/** `model 'mlp' version 1`, or `model 'mlp'` when the version is not known. */
export function modelLabel(name: string, version: string | undefined): string {
  return version === undefined ? `model '${name}'` : `model '${name}' version ${version}`;
}

/** Milliseconds with at most `digits` decimals and no trailing zeros: 12.3, 10, 0.25. */
function ms(ns: number, digits: number): string {
  return String(Number((ns / 1e6).toFixed(digits)));
}

export function queueFullError(label: string, level: number, maxQueueSize: number): InferenceError {
  const queue = level === 0 ? 'the queue' : `the queue for priority level ${level}`;
  return new InferenceError('ERR_QUEUE_FULL', `${label}: ${queue} is full (max_queue_size ${maxQueueSize})`);
}

export function queueTimeoutError(label: string, waitedNs: number, timeoutUs: number): InferenceError {
  return new InferenceError('ERR_QUEUE_TIMEOUT', `${label}: request waited ${ms(waitedNs, 1)} ms in the queue, past its timeout of ${ms(timeoutUs * 1000, 3)} ms`);
}

export function priorityError(label: string, priority: unknown, levels: number, defaultLevel: number): InferenceError {
  const given = `request parameter 'priority' is ${JSON.stringify(priority)}`;
  if (levels === 0) {
    return new InferenceError('ERR_REQUEST_PARAMETER', `${label}: ${given}, but the model has no priority levels; `
      + 'priority levels need dynamic_batching.priority_levels in the model config (send priority 0 or leave it out)');
  }
  return new InferenceError('ERR_REQUEST_PARAMETER', `${label}: ${given}, but the model's priority levels are 1 (highest) to ${levels}; `
    + `0 or no priority means the default level ${defaultLevel}`);
}

export function stoppingError(label: string): InferenceError {
  return new InferenceError('ERR_SERVER_STOPPING', `${label}: the scheduler is draining for shutdown or unload and accepts no new requests`);
}

/** A request whose inputs do not all carry its batch size as first dim: the engine handed over something inconsistent. */
export function batchInputError(label: string, input: string, shape: readonly number[], batchSize: number): InferenceError {
  return new InferenceError('ERR_INPUT_SHAPE', `${label}: input '${input}' has shape ${formatShape(shape)}, `
    + `but the request's batch size is ${batchSize}; every input of a batched model starts with the batch dimension`);
}

/** The model returned an output that cannot be split back into the batched requests. */
export function outputBatchError(label: string, output: string, shape: readonly number[], rows: number, requests: number): InferenceError {
  return new InferenceError('ERR_BACKEND_RUNTIME', `${label}: output '${output}' has shape ${formatShape(shape)}, but its first dim `
    + `must be the batch size ${rows} (the rows of the ${requests} request(s) run together); `
    + 'with max_batch_size > 0 every output must keep the batch dimension');
}

/** The model returned fewer or more outputs than requested. */
export function outputCountError(label: string, expected: readonly string[], got: number): InferenceError {
  return new InferenceError('ERR_BACKEND_RUNTIME', `${label}: the backend returned ${got} output(s) for the ${expected.length} requested (${expected.join(', ')})`);
}

/** The model returned an output whose data does not match its own shape. */
export function outputDataError(label: string, output: string, shape: readonly number[], elements: number): InferenceError {
  return new InferenceError('ERR_BACKEND_RUNTIME', `${label}: output '${output}' has shape ${formatShape(shape)} but ${elements} element(s) of data`);
}
