/**
 * @module
 * The lifecycle's data: what the repository knows about each model and version, what it asks of
 * the engine (hooks, the version server), and the errors that describe a version's state.
 */
import { InferenceError } from '../errors/index.js';
import type { ModelReadyState } from '../core/index.js';
import type { LoadedModel } from '../backends/index.js';
import type { CompletedModelConfig } from '../config/index.js';

/**
 * What serves a READY version's requests (the engine's scheduler). The repository only needs to
 * stop it and to see whether it is busy: it is created by the `serve` hook, which keeps the
 * repository free of scheduling.
 */
export interface VersionServer {
  /** Refuses new requests and resolves once every accepted one has finished. */
  drain(): Promise<void>;
  readonly queueDepth: number;
  readonly inflightExecutions: number;
}

export interface RepositoryHooks<S extends VersionServer> {
  /** Called once a version is loaded, its config completed and warmed up, before it turns READY. */
  serve(loaded: LoadedModel, config: CompletedModelConfig, modelName: string, version: string): S;
  /** Every state change of every version (for metrics). */
  onStateChange?(modelName: string, version: string, state: ModelReadyState): void;
  /** A version left the repository for good (unloaded and no longer listed). */
  onVersionRemoved?(modelName: string, version: string): void;
  /** A backend instance (worker) of a version died and is being replaced. */
  onInstanceLost?(modelName: string, version: string, reason: string): void;
}

/** Triton's model control modes. */
export type ModelControlMode = 'none' | 'poll' | 'explicit';
export const MODEL_CONTROL_MODES: readonly ModelControlMode[] = ['none', 'poll', 'explicit'];

export interface RepositoryOptions {
  /** @defaultValue 'none' */
  readonly controlMode?: ModelControlMode;
  /** Explicit mode: the models loaded at start; `*` loads every model. @defaultValue none */
  readonly startupModels?: readonly string[];
  /**
   * Resident model memory allowed, in bytes. When set, models load on first request and the
   * least recently used idle ones are unloaded to make room.
   */
  readonly memoryBudgetBytes?: number;
}

/** One version of one model and where it is in its life. */
export interface ModelVersion<S extends VersionServer = VersionServer> {
  readonly modelName: string;
  readonly version: string;
  state: ModelReadyState;
  /** Why it is not READY, or what went wrong around a READY version (a failed reload). */
  reason: string;
  /** The completed config; set once the version is READY. */
  config: CompletedModelConfig | undefined;
  /** Platform reported in metadata, e.g. `onnxruntime_onnx`. */
  platform: string;
  loaded: LoadedModel | undefined;
  /** Set while the version is READY. */
  server: S | undefined;
  /** Digest of the version folder when it was loaded: a different one means the files changed. */
  fingerprint: string;
}

/** A version that can take requests. */
export type ReadyModelVersion<S extends VersionServer = VersionServer> = ModelVersion<S> & { state: 'READY'; config: CompletedModelConfig; loaded: LoadedModel; server: S };

/** A model of the repository: its versions and what the lifecycle knows about it. */
export interface ModelEntry<S extends VersionServer> {
  readonly name: string;
  /** Shown as the model's only index row while it has no versions (never loaded, bad config). */
  reason: string;
  /** Should be serving: loaded at start, by the load API or by a poll; false once unloaded by the API. */
  wanted: boolean;
  readonly versions: Map<string, ModelVersion<S>>;
  /** Digest of the config text the loaded versions were made with. */
  configDigest: string | undefined;
  /** Digest of the whole model folder at the last load attempt, successful or not (poll mode). */
  folderDigest: string | undefined;
  /** Config JSON given to the load API, used instead of the file until a load without one. */
  configOverride: string | undefined;
  /** Memory budget: loads on its next request (never loaded, or unloaded to make room). */
  loadOnDemand: boolean;
  /** Memory budget: `parameters.keep_loaded` is "true": loaded at start and never unloaded to make room. */
  keepLoaded: boolean;
  /** Memory budget: the most the model's versions have added to the resident set, over its loads. */
  memoryBytes: number;
  /** Memory budget: size of the model files of its last load. */
  fileBytes: number;
  /** Memory budget: a tick of the last request, to find the least recently used model. */
  lastUsed: number;
}

export interface RepositoryLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

export function isReady<S extends VersionServer>(version: ModelVersion<S>): version is ReadyModelVersion<S> {
  return version.state === 'READY' && version.loaded !== undefined && version.config !== undefined && version.server !== undefined;
}

export function sortedVersions<S extends VersionServer>(entry: ModelEntry<S>): ModelVersion<S>[] {
  return [...entry.versions.values()].sort((a, b) => Number(a.version) - Number(b.version));
}

export function versionNotFound<S extends VersionServer>(entry: ModelEntry<S>, version: string): InferenceError {
  const served = sortedVersions(entry).map((v) => v.version);
  return new InferenceError('ERR_MODEL_VERSION_NOT_FOUND', `model '${entry.name}' has no version ${JSON.stringify(version)}; served versions: ${served.length ? served.join(', ') : 'none'}`);
}

export function notResident<S extends VersionServer>(entry: ModelEntry<S>): InferenceError {
  return new InferenceError('ERR_MODEL_NOT_READY', `model '${entry.name}' is not resident (${entry.reason || 'memory budget'})`);
}
