import { readFile, readdir, stat } from 'node:fs/promises';
import { join, resolve as resolvePath } from 'node:path';
import { InferenceError, toInferenceError } from '../errors/index.js';
import type { ModelReadyState, ModelVersionStatus } from '../core/index.js';
import type { BackendRegistry, LoadedModel } from '../backends/index.js';
import { completeModelConfig, parseModelConfigJson, parseModelConfigText, type CompletedModelConfig, type ModelConfig } from '../config/index.js';
import { assertSafeModelName } from './model-name.js';
import { scanRepository, type ModelSource } from './repository-scan.js';
import { selectVersions } from './version-policy.js';

/**
 * What serves a READY version's requests (the engine's scheduler). The repository only needs to
 * stop it: it is created by the `serve` hook, which keeps the repository free of scheduling.
 */
export interface VersionServer {
  /** Refuses new requests and resolves once every accepted one has finished. */
  drain(): Promise<void>;
}

export interface RepositoryHooks<S extends VersionServer> {
  /** Called once a version is loaded and its config completed, before it turns READY. */
  serve(loaded: LoadedModel, config: CompletedModelConfig, modelName: string, version: string): S;
  /** Every state change of every version (for metrics). */
  onStateChange?(modelName: string, version: string, state: ModelReadyState): void;
}

/** One version of one model and where it is in its life. */
export interface ModelVersion<S extends VersionServer = VersionServer> {
  readonly modelName: string;
  readonly version: string;
  state: ModelReadyState;
  /** Why it is not READY; empty when it is. */
  reason: string;
  /** The completed config; set once the version is READY. */
  config: CompletedModelConfig | undefined;
  /** Platform reported in metadata, e.g. `onnxruntime_onnx`. */
  platform: string;
  loaded: LoadedModel | undefined;
  /** Set while the version is READY. */
  server: S | undefined;
}

/** A version that can take requests. */
export type ReadyModelVersion<S extends VersionServer = VersionServer> = ModelVersion<S> & { state: 'READY'; config: CompletedModelConfig; loaded: LoadedModel; server: S };

interface ModelEntry<S extends VersionServer> {
  readonly name: string;
  /** A failure that concerns the whole model (bad config, no versions), shown once in the index. */
  problem: string | undefined;
  readonly versions: Map<string, ModelVersion<S>>;
}

export interface RepositoryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** How many models load at once, like Triton's --model-load-thread-count default. */
const LOAD_CONCURRENCY = 4;

/** The models of one repository directory and their lifecycle. */
export class ModelRepository<S extends VersionServer> {
  readonly root: string;
  readonly #registry: BackendRegistry;
  readonly #logger: RepositoryLogger;
  readonly #hooks: RepositoryHooks<S>;
  readonly #models = new Map<string, ModelEntry<S>>();

  constructor(root: string, registry: BackendRegistry, logger: RepositoryLogger, hooks: RepositoryHooks<S>) {
    this.root = resolvePath(root);
    this.#registry = registry;
    this.#logger = logger;
    this.#hooks = hooks;
  }

  /** Loads every model found; a model that fails is recorded with its reason and never stops the others. */
  async loadAll(): Promise<void> {
    const sources = await scanRepository(this.root);
    const pending = [...sources];
    const worker = async (): Promise<void> => {
      for (let source = pending.shift(); source; source = pending.shift()) await this.#loadModel(source);
    };
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
  }

