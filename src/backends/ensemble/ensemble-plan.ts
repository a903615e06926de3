/**
 * @module
 * Load-time validation of an ensemble against the completed configs of its composing models,
 * after Triton's ValidateEnsembleConfig (core/src/ensemble_scheduler/ensemble_utils.cc): every
 * composing model available, every step input mapped, every mapped name a real input or output
 * of the step model, datatypes and shapes consistent along each edge and with the ensemble's own
 * inputs and outputs, batch sizes compatible, no tensor produced twice, no cycle. Every problem
 * is reported at once, each naming its step and model.
 *
 * Shapes are compared in full, batch dimension included: a model with max_batch_size > 0 takes
 * `[-1, ...dims]`, one without takes `dims`, and -1 matches any size. Triton also accepts equal
 * `dims` between a batching and a non-batching model, whose tensors then differ in rank at run
 * time; Wharf refuses that at load.
 */
import { InferenceError } from '../../errors/index.js';
import { dataTypeFromConfig, formatShape } from '../../core/index.js';
import type { CompletedModelConfig, EnsembleStep, ModelConfig, ModelInput, ModelOutput } from '../../config/index.js';
import { analyzeEnsembleGraph, mapPath, stepPath, type EnsembleProblem, type StepMapping } from './ensemble-graph.js';

/**
 * The completed config of the composing model version a step would use (`version` undefined:
 * the one a request without a version goes to). Throws an InferenceError saying why there is
 * none (unknown model, not READY).
 */
export type ConfigLookup = (modelName: string, version: string | undefined) => CompletedModelConfig;

export interface PlannedStep extends StepMapping {
  /** Index in ensemble_scheduling.step, used in messages. */
  readonly index: number;
  /** Undefined: the latest version the model's policy serves (model_version -1 or unset). */
  readonly version: string | undefined;
}

/** A validated ensemble: what a request needs to run its steps. */
export interface EnsemblePlan {
  readonly name: string;
  readonly steps: readonly PlannedStep[];
  /** Ensemble tensor -> index of the step that produces it. */
  readonly producer: ReadonlyMap<string, number>;
}

/** A tensor's type and full shape (batch dim included as -1), with where it comes from. */
interface TensorFacts {
  readonly dataType: string;
  readonly shape: readonly number[];
  readonly origin: string;
}

/**
 * Validates `config` (an ensemble config as written, already checked field by field) against
 * its composing models and returns its plan.
 * @throws InferenceError ERR_CONFIG_INVALID listing every problem (details carry the config
 *   paths); ERR_MODEL_LOAD_FAILED when the only problems are composing models that are not READY.
 */
