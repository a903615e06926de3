import { normalizeTensorInput, type Tensor, type TensorInput } from './tensor.js';

/** Request and response parameters, as in KServe v2 (`parameters` objects). */
export type Parameters = Record<string, string | number | boolean>;

export interface RequestedOutput {
  name: string;
  parameters?: Parameters;
}

export interface InferRequest {
  modelName: string;
  /** Absent: the server picks the highest ready version. */
  modelVersion?: string;
  id?: string;
  parameters?: Parameters;
  inputs: Tensor[];
  /** Absent: every output, in the model's order. Present: exactly these, in this order. */
  outputs?: RequestedOutput[];
}

export interface InferResponse {
  modelName: string;
  modelVersion: string;
  id?: string;
  parameters?: Parameters;
  outputs: Tensor[];
}

/** An inference request as library and client users write it: BYTES data may be strings, outputs plain names. */
export interface InferInput {
  readonly modelName: string;
  /** Absent: the server picks the highest ready version. */
  readonly modelVersion?: string;
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly TensorInput[];
  readonly outputs?: readonly (RequestedOutput | string)[];
}

/** The internal form of a user's request: BYTES as bytes, outputs as objects, absent fields left out. */
export function toInferRequest(input: InferInput): InferRequest {
  return {
    modelName: input.modelName,
    ...(input.modelVersion !== undefined ? { modelVersion: input.modelVersion } : {}),
    ...(input.id !== undefined ? { id: input.id } : {}),
    ...(input.parameters !== undefined ? { parameters: input.parameters } : {}),
    inputs: input.inputs.map(normalizeTensorInput),
    ...(input.outputs !== undefined ? { outputs: input.outputs.map((o) => (typeof o === 'string' ? { name: o } : o)) } : {}),
  };
}
