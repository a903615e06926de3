import type { Tensor } from './tensor.js';

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
