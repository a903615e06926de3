import http from 'node:http';
import https from 'node:https';
import { ERROR_CODES, InferenceError, type ErrorCode } from '../errors/index.js';
import { toInferRequest, type InferInput, type InferResponse, type ModelMetadata, type ModelVersionStatus, type ServerMetadata } from '../core/index.js';
import {
  bearerAuthorization, decodeInferResponseBody, encodeInferRequestBody, encodeModelLoadBody, encodeModelUnloadBody, parseHeaderLength,
} from '../protocol/index.js';
import {
  DEFAULT_CLIENT_TIMEOUT_MS, loadParameters,
  type CallOptions, type ClientOptions, type InferCallOptions, type InferenceClient, type LoadModelCallOptions, type RepositoryIndexCallOptions, type UnloadModelCallOptions,
} from './inference-client.js';
import { parseServerAddress, type ServerAddress } from './server-address.js';
import type { ModelStatisticsSnapshot } from '../statistics/index.js';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * KServe v2 over HTTP/1.1 with keep-alive. Tensors travel with Triton's binary extension
 * unless a call asks for JSON. Built on node:http rather than fetch: it writes the binary
 * chunks without concatenating them and costs less per request.
 */
export class HttpClient implements InferenceClient {
  readonly protocol = 'http';
  readonly #address: ServerAddress;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  /** Headers of the repository calls: the management token, when there is one. */
  readonly #repositoryHeaders: http.OutgoingHttpHeaders;
  /** Headers of every other call: the inference token, when there is one. */
  readonly #headers: http.OutgoingHttpHeaders;

  constructor(options: ClientOptions) {
    this.#address = parseServerAddress(options.url, 8000);
    this.#agent = this.#address.secure ? new https.Agent({ keepAlive: true, ...(options.ca !== undefined ? { ca: options.ca } : {}) }) : new http.Agent({ keepAlive: true });
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_CLIENT_TIMEOUT_MS;
    this.#repositoryHeaders = options.managementToken === undefined ? {} : { authorization: bearerAuthorization(options.managementToken) };
    this.#headers = options.token === undefined ? {} : { authorization: bearerAuthorization(options.token) };
  }

  get url(): string {
    const { secure, host, port, basePath } = this.#address;
    return `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}${basePath}`;
  }