export function planEnsemble(name: string, config: ModelConfig, configOf: ConfigLookup): EnsemblePlan {
  const problems: EnsembleProblem[] = [];
  const add = (step: number | undefined, path: string, problem: string, kind: EnsembleProblem['kind'] = 'config'): void => {
    problems.push({ ...(step === undefined ? {} : { step }), path, problem, kind });
  };
  const ensembleBatch = config.max_batch_size ?? 0;
  const ensembleInputs = config.input ?? [];
  const ensembleOutputs = config.output ?? [];
  if (ensembleInputs.length === 0) add(undefined, 'input', 'an ensemble must list its inputs: there is no model file to read them from');
  if (ensembleOutputs.length === 0) add(undefined, 'output', 'an ensemble must list its outputs: there is no model file to read them from');

  const stepsInConfig: readonly EnsembleStep[] = config.ensemble_scheduling?.step ?? [];
  const steps: PlannedStep[] = stepsInConfig.map((step, index) => ({
    index, modelName: step.model_name, version: stepVersion(step, index, add), inputMap: step.input_map ?? {}, outputMap: step.output_map ?? {},
  }));
  const configs = steps.map((step) => lookUp(name, step, configOf, add));
  steps.forEach((step, i) => {
    const model = configs[i];
    if (model === undefined) return;
    if (model.max_batch_size !== 0 && model.max_batch_size < ensembleBatch) {
      add(i, stepPath(i), `model '${step.modelName}' allows batches of up to ${model.max_batch_size}, but the ensemble allows up to ${ensembleBatch} (max_batch_size); lower the ensemble's max_batch_size or raise the model's`);
    }
    checkMappedNames(step, model, add);
  });

  const { graph, problems: graphProblems } = analyzeEnsembleGraph(steps, ensembleInputs.map((t) => t.name), ensembleOutputs.map((t) => t.name));
  problems.push(...graphProblems);

  // Type and shape of every ensemble tensor, from the ensemble input or the producing output.
  const facts = new Map<string, TensorFacts>();
  for (const input of ensembleInputs) facts.set(input.name, tensorFacts(input, ensembleBatch, true, `ensemble input '${input.name}'`));
  for (const [tensor, index] of graph.producer) {
    const step = steps[index]!;
    const model = configs[index];
    const output = Object.entries(step.outputMap).find(([, value]) => value === tensor)?.[0];
    const spec = model?.output.find((o) => o.name === output);
    if (model && spec) facts.set(tensor, tensorFacts(spec, model.max_batch_size, false, `output '${spec.name}' of step ${index} (model '${step.modelName}')`));
  }
  steps.forEach((step, i) => {
    const model = configs[i];
    if (model === undefined) return;
    for (const [input, tensor] of Object.entries(step.inputMap)) {
      const source = facts.get(tensor);
      const spec = model.input.find((t) => t.name === input);
      if (!source || !spec) continue;
      const target = tensorFacts(spec, model.max_batch_size, false, '');
      const mismatch = compare(source, target);
      if (mismatch) add(i, mapPath(i, 'input_map', input), `input '${input}' of model '${step.modelName}' takes ${describe(target)} but '${tensor}' is ${describe(source)} (${source.origin}): ${mismatch}`);
    }
  });
  for (const output of ensembleOutputs) {
    const source = facts.get(output.name);
    const index = graph.producer.get(output.name);
    if (!source || index === undefined) continue;
    const declared = tensorFacts(output, ensembleBatch, true, '');
    const mismatch = compare(source, declared);
    if (mismatch) add(index, 'output', `ensemble output '${output.name}' is declared ${describe(declared)} but ${source.origin} is ${describe(source)}: ${mismatch}`);
  }

  if (problems.length > 0) throw ensembleInvalid(name, steps, problems);
  return { name, steps, producer: graph.producer };
}

/**
 * The version a step names: undefined for -1, and for 0 (proto3's default, which the config JSON
 * prints for an unset model_version), meaning the latest version the model's policy serves.
 */
function stepVersion(step: EnsembleStep, index: number, add: (step: number, path: string, problem: string) => void): string | undefined {
  const version = step.model_version;
  if (isLatest(version)) return undefined;
  if (Number.isSafeInteger(version) && version! >= 1) return String(version);
  add(index, `${stepPath(index)}.model_version`, `${version} is not a version; use -1 for the latest version the model's policy serves, or a version number`);
  return undefined;
}

const isLatest = (version: number | undefined): boolean => version === undefined || version === -1 || version === 0;

function lookUp(ensemble: string, step: PlannedStep, configOf: ConfigLookup, add: (step: number, path: string, problem: string, kind?: EnsembleProblem['kind']) => void): CompletedModelConfig | undefined {
  const path = `${stepPath(step.index)}.model_name`;
  if (step.modelName === ensemble) {
    add(step.index, path, 'an ensemble cannot run itself as a step');
    return undefined;
  }
  let model: CompletedModelConfig;
  try {
    model = configOf(step.modelName, step.version);
  } catch (error) {
    const cause = error instanceof InferenceError ? error : undefined;
    const unavailable = cause !== undefined && cause.code !== 'ERR_MODEL_NOT_FOUND' && cause.code !== 'ERR_MODEL_VERSION_NOT_FOUND' && cause.code !== 'ERR_MODEL_NAME_INVALID';
    add(step.index, path, `cannot use model '${step.modelName}'${step.version === undefined ? '' : ` version ${step.version}`}: ${error instanceof Error ? error.message : String(error)}`, unavailable ? 'unavailable' : 'config');
    return undefined;
  }
  const loop = nestedLoop(model, ensemble, configOf, [step.modelName]);
  if (loop) {
    add(step.index, path, `model '${step.modelName}' runs this ensemble again (${[...loop, ensemble].join(' -> ')}); ensembles cannot nest in a cycle`);
    return undefined;
  }
  return model;
}

