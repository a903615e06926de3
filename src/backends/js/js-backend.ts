import { dirname, join } from 'node:path';
import { completeModelConfig, modelConfigToJson } from '../../config/index.js';
import { BACKEND_API_VERSION, type Backend, type BackendLoadSpec, type LoadedModel } from '../backend.js';
import { HandlerPool } from './handler-pool.js';
import { JS_BACKEND_NAME, outputSpecs, requireIoConfig, signatureFromConfig, withJsBackend } from './js-model-config.js';
import { jsSettingsFromParameters } from './js-parameters.js';

/**
 * Serves custom models written in JavaScript or TypeScript (like Triton's Python backend): a
 * version folder's model.js or model.mjs exports a handler (see handler-api.ts), which runs in
 * worker threads, one per instance. Inputs and outputs come from the config, which is required.
 */
export class JsBackend implements Backend {
  readonly name = JS_BACKEND_NAME;
  readonly apiVersion = BACKEND_API_VERSION;
  /** Reported in model metadata; also accepted in a config's `platform` field. */
  readonly platform = 'js';
  readonly defaultModelFilename = 'model.js';
  /** Every file name a version folder's handler may have, in order of preference (see BackendRegistry.modelFileFor). */
  readonly modelFilenames = ['model.js', 'model.mjs'] as const;

  async load(spec: BackendLoadSpec): Promise<LoadedModel> {
    const config = requireIoConfig(spec.config, spec.modelName);
    const settings = jsSettingsFromParameters(spec.parameters);
    const signature = signatureFromConfig(config);
    const modelFile = join(spec.versionDir, spec.modelFile);
    // The same completion the server runs after load(), done here so initialize() sees the config as clients do.
    const completed = completeModelConfig(withJsBackend(config), { modelName: spec.modelName, configFile: 'config', modelFile, signature });
    const pool = await HandlerPool.open({
      modelFile,
      instanceCount: spec.instanceCount,
      context: {
        modelName: spec.modelName,
        version: spec.version,
        modelDirectory: dirname(spec.versionDir),
        versionDirectory: spec.versionDir,
        config: modelConfigToJson(completed),
        parameters: { ...spec.parameters },
      },
      outputs: outputSpecs(config),
      settings,
      onInstanceLost: spec.onInstanceLost,
    });
    return {
      signature,
      instanceCount: spec.instanceCount,
      executeRequests: (requests) => pool.execute(requests),
      execute: async (request) => {
        const { results, computeInferNs } = await pool.execute([request]);
        const result = results[0]!;
        if ('error' in result) throw result.error;
        return { outputs: result.outputs, computeInferNs };
      },
      unload: () => pool.close(),
    };
  }
}
