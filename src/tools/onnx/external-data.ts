/**
 * @module
 * ONNX external data as pure functions: find every tensor of a model, move initializer bytes out
 * to a side file (externalizeData) and back in (inlineExternalData). File access is the caller's,
 * through a reader callback, so that the rules (which locations are allowed, which lengths must
 * match) are testable without a disk.
 *
 * External data is described in onnx/docs/ExternalData.md: a tensor with
 * `data_location = EXTERNAL` keeps its bytes in `external_data` entries `location` (a path
 * relative to the model file's folder), `offset` and `length` (decimal strings, bytes) and
 * `checksum` (SHA-1, which nothing checks and neither do we).
 */
import { dataTypeFromOnnx, dataTypeInfo, elementCount } from '../../core/index.js';
import { InferenceError } from '../../errors/index.js';
import { DATA_LOCATION, type AttributeProto, type GraphProto, type OnnxModel, type SparseTensorProto, type TensorProto } from './onnx-types.js';

/** A tensor of a model and whether it is an initializer (the only kind externalizeData moves out). */
export interface TensorSite {
  readonly tensor: TensorProto;
  readonly isInitializer: boolean;
}

/**
 * Every tensor in a model, in file order: initializers and sparse initializers of the graph,
 * tensors in node attributes, the same in every subgraph (If/Loop/Scan bodies), in function
 * bodies and in training-info graphs.
 */
export function modelTensors(model: OnnxModel): TensorSite[] {
  const sites: TensorSite[] = [];
  const sparse = (tensor: SparseTensorProto | undefined, isInitializer: boolean): void => {
    if (tensor?.values !== undefined) sites.push({ tensor: tensor.values, isInitializer });
    if (tensor?.indices !== undefined) sites.push({ tensor: tensor.indices, isInitializer });
  };
  const attribute = (value: AttributeProto): void => {
    if (value.t !== undefined) sites.push({ tensor: value.t, isInitializer: false });
    for (const tensor of value.tensors ?? []) sites.push({ tensor, isInitializer: false });
    sparse(value.sparseTensor, false);
    for (const tensor of value.sparseTensors ?? []) sparse(tensor, false);
    if (value.g !== undefined) graph(value.g);
    for (const body of value.graphs ?? []) graph(body);
  };
  const graph = (value: GraphProto): void => {
    for (const tensor of value.initializer ?? []) sites.push({ tensor, isInitializer: true });
    for (const tensor of value.sparseInitializer ?? []) sparse(tensor, true);
    for (const node of value.node ?? []) for (const item of node.attribute ?? []) attribute(item);
  };
  if (model.graph !== undefined) graph(model.graph);
  for (const fn of model.functions ?? []) {
    for (const item of fn.attributeProto ?? []) attribute(item);
    for (const node of fn.node ?? []) for (const item of node.attribute ?? []) attribute(item);
  }
  for (const info of model.trainingInfo ?? []) {
    if (info.initialization !== undefined) graph(info.initialization);
    if (info.algorithm !== undefined) graph(info.algorithm);
  }
  return sites;
}

/** Where a tensor's bytes are in a side file, as parsed from its `external_data` entries. */
export interface ExternalDataRef {
  readonly tensorName: string;
  /** As written in the model: relative to the model file's folder, '/'-separated. */
  readonly location: string;
  readonly offset: number;
  /** Absent: to the end of the file. */
  readonly length: number | undefined;
}

/**
 * Reads `length` bytes (or to the end of the file) at `offset` of `location`. Must throw when
 * the file is missing or shorter than asked for, naming the location.
 */
export type ExternalDataReader = (ref: ExternalDataRef) => Promise<Uint8Array>;

function loadError(message: string, path: string, cause?: unknown): InferenceError {
  return new InferenceError('ERR_MODEL_LOAD_FAILED', message, { details: [{ path, problem: message }], ...(cause === undefined ? {} : { cause }) });
}

/**
 * Checks that an external-data location stays inside the model's folder, lexically: relative,
 * no '..' segment that climbs out, no drive or UNC prefix. A model file from elsewhere must not
 * make us read /etc/passwd or ../../secrets. Symlinks are the reader's to check.
 * @returns the location normalized to '/'-separated segments without '.' parts.
 */
export function checkExternalLocation(location: string, tensorName: string): string {
  const refuse = (why: string): InferenceError =>
    loadError(`tensor '${tensorName}': external data location '${location}' ${why}; it must be a relative path inside the model's folder`, `tensor '${tensorName}'.external_data.location`);
  if (location === '') throw refuse('is empty');
  if (location.includes('\0')) throw refuse('contains a NUL character');
  // Windows separators count too: a model written on Windows may use them, and a drive letter
  // or UNC prefix is absolute there.
  if (/^[\\/]/.test(location) || /^[a-zA-Z]:/.test(location)) throw refuse('is absolute');
  const segments: string[] = [];
  for (const segment of location.split(/[\\/]/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) throw refuse('escapes the folder');
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  if (segments.length === 0) throw refuse('names no file');
  return segments.join('/');
}

/** The `external_data` entries of a tensor, parsed and checked. */
export function externalDataRef(tensor: TensorProto): ExternalDataRef {
  const tensorName = tensor.name ?? '';
  const entries = new Map((tensor.externalData ?? []).map((entry) => [entry.key ?? '', entry.value ?? '']));
  const where = `tensor '${tensorName}'.external_data`;
  const location = entries.get('location');
  if (location === undefined) throw loadError(`tensor '${tensorName}' keeps its data externally but has no 'location' entry`, where);
  const count = (key: 'offset' | 'length'): number | undefined => {
    const text = entries.get(key);
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw loadError(`tensor '${tensorName}': external data ${key} '${text}' is not a non-negative integer`, `${where}.${key}`);
    }
    return Number(text);
  };
  const ref = { tensorName, location: checkExternalLocation(location, tensorName), offset: count('offset') ?? 0, length: count('length') };
  const expected = expectedByteLength(tensor);
  if (ref.length !== undefined && expected !== undefined && ref.length !== expected) {
    throw loadError(`tensor '${tensorName}': external data length ${ref.length} does not match its dims and type, which need ${expected} bytes`, `${where}.length`);
  }
  return ref;
}

