import type { ErrorCode } from '../../errors/index.js';
import type { ModelSignature, Tensor } from '../../core/index.js';
import type { OrtSessionSettings } from './session-options.js';

/** Data a session worker starts with. */
export interface SessionWorkerData {
  modelPath: string;
  settings: OrtSessionSettings;
}

export interface RunMessage {
  kind: 'run';
  id: number;
  inputs: Tensor[];
  outputNames: readonly string[];
}

export type WorkerReply =
  | { kind: 'ready'; signature: ModelSignature }
  | { kind: 'load-failed'; code: ErrorCode; message: string }
  | { kind: 'result'; id: number; outputs: Tensor[]; computeInferNs: number }
  | { kind: 'run-failed'; id: number; code: ErrorCode; message: string };
