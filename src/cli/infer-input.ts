import { readFile } from 'node:fs/promises';
import { InferenceError } from '../errors/index.js';
import { dataTypeInfo, elementCount, float16BitsToNumber, bfloat16BitsToNumber, type TensorMetadata, type Tensor } from '../core/index.js';

/** One `--input` in KServe JSON form, ready for the JSON codec. */
export interface JsonInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
}

/**
 * Parses `name=VALUE` where VALUE is inline JSON or `@file.json`, holding either a
 * (nested) array, a single value, or a KServe input object `{shape, datatype, data}`.
 * A missing shape is read from the nesting (with a batch of 1 prepended when one dim
 * short of the model's), a missing datatype from the model's metadata.
 */
export async function parseInputArgument(argument: string, inputs: readonly TensorMetadata[]): Promise<JsonInput> {
  const eq = argument.indexOf('=');
  if (eq <= 0) throw new InferenceError('ERR_INVALID_REQUEST', `--input ${argument}: expected name=VALUE or name=@file.json`);
  const name = argument.slice(0, eq);
  const text = argument.slice(eq + 1);
  const source = text.startsWith('@') ? await readFile(text.slice(1), 'utf8').catch((error: Error) => {
    throw new InferenceError('ERR_INVALID_REQUEST', `--input ${name}: cannot read ${text.slice(1)}: ${error.message}`);
  }) : text;
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    // Bare words are BYTES elements: `--input text=hello`.
    value = [source];
  }
  const meta = inputs.find((i) => i.name === name);
  if (!meta) throw new InferenceError('ERR_INPUT_UNKNOWN', `--input ${name}: the model has no input '${name}'; its inputs are: ${inputs.map((i) => i.name).join(', ')}`);
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'data' in value) {
    const object = value as Partial<JsonInput>;
    return { name, datatype: object.datatype ?? meta.datatype, shape: object.shape ?? shapeOfNesting(object.data, meta), data: object.data };
  }
  return { name, datatype: meta.datatype, shape: shapeOfNesting(value, meta), data: value };
}

function shapeOfNesting(value: unknown, meta: TensorMetadata): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0] as unknown) shape.push(v.length);
  if (shape.length === meta.shape.length - 1) shape.unshift(1);
  return shape;
}

/** Tensor data as nested arrays of plain numbers, booleans or strings, for printing. */
export function tensorToNested(tensor: Tensor, limit = 1000): unknown {
  const values = flatValues(tensor);
  const total = elementCount(tensor.shape);
  if (total > limit) return { first: values.slice(0, limit), omitted: total - limit };
  const build = (dim: number, offset: number): unknown => {
    if (dim === tensor.shape.length) return values[offset];
    const stride = elementCount(tensor.shape.slice(dim + 1));
    return Array.from({ length: tensor.shape[dim]! }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return tensor.shape.length === 0 ? values[0] : build(0, 0);
}

const utf8 = new TextDecoder();

function flatValues(tensor: Tensor): unknown[] {
  switch (dataTypeInfo(tensor.datatype).valueKind) {
    case 'bytes': return (tensor.data as Uint8Array[]).map((b) => utf8.decode(b));
    case 'bool': return Array.from(tensor.data as Uint8Array, (b) => b !== 0);
    case 'bigint': return Array.from(tensor.data as BigInt64Array, (b) => (Number.isSafeInteger(Number(b)) ? Number(b) : b.toString()));
    case 'half': return Array.from(tensor.data as Uint16Array, tensor.datatype === 'BF16' ? bfloat16BitsToNumber : float16BitsToNumber);
    default: return Array.from(tensor.data as Float32Array);
  }
}
