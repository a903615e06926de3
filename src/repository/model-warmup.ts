/**
 * @module
 * Triton's model warm-up: the samples a config lists under `model_warmup` run against a freshly
 * loaded model version before it takes traffic, so that one-time costs (onnxruntime's first-run
 * allocations and kernel choices) are paid at load time instead of by the first clients.
 * @see {@link https://github.com/triton-inference-server/server/blob/main/docs/user_guide/model_configuration.md#model-warmup}
 *
 * Follows Triton core (`TritonModelInstance::GenerateWarmupData` and `WarmUp` in
 * src/backend_model_instance.cc), except where a comment says otherwise. Triton hands warm-up
 * requests straight to the backend, bypassing request normalization; Wharf checks each sample
 * against the config the way the engine checks a request, so a typo fails the load with a message
 * naming the warm-up and the input rather than with whatever the backend makes of it.
 */
import { readFile, realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ExecuteResult, LoadedModel } from '../backends/index.js';
import type { CompletedModelConfig, ModelInput, ModelWarmup, ModelWarmupInput } from '../config/index.js';
import {
  allocateData, dataTypeFromConfig, readBytesElements, dataTypeInfo, elementCount, formatShape, numberToBfloat16Bits, numberToFloat16Bits, reshapeKeepingBatch,
  type DataType, type Tensor,
} from '../core/index.js';
import { InferenceError, toInferenceError } from '../errors/index.js';

/** Folder of the model that `input_data_file` names are relative to (Triton's kWarmupDataFolder). */
const WARMUP_FOLDER = 'warmup';

/**
 * random_data integers are drawn from [0, RANDOM_INT_LIMIT). Triton fills the buffer with random
 * bytes; small non-negative values stay valid for the common integer inputs (token ids, indices
 * into an embedding, class ids), which arbitrary bytes are not.
 */
const RANDOM_INT_LIMIT = 16;

/**
 * Builds the tensors of one warm-up sample (the inputs of one execution), in config order: shape
 * `[batch_size, ...dims]` when the model batches, `dims` otherwise, and the config's `reshape`
 * applied, since the tensors go to the backend directly and the engine is what reshapes requests.
 * Reads nothing but `input_data_file` (under `<modelDir>/warmup/`).
 * @throws InferenceError ERR_WARMUP_FAILED naming the warm-up and the input.
 */
export function buildWarmupInputs(warmup: ModelWarmup, config: CompletedModelConfig, modelDir: string): Promise<Tensor[]> {
  return buildSample(warmup, config, modelDir, warmupLabel(config, warmup));
}

/**
 * Runs every model_warmup sample against `loaded`, in config order, `count` times each (at least
 * once), one execution at a time, requesting every config output. Every sample is built before
 * any runs (as Triton does), so a bad file in the last sample fails the load before the model
 * computes anything. Resolves at once when the config has no model_warmup.
 * @throws InferenceError ERR_WARMUP_FAILED naming the warm-up (its name or index), the input where
 *   there is one, and the cause; a backend's rejection is kept as `cause` and its message appended.
 */
export async function runModelWarmup(loaded: LoadedModel, config: CompletedModelConfig, modelDir: string): Promise<void> {
  const warmups = config.model_warmup ?? [];
  const samples: { label: string; count: number; inputs: Tensor[] }[] = [];
  for (const [index, warmup] of warmups.entries()) {
    const label = warmupLabel(config, warmup, index);
    // Triton (WarmupData) and the documentation: count 0 runs the sample once.
    samples.push({ label, count: Math.max(1, warmup.count ?? 0), inputs: await buildSample(warmup, config, modelDir, label) });
  }
  const outputNames = config.output.map((output) => output.name);
  // Triton warms every instance. One execution per instance at a time lands one on each worker
  // (the backends fill every instance before queueing a second run on any).
  const instances = Math.max(1, loaded.instanceCount);
  for (const { label, count, inputs } of samples) {
    for (let iteration = 1; iteration <= count; iteration++) {
      const where = `${label}, execution ${iteration} of ${count}`;
      await Promise.all(Array.from({ length: instances }, () => executeOnce(loaded, inputs, outputNames, where)));
    }
  }
}

async function executeOnce(loaded: LoadedModel, inputs: readonly Tensor[], outputNames: readonly string[], where: string): Promise<void> {
  let result: ExecuteResult;
  try {
    // execute() owns its inputs and may detach their buffers, so each execution gets a copy.
    result = await loaded.execute({ inputs: inputs.map(cloneTensor), outputNames });
  } catch (error) {
    throw failure(where, `the model failed: ${toInferenceError(error).message}`, error);
  }
  const missing = outputNames.filter((name) => !result.outputs.some((output) => output.name === name));
  if (missing.length > 0) throw failure(where, `the model returned no output ${missing.map((name) => `'${name}'`).join(', ')}`);
}

