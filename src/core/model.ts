import type { DataType } from './data-type.js';

/** A tensor as model metadata describes it; -1 marks a variable dimension. */
export interface TensorMetadata {
  name: string;
  datatype: DataType;
  shape: number[];
}

/** KServe v2 model metadata. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

/**
 * Where a model version is in its life (Triton's ModelReadyState names).
 * UNAVAILABLE covers both "failed to load" and "unloaded"; the reason says which.
 */
export type ModelReadyState = 'UNKNOWN' | 'LOADING' | 'READY' | 'UNLOADING' | 'UNAVAILABLE';

export interface ModelVersionStatus {
  name: string;
  version: string;
  state: ModelReadyState;
  /** Why the version is not READY; empty when it is. */
  reason: string;
}

export interface ServerMetadata {
  name: string;
  version: string;
  extensions: string[];
}

/** A tensor as the model file itself declares it: full dims, `-1` where the file leaves a dim dynamic. */
export interface SignatureTensor {
  name: string;
  datatype: DataType;
  dims: number[];
}

/** What a backend read from a model file: the facts a config is completed from and checked against. */
export interface ModelSignature {
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
}
