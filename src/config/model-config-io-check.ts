/**
 * @module
 * Config tensors against the tensors the model file declares, with the rules of Triton's ONNX
 * Runtime backend (ValidateInputs / ValidateOutputs): every config tensor must exist in the file
 * with the same datatype; with max_batch_size > 0 the file's first dim must be the dynamic batch
 * dim and config dims describe the rest; a config dim may narrow a dynamic file dim but not widen
 * a fixed one; a reshape is what the model receives, so it is compared instead of dims.
 * Every model input must be configured; outputs may be a subset.
 */
import { dataTypeFromConfig, dataTypeInfo, type SignatureTensor } from '../core/index.js';
import { didYouMean, fieldPath, indexPath, type ProblemList } from './config-problems.js';
import type { ModelInput, ModelOutput } from './model-config.js';

export interface IoCheckContext {
  readonly modelFile: string;
  readonly maxBatchSize: number;
}

type Tensor = ModelInput | ModelOutput;

export const formatDims = (dims: readonly number[]): string => `[${dims.join(',')}]`;

export function checkTensorsAgainstModel(
  kind: 'input' | 'output', tensors: readonly Tensor[], declared: readonly SignatureTensor[], context: IoCheckContext, problems: ProblemList,
): void {
  const byName = new Map(declared.map((t) => [t.name, t]));
  tensors.forEach((tensor, i) => {
    const path = indexPath(kind, i);
    const fileTensor = byName.get(tensor.name);
    if (fileTensor === undefined) {
      const names = declared.map((t) => t.name);
      const hint = didYouMean(tensor.name, names);
      problems.add(fieldPath(path, 'name'), `${JSON.stringify(tensor.name)} is not an ${kind} of ${context.modelFile}; `
        + `${hint === undefined ? '' : `did you mean ${JSON.stringify(hint)}? `}its ${kind}s are ${names.map((n) => JSON.stringify(n)).join(', ') || '(none)'}`);
      return;
    }
    if (dataTypeFromConfig(tensor.data_type) !== fileTensor.datatype) {
      problems.add(fieldPath(path, 'data_type'),
        `${tensor.data_type} does not match ${context.modelFile}, which declares ${tensor.name} as ${dataTypeInfo(fileTensor.datatype).config}`);
    }
    checkShape(tensor, fileTensor, path, context, problems);
  });
  // An empty list is completed from the model file instead, so there is nothing missing to report.
  if (kind === 'input' && tensors.length > 0) {
    const configured = new Set(tensors.map((t) => t.name));
    for (const fileTensor of declared) {
      if (configured.has(fileTensor.name)) continue;
      problems.add('input', `${context.modelFile} has input ${JSON.stringify(fileTensor.name)} (${dataTypeInfo(fileTensor.datatype).config} `
        + `${formatDims(fileTensor.dims)}) that the config does not list; every model input must be configured`);
    }
  }
}

function checkShape(tensor: Tensor, fileTensor: SignatureTensor, path: string, context: IoCheckContext, problems: ProblemList): void {
  const mbs = context.maxBatchSize;
  const reshaped = tensor.reshape !== undefined;
  const shown = reshaped ? 'reshape.shape' : 'dims';
  const shape = tensor.reshape?.shape ?? tensor.dims;
  const declared = fileTensor.dims;
  const where = fieldPath(path, shown);
  const model = `${context.modelFile} declares ${fileTensor.name} as ${formatDims(declared)}`;

  // Triton's ONNX backend reads a rank-0 model tensor as config dims [1] when there is no batching.
  if (declared.length === 0 && mbs === 0 && !reshaped && shape.length === 1 && shape[0] === 1) return;

  if (mbs > 0 && declared[0] !== -1) {
    problems.add(where, `max_batch_size ${mbs} needs a dynamic first (batch) dimension, but ${model}. `
      + `Use max_batch_size: 0 with dims: ${formatDims(declared)}, or export the model with a dynamic batch dimension`);
    return;
  }
  const expected = mbs > 0 ? declared.slice(1) : declared;
  if (shape.length !== expected.length) {
    problems.add(where, rankProblem(shape, declared, shown, reshaped, mbs, model));
    return;
  }
  const mismatches: string[] = [];
  shape.forEach((d, k) => {
    const fileDim = expected[k] ?? -1;
    if (fileDim === -1 || d === fileDim) return;
    mismatches.push(d === -1
      ? `dim ${k} is variable (-1) in the config but fixed at ${fileDim} in the model`
      : `dim ${k} is ${d} in the config but ${fileDim} in the model`);
  });
  if (mismatches.length > 0) {
    const batchNote = mbs > 0 ? ' (config dims exclude its batch dimension)' : '';
    problems.add(where, `${formatDims(shape)} does not match: ${model}${batchNote}; ${mismatches.join('; ')}`);
  }
}

/** The most common config mistake (Triton issues #1889, #4384, #7462): mixing up the batch convention. */
function rankProblem(shape: readonly number[], declared: readonly number[], shown: string, reshaped: boolean, mbs: number, model: string): string {
  const subject = reshaped ? 'the model receives' : 'requests of shape';
  const seen = mbs > 0 ? `[${['batch', ...shape].join(',')}]` : formatDims(shape);
  const head = `${formatDims(shape)} with max_batch_size ${mbs} means ${subject} ${seen}, but ${model} (rank ${declared.length}).`;
  if (mbs > 0) {
    const rest = declared.slice(1);
    const fix = rest.length === 0 ? 'dims: [1] with reshape: { shape: [] }' : `${shown}: ${formatDims(rest)}`;
    return `${head} Config dims exclude the batch dimension when max_batch_size > 0; did you mean ${fix}?`;
  }
  const batchable = declared[0] === -1 && shape.length === declared.length - 1;
  const fix = batchable
    ? `max_batch_size > 0 (e.g. 4) to keep ${shown}: ${formatDims(shape)}, or ${shown}: ${formatDims(declared)}`
    : `${shown}: ${formatDims(declared)}`;
  return `${head} With max_batch_size 0 config dims are the full shape; did you mean ${fix}?`;
}
