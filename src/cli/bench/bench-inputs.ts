/**
 * @module
 * The request `wharf bench` sends, built from the model's metadata: every input with a
 * concrete shape (the batch dim set to --batch-size, dynamic dims from --shape) and data that
 * is zeros, random values, or read from a JSON file. Short strings stand in for BYTES.
 */
import { readFile } from 'node:fs/promises';
import type { ModelMetadata, TensorMetadata } from '../../core/index.js';
import { parseInputArgument, type JsonInput } from '../infer-input.js';
import { UsageError } from './bench-options.js';

export interface InputSpec {
  /** `zero`, `random`, or the path of a JSON file. */
  readonly inputData: string;
  readonly shapes: Readonly<Record<string, readonly number[]>>;
  readonly batchSize: number;
}

/**
 * Inputs in KServe JSON form. `maxBatchSize` is the model's max_batch_size: above 0, the
 * metadata's first dim is the batch dim (-1) and becomes spec.batchSize.
 * @throws UsageError naming the input and the flag that fixes it.
 */
export async function buildBenchInputs(metadata: ModelMetadata, maxBatchSize: number, spec: InputSpec): Promise<JsonInput[]> {
  if (maxBatchSize === 0 && spec.batchSize !== 1) {
    throw new UsageError(`--batch-size ${spec.batchSize}: model '${metadata.name}' does not batch (max_batch_size 0); use --batch-size 1`);
  }
  if (maxBatchSize > 0 && spec.batchSize > maxBatchSize) {
    throw new UsageError(`--batch-size ${spec.batchSize} is above model '${metadata.name}''s max_batch_size ${maxBatchSize}`);
  }
  for (const name of Object.keys(spec.shapes)) {
    if (!metadata.inputs.some((i) => i.name === name)) {
      throw new UsageError(`--shape ${name}: the model has no input '${name}'; its inputs are: ${metadata.inputs.map((i) => i.name).join(', ')}`);
    }
  }
  if (spec.inputData !== 'zero' && spec.inputData !== 'random') return readInputFile(spec.inputData, metadata);
  return metadata.inputs.map((input) => {
    const shape = concreteShape(input, maxBatchSize > 0, spec);
    const count = shape.reduce((a, b) => a * b, 1);
    return { name: input.name, datatype: input.datatype, shape, data: Array.from({ length: count }, (_, i) => value(input.datatype, spec.inputData === 'random', i)) };
  });
}

function concreteShape(input: TensorMetadata, batched: boolean, spec: InputSpec): number[] {
  const model = [...input.shape];
  const given = spec.shapes[input.name];
  let shape: number[];
  if (given === undefined) {
    shape = batched ? [spec.batchSize, ...model.slice(1)] : model;
  } else if (batched && given.length === model.length - 1) {
    shape = [spec.batchSize, ...given];
  } else if (given.length === model.length) {
    if (batched && given[0] !== spec.batchSize) {
      throw new UsageError(`--shape ${input.name}: the first dim is the batch dim and must equal --batch-size ${spec.batchSize}, got ${given[0]} (or give the shape without it)`);
    }
    shape = [...given];
  } else {
    throw new UsageError(`--shape ${input.name}:${given.join(',')} has ${given.length} dims; input '${input.name}' has shape [${model.join(',')}]${batched ? ' (the first is the batch dim, which may be left out)' : ''}`);
  }
  shape.forEach((dim, i) => {
    const expected = model[i]!;
    if (dim < 0) {
      throw new UsageError(`input '${input.name}' has a dynamic dim (shape [${model.join(',')}]); give a concrete shape with --shape ${input.name}:${model.map((d) => (d < 0 ? 'N' : d)).join(',')}`);
    }
    if (expected >= 0 && dim !== expected && !(batched && i === 0)) {
      throw new UsageError(`--shape ${input.name}: dim ${i} must be ${expected} (input shape [${model.join(',')}]), got ${dim}`);
    }
  });
  return shape;
}

const INTEGER_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  INT8: [-128, 127], UINT8: [0, 255], INT16: [-1000, 1000], UINT16: [0, 1000], INT32: [-1000, 1000], UINT32: [0, 1000], INT64: [-1000, 1000], UINT64: [0, 1000],
};

function value(datatype: string, random: boolean, index: number): number | boolean | string {
  if (datatype === 'BOOL') return random ? Math.random() < 0.5 : false;
  if (datatype === 'BYTES') return random ? `wharf-${Math.random().toString(36).slice(2, 10)}` : `wharf-bench-${index}`;
  const range = INTEGER_RANGE[datatype];
  if (range !== undefined) return random ? range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1)) : 0;
  return random ? Math.random() : 0;
}

/**
 * A JSON file holding either a KServe request (`{"inputs": [{name, shape, datatype, data}]}`)
 * or an object by input name, each value as `wharf infer --input` takes it.
 */
async function readInputFile(path: string, metadata: ModelMetadata): Promise<JsonInput[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--input-data ${path}: expected zero, random or a JSON file: ${(error as Error).message}`);
  }
  const entries: [string, unknown][] = Array.isArray((parsed as { inputs?: unknown } | null)?.inputs)
    ? ((parsed as { inputs: { name?: unknown }[] }).inputs).map((input) => [String(input.name), input])
    : parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  if (entries.length === 0) throw new UsageError(`--input-data ${path}: expected {"inputs": [...]} or an object of inputs by name`);
  const inputs: JsonInput[] = [];
  for (const [name, value] of entries) {
    try {
      inputs.push(await parseInputArgument(`${name}=${JSON.stringify(value)}`, metadata.inputs));
    } catch (error) {
      throw new UsageError(`--input-data ${path}: ${(error as Error).message}`);
    }
  }
  const missing = metadata.inputs.filter((i) => !inputs.some((j) => j.name === i.name)).map((i) => i.name);
  if (missing.length > 0) throw new UsageError(`--input-data ${path}: no data for input(s) ${missing.join(', ')}`);
  return inputs;
}