/** The chain of nested ensembles through which `config` runs `ensemble`, if it does. */
function nestedLoop(config: CompletedModelConfig, ensemble: string, configOf: ConfigLookup, chain: string[]): string[] | undefined {
  for (const step of config.ensemble_scheduling?.step ?? []) {
    if (step.model_name === ensemble) return chain;
    if (chain.includes(step.model_name)) continue;
    let nested: CompletedModelConfig;
    try {
      nested = configOf(step.model_name, isLatest(step.model_version) ? undefined : String(step.model_version));
    } catch {
      continue;
    }
    const found = nestedLoop(nested, ensemble, configOf, [...chain, step.model_name]);
    if (found) return found;
  }
  return undefined;
}

/** Map keys that are not tensors of the step model, and step model inputs left unmapped. */
function checkMappedNames(step: PlannedStep, model: CompletedModelConfig, add: (step: number, path: string, problem: string) => void): void {
  const i = step.index;
  const list = (tensors: readonly { name: string }[]): string => tensors.map((t) => `'${t.name}'`).join(', ') || '(none)';
  for (const input of Object.keys(step.inputMap)) {
    if (!model.input.some((t) => t.name === input)) add(i, mapPath(i, 'input_map', input), `'${input}' is not an input of model '${step.modelName}'; its inputs are ${list(model.input)}`);
  }
  for (const output of Object.keys(step.outputMap)) {
    if (!model.output.some((t) => t.name === output)) add(i, mapPath(i, 'output_map', output), `'${output}' is not an output of model '${step.modelName}'; its outputs are ${list(model.output)}`);
  }
  for (const input of model.input) {
    if (input.optional || input.name in step.inputMap) continue;
    add(i, `${stepPath(i)}.input_map`, `input '${input.name}' of model '${step.modelName}' is not mapped to any ensemble tensor; add it to input_map`);
  }
}

/**
 * The type and full shape of a config tensor. The ensemble's own tensors are seen in their
 * reshape shape (the engine reshapes requests before the ensemble runs, and reshapes its outputs
 * back); composing models are called like any client, in their `dims`.
 */
function tensorFacts(tensor: ModelInput | ModelOutput, maxBatchSize: number, useReshape: boolean, origin: string): TensorFacts {
  const dims = useReshape && tensor.reshape ? tensor.reshape.shape : tensor.dims;
  return { dataType: tensor.data_type, shape: maxBatchSize > 0 ? [-1, ...dims] : [...dims], origin };
}

function describe(facts: TensorFacts): string {
  return `${facts.dataType} ${formatShape(facts.shape)}`;
}

/** Why two tensor descriptions cannot be the same tensor, or undefined when they can. */
function compare(source: TensorFacts, target: TensorFacts): string | undefined {
  if (dataTypeFromConfig(source.dataType) !== dataTypeFromConfig(target.dataType)) return 'the datatypes differ';
  if (source.shape.length !== target.shape.length) {
    return `the ranks differ (${source.shape.length} and ${target.shape.length}); a model with max_batch_size > 0 adds a leading batch dimension to its dims`;
  }
  const dim = source.shape.findIndex((d, k) => d !== -1 && target.shape[k] !== -1 && d !== target.shape[k]);
  return dim === -1 ? undefined : `dim ${dim} is ${source.shape[dim]} on one side and ${target.shape[dim]} on the other`;
}

function ensembleInvalid(name: string, steps: readonly PlannedStep[], problems: readonly EnsembleProblem[]): InferenceError {
  const line = (p: EnsembleProblem): string => (p.step === undefined
    ? `ensemble '${name}': ${p.problem}`
    : `ensemble '${name}' step ${p.step} (model '${steps[p.step]?.modelName ?? '?'}'): ${p.problem}`);
  const code = problems.every((p) => p.kind === 'unavailable') ? 'ERR_MODEL_LOAD_FAILED' : 'ERR_CONFIG_INVALID';
  return new InferenceError(code, problems.map(line).join('; '), { details: problems.map((p) => ({ path: p.path, problem: line(p) })) });
}
