import { ERROR_CODES, InferenceError, type ErrorCode } from '../errors/index.js';
import type { InferRequest, InferResponse, ModelMetadata, ModelVersionStatus, ServerMetadata } from '../core/index.js';
import { decodeInferResponseJson, encodeInferRequestJson } from '../protocol/index.js';

export interface HttpClientOptions {
  /** e.g. `http://localhost:8000`, or `localhost:8000` as perf_analyzer takes it. */
  readonly url: string;
  /** Per-request timeout. @defaultValue 60000 */
  readonly timeoutMs?: number;
}

/** Normalizes `host:port` to `http://host:port` and drops a trailing slash. */
export function normalizeServerUrl(url: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(url) ? url : `http://${url}`;
  return withScheme.replace(/\/+$/, '');
}

/** A KServe v2 REST client. Server errors arrive as InferenceError with the server's code. */
export class HttpClient {
  readonly url: string;
  readonly #timeoutMs: number;

  constructor(options: HttpClientOptions) {
    this.url = normalizeServerUrl(options.url);
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  async isServerLive(): Promise<boolean> {
    return (await this.#fetch('GET', '/v2/health/live', undefined, true)).ok;
  }

  async isServerReady(): Promise<boolean> {
    return (await this.#fetch('GET', '/v2/health/ready', undefined, true)).ok;
  }

  async serverMetadata(): Promise<ServerMetadata> {
    return this.#json<ServerMetadata>('GET', '/v2');
  }

  async modelMetadata(name: string, version?: string): Promise<ModelMetadata> {
    return this.#json<ModelMetadata>('GET', modelPath(name, version));
  }

  async modelConfig(name: string, version?: string): Promise<Record<string, unknown>> {
    return this.#json<Record<string, unknown>>('GET', `${modelPath(name, version)}/config`);
  }

  async repositoryIndex(options: { readyOnly?: boolean } = {}): Promise<ModelVersionStatus[]> {
    return this.#json<ModelVersionStatus[]>('POST', '/v2/repository/index', JSON.stringify(options.readyOnly ? { ready: true } : {}));
  }

  async infer(request: InferRequest): Promise<InferResponse> {
    const body = await this.#json<unknown>('POST', `${modelPath(request.modelName, request.modelVersion)}/infer`, encodeInferRequestJson(request));
    return decodeInferResponseJson(body);
  }

  async #json<T>(method: string, path: string, body?: string): Promise<T> {
    const response = await this.#fetch(method, path, body, false);
    return (await response.json()) as T;
  }

  async #fetch(method: string, path: string, body: string | undefined, allowFailure: boolean): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      throw new InferenceError('ERR_BACKEND_UNAVAILABLE', `cannot reach ${this.url}${path}: ${reason}`, { cause: error });
    }
    if (response.ok || allowFailure) return response;
    throw await errorFromResponse(response);
  }
}

function modelPath(name: string, version?: string): string {
  return `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`;
}

async function errorFromResponse(response: Response): Promise<InferenceError> {
  const text = await response.text();
  let message = text || response.statusText;
  let code: ErrorCode = response.status === 404 ? 'ERR_MODEL_NOT_FOUND' : response.status >= 500 ? 'ERR_INTERNAL' : 'ERR_INVALID_REQUEST';
  try {
    const parsed = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
    if (typeof parsed.code === 'string' && Object.hasOwn(ERROR_CODES, parsed.code)) code = parsed.code as ErrorCode;
  } catch {
    // Not JSON (a proxy's error page, say): keep the text as the message.
  }
  return new InferenceError(code, `HTTP ${response.status}: ${message}`);
}