  async isServerLive(options?: CallOptions): Promise<boolean> {
    return (await this.#send('GET', '/v2/health/live', [], this.#headers, options)).status === 200;
  }

  async isServerReady(options?: CallOptions): Promise<boolean> {
    return (await this.#send('GET', '/v2/health/ready', [], this.#headers, options)).status === 200;
  }

  async isModelReady(name: string, version?: string, options?: CallOptions): Promise<boolean> {
    const response = await this.#send('GET', `${modelPath(name, version)}/ready`, [], this.#headers, options);
    if (response.status === 200) return true;
    if (response.status === 503) return false;
    throw errorFromResponse(response);
  }

  serverMetadata(options?: CallOptions): Promise<ServerMetadata> {
    return this.#json('GET', '/v2', options);
  }

  modelMetadata(name: string, version?: string, options?: CallOptions): Promise<ModelMetadata> {
    return this.#json('GET', modelPath(name, version), options);
  }

  modelConfig(name: string, version?: string, options?: CallOptions): Promise<Record<string, unknown>> {
    return this.#json('GET', `${modelPath(name, version)}/config`, options);
  }

  async modelStatistics(name?: string, version?: string, options?: CallOptions): Promise<ModelStatisticsSnapshot[]> {
    const path = name === undefined ? '/v2/models/stats' : `${modelPath(name, version)}/stats`;
    return (await this.#json<{ model_stats?: ModelStatisticsSnapshot[] }>('GET', path, options)).model_stats ?? [];
  }

  async repositoryIndex(options: RepositoryIndexCallOptions = {}): Promise<ModelVersionStatus[]> {
    const response = await this.#sendJson('/v2/repository/index', JSON.stringify(options.readyOnly ? { ready: true } : {}), this.#repositoryHeaders, options);
    return parseJson<ModelVersionStatus[]>(response, 'POST /v2/repository/index');
  }

  async loadModel(name: string, options: LoadModelCallOptions = {}): Promise<void> {
    await this.#sendJson(`/v2/repository/models/${encodeURIComponent(name)}/load`, encodeModelLoadBody(loadParameters(options)), this.#repositoryHeaders, options);
  }

  async unloadModel(name: string, options: UnloadModelCallOptions = {}): Promise<void> {
    const body = encodeModelUnloadBody(options.unloadDependents === undefined ? {} : { unloadDependents: options.unloadDependents });
    await this.#sendJson(`/v2/repository/models/${encodeURIComponent(name)}/unload`, body, this.#repositoryHeaders, options);
  }

  async infer(input: InferInput, options: InferCallOptions = {}): Promise<InferResponse> {
    const request = toInferRequest(input);
    const binary = !options.json;
    const encoded = encodeInferRequestBody(request, { binaryInputs: binary, binaryOutputs: binary });
    const headers: http.OutgoingHttpHeaders = { ...this.#headers, 'content-type': encoded.contentType, 'content-length': encoded.byteLength };
    if (encoded.headerLength !== undefined) headers['inference-header-content-length'] = encoded.headerLength;
    const response = await this.#send('POST', `${modelPath(request.modelName, request.modelVersion)}/infer`, encoded.chunks, headers, options);
    if (response.status !== 200) throw errorFromResponse(response);
    try {
      const headerLength = parseHeaderLength(response.headers['inference-header-content-length']);
      return decodeInferResponseBody(response.body, headerLength);
    } catch (error) {
      throw new InferenceError('ERR_RESPONSE_INVALID', `cannot decode the response of ${this.url}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  async #json<T>(method: 'GET', path: string, options: CallOptions | undefined): Promise<T> {
    const response = await this.#send(method, path, [], this.#headers, options);
    if (response.status !== 200) throw errorFromResponse(response);
    return parseJson<T>(response, `${method} ${path}`);
  }

  /** POSTs a JSON body; resolves with the 200 response, whatever its body (Triton's load and unload send none). */
  async #sendJson(path: string, json: string, headers: http.OutgoingHttpHeaders, options: CallOptions | undefined): Promise<RawResponse> {
    const body = Buffer.from(json);
    const response = await this.#send('POST', path, [body], { ...headers, 'content-type': 'application/json', 'content-length': body.byteLength }, options);
    if (response.status !== 200) throw errorFromResponse(response);
    return response;
  }

  #send(method: string, path: string, chunks: readonly Uint8Array[], headers: http.OutgoingHttpHeaders, options: CallOptions | undefined): Promise<RawResponse> {
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs;
    const { secure, host, port, basePath } = this.#address;
    return new Promise((resolve, reject) => {
      const request = (secure ? https : http).request({ host, port, method, path: `${basePath}${path}`, headers, agent: this.#agent }, (response) => {
        const parts: Buffer[] = [];
        response.on('data', (part: Buffer) => parts.push(part));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: parts.length === 1 ? parts[0]! : Buffer.concat(parts) }));
        response.on('error', reject);
      });
      const timer = setTimeout(() => request.destroy(new InferenceError('ERR_TIMEOUT', `${method} ${this.url}${path} did not answer within ${timeoutMs} ms`)), timeoutMs);
      request.on('close', () => clearTimeout(timer));
      request.on('error', (error: Error & { code?: string }) => {
        reject(error instanceof InferenceError ? error : new InferenceError('ERR_SERVER_UNREACHABLE', `cannot reach ${this.url}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '), { cause: error }));
      });
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });
  }
}

function modelPath(name: string, version?: string): string {
  return `/v2/models/${encodeURIComponent(name)}${version ? `/versions/${encodeURIComponent(version)}` : ''}`;
}

/** Statuses our server never sends without its own code; used for other servers' errors. */
const CODE_BY_STATUS: Partial<Record<number, ErrorCode>> = {
  401: 'ERR_UNAUTHENTICATED',
  404: 'ERR_MODEL_NOT_FOUND',
  413: 'ERR_BODY_TOO_LARGE',
};

function parseJson<T>(response: RawResponse, call: string): T {
  try {
    return JSON.parse(response.body.toString('utf8')) as T;
  } catch (error) {
    throw new InferenceError('ERR_RESPONSE_INVALID', `${call}: the server did not answer with JSON`, { cause: error });
  }
}

/** Rebuilds the server's typed error from `{"error", "code"}`; other servers' bodies keep their text. */
function errorFromResponse(response: RawResponse): InferenceError {
  const text = response.body.toString('utf8');
  let message = text || `HTTP ${response.status}`;
  let code: ErrorCode = CODE_BY_STATUS[response.status] ?? (response.status >= 500 ? 'ERR_INTERNAL' : 'ERR_INVALID_REQUEST');
  try {
    const parsed = JSON.parse(text) as { error?: unknown; code?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
    if (typeof parsed.code === 'string' && Object.hasOwn(ERROR_CODES, parsed.code)) code = parsed.code as ErrorCode;
  } catch {
    // Not JSON (a proxy's error page, say): keep the text as the message.
  }
  return new InferenceError(code, message);
}
