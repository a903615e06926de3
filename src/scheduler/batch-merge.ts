/**
 * @module
 * Turning requests into one execution and its outputs back into per-request outputs, along the
 * batch dimension (dim 0). Merging copies each input once into a fresh array (which the backend
 * may then transfer to a worker without another copy); splitting returns views (subarray) of the
 * execution's outputs, so each request's rows are never copied. A single request passes through
 * untouched in both directions.
 */
import { allocateData, elementCount, type Tensor } from '../core/index.js';
import type { ScheduledRequest } from './scheduler.js';
import { outputBatchError, outputCountError, outputDataError } from './scheduler-errors.js';

/**
 * Requests with equal keys can run as one execution: the same inputs in the same order, with
 * the same datatypes and non-batch dims, and the same requested outputs in the same order.
 * JSON keeps the key unambiguous whatever characters the names hold.
 */
export function batchKey(request: ScheduledRequest): string {
  return JSON.stringify([request.outputNames, request.inputs.map((t) => [t.name, t.datatype, t.shape.slice(1)])]);
}

/** The inputs of one execution running `requests` (which share a batch key) in order. */
export function mergeInputs(requests: readonly ScheduledRequest[]): Tensor[] {
  const first = requests[0];
  if (first === undefined) return [];
  if (requests.length === 1) return first.inputs;
  return first.inputs.map((_, index) => mergeTensor(requests.map((request) => request.inputs[index]!)));
}

function mergeTensor(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  let rows = 0;
  let elements = 0;
  for (const part of parts) {
    rows += part.shape[0] ?? 0;
    elements += part.data.length;
  }
  const shape = [rows, ...first.shape.slice(1)];
  if (first.datatype === 'BYTES') {
    const data: Uint8Array[] = new Array<Uint8Array>(elements);
    let at = 0;
    for (const part of parts) for (const element of part.data as Uint8Array[]) data[at++] = element;
    return { name: first.name, datatype: 'BYTES', shape, data };
  }
  // Every part has the datatype of the first (same batch key), so they share one array type;
  // the casts only tell TypeScript what the key already guarantees.
  const data = allocateData(first.datatype, elements) as Float64Array;
  let offset = 0;
  for (const part of parts) {
    data.set(part.data as Float64Array, offset);
    offset += part.data.length;
  }
  return { name: first.name, datatype: first.datatype, shape, data } as Tensor;
}

/**
 * Splits the outputs of one execution into each request's outputs: request `i` gets `rows[i]`
 * rows of every output, shape [rows[i], ...]. Outputs are checked even for a single request, so a
 * model that drops the batch dimension fails the same way whatever the batch.
 * @param rows each request's own batch size (dim 0 of its inputs), in execution order
 * @throws InferenceError ERR_BACKEND_RUNTIME when an output's first dim is not the sum of `rows`
 */
export function splitOutputs(label: string, outputNames: readonly string[], outputs: readonly Tensor[], rows: readonly number[]): Tensor[][] {
  if (outputs.length !== outputNames.length) throw outputCountError(label, outputNames, outputs.length);
  let total = 0;
  for (const count of rows) total += count;
  for (const output of outputs) {
    if (output.shape.length === 0 || output.shape[0] !== total) throw outputBatchError(label, output.name, output.shape, total, rows.length);
    if (output.data.length !== elementCount(output.shape)) throw outputDataError(label, output.name, output.shape, output.data.length);
  }
  if (rows.length === 1) return [[...outputs]];
  const split: Tensor[][] = rows.map(() => []);
  for (const output of outputs) {
    const rest = output.shape.slice(1);
    const rowElements = elementCount(rest);
    let offset = 0;
    rows.forEach((count, index) => {
      const end = offset + count * rowElements;
      const data = output.datatype === 'BYTES' ? output.data.slice(offset, end) : output.data.subarray(offset, end);
      split[index]!.push({ name: output.name, datatype: output.datatype, shape: [count, ...rest], data } as Tensor);
      offset = end;
    });
  }
  return split;
}
