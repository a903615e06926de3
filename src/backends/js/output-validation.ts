/**
 * @module
 * Checks what a handler's execute() returned against the requests and the model config, and turns
 * it into tensors. Runs in the handler's worker. Every message names the model, the request index
 * and the output, since a handler author reads them in a client's error.
 */
import { dataTypeInfo, elementCount, formatShape, type Tensor } from '../../core/index.js';
import type { ErrorCode } from '../../errors/index.js';
import type { HandlerErrorKind } from './handler-api.js';
import type { OutputSpec } from './js-model-config.js';

export type CheckedResult = { readonly outputs: Tensor[] } | { readonly code: ErrorCode; readonly message: string };

/** Either one result per request, or a failure of the whole batch. */
export type CheckedBatch = { readonly results: CheckedResult[] } | { readonly failure: string };

const ERROR_KIND_CODES: Readonly<Record<HandlerErrorKind, ErrorCode>> = {
  INVALID_ARG: 'ERR_HANDLER_INPUT_REJECTED',
  INTERNAL: 'ERR_BACKEND_RUNTIME',
};

const utf8 = new TextEncoder();

class OutputProblem extends Error {}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an Array';
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name}`;
  switch (typeof value) {
    case 'object': return `an object (${(value.constructor as { name?: string } | undefined)?.name ?? 'no prototype'})`;
    case 'string': return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    case 'function': return 'a function';
    case 'symbol': return value.toString();
    case 'undefined': return 'undefined';
    case 'number': case 'bigint': case 'boolean': return `${typeof value} ${value}`;
    default: return typeof value;
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * @param responses what execute() returned (awaited)
 * @param requests the requested outputs of each request, in order
 * @param specs the config's outputs
 */
export function checkResponses(responses: unknown, requests: readonly { readonly outputNames: readonly string[] }[], specs: readonly OutputSpec[], modelName: string): CheckedBatch {
  const model = `model '${modelName}'`;
  if (!Array.isArray(responses)) {
    return { failure: `${model}: execute() must return an array with one response per request; it returned ${describe(responses)}` };
  }
  if (responses.length !== requests.length) {
    return { failure: `${model}: execute() returned ${responses.length} response(s) for ${requests.length} request(s); it must return one per request, in order` };
  }
  const byName = new Map(specs.map((s) => [s.name, s]));
  return {
    results: requests.map((request, index) => {
      const where = `${model}, request ${index}`;
      try {
        return checkResponse(responses[index] as unknown, request.outputNames, byName, model, where);
      } catch (error) {
        if (error instanceof OutputProblem) return { code: 'ERR_HANDLER_OUTPUT_INVALID', message: error.message };
        throw error;
      }
    }),
  };
}

function checkResponse(response: unknown, outputNames: readonly string[], specs: ReadonlyMap<string, OutputSpec>, model: string, where: string): CheckedResult {
  if (!isRecord(response)) throw new OutputProblem(`${where}: the response is ${describe(response)}; return { outputs: { ... } } or { error: '...' }`);
  if ('error' in response && response.error !== undefined) return handlerError(response, model, where);
  const outputs = response.outputs;
  if (!isRecord(outputs)) throw new OutputProblem(`${where}: outputs is ${describe(outputs)}; it must be an object whose keys are output names`);
  return {
    outputs: outputNames.map((name) => {
      const spec = specs.get(name);
      if (spec === undefined) throw new OutputProblem(`${where}: output '${name}' is requested but not in the config`);
      if (!Object.hasOwn(outputs, name)) {
        throw new OutputProblem(`${where}: output '${name}' is missing; the request asks for ${outputNames.map((n) => `'${n}'`).join(', ')} and the response has ${Object.keys(outputs).map((n) => `'${n}'`).join(', ') || 'none'}`);
      }
      return checkTensor(outputs[name], spec, `${where}, output '${name}'`);
    }),
  };
}

/** The handler's own error for this request: its message, prefixed with the model only. */
function handlerError(response: Record<string, unknown>, model: string, where: string): CheckedResult {
  const { error, kind } = response;
  const message = typeof error === 'string' ? error : error instanceof Error ? error.message : undefined;
  if (message === undefined) throw new OutputProblem(`${where}: error is ${describe(error)}; it must be a string (or an Error)`);
  if (kind !== undefined && kind !== 'INVALID_ARG' && kind !== 'INTERNAL') {
    throw new OutputProblem(`${where}: error kind ${describe(kind)} is not 'INVALID_ARG' or 'INTERNAL' (the error was: ${message})`);
  }
  return { code: ERROR_KIND_CODES[kind ?? 'INTERNAL'], message: `${model}: ${message}` };
}

function checkTensor(value: unknown, spec: OutputSpec, where: string): Tensor {
  if (!isRecord(value)) throw new OutputProblem(`${where}: ${describe(value)} is not a tensor { datatype, shape, data }`);
  const { datatype, shape, data } = value;
  if (datatype !== spec.datatype) {
    throw new OutputProblem(`${where}: datatype ${describe(datatype)} but the config declares ${spec.datatype} (${dataTypeInfo(spec.datatype).config})`);
  }
  const dims = checkShape(shape, spec, where);
  const count = elementCount(dims);
  const info = dataTypeInfo(spec.datatype);
  if (info.array === undefined) {
    if (!Array.isArray(data)) throw new OutputProblem(`${where}: BYTES data must be an array of strings or Uint8Array, got ${describe(data)}`);
    const elements = (data as unknown[]).map((element, i) => {
      if (typeof element === 'string') return utf8.encode(element);
      if (element instanceof Uint8Array) return element;
      throw new OutputProblem(`${where}: BYTES element ${i} is ${describe(element)}, not a string or Uint8Array`);
    });
    checkCount(elements.length, count, dims, where, '');
    return { name: spec.name, datatype: 'BYTES', shape: dims, data: elements };
  }
  if (!(data instanceof info.array)) {
    throw new OutputProblem(`${where}: ${spec.datatype} data must be a ${info.array.name}, got ${describe(data)}`);
  }
  const hint = data.length === 0 && data.buffer.byteLength === 0 && count > 0
    ? ' (an empty array whose buffer is empty too: was it returned in an earlier response? Returned arrays move to the server; return fresh arrays or .slice() cached ones)'
    : '';
  checkCount(data.length, count, dims, where, hint);
  return { name: spec.name, datatype: spec.datatype, shape: dims, data } as Tensor;
}

function checkShape(shape: unknown, spec: OutputSpec, where: string): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new OutputProblem(`${where}: shape ${describe(shape)}${Array.isArray(shape) ? ` ${JSON.stringify(shape)}` : ''} must be an array of non-negative integers`);
  }
  const dims = shape as number[];
  const expected = formatShape(spec.shape);
  if (dims.length !== spec.shape.length) {
    throw new OutputProblem(`${where}: shape ${formatShape(dims)} has rank ${dims.length} but the config declares ${expected} (rank ${spec.shape.length}${spec.shape[0] === -1 ? ', the batch dimension first' : ''})`);
  }
  spec.shape.forEach((dim, i) => {
    if (dim !== -1 && dims[i] !== dim) throw new OutputProblem(`${where}: shape ${formatShape(dims)} does not match the config's ${expected}: dim ${i} is ${dims[i]}, expected ${dim}`);
  });
  return [...dims];
}

function checkCount(length: number, count: number, dims: readonly number[], where: string, hint: string): void {
  if (length !== count) throw new OutputProblem(`${where}: shape ${formatShape(dims)} needs ${count} element(s) but data has ${length}${hint}`);
}
