/**
 * @module
 * Inputs for running a model offline: seeded random tensors shaped by the input specs, or
 * samples read from a JSON file.
 */
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { allocateData, dataTypeInfo, elementCount, numberToFloat16Bits, type DataType } from '../../core/index.js';
import type { InputSpec } from './input-specs.js';

/** Model inputs by name, ready for `InferenceSession.run`. */
export type Feeds = Record<string, ort.Tensor>;

/** A small deterministic generator (mulberry32): the same seed gives the same inputs on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random inputs: floats uniform in [-1, 1), integers in [0, 10) (small enough to be valid
 * indices for most embedding tables), booleans fair.
 * @throws Error for BYTES inputs, which have no meaningful random value.
 */
export function randomFeeds(specs: readonly InputSpec[], random: () => number): Feeds {
  const feeds: Feeds = {};
  for (const spec of specs) {
    const count = elementCount(spec.dims);
    const values = Array.from({ length: count }, () => randomValue(spec.datatype, random));
    feeds[spec.name] = toOrtTensor(spec.datatype, spec.dims, values);
  }
  return feeds;
}

function randomValue(datatype: DataType, random: () => number): number {
  switch (dataTypeInfo(datatype).valueKind) {
    case 'float':
    case 'half':
      return random() * 2 - 1;
    case 'bool':
      return random() < 0.5 ? 0 : 1;
    case 'int':
    case 'bigint':
      return Math.floor(random() * 10);
    case 'bytes':
      throw new Error('random inputs cannot be made for BYTES (string) inputs; give samples with --inputs');
  }
}

/** Plain numbers -> an ORT tensor of the datatype (FP16 as bit patterns, 64-bit as bigint). */
export function toOrtTensor(datatype: DataType, dims: readonly number[], values: readonly number[]): ort.Tensor {
  const info = dataTypeInfo(datatype);
  if (info.ortType === undefined || info.valueKind === 'bytes') throw new Error(`onnxruntime-node cannot take ${datatype} inputs`);
  const data = allocateData(datatype as Exclude<DataType, 'BYTES'>, values.length);
  values.forEach((value, index) => {
    const slot = info.valueKind === 'bigint' ? BigInt(Math.trunc(value)) : info.valueKind === 'half' ? numberToFloat16Bits(value) : value;
    (data as unknown as (number | bigint)[])[index] = slot;
  });
  return new ort.Tensor(info.ortType as 'float32', data as Float32Array, [...dims]);
}

/**
 * Reads samples from a JSON file: an array of objects, one per sample, mapping each input name
 * to its values, nested (`[[0.1, 0.2], ...]`, whose nesting gives the shape) or flat (shaped
 * by the spec).
 * @throws Error naming the file, the sample and the input when something does not fit.
 */
export async function readSampleFile(path: string, specs: readonly InputSpec[]): Promise<Feeds[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the samples file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the samples file ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) throw new Error(`the samples file ${path} must hold a non-empty JSON array of samples ({"input": values})`);
  return parsed.map((sample: unknown, index) => sampleFeeds(sample, specs, `${path} sample ${index}`));
}

function sampleFeeds(sample: unknown, specs: readonly InputSpec[], where: string): Feeds {
  if (sample === null || typeof sample !== 'object' || Array.isArray(sample)) throw new Error(`${where} is not an object of input values`);
  const record = sample as Record<string, unknown>;
  const known = new Set(specs.map((spec) => spec.name));
  const unknown = Object.keys(record).find((name) => !known.has(name));
  if (unknown !== undefined) throw new Error(`${where} has input '${unknown}', which the model does not have (inputs: ${[...known].join(', ')})`);
  const feeds: Feeds = {};
  for (const spec of specs) {
    const value = record[spec.name];
    if (value === undefined) throw new Error(`${where} lacks input '${spec.name}'`);
    const { values, dims } = flatten(value, `${where} input '${spec.name}'`);
    const shape = dims.length === 1 && spec.dims.length !== 1 ? spec.dims : dims;
    if (elementCount(shape) !== values.length) throw new Error(`${where} input '${spec.name}' has ${values.length} values, but shape [${shape.join(',')}] needs ${elementCount(shape)}`);
    if (shape.length !== spec.dims.length) throw new Error(`${where} input '${spec.name}' has rank ${shape.length}, but the model's input has rank ${spec.dims.length}`);
    feeds[spec.name] = toOrtTensor(spec.datatype, shape, values);
  }
  return feeds;
}

/** Nested arrays -> flat numbers and the shape the nesting gives; ragged nesting is an error. */
function flatten(value: unknown, where: string): { values: number[]; dims: number[] } {
  const values: number[] = [];
  const dims: number[] = [];
  let leafDepth: number | undefined;
  const ragged = (): Error => new Error(`${where} is ragged: its rows must all have the same length and depth`);
  const walk = (node: unknown, depth: number): void => {
    if (Array.isArray(node)) {
      if (leafDepth !== undefined && depth >= leafDepth) throw ragged();
      if (dims.length === depth) dims.push(node.length);
      else if (dims[depth] !== node.length) throw ragged();
      for (const item of node) walk(item, depth + 1);
      return;
    }
    leafDepth ??= depth;
    if (depth !== leafDepth || depth !== dims.length) throw ragged();
    if (typeof node === 'boolean') values.push(node ? 1 : 0);
    else if (typeof node === 'number' && Number.isFinite(node)) values.push(node);
    else throw new Error(`${where} holds ${JSON.stringify(node)}, which is not a finite number`);
  };
  walk(value, 0);
  if (dims.length === 0) throw new Error(`${where} must be an array of numbers`);
  return { values, dims };
}
