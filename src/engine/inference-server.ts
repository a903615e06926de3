import { InferenceError, toInferenceError } from '../errors/index.js';
import {
  dataTypeFromConfig, reshapeKeepingBatch, toInferRequest,
  type InferInput, type InferRequest, type InferResponse, type ModelMetadata, type ModelReadyState, type ModelVersionStatus,
  type ServerMetadata, type Tensor,
} from '../core/index.js';
import { BackendRegistry, type Backend } from '../backends/index.js';
import { OnnxBackend } from '../backends/onnx/index.js';
import { EnsembleBackend } from '../backends/ensemble/index.js';
import { JsBackend } from '../backends/js/index.js';
import { modelConfigToJson, type CompletedModelConfig } from '../config/index.js';
import { ModelRepository, type ModelControlMode, type ReadyModelVersion } from '../repository/index.js';
import { createScheduler, type Scheduler } from '../scheduler/index.js';
import { StatisticsRegistry, combineEvents, type ModelStatisticsSnapshot } from '../statistics/index.js';
import type { ModelMetricsSink } from '../metrics/index.js';
import { silentLogger, type Logger } from './logger.js';
import { SERVER_NAME, SERVER_VERSION } from './package-info.js';
import { readSchedulingParameters, validateRequest } from './request-validation.js';
import { DEFAULT_MAX_TENSOR_BYTES, DEFAULT_REPOSITORY_POLL_SECONDS } from './defaults.js';
import { tokenMatches } from './token.js';

export interface InferenceServerOptions {
  /** Triton-layout repository: `<repo>/<model>/<version>/model.onnx`. */
  readonly modelRepository: string;
  readonly logger?: Logger;
  /** @defaultValue 256 MiB */
  readonly maxTensorBytes?: number;
  /**
   * Server readiness also requires every model to be READY (Triton's --strict-readiness).
   * @defaultValue false: ready once start-up loading has finished, so one broken model does not take the replica out of service.
   */
  readonly strictReadiness?: boolean;
  /** Backends to serve with. @defaultValue [new OnnxBackend(), new JsBackend()] */
  readonly backends?: readonly Backend[];
  /** Where per-version metrics go (the Prometheus registry of the metrics server). */
  readonly metrics?: ModelMetricsSink;
  /**
   * Triton's --model-control-mode: `none` loads every model at start and refuses the load and
   * unload API; `poll` also rescans the repository every `repositoryPollSeconds`; `explicit`
   * loads `startupModels` at start and the rest through the API.
   * @defaultValue 'none'
   */
  readonly modelControlMode?: ModelControlMode;
  /** Explicit mode: models loaded at start (Triton's --load-model); `*` for all. */
  readonly startupModels?: readonly string[];
  /** Poll mode: seconds between repository scans. @defaultValue 15 */
  readonly repositoryPollSeconds?: number;
  /** Resident model memory allowed, in bytes: models load on first request, least recently used idle ones unload. */
  readonly modelMemoryBudgetBytes?: number;
  /** Bearer token the repository API (index, load, unload) requires; unset leaves it open. */
  readonly managementToken?: string;
  /**
   * Bearer token that inference, metadata, config and statistics require (the management token
   * is accepted too); unset leaves them open. Health (server live and ready) never needs one.
   */
  readonly inferenceToken?: string;
  /** Server-wide cap on a request's batch size, below each model's max_batch_size. @defaultValue none */
  readonly maxBatchSize?: number;
}

/** What the repository load API may change (Triton's load parameters). */
export interface LoadModelOptions {
  /** A model configuration as JSON, used instead of the one on disk. */
  readonly config?: string;
}

export interface UnloadModelOptions {
  /** Also unload the models (ensembles) that use this one. */
  readonly unloadDependents?: boolean;
}

export interface InferOptions {
  /**
   * Hand the input buffers over to the backend instead of copying them. Faster, but the
   * caller's typed arrays are detached (length 0) afterwards. Transports set it for buffers they own.
   * @defaultValue false
   */
  readonly transferInputs?: boolean;
}

/** Server extensions this build implements, as reported by GET /v2 and gRPC ServerMetadata. */
const EXTENSIONS = ['model_configuration', 'binary_tensor_data', 'statistics', 'schedule_policy', 'model_repository', 'model_repository(unload_dependents)'];

/**
 * The embeddable inference server: a model repository, its backends and the request path,
 * with no network. HTTP and gRPC front ends are thin layers over this class.
 */