  /** Every model version with its state, sorted by name then version (Triton's repository index). */
  index(): ModelVersionStatus[] {
    const rows: ModelVersionStatus[] = [];
    for (const entry of [...this.#models.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.problem !== undefined) rows.push({ name: entry.name, version: '', state: 'UNAVAILABLE', reason: entry.problem });
      for (const v of [...entry.versions.values()].sort((a, b) => Number(a.version) - Number(b.version))) {
        rows.push({ name: v.modelName, version: v.version, state: v.state, reason: v.reason });
      }
    }
    return rows;
  }

  /** True once every model that was asked for is READY. */
  allReady(): boolean {
    return [...this.#models.values()].every((m) => m.problem === undefined && [...m.versions.values()].every((v) => v.state === 'READY'));
  }

  /** Versions served for a model, ascending, whatever their state. */
  versionsOf(name: string): ModelVersion<S>[] {
    return [...this.#entry(name).versions.values()].sort((a, b) => Number(a.version) - Number(b.version));
  }

  /**
   * The version a request goes to: the one named, or the highest READY one.
   * Throws NOT_FOUND for unknown models and versions, UNAVAILABLE for versions not READY.
   */
  resolve(name: string, version?: string): ReadyModelVersion<S> {
    const entry = this.#entry(name);
    if (version !== undefined && version !== '') {
      const found = entry.versions.get(version);
      if (!found) {
        const served = [...entry.versions.keys()];
        throw new InferenceError('ERR_MODEL_VERSION_NOT_FOUND', `model '${name}' has no version ${JSON.stringify(version)}; served versions: ${served.length ? served.join(', ') : 'none'}`);
      }
      if (!isReady(found)) throw new InferenceError('ERR_MODEL_NOT_READY', `model '${name}' version ${version} is ${found.state}${found.reason ? `: ${found.reason}` : ''}`);
      return found;
    }
    const ready = [...entry.versions.values()].filter(isReady).sort((a, b) => Number(b.version) - Number(a.version));
    if (ready[0]) return ready[0];
    const reasons = entry.problem ?? [...entry.versions.values()].map((v) => `version ${v.version} is ${v.state}${v.reason ? `: ${v.reason}` : ''}`).join('; ');
    throw new InferenceError('ERR_MODEL_NOT_READY', `model '${name}' has no ready version${reasons ? ` (${reasons})` : ''}`);
  }

  /** Unloads everything; in-flight executions finish first. */
  async unloadAll(): Promise<void> {
    const versions = [...this.#models.values()].flatMap((m) => [...m.versions.values()]);
    await Promise.all(versions.map(async (v) => {
      if (!v.loaded) return;
      this.#setState(v, 'UNLOADING', '');
      await v.server?.drain();
      v.server = undefined;
      await v.loaded.unload();
      v.loaded = undefined;
      this.#setState(v, 'UNAVAILABLE', 'unloaded');
    }));
  }

  #setState(version: ModelVersion<S>, state: ModelReadyState, reason: string): void {
    version.state = state;
    version.reason = reason;
    this.#hooks.onStateChange?.(version.modelName, version.version, state);
  }

  #entry(name: string): ModelEntry<S> {
    assertSafeModelName(name);
    const entry = this.#models.get(name);
    if (!entry) {
      const known = [...this.#models.keys()].sort();
      const list = known.length > 20 ? `${known.slice(0, 20).join(', ')}, ...` : known.join(', ');
      throw new InferenceError('ERR_MODEL_NOT_FOUND', `unknown model '${name}'; the repository has: ${list || 'no models'}`);
    }
    return entry;
  }

  async #loadModel(source: ModelSource): Promise<void> {
    const entry: ModelEntry<S> = { name: source.name, problem: source.problem, versions: new Map() };
    this.#models.set(source.name, entry);
    if (entry.problem !== undefined) {
      this.#logger.warn({ model: source.name, reason: entry.problem }, 'model cannot be loaded');
      return;
    }
    let config: ModelConfig | undefined;
    try {
      config = await readModelConfig(source);
    } catch (error) {
      entry.problem = toInferenceError(error, 'ERR_CONFIG_INVALID').message;
      this.#logger.warn({ model: source.name, reason: entry.problem }, 'model config rejected');
      return;
    }
    for (const version of selectVersions(config?.version_policy, source.versions)) {
      const modelVersion: ModelVersion<S> = { modelName: source.name, version: String(version), state: 'LOADING', reason: '', config: undefined, loaded: undefined, server: undefined, platform: config?.platform ?? '' };
      entry.versions.set(modelVersion.version, modelVersion);
      this.#hooks.onStateChange?.(source.name, modelVersion.version, 'LOADING');
      await this.#loadVersion(source, config, modelVersion);
    }
  }

  async #loadVersion(source: ModelSource, config: ModelConfig | undefined, target: ModelVersion<S>): Promise<void> {
    const versionDir = join(source.dir, target.version);
    const started = performance.now();
    try {
      const backend = config?.backend || config?.platform
        ? this.#registry.resolve({ backend: config.backend, platform: config.platform })
        : this.#registry.byModelFile(await readdir(versionDir));
      if (!backend) {
        const wanted = config?.backend || config?.platform;
        throw new InferenceError('ERR_MODEL_LOAD_FAILED', wanted
          ? `${source.configFile?.path ?? source.dir}: backend/platform '${wanted}' is not available; available backends: ${this.#registry.names().join(', ')}`
          : `${versionDir}: no model file found (expected model.onnx)`);
      }
      target.platform = config?.platform || backend.platform;
      const modelFile = config?.default_model_filename || backend.defaultModelFilename;
      const modelPath = join(versionDir, modelFile);
      if (!(await isFile(modelPath))) throw new InferenceError('ERR_MODEL_LOAD_FAILED', `${modelPath}: model file is missing`);
      const instanceCount = Math.max(1, (config?.instance_group ?? []).reduce((sum, g) => sum + (g.count ?? 0), 0));
      const parameters = Object.fromEntries(Object.entries(config?.parameters ?? {}).map(([k, v]) => [k, v.string_value]));
      let loaded: LoadedModel;
      try {
        loaded = await backend.load({ modelName: source.name, version: target.version, versionDir, modelFile, instanceCount, parameters });
      } catch (error) {
        const failure = toInferenceError(error, 'ERR_MODEL_LOAD_FAILED');
        throw new InferenceError(failure.code, `${modelPath}: ${failure.message}`, { cause: error });
      }
      try {
        target.config = completeModelConfig(config, { modelName: source.name, configFile: source.configFile?.path, modelFile: modelPath, signature: loaded.signature });
      } catch (error) {
        await loaded.unload();
        throw error;
      }
      target.server = this.#hooks.serve(loaded, target.config, source.name, target.version);
      target.loaded = loaded;
      this.#setState(target, 'READY', '');
      this.#logger.info({ model: source.name, version: target.version, ms: Math.round(performance.now() - started) }, 'model version ready');
    } catch (error) {
      this.#setState(target, 'UNAVAILABLE', toInferenceError(error, 'ERR_MODEL_LOAD_FAILED').message);
      this.#logger.warn({ model: source.name, version: target.version, reason: target.reason }, 'model version failed to load');
    }
  }
}

function isReady<S extends VersionServer>(version: ModelVersion<S>): version is ReadyModelVersion<S> {
  return version.state === 'READY' && version.loaded !== undefined && version.config !== undefined && version.server !== undefined;
}

async function readModelConfig(source: ModelSource): Promise<ModelConfig | undefined> {
  if (!source.configFile) return undefined;
  const text = await readFile(source.configFile.path, 'utf8');
  return source.configFile.format === 'pbtxt'
    ? parseModelConfigText(text, source.configFile.path, source.name)
    : parseModelConfigJson(text, source.configFile.path, source.name);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

