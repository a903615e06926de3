/**
 * @module
 * Rules a well-typed config must also follow, after Triton's ValidateModelConfig and
 * ValidateIOShape (core/src/model_config_utils.cc). Checks that depend on max_batch_size run
 * only once it is known: when the config sets it, or after completion has inferred it.
 */
import { fieldPath, indexPath, keyPath, type ProblemList } from './config-problems.js';
import type { ModelConfig, ModelDynamicBatching, ModelInput, ModelOutput, ModelWarmup } from './model-config.js';

export interface SemanticContext {
  /** The model folder name; `name`, when set, must equal it. */
  readonly modelName: string | undefined;
}

const SCALAR_HINT = 'for a scalar use dims: [1] with reshape: { shape: [] }';

export function checkModelConfigSemantics(config: ModelConfig, context: SemanticContext, problems: ProblemList): void {
  const mbs = config.max_batch_size;
  if (context.modelName !== undefined && config.name !== undefined && config.name !== '' && config.name !== context.modelName) {
    problems.add('name', `${JSON.stringify(config.name)} does not match the model folder ${JSON.stringify(context.modelName)}; remove name or make it equal to the folder name`);
  }
  if (mbs !== undefined && mbs < 0) problems.add('max_batch_size', `${mbs} is negative; use 0 to disable batching or N > 0 to allow batches of up to N`);
  checkTensors('input', config.input ?? [], mbs, problems);
  checkTensors('output', config.output ?? [], mbs, problems);
  checkInstanceGroups(config, problems);
  checkVersionPolicy(config, problems);
  if (config.dynamic_batching !== undefined) checkDynamicBatching(config.dynamic_batching, mbs, problems);
  (config.model_warmup ?? []).forEach((warmup, i) => checkWarmup(warmup, indexPath('model_warmup', i), mbs, problems));
  for (const [key, parameter] of Object.entries(config.parameters ?? {})) {
    if (typeof parameter.string_value !== 'string') problems.add(keyPath('parameters', key), 'must be written { string_value: "..." }');
  }
  checkEnsemble(config, problems);
}

type Tensor = ModelInput | ModelOutput;

function checkTensors(kind: 'input' | 'output', tensors: readonly Tensor[], mbs: number | undefined, problems: ProblemList): void {
  const seen = new Map<string, number>();
  tensors.forEach((tensor, i) => {
    const path = indexPath(kind, i);
    const name = tensor.name as string | undefined;
    if (name === undefined || name === '') {
      problems.add(fieldPath(path, 'name'), `every ${kind} needs a non-empty name`);
    } else if (seen.has(name)) {
      problems.add(fieldPath(path, 'name'), `${JSON.stringify(name)} is already the name of ${kind}[${seen.get(name)}]; ${kind} names must be unique`);
    } else {
      seen.set(name, i);
    }
    const dataType = tensor.data_type as string | undefined;
    if (dataType === undefined || dataType === 'TYPE_INVALID') problems.add(fieldPath(path, 'data_type'), 'must be set, e.g. data_type: TYPE_FP32');
    checkShape(tensor, path, mbs, problems);
    if ('format' in tensor && (tensor.format === 'FORMAT_NHWC' || tensor.format === 'FORMAT_NCHW') && (tensor.dims as readonly number[] | undefined)?.length !== 3) {
      problems.add(fieldPath(path, 'format'), `${tensor.format} needs exactly 3 dims (without the batch dimension)`);
    }
  });
}

function checkShape(tensor: Tensor, path: string, mbs: number | undefined, problems: ProblemList): void {
  const dims = (tensor.dims as readonly number[] | undefined) ?? [];
  if (dims.length === 0) problems.add(fieldPath(path, 'dims'), `must list at least one dimension; ${SCALAR_HINT}`);
  checkDims(dims, fieldPath(path, 'dims'), problems);
  const reshape = tensor.reshape;
  if (reshape === undefined) return;
  const shape = reshape.shape as readonly number[] | undefined ?? [];
  const shapePath = fieldPath(path, 'reshape.shape');
  checkDims(shape, shapePath, problems);
  // An empty reshape is a scalar per batch entry; without a batch dimension it would hold no data.
  if (shape.length === 0 && mbs === 0) problems.add(shapePath, 'cannot be empty when max_batch_size is 0');
  if (dims.length > 0 && !sameVolume(dims, shape)) {
    problems.add(shapePath, `[${shape.join(',')}] does not hold the same number of elements as dims [${dims.join(',')}]`);
  }
}

function checkDims(dims: readonly number[], path: string, problems: ProblemList): void {
  dims.forEach((d, k) => {
    if (d < -1) problems.add(indexPath(path, k), `${d} is not a dimension; use -1 for a variable size or a size >= 0`);
  });
}

/**
 * Whether `dims` and `reshape` describe the same number of elements. With variable dims, the
 * fixed runs between the -1s must match one for one (Triton: [2,4,-1,6] may become [8,-1,1,6]).
 * An empty reshape (a scalar) matches dims [1].
 */
