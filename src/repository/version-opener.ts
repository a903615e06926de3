import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceError, toInferenceError } from '../errors/index.js';
import type { BackendRegistry, LoadedModel } from '../backends/index.js';
import { completeModelConfig, type CompletedModelConfig, type ModelConfig } from '../config/index.js';
import type { ModelSource } from './repository-scan.js';
import { runModelWarmup } from './model-warmup.js';

/** One model version opened by its backend, its config completed and warm-up run: ready to serve. */
export interface OpenedVersion {
  readonly loaded: LoadedModel;
  readonly config: CompletedModelConfig;
  /** Platform reported in metadata, e.g. `onnxruntime_onnx`. */
  readonly platform: string;
  /** Size of the model file and the files beside it (ONNX external data), the floor of its memory estimate. */
  readonly fileBytes: number;
}

export interface OpenOptions {
  /** Where the config came from, for error messages: its file (the default), or a load request. */
  readonly configOrigin?: string | undefined;
  /** Passed to the backend: an instance of this version died and is being replaced. */
  readonly onInstanceLost?: (reason: string) => void;
}

/**
 * Opens `<model>/<version>`: picks the backend, loads the file, completes the config from the
 * file's signature and runs the config's warm-up. Nothing is left open when it throws.
 */
export async function openVersion(registry: BackendRegistry, source: ModelSource, config: ModelConfig | undefined, version: string, options: OpenOptions = {}): Promise<OpenedVersion> {
  const configOrigin = options.configOrigin ?? source.configFile?.path;
  const versionDir = join(source.dir, version);
  const fileNames = await readdir(versionDir);
  const named = Boolean(config?.backend || config?.platform);
  const backend = named ? registry.resolve({ backend: config?.backend, platform: config?.platform }) : registry.byModelFile(fileNames);
  if (!backend) {
    const wanted = config?.backend || config?.platform;
    throw new InferenceError('ERR_MODEL_LOAD_FAILED', wanted
      ? `${configOrigin ?? source.dir}: backend/platform '${wanted}' is not available; available backends: ${registry.names().join(', ')}`
      : `${versionDir}: no model file found (expected ${registry.modelFileNames().join(', ')})`);
  }
  // A backend with no default file serves models that have none (ensembles: the config is the
  // whole model, and the version folder may be empty, as in Triton). Errors then name the config.
  const hasFile = backend.defaultModelFilename !== '';
  const modelFile = hasFile ? config?.default_model_filename || registry.modelFileFor(backend, fileNames) : '';
  const modelPath = hasFile ? join(versionDir, modelFile) : configOrigin ?? versionDir;
  const modelBytes = hasFile ? await fileSize(modelPath) : 0;
  if (modelBytes === undefined) throw new InferenceError('ERR_MODEL_LOAD_FAILED', `${modelPath}: model file is missing`);
  // Weights may sit in files beside the model (ONNX external data), which the runtime loads too.
  const fileBytes = hasFile ? await versionFileBytes(versionDir, fileNames) : 0;
  const instanceCount = Math.max(1, (config?.instance_group ?? []).reduce((sum, g) => sum + (g.count ?? 0), 0));
  const parameters = Object.fromEntries(Object.entries(config?.parameters ?? {}).map(([k, v]) => [k, v.string_value]));
  let loaded: LoadedModel;
  try {
    loaded = await backend.load({
      modelName: source.name, version, versionDir, modelFile, instanceCount, parameters,
      ...(config ? { config } : {}),
      ...(options.onInstanceLost ? { onInstanceLost: options.onInstanceLost } : {}),
    });
  } catch (error) {
    const failure = toInferenceError(error, 'ERR_MODEL_LOAD_FAILED');
    throw new InferenceError(failure.code, `${modelPath}: ${failure.message}`, { cause: error, details: failure.details });
  }
  try {
    // A backend picked by the model file completes the config as if the config had named it.
    const completing = named ? config : { ...config, backend: backend.name };
    const completed = completeModelConfig(completing, { modelName: source.name, configFile: configOrigin, modelFile: modelPath, signature: loaded.signature });
    await runModelWarmup(loaded, completed, source.dir);
    return { loaded, config: completed, platform: config?.platform || backend.platform, fileBytes };
  } catch (error) {
    await loaded.unload();
    throw error;
  }
}

/** Total size of the regular files directly in a version folder: the model and any external data beside it. */
export async function versionFileBytes(dir: string, names?: readonly string[]): Promise<number> {
  const entries = names ?? await readdir(dir).catch(() => []);
  const sizes = await Promise.all(entries.map((name) => fileSize(join(dir, name))));
  return sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
}

async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