/** `model 'm' warm-up 'zeros' (model_warmup[0])`; the name is optional in Triton, the index is not always known. */
function warmupLabel(config: CompletedModelConfig, warmup: ModelWarmup, index?: number): string {
  const position = index === undefined ? undefined : `model_warmup[${index}]`;
  const name = warmup.name ? `'${warmup.name}'` : undefined;
  const which = name && position ? `${name} (${position})` : name ?? position ?? '(unnamed)';
  return `model '${config.name}' warm-up ${which}`;
}

function failure(where: string, problem: string, cause?: unknown): InferenceError {
  return new InferenceError('ERR_WARMUP_FAILED', `${where}: ${problem}`, cause === undefined ? {} : { cause });
}

async function buildSample(warmup: ModelWarmup, config: CompletedModelConfig, modelDir: string, label: string): Promise<Tensor[]> {
  checkBatchSize(warmup.batch_size, config, label);
  const given = new Map(Object.entries(warmup.inputs ?? {}));
  for (const name of given.keys()) {
    if (!config.input.some((spec) => spec.name === name)) {
      throw failure(`${label}, input '${name}'`, `is not an input of the model; its inputs are: ${config.input.map((spec) => spec.name).join(', ')}`);
    }
  }
  const tensors: Tensor[] = [];
  for (const spec of config.input) {
    const input = given.get(spec.name);
    if (input === undefined) {
      if (spec.optional) continue;
      throw failure(label, `has no entry for input '${spec.name}', which is not optional; add it to the warm-up's inputs`);
    }
    tensors.push(await buildInput(input, spec, config, warmup.batch_size, modelDir, `${label}, input '${spec.name}'`));
  }
  return tensors;
}

/** Config validation checks this too; repeated here because a caller may build its config in code. */
function checkBatchSize(batchSize: number, config: CompletedModelConfig, label: string): void {
  const max = config.max_batch_size;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw failure(label, `batch_size must be >= 1, got ${batchSize}`);
  if (max === 0 && batchSize !== 1) throw failure(label, `batch_size must be 1 when max_batch_size is 0, got ${batchSize}`);
  if (max > 0 && batchSize > max) throw failure(label, `batch_size ${batchSize} is larger than max_batch_size ${max}`);
}

async function buildInput(
  input: ModelWarmupInput, spec: ModelInput, config: CompletedModelConfig, batchSize: number, modelDir: string, where: string,
): Promise<Tensor> {
  if (input.data_type !== spec.data_type) throw failure(where, `data_type ${input.data_type} does not match the config input's ${spec.data_type}`);
  const datatype = dataTypeFromConfig(spec.data_type);
  if (datatype === undefined) throw failure(where, `data_type ${spec.data_type} is not a tensor datatype`);
  const dims = [...(input.dims ?? [])];
  checkDims(dims, spec, where);
  const count = elementCount(dims) * batchSize;
  let data: Tensor['data'];
  if (input.input_data_file !== undefined) {
    data = repeatSample(await readSampleFile(input.input_data_file, modelDir, datatype, elementCount(dims), where), datatype, batchSize);
  } else if (input.random_data !== undefined) {
    data = randomData(datatype, count);
  } else if (input.zero_data !== undefined) {
    // allocateData zero-fills; BYTES elements are empty, as Triton's 4 zero bytes per element decode.
    data = allocateData(datatype, count);
  } else {
    throw failure(where, 'sets none of zero_data, random_data, input_data_file');
  }
  const batched = config.max_batch_size > 0;
  const shape = batched ? [batchSize, ...dims] : dims;
  return { name: spec.name, datatype, shape: spec.reshape ? reshapeKeepingBatch(shape, spec.reshape.shape, batched) : shape, data } as Tensor;
}

/** Warm-up dims are what a client would send (without the batch dim): concrete, and agreeing with the config's. */
function checkDims(dims: readonly number[], spec: ModelInput, where: string): void {
  const variable = dims.findIndex((dim) => !Number.isSafeInteger(dim) || dim < 0);
  if (variable !== -1) {
    throw failure(where, `dims ${formatShape(dims)} has ${dims[variable]} at position ${variable}; a warm-up needs a concrete shape, so give every dim a size`);
  }
  if (dims.length !== spec.dims.length) {
    throw failure(where, `dims ${formatShape(dims)} has rank ${dims.length} but the config input's dims ${formatShape(spec.dims)} have rank ${spec.dims.length} (neither counts the batch dimension)`);
  }
  const mismatch = spec.dims.findIndex((dim, i) => dim !== -1 && dim !== dims[i]);
  if (mismatch !== -1) {
    throw failure(where, `dims ${formatShape(dims)} does not match the config input's dims ${formatShape(spec.dims)}: position ${mismatch} is ${dims[mismatch]}, expected ${spec.dims[mismatch]}`);
  }
}