function sameVolume(dims: readonly number[], reshape: readonly number[]): boolean {
  if (reshape.length === 0) return dims.every((d) => d === 1);
  const runs = (shape: readonly number[]): number[] => {
    const out = [1];
    for (const d of shape) {
      if (d === -1) out.push(1);
      else out[out.length - 1] = (out[out.length - 1] ?? 1) * d;
    }
    return out;
  };
  const a = runs(dims);
  const b = runs(reshape);
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function checkInstanceGroups(config: ModelConfig, problems: ProblemList): void {
  (config.instance_group ?? []).forEach((group, i) => {
    const path = indexPath('instance_group', i);
    if (group.count !== undefined && group.count < 0) problems.add(fieldPath(path, 'count'), `${group.count} is negative; use 1 or more (0 means the default of 1)`);
    (group.gpus ?? []).forEach((gpu, k) => {
      if (gpu < 0) problems.add(indexPath(fieldPath(path, 'gpus'), k), `${gpu} is not a GPU index`);
    });
    if ((group.kind === 'KIND_CPU' || group.kind === 'KIND_MODEL') && (group.gpus ?? []).length > 0) {
      problems.add(fieldPath(path, 'gpus'), `a ${group.kind} group cannot list gpus`);
    }
  });
}

function checkVersionPolicy(config: ModelConfig, problems: ProblemList): void {
  const policy = config.version_policy;
  if (policy === undefined) return;
  if ('latest' in policy) {
    const n = (policy.latest.num_versions as number | undefined) ?? 0;
    if (n < 1) problems.add('version_policy.latest.num_versions', `must be >= 1, got ${n}`);
  } else if ('specific' in policy) {
    ((policy.specific.versions as readonly number[] | undefined) ?? []).forEach((v, k) => {
      if (v < 1) problems.add(`version_policy.specific.versions[${k}]`, `${v} is not a version; versions are numbered from 1`);
    });
  }
}

function checkDynamicBatching(batching: ModelDynamicBatching, mbs: number | undefined, problems: ProblemList): void {
  if (mbs === 0) problems.add('dynamic_batching', 'needs max_batch_size > 0; with max_batch_size 0 the model takes no batch dimension');
  (batching.preferred_batch_size ?? []).forEach((size, k) => {
    const path = `dynamic_batching.preferred_batch_size[${k}]`;
    if (size < 1) problems.add(path, `${size} is not a batch size; sizes start at 1`);
    else if (mbs !== undefined && mbs > 0 && size > mbs) problems.add(path, `${size} is larger than max_batch_size ${mbs}`);
  });
  const delay = batching.max_queue_delay_microseconds;
  if (delay !== undefined && delay < 0) problems.add('dynamic_batching.max_queue_delay_microseconds', 'must be >= 0');
  const levels = batching.priority_levels ?? 0;
  const defaultLevel = batching.default_priority_level ?? 0;
  if (levels > 0 && (defaultLevel < 1 || defaultLevel > levels)) {
    problems.add('dynamic_batching.default_priority_level', `must be between 1 and priority_levels (${levels}), got ${defaultLevel}`);
  } else if (levels === 0 && defaultLevel !== 0) {
    problems.add('dynamic_batching.default_priority_level', 'is set but priority_levels is not');
  }
  for (const key of Object.keys(batching.priority_queue_policy ?? {})) {
    const level = Number(key);
    if (level < 1 || level > levels) {
      problems.add(keyPath('dynamic_batching.priority_queue_policy', key), `priority level ${key} is outside 1..priority_levels (${levels})`);
    }
  }
}

function checkWarmup(warmup: ModelWarmup, path: string, mbs: number | undefined, problems: ProblemList): void {
  const size = (warmup.batch_size as number | undefined) ?? 0;
  if (size < 1) problems.add(fieldPath(path, 'batch_size'), `must be >= 1, got ${size}`);
  else if (mbs !== undefined && mbs > 0 && size > mbs) problems.add(fieldPath(path, 'batch_size'), `${size} is larger than max_batch_size ${mbs}`);
  else if (mbs === 0 && size > 1) problems.add(fieldPath(path, 'batch_size'), `must be 1 when max_batch_size is 0, got ${size}`);
  for (const [name, input] of Object.entries(warmup.inputs ?? {})) {
    const inputPath = keyPath(fieldPath(path, 'inputs'), name);
    const dataType = input.data_type as string | undefined;
    if (dataType === undefined || dataType === 'TYPE_INVALID') problems.add(fieldPath(inputPath, 'data_type'), 'must be set, e.g. data_type: TYPE_FP32');
    checkDims(input.dims ?? [], fieldPath(inputPath, 'dims'), problems);
    if (input.zero_data === undefined && input.random_data === undefined && input.input_data_file === undefined) {
      problems.add(inputPath, 'must set one of zero_data, random_data or input_data_file');
    }
  }
}

function checkEnsemble(config: ModelConfig, problems: ProblemList): void {
  const ensemble = config.ensemble_scheduling;
  if (ensemble === undefined) {
    if (config.platform === 'ensemble') problems.add('ensemble_scheduling', 'platform "ensemble" needs an ensemble_scheduling block with at least one step');
    return;
  }
  if (config.platform !== 'ensemble') {
    problems.add('platform', `ensemble_scheduling needs platform: "ensemble"${config.platform === undefined ? '' : `, got ${JSON.stringify(config.platform)}`}`);
  }
  const steps = (ensemble.step as EnsembleStepList | undefined) ?? [];
  if (steps.length === 0) problems.add('ensemble_scheduling.step', 'an ensemble needs at least one step');
  steps.forEach((step, i) => {
    if (step.model_name === undefined || step.model_name === '') problems.add(`ensemble_scheduling.step[${i}].model_name`, 'must name the model this step runs');
  });
  if ((config.model_warmup ?? []).length > 0) problems.add('model_warmup', 'an ensemble cannot be warmed up; warm up its step models instead');
}

type EnsembleStepList = readonly { readonly model_name?: string }[];