/** Bytes the tensor's elements take, for fixed-size types Wharf knows; undefined otherwise. */
function expectedByteLength(tensor: TensorProto): number | undefined {
  const datatype = dataTypeFromOnnx(tensor.dataType ?? 0);
  if (datatype === undefined) return undefined;
  const info = dataTypeInfo(datatype);
  if (info.array === undefined) return undefined;
  return elementCount((tensor.dims ?? []).map(Number)) * info.byteSize;
}

/**
 * A copy of the message tree in which every object and array is new but bytes (Uint8Array) are
 * shared: enough to replace fields of the copy without touching the original, at the cost of
 * the structure only, not of the (possibly gigabytes of) tensor data.
 */
export function copyModelStructure<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => copyModelStructure(item)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = copyModelStructure(field);
  return out as T;
}

/**
 * A copy of `model` with every external tensor's bytes read through `read` and put into
 * raw_data; `data_location` and `external_data` are removed, so the copy is self-contained.
 * `model` is not changed.
 * @throws InferenceError ERR_MODEL_LOAD_FAILED naming the tensor and location when an entry is
 * malformed, escapes the folder, or the reader fails or returns the wrong number of bytes.
 */
export async function inlineExternalData(model: OnnxModel, read: ExternalDataReader): Promise<OnnxModel> {
  const copy = copyModelStructure(model);
  for (const { tensor } of modelTensors(copy)) {
    if (tensor.dataLocation !== DATA_LOCATION.EXTERNAL) continue;
    const ref = externalDataRef(tensor);
    const bytes = await read(ref);
    const expected = ref.length ?? expectedByteLength(tensor);
    if (expected !== undefined && bytes.byteLength !== expected) {
      throw loadError(`tensor '${ref.tensorName}': external data file '${ref.location}' gave ${bytes.byteLength} bytes at offset ${ref.offset}, ${expected} expected`, `tensor '${ref.tensorName}'.external_data`);
    }
    tensor.rawData = bytes;
    delete tensor.externalData;
    delete tensor.dataLocation;
  }
  return copy;
}

/** True when some tensor of the model keeps its data in an external file. */
export function hasExternalData(model: OnnxModel): boolean {
  return modelTensors(model).some(({ tensor }) => tensor.dataLocation === DATA_LOCATION.EXTERNAL);
}

export interface ExternalizeOptions {
  /** Initializers whose raw_data has at least this many bytes move out. */
  readonly thresholdBytes: number;
  /** The side file, relative to the model's folder. */
  readonly location: string;
}

export interface ExternalizedModel {
  /** A copy of the input whose large initializers point into the side file. */
  readonly model: OnnxModel;
  /** The side file's content, in order, padding included; empty when nothing moved out. */
  readonly chunks: readonly Uint8Array[];
  readonly dataBytes: number;
}

/**
 * Offsets are aligned so that a runtime may memory-map tensors: large tensors to 64 KiB (the
 * Windows allocation granularity, as onnx.external_data_helper does above 1 MiB), others to 64
 * bytes (a cache line, enough for any SIMD load).
 */
const LARGE_TENSOR_BYTES = 1 << 20;
const LARGE_ALIGNMENT = 1 << 16;
const SMALL_ALIGNMENT = 64;

/**
 * Moves the raw_data of initializers (graph and subgraphs) of at least `thresholdBytes` into one
 * side file. Tensors in node attributes (Constant values) stay inline, as onnx does by default;
 * so do tensors whose elements are not in raw_data (strings, typed *_data fields).
 * `model` is not changed.
 * @throws Error when the model already has external tensors (inline them first: their bytes
 * are not in memory) or the location is not a plain relative path.
 */
export function externalizeData(model: OnnxModel, options: ExternalizeOptions): ExternalizedModel {
  if (!Number.isFinite(options.thresholdBytes) || options.thresholdBytes < 0) throw new RangeError(`externalDataThreshold must be a number >= 0, got ${options.thresholdBytes}`);
  const location = checkExternalLocation(options.location, '(side file)');
  const copy = copyModelStructure(model);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { tensor, isInitializer } of modelTensors(copy)) {
    if (tensor.dataLocation === DATA_LOCATION.EXTERNAL) {
      throw new Error(`tensor '${tensor.name ?? ''}' still keeps its data in an external file; read the model with readModelFile, which inlines it, before writing`);
    }
    const raw = tensor.rawData;
    if (!isInitializer || raw === undefined || raw.byteLength < options.thresholdBytes || raw.byteLength === 0) continue;
    const alignment = raw.byteLength >= LARGE_TENSOR_BYTES ? LARGE_ALIGNMENT : SMALL_ALIGNMENT;
    const padding = (alignment - (offset % alignment)) % alignment;
    if (padding > 0) chunks.push(new Uint8Array(padding));
    offset += padding;
    chunks.push(raw);
    tensor.externalData = [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(raw.byteLength) },
    ];
    tensor.dataLocation = DATA_LOCATION.EXTERNAL;
    delete tensor.rawData;
    offset += raw.byteLength;
  }
  return { model: copy, chunks, dataBytes: offset };
}
