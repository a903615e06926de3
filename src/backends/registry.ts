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

  /** The backend whose default model file is present, for models without a config naming one. */
  byModelFile(fileNames: readonly string[]): Backend | undefined {
    return [...this.#backends.values()].find((b) => fileNames.includes(b.defaultModelFilename));
  }

  names(): string[] {
    return [...this.#backends.keys()];
  }
}
