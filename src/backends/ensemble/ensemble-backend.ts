import { InferenceError } from '../../errors/index.js';
import { dataTypeFromConfig, type ModelSignature, type SignatureTensor } from '../../core/index.js';
import type { ModelInput, ModelOutput } from '../../config/index.js';
import { BACKEND_API_VERSION, type Backend, type BackendLoadSpec, type LoadedModel } from '../backend.js';
import { planEnsemble, type ConfigLookup } from './ensemble-plan.js';
import { EnsembleRunner, type StepInvoker } from './ensemble-runner.js';
import { StepLimiter } from './step-limiter.js';

export interface EnsembleBackendOptions {
  /** Runs a step on its composing model (see StepInvoker). */
  readonly invoke: StepInvoker;
  /** The config of a READY composing model version, for load-time validation (see ConfigLookup). */
  readonly configOf: ConfigLookup;
}

/**
 * Ensemble executions allowed at once, reported as the instance count. The scheduler of a model
 * without dynamic batching admits 2 x instanceCount executions; an ensemble only waits on its
 * composing models, whose own schedulers queue and batch, so it is not limited (Triton's
 * ensemble scheduler is likewise event driven, with no instances).
 */
export const ENSEMBLE_INSTANCE_COUNT = 2 ** 30;

/**
 * Serves `platform: "ensemble"` models: pipelines whose steps are other models of the server
 * (Triton's ensemble scheduler). There is no model file: a version folder may be empty, and
 * `defaultModelFilename` is '' to tell the repository so. Loading validates the step graph against
 * the READY composing models (ensemble-plan.ts); each request then runs the steps it needs through
 * the injected `invoke`, in parallel where the graph allows (ensemble-runner.ts).
 */
export class EnsembleBackend implements Backend {
  readonly name = 'ensemble';
  readonly apiVersion = BACKEND_API_VERSION;
  readonly platform = 'ensemble';
  readonly defaultModelFilename = '';
  readonly #options: EnsembleBackendOptions;

  constructor(options: EnsembleBackendOptions) {
    this.#options = options;
  }

  /** Rejects (never throws) with the validation error: ERR_CONFIG_INVALID or ERR_MODEL_LOAD_FAILED (ensemble-plan.ts). */
  load(spec: BackendLoadSpec): Promise<LoadedModel> {
    return new Promise((resolve) => resolve(this.#open(spec)));
  }

  #open(spec: BackendLoadSpec): LoadedModel {
    const config = spec.config;
    if (config?.ensemble_scheduling === undefined) {
      throw new InferenceError('ERR_CONFIG_INVALID', `model '${spec.modelName}' has platform "ensemble" but no ensemble_scheduling`);
    }
    const plan = planEnsemble(spec.modelName, config, this.#options.configOf);
    const limit = config.ensemble_scheduling.max_inflight_requests ?? 0;
    const limiters = limit > 0 ? plan.steps.map(() => new StepLimiter(limit)) : undefined;
    const runner = new EnsembleRunner(plan, this.#options.invoke, limiters);
    const batched = (config.max_batch_size ?? 0) > 0;
    return {
      signature: { inputs: (config.input ?? []).map((t) => signatureOf(t, batched)), outputs: (config.output ?? []).map((t) => signatureOf(t, batched)) } satisfies ModelSignature,
      instanceCount: ENSEMBLE_INSTANCE_COUNT,
      execute: async (request) => {
        const started = process.hrtime.bigint();
        const outputs = await runner.run(request.inputs, request.outputNames);
        return { outputs, computeInferNs: Number(process.hrtime.bigint() - started) };
      },
      // Nothing to release: the scheduler drained this version's requests before unloading it.
      unload: () => Promise.resolve(),
    };
  }
}

/**
 * What the config declares, as if read from a model file, so completing the config checks it
 * against itself: the shape the ensemble receives (its reshape, if any), with the batch dim.
 */
function signatureOf(tensor: ModelInput | ModelOutput, batched: boolean): SignatureTensor {
  const dims = tensor.reshape ? tensor.reshape.shape : tensor.dims;
  const datatype = dataTypeFromConfig(tensor.data_type);
  if (datatype === undefined) throw new InferenceError('ERR_CONFIG_INVALID', `tensor '${tensor.name}' has no datatype`);
  return { name: tensor.name, datatype, dims: batched ? [-1, ...dims] : [...dims] };
}