/**
 * random_data for `count` elements: floats in [0, 1), integers in [0, RANDOM_INT_LIMIT), BOOL 0/1.
 * BYTES get empty elements, as in Triton, which uses its zero buffer for random TYPE_STRING data
 * because random bytes are not valid length-prefixed elements.
 */
function randomData(datatype: DataType, count: number): Tensor['data'] {
  const data = allocateData(datatype, count);
  if (Array.isArray(data)) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < count; i++) data[i] = BigInt(randomInt());
    return data;
  }
  const next = randomValue(datatype);
  for (let i = 0; i < count; i++) data[i] = next();
  return data;
}

function randomInt(): number {
  return Math.floor(Math.random() * RANDOM_INT_LIMIT);
}

/** A generator of valid values for a numeric datatype held in a number array (not BYTES, not 64-bit integers). */
function randomValue(datatype: DataType): () => number {
  switch (dataTypeInfo(datatype).valueKind) {
    case 'bool': return () => (Math.random() < 0.5 ? 0 : 1);
    case 'float': return Math.random;
    case 'half': {
      const toBits = datatype === 'BF16' ? numberToBfloat16Bits : numberToFloat16Bits;
      return () => toBits(Math.random());
    }
    default: return randomInt;
  }
}

/**
 * Reads the raw little-endian bytes of one sample (no batch dim) and checks them against `count`
 * elements. Triton accepts a numeric file longer than needed and uses its start; Wharf wants the
 * exact size, because a longer file almost always means a wrong data_type or dims.
 */
async function readSampleFile(file: string, modelDir: string, datatype: DataType, count: number, where: string): Promise<Uint8Array | Uint8Array[]> {
  const folder = resolve(modelDir, WARMUP_FOLDER);
  const path = resolve(folder, file);
  if (isAbsolute(file) || !isInside(folder, path)) throw failure(where, `input_data_file '${file}' must be a relative path inside ${folder}`);
  let bytes: Uint8Array;
  try {
    // A symlink could still lead out of the folder; compare where it really points.
    const real = await realpath(path);
    if (!isInside(await realpath(folder), real)) throw failure(where, `input_data_file '${file}' resolves to ${real}, outside ${folder}`);
    // A plain Uint8Array, not the Buffer: Buffer#slice makes views, and clones must be copies.
    bytes = new Uint8Array(await readFile(real));
  } catch (error) {
    if (error instanceof InferenceError) throw error;
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw failure(where, missing ? `input_data_file ${path} does not exist` : `cannot read input_data_file ${path}: ${toInferenceError(error).message}`, error);
  }
  const label = `input_data_file ${path}`;
  if (datatype === 'BYTES') {
    try {
      return readBytesElements(bytes, count, label, 'the file');
    } catch (error) {
      throw failure(where, toInferenceError(error).message, error);
    }
  }
  const expected = count * dataTypeInfo(datatype).byteSize;
  if (bytes.byteLength !== expected) {
    throw failure(where, `${label} has ${bytes.byteLength} bytes but ${count} ${datatype} elements (one sample, without the batch dim) take ${expected}`);
  }
  const notBool = datatype === 'BOOL' ? bytes.findIndex((byte) => byte > 1) : -1;
  if (notBool !== -1) throw failure(where, `${label}: byte ${notBool} is ${bytes[notBool]}; BOOL elements are 0 (false) or 1 (true)`);
  return bytes;
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Triton repeats the one sample of a file for each of the batch_size requests it makes. */
function repeatSample(sample: Uint8Array | Uint8Array[], datatype: DataType, batchSize: number): Tensor['data'] {
  if (Array.isArray(sample)) return Array.from({ length: sample.length * batchSize }, (_, i) => sample[i % sample.length]!.slice());
  const batch = new Uint8Array(sample.byteLength * batchSize);
  for (let b = 0; b < batchSize; b++) batch.set(sample, b * sample.byteLength);
  const info = dataTypeInfo(datatype);
  // A fresh buffer is aligned for every element size; numeric datatypes always have an array type.
  return new info.array!(batch.buffer, 0, batch.byteLength / info.byteSize);
}

function cloneTensor(tensor: Tensor): Tensor {
  const data = tensor.datatype === 'BYTES' ? tensor.data.map((element) => element.slice()) : tensor.data.slice();
  return { ...tensor, shape: [...tensor.shape], data } as Tensor;
}
