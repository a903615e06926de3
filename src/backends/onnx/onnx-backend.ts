import { join } from 'node:path';
import { usableCores } from '../../core/index.js';
import { BACKEND_API_VERSION, type Backend, type BackendLoadSpec, type LoadedModel } from '../backend.js';
import { sessionSettingsFromParameters } from './session-options.js';
import { SessionPool } from './session-pool.js';

/** Serves `.onnx` files with onnxruntime-node's CPU execution provider, one session per worker thread. */
export class OnnxBackend implements Backend {
  readonly name = 'onnxruntime';
  readonly apiVersion = BACKEND_API_VERSION;
  readonly platform = 'onnxruntime_onnx';
  readonly defaultModelFilename = 'model.onnx';
  readonly #cores: number;

  constructor(options: { cores?: number } = {}) {
    this.#cores = options.cores ?? usableCores();
  }

  async load(spec: BackendLoadSpec): Promise<LoadedModel> {
    const settings = sessionSettingsFromParameters(spec.parameters, spec.instanceCount, this.#cores);
    const { pool, signature } = await SessionPool.open(join(spec.versionDir, spec.modelFile), settings, spec.instanceCount, spec.onInstanceLost ? { onWorkerLost: spec.onInstanceLost } : {});
    return {
      signature,
      instanceCount: spec.instanceCount,
      execute: (request) => pool.execute(request),
      unload: () => pool.close(),
    };
  }
}
