/**
 * @module
 * Server metadata, model metadata, repository index and model configuration <-> their
 * GRPCInferenceService response messages.
 */
import type { ModelMetadata, ModelReadyState, ModelVersionStatus, ServerMetadata, TensorMetadata } from '../../core/index.js';
import { invalid } from './grpc-fields.js';
import { readDataType } from './grpc-tensor.js';
import type {
  ModelConfigMessage, ModelIndexMessage, ModelMetadataResponseMessage, RepositoryIndexResponseMessage, ServerMetadataResponseMessage, TensorMetadataMessage,
} from './messages.js';

export function serverMetadataToGrpc(metadata: ServerMetadata): ServerMetadataResponseMessage {
  return { name: metadata.name, version: metadata.version, extensions: [...metadata.extensions] };
}

export function grpcToServerMetadata(message: ServerMetadataResponseMessage): ServerMetadata {
  return { name: message.name ?? '', version: message.version ?? '', extensions: [...(message.extensions ?? [])] };
}

export function modelMetadataToGrpc(metadata: ModelMetadata): ModelMetadataResponseMessage {
  const tensor = (t: TensorMetadata): TensorMetadataMessage => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(String) });
  return { name: metadata.name, versions: [...metadata.versions], platform: metadata.platform, inputs: metadata.inputs.map(tensor), outputs: metadata.outputs.map(tensor) };
}

/** @throws InferenceError ERR_INPUT_DATATYPE for an unknown datatype, ERR_INVALID_REQUEST for a dim that is not an integer. */
export function grpcToModelMetadata(message: ModelMetadataResponseMessage): ModelMetadata {
  const tensor = (t: TensorMetadataMessage, role: string): TensorMetadata => {
    const where = `${role} '${t.name ?? ''}'`;
    const shape = (t.shape ?? []).map(Number);
    // Metadata shapes may hold -1 (variable dims), so the tensor shape check does not apply.
    if (!shape.every((dim) => Number.isSafeInteger(dim) && dim >= -1)) throw invalid(`${where}: metadata shape [${(t.shape ?? []).join(',')}] must hold integers >= -1`);
    return { name: t.name ?? '', datatype: readDataType(t.datatype ?? '', where), shape };
  };
  return {
    name: message.name ?? '',
    versions: [...(message.versions ?? [])],
    platform: message.platform ?? '',
    inputs: (message.inputs ?? []).map((t) => tensor(t, 'input')),
    outputs: (message.outputs ?? []).map((t) => tensor(t, 'output')),
  };
}

export function modelIndexToGrpc(rows: readonly ModelVersionStatus[]): RepositoryIndexResponseMessage {
  return { models: rows.map((row): ModelIndexMessage => ({ name: row.name, version: row.version, state: row.state, reason: row.reason })) };
}

const STATES: ReadonlySet<string> = new Set<ModelReadyState>(['UNKNOWN', 'LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE']);

/** States Wharf does not know (another server's) read as UNKNOWN. */
export function grpcToModelIndex(message: RepositoryIndexResponseMessage): ModelVersionStatus[] {
  return (message.models ?? []).map((model) => ({
    name: model.name ?? '',
    version: model.version ?? '',
    state: STATES.has(model.state ?? '') ? (model.state as ModelReadyState) : 'UNKNOWN',
    reason: model.reason ?? '',
  }));
}

/**
 * The JSON config (engine.modelConfig(): Triton's JSON printing of ModelConfig, snake_case
 * names, enum names, maps as objects, oneof members only when set) is already the object form
 * proto-loader serializes under keepCase and `enums: String`, so this is a deep copy that only
 * makes sure every value is one protobufjs accepts: 64-bit integers may be numbers (the config
 * layer keeps them within ±(2^53-1)) or decimal strings, so bigints become strings, and
 * undefined members are dropped. Unknown fields would be ignored by the serializer.
 * @throws InferenceError ERR_INVALID_REQUEST when the config is not an object.
 */
export function modelConfigToGrpc(config: Readonly<Record<string, unknown>>): ModelConfigMessage {
  if (!isPlainObject(config)) throw invalid('a model configuration must be an object');
  return copyValue(config) as ModelConfigMessage;
}

function copyValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(copyValue);
  if (!isPlainObject(value)) return value;
  // fromEntries defines own data properties, so a `__proto__` map key stays a plain key.
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined).map(([key, entry]) => [key, copyValue(entry)]));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}