export class InferenceServer {
  readonly #repository: ModelRepository<Scheduler>;
  readonly #statistics = new StatisticsRegistry();
  readonly #logger: Logger;
  readonly #maxTensorBytes: number;
  readonly #strictReadiness: boolean;
  readonly #options: InferenceServerOptions;
  #starting: Promise<void> | undefined;
  #started = false;
  #stopping = false;
  #closing: Promise<void> | undefined;
  #inflight = 0;
  #idle: (() => void) | undefined;

  private constructor(options: InferenceServerOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    const registry = new BackendRegistry();
    const backends = options.backends ?? [new OnnxBackend(), new JsBackend()];
    for (const backend of backends) registry.register(backend);
    // Ensembles run their steps through this server's own request path (#infer).
    if (!registry.names().includes('ensemble')) {
      registry.register(new EnsembleBackend({
        invoke: async (modelName, version, inputs, outputNames) => (await this.#infer(
          { modelName, ...(version !== undefined ? { modelVersion: version } : {}), inputs, outputs: outputNames.map((name) => ({ name })) },
          true,
        )).outputs,
        configOf: (modelName, version) => this.#repository.resolve(modelName, version).config,
      }));
    }
    const metrics = options.metrics;
    this.#repository = new ModelRepository<Scheduler>(options.modelRepository, registry, this.#logger, {
      serve: (loaded, config, name, version) => createScheduler(loaded, config, combineEvents(
        this.#statistics.eventsFor(name, version),
        ...(metrics ? [metrics.eventsFor(name, version)] : []),
      ), { version }),
      ...(metrics ? { onStateChange: (name: string, version: string, state: ModelReadyState) => metrics.setModelState(name, version, state) } : {}),
      onInstanceLost: (name, version, reason) => {
        this.#logger.error({ model: name, version, reason }, 'model instance lost; replacing it');
        metrics?.countInstanceRestart(name, version);
      },
      onVersionRemoved: (name, version) => {
        this.#statistics.delete(name, version);
        metrics?.removeModelVersion(name, version);
      },
    }, {
      controlMode: options.modelControlMode ?? 'none',
      ...(options.startupModels ? { startupModels: options.startupModels } : {}),
      ...(options.modelMemoryBudgetBytes !== undefined ? { memoryBudgetBytes: options.modelMemoryBudgetBytes } : {}),
    });
    metrics?.observeModelMemory(() => this.memoryUsage());
    this.#maxTensorBytes = options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
    this.#strictReadiness = options.strictReadiness ?? false;
  }

  /** Opens a repository and loads its models. Resolves once every start-up model has loaded or failed. */
  static async open(options: InferenceServerOptions): Promise<InferenceServer> {
    const server = InferenceServer.create(options);
    await server.start();
    return server;
  }

  /**
   * A server that has loaded nothing yet: live, not ready. A command-line server starts its
   * transports before start(), so probes answer while models load.
   */
  static create(options: InferenceServerOptions): InferenceServer {
    return new InferenceServer(options);
  }

  /** Loads the start-up models as the control mode says and, in poll mode, starts polling. */
  start(): Promise<void> {
    this.#starting ??= (async () => {
      await this.#repository.start();
      this.#started = true;
      if (this.#repository.controlMode === 'poll') this.#repository.startPolling((this.#options.repositoryPollSeconds ?? DEFAULT_REPOSITORY_POLL_SECONDS) * 1000);
    })();
    return this.#starting;
  }

  get modelControlMode(): ModelControlMode {
    return this.#repository.controlMode;
  }

  /** Requests accepted and not yet answered. */
  get inflightRequests(): number {
    return this.#inflight;
  }

  /** True from the moment a drain began. */
  get draining(): boolean {
    return this.#stopping;
  }

  get repositoryPath(): string {
    return this.#repository.root;
  }

  isLive(): boolean {
    return true;
  }

  isReady(): boolean {
    return this.#started && !this.#stopping && (!this.#strictReadiness || this.#repository.allReady());
  }

  serverMetadata(): ServerMetadata {
    return { name: SERVER_NAME, version: SERVER_VERSION, extensions: [...EXTENSIONS] };
  }

  /** Every model version and its state, with the reason when it is not READY. */
  modelIndex(options: { readyOnly?: boolean } = {}): ModelVersionStatus[] {
    const rows = this.#repository.index();
    return options.readyOnly ? rows.filter((r) => r.state === 'READY') : rows;
  }

  /**
   * Memory budget accounting: the bytes counted for each resident model (the most its loads
   * added to the process's resident set, at least its files' size), and the budget.
   */
  memoryUsage(): { budgetBytes: number | undefined; residentBytes: number; models: Record<string, number> } {
    return { budgetBytes: this.#repository.memoryBudgetBytes, residentBytes: this.#repository.residentBytes(), models: Object.fromEntries(this.#repository.residentModels()) };
  }

  /**
   * True when the version (or, without one, any version) of the model is READY, or, under a
   * memory budget, would be loaded by a request. Throws NOT_FOUND for unknown models.
   */
  isModelReady(name: string, version?: string): boolean {
    return !this.#stopping && this.#repository.isServable(name, version);
  }

  /**
   * Refuses the repository API unless `presented` is the management token (when one is set).
   * Compared in constant time, so the time taken does not reveal how much of a guess matched.
   */
  checkManagementToken(presented: string | undefined): void {
    const expected = this.#options.managementToken;
    if (expected === undefined || expected === '') return;
    if (presented === undefined || presented === '') throw new InferenceError('ERR_UNAUTHENTICATED', 'the repository API needs the management token: send Authorization: Bearer <token>');
    if (!tokenMatches(presented, expected)) throw new InferenceError('ERR_UNAUTHENTICATED', 'the management token is wrong');
  }

  /**
   * Refuses inference, metadata, config and statistics calls unless `presented` is the inference
   * token or the management token (when an inference token is set). Both comparisons always run,
   * in constant time, so the time taken reveals neither which token matched nor how much of a guess did.
   */
  checkInferenceToken(presented: string | undefined): void {
    const expected = this.#options.inferenceToken;
    if (expected === undefined || expected === '') return;
    if (presented === undefined || presented === '') throw new InferenceError('ERR_UNAUTHENTICATED', 'this endpoint needs the inference token: send Authorization: Bearer <token>');
    const management = this.#options.managementToken;
    const inference = tokenMatches(presented, expected);
    const admin = tokenMatches(presented, management === undefined || management === '' ? expected : management);
    if (!inference && !admin) throw new InferenceError('ERR_UNAUTHENTICATED', 'the inference token is wrong');
  }

  /** Loads or reloads a model (explicit mode). Rejects with the reason when it fails; what was serving stays. */
  async loadModel(name: string, options: LoadModelOptions = {}): Promise<void> {
    this.#assertModelControl('load');
    if (options.config !== undefined) {
      // Parsed now so a bad override is refused before anything changes.
      try {
        JSON.parse(options.config);
      } catch (error) {
        throw new InferenceError('ERR_CONFIG_INVALID', `parameters.config is not valid JSON: ${(error as Error).message}`);
      }
    }
    await this.#repository.load(name, options.config !== undefined ? { configOverride: options.config } : {});
  }

  /** Unloads a model (explicit mode); its accepted requests finish first. */
  async unloadModel(name: string, options: UnloadModelOptions = {}): Promise<void> {
    this.#assertModelControl('unload');
    for (const dependent of options.unloadDependents ? this.#repository.dependentsOf(name) : []) await this.#repository.unload(dependent);
    await this.#repository.unload(name);
  }

  #assertModelControl(action: 'load' | 'unload'): void {
    if (this.#stopping) throw new InferenceError('ERR_SERVER_STOPPING', 'the server is shutting down');
    const mode = this.#repository.controlMode;
    if (mode === 'explicit') return;
    throw new InferenceError('ERR_MODEL_CONTROL_DISABLED', mode === 'poll'
      ? `models cannot be ${action}ed through the API in poll mode: the repository folder decides what is loaded; start with --model-control-mode explicit to use the API`
      : `models cannot be ${action}ed through the API: the server runs with --model-control-mode none; start it with --model-control-mode explicit`);
  }

  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    const target = await this.#acquire(name, version);
    const { config } = target;
    const batch = config.max_batch_size > 0 ? [-1] : [];
    const describe = (t: { name: string; data_type: string; dims: readonly number[] }) => ({ name: t.name, datatype: dataTypeFromConfig(t.data_type)!, shape: [...batch, ...t.dims] });
    return {
      name,
      versions: this.#repository.versionsOf(name).filter((v) => v.state === 'READY').map((v) => v.version),
      platform: target.platform,
      inputs: config.input.map(describe),
      outputs: config.output.map(describe),
    };
  }

  /**
   * Triton's statistics for the READY versions: of every model without a name, of one model, or
   * of one version. Totals count since the server started.
   */
  modelStatistics(name?: string, version?: string): ModelStatisticsSnapshot[] {
    if (name === undefined) {
      return this.#repository.index().filter((row) => row.state === 'READY').map((row) => this.#statistics.snapshot(row.name, row.version));
    }
    if (version !== undefined && version !== '') return [this.#statistics.snapshot(name, this.#repository.resolve(name, version).version)];
    return this.#repository.versionsOf(name).filter((v) => v.state === 'READY').map((v) => this.#statistics.snapshot(name, v.version));
  }

  /** The completed model configuration, in Triton's JSON form. */
  async modelConfig(name: string, version?: string): Promise<Record<string, unknown>> {
    return modelConfigToJson((await this.#acquire(name, version)).config);
  }

  async #acquire(name: string, version: string | undefined, timeoutMs?: number): Promise<ReadyModelVersion<Scheduler>> {
    return this.#repository.acquire(name, version, timeoutMs);
  }

  async infer(input: InferInput, options: InferOptions = {}): Promise<InferResponse> {
    if (this.#stopping) throw new InferenceError('ERR_SERVER_STOPPING', 'the server is shutting down and accepts no new requests');
    this.#inflight += 1;
    try {
      return await this.#infer(toInferRequest(input), options.transferInputs ?? false);
    } finally {
      this.#inflight -= 1;
      if (this.#inflight === 0) this.#idle?.();
    }
  }

  /**
   * The request path: resolve the version, validate, enqueue on its scheduler. Without the drain
   * check: the steps of an ensemble request accepted before a drain began still run, and the
   * ensemble's request holds the in-flight count meanwhile. `transferInputs`: the inputs are the
   * caller's to give (as InferOptions), else they are copied after validation.
   */
  async #infer(request: InferRequest, transferInputs: boolean): Promise<InferResponse> {
    const scheduling = readSchedulingParameters(request.parameters);
    const found = this.#repository.acquire(request.modelName, request.modelVersion, scheduling.timeoutUs ? scheduling.timeoutUs / 1000 : undefined);
    const target = found instanceof Promise ? await found : found;
    const validated = validateRequest(request, target.config, { maxTensorBytes: this.#maxTensorBytes });
    const maxBatchSize = this.#options.maxBatchSize;
    if (maxBatchSize !== undefined && validated.batchSize > maxBatchSize) {
      throw new InferenceError('ERR_BATCH_TOO_LARGE', `batch size ${validated.batchSize} exceeds the server's limit of ${maxBatchSize} (--max-batch-size); send at most ${maxBatchSize} per request`);
    }
    const inputs = transferInputs ? validated.inputs : validated.inputs.map(ownCopy);
    let outputs: Tensor[];
    try {
      outputs = await target.server.enqueue({ inputs, outputNames: validated.outputNames, batchSize: validated.batchSize, ...scheduling });
    } catch (error) {
      throw toInferenceError(error, 'ERR_BACKEND_RUNTIME');
    }
    return {
      modelName: request.modelName,
      modelVersion: target.version,
      ...(request.id !== undefined ? { id: request.id } : {}),
      outputs: presentOutputs(outputs, target.config),
    };
  }

  /**
   * Starts a drain: readiness turns false and new requests are refused with ERR_SERVER_STOPPING,
   * while accepted ones go on. close() finishes the job.
   */
  beginDrain(): void {
    this.#stopping = true;
  }

  /** Resolves once no accepted request is in flight. */
  async idle(): Promise<void> {
    if (this.#inflight > 0) await new Promise<void>((resolve) => { this.#idle = resolve; });
  }

  /** Drains (see beginDrain), waits for in-flight requests, stops polling, then unloads every model. */
  close(): Promise<void> {
    this.beginDrain();
    this.#closing ??= (async () => {
      await this.#starting?.catch(() => undefined);
      await this.idle();
      await this.#repository.close();
    })();
    return this.#closing;
  }
}

/**
 * A copy of the caller's numeric data, made after validation so refused requests cost none:
 * the backend moves input buffers to a worker thread, which would detach the caller's arrays.
 */
function ownCopy(tensor: Tensor): Tensor {
  return tensor.datatype === 'BYTES' ? tensor : ({ ...tensor, data: tensor.data.slice() } as Tensor);
}

/** Applies output `reshape`: the model produces the reshape shape, clients see the config dims. */
function presentOutputs(outputs: Tensor[], config: CompletedModelConfig): Tensor[] {
  return outputs.map((tensor) => {
    const spec = config.output.find((o) => o.name === tensor.name);
    return spec?.reshape ? { ...tensor, shape: reshapeKeepingBatch(tensor.shape, spec.dims, config.max_batch_size > 0) } : tensor;
  });
}
