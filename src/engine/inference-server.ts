import { InferenceError, toInferenceError } from '../errors/index.js';
import {
  dataTypeFromConfig, reshapeKeepingBatch, toInferRequest,
  type InferInput, type InferResponse, type ModelMetadata, type ModelReadyState, type ModelVersionStatus,
  type ServerMetadata, type Tensor,
} from '../core/index.js';
import { BackendRegistry, type Backend } from '../backends/index.js';
import { OnnxBackend } from '../backends/onnx/index.js';
import { modelConfigToJson, type CompletedModelConfig } from '../config/index.js';
import { ModelRepository } from '../repository/index.js';
import { createScheduler, type Scheduler } from '../scheduler/index.js';
import { StatisticsRegistry, combineEvents, type ModelStatisticsSnapshot } from '../statistics/index.js';
import type { ModelMetricsSink } from '../metrics/index.js';
import { silentLogger, type Logger } from './logger.js';
import { SERVER_NAME, SERVER_VERSION } from './package-info.js';
import { readSchedulingParameters, validateRequest } from './request-validation.js';
import { DEFAULT_MAX_TENSOR_BYTES } from './defaults.js';

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
  /** Backends to serve with. @defaultValue [new OnnxBackend()] */
  readonly backends?: readonly Backend[];
  /** Where per-version metrics go (the Prometheus registry of the metrics server). */
  readonly metrics?: ModelMetricsSink;
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
const EXTENSIONS = ['model_configuration', 'binary_tensor_data', 'statistics', 'schedule_policy'];

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
  #started = false;
  #stopping = false;
  #inflight = 0;
  #idle: (() => void) | undefined;

  private constructor(options: InferenceServerOptions) {
    this.#logger = options.logger ?? silentLogger;
    const registry = new BackendRegistry();
    const backends = options.backends ?? [new OnnxBackend({ events: { onWorkerLost: (reason) => this.#logger.error({ reason }, 'onnxruntime worker lost; restarting it') } })];
    for (const backend of backends) registry.register(backend);
    const metrics = options.metrics;
    this.#repository = new ModelRepository<Scheduler>(options.modelRepository, registry, this.#logger, {
      serve: (loaded, config, name, version) => createScheduler(loaded, config, combineEvents(
        this.#statistics.eventsFor(name, version),
        ...(metrics ? [metrics.eventsFor(name, version)] : []),
      ), { version }),
      ...(metrics ? { onStateChange: (name: string, version: string, state: ModelReadyState) => metrics.setModelState(name, version, state) } : {}),
    });
    this.#maxTensorBytes = options.maxTensorBytes ?? DEFAULT_MAX_TENSOR_BYTES;
    this.#strictReadiness = options.strictReadiness ?? false;
  }

  /** Opens a repository and loads its models. Resolves once every model has loaded or failed. */
  static async open(options: InferenceServerOptions): Promise<InferenceServer> {
    const server = new InferenceServer(options);
    await server.#repository.loadAll();
    server.#started = true;
    return server;
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

  /** True when the version (or, without one, any version) of the model is READY; throws NOT_FOUND for unknown models. */
  isModelReady(name: string, version?: string): boolean {
    try {
      this.#repository.resolve(name, version);
      return true;
    } catch (error) {
      if (error instanceof InferenceError && error.code === 'ERR_MODEL_NOT_READY') return false;
      throw error;
    }
  }

  modelMetadata(name: string, version?: string): ModelMetadata {
    const target = this.#repository.resolve(name, version);
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
  modelConfig(name: string, version?: string): Record<string, unknown> {
    return modelConfigToJson(this.#repository.resolve(name, version).config);
  }

  async infer(input: InferInput, options: InferOptions = {}): Promise<InferResponse> {
    if (this.#stopping) throw new InferenceError('ERR_SERVER_STOPPING', 'the server is shutting down and accepts no new requests');
    this.#inflight += 1;
    try {
      const request = toInferRequest(input);
      const target = this.#repository.resolve(request.modelName, request.modelVersion);
      const validated = validateRequest(request, target.config, { maxTensorBytes: this.#maxTensorBytes });
      const scheduling = readSchedulingParameters(request.parameters);
      const inputs = options.transferInputs ? validated.inputs : validated.inputs.map(ownCopy);
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
    } finally {
      this.#inflight -= 1;
      if (this.#inflight === 0) this.#idle?.();
    }
  }

  /** Stops taking requests, lets in-flight ones finish, then unloads every model. */
  async close(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#inflight > 0) await new Promise<void>((resolve) => { this.#idle = resolve; });
    await this.#repository.unloadAll();
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
