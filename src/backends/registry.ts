import { InferenceError } from '../errors/index.js';
import { BACKEND_API_VERSION, type Backend } from './backend.js';

/** Backends by name. Platforms (Triton's `platform` field) resolve to a backend name. */
export class BackendRegistry {
  readonly #backends = new Map<string, Backend>();

  register(backend: Backend): void {
    if (backend.apiVersion.major !== BACKEND_API_VERSION.major) {
      throw new InferenceError('ERR_INTERNAL', `backend '${backend.name}' implements backend API ${backend.apiVersion.major}.${backend.apiVersion.minor}; this server needs ${BACKEND_API_VERSION.major}.x`);
    }
    this.#backends.set(backend.name, backend);
  }

  /** Finds the backend for a config's `backend` or `platform` field. */
  resolve(selector: { backend?: string; platform?: string }): Backend | undefined {
    if (selector.backend) return this.#backends.get(selector.backend);
    if (selector.platform) return [...this.#backends.values()].find((b) => b.platform === selector.platform);
    return undefined;
  }

  /** The backend one of whose model files is present, for models without a config naming one. */
  byModelFile(fileNames: readonly string[]): Backend | undefined {
    return [...this.#backends.values()].find((b) => modelFilenamesOf(b).some((name) => fileNames.includes(name)));
  }

  /**
   * The file to load for `backend` when the config names none: the first of its model file names
   * present among `fileNames` (the js backend takes model.js or model.mjs), else its default.
   */
  modelFileFor(backend: Backend, fileNames: readonly string[]): string {
    return modelFilenamesOf(backend).find((name) => fileNames.includes(name)) ?? backend.defaultModelFilename;
  }

  names(): string[] {
    return [...this.#backends.keys()];
  }

  /** Every model file name some backend recognises, for "no model file found" messages. */
  modelFileNames(): string[] {
    return [...this.#backends.values()].flatMap((b) => modelFilenamesOf(b)).filter((name) => name !== '');
  }
}

/**
 * A backend may accept more than one file name (`modelFilenames`, in order of preference);
 * its defaultModelFilename always counts.
 */
function modelFilenamesOf(backend: Backend & { readonly modelFilenames?: readonly string[] }): readonly string[] {
  const names = backend.modelFilenames ?? [];
  return names.includes(backend.defaultModelFilename) ? names : [backend.defaultModelFilename, ...names];
}
