import { Readable } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { InferenceError, isInferenceError, toInferenceError } from '../../errors/index.js';
import type { InferenceServer } from '../../engine/index.js';
import {
  decodeInferRequestBody, decodeModelLoadBody, decodeModelUnloadBody, decodeRepositoryIndexBody, encodeInferResponseBody, parseHeaderLength,
  checkBearerToken, type RawRequestModel,
} from '../../protocol/index.js';

export interface HttpAppOptions {
  /** Largest request body, in bytes. @defaultValue 256 MiB */
  readonly maxBodyBytes?: number;
  /** A pino logger; access lines go to it at debug level. */
  readonly logger?: FastifyBaseLogger;
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024 * 1024;

interface ModelParams {
  model: string;
  version?: string;
}

/** The KServe v2 REST front end: parse, call the engine, encode. No decisions of its own. */
export function buildHttpApp(engine: InferenceServer, options: HttpAppOptions = {}): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    bodyLimit: maxBodyBytes,
    // One access line per request comes from the onResponse hook below, at debug level.
    logController: new LogController({ disableRequestLogging: true }),
    // KServe model names may hold dots and dashes; keep routing by exact segments.
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.addHook('onResponse', (request, reply, done) => {
    request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Number(reply.elapsedTime.toFixed(2)) }, 'request');
    done();
  });

  app.setErrorHandler((error: FastifyError | InferenceError, request, reply) => {
    const failure = asInferenceError(error, maxBodyBytes);
    if (failure.kind === 'INTERNAL' || failure.kind === 'UNKNOWN') request.log.error({ err: error, url: request.url }, 'request failed');
    return sendError(reply, failure);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, new InferenceError('ERR_ROUTE_NOT_FOUND', `no endpoint ${request.method} ${request.url.split('?')[0]}`)));

  app.get('/v2/health/live', () => ({ live: engine.isLive() }));
  app.get('/v2/health/ready', (_request, reply) => {
    const ready = engine.isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2', () => engine.serverMetadata());

  // Statistics extension. A static segment beats a parameter in fastify's router, so this is
  // not model metadata of a model named "stats" (that one stays reachable with /versions/{v}).
  app.get('/v2/models/stats', () => ({ model_stats: engine.modelStatistics() }));
  for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
    app.get<{ Params: ModelParams }>(prefix, (request) => engine.modelMetadata(request.params.model, request.params.version));
    app.get<{ Params: ModelParams }>(`${prefix}/stats`, (request) => ({ model_stats: engine.modelStatistics(request.params.model, request.params.version) }));
    app.get<{ Params: ModelParams }>(`${prefix}/ready`, (request, reply) => {
      const ready = engine.isModelReady(request.params.model, request.params.version);
      return reply.code(ready ? 200 : 503).send({ name: request.params.model, ready });
    });
    app.get<{ Params: ModelParams }>(`${prefix}/config`, (request) => engine.modelConfig(request.params.model, request.params.version));
  }

  void app.register((scope, _options, done) => {
    // Triton's repository extension. Bodies are optional and read as JSON whatever their content
    // type: Triton's clients send none to unload, and curl -d labels JSON as a form.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));
    scope.post<{ Body: Buffer | undefined }>('/v2/repository/index', (request) => {
      authorize(engine, request.headers.authorization);
      return engine.modelIndex(decodeRepositoryIndexBody(request.body));
    });
    // Success is 200 with `{}`. Triton answers 200 with no body; its clients look only at the status.
    scope.post<{ Params: { model: string }; Body: Buffer | undefined }>('/v2/repository/models/:model/load', async (request) => {
      authorize(engine, request.headers.authorization);
      await engine.loadModel(request.params.model, decodeModelLoadBody(request.body));
      return {};
    });
    scope.post<{ Params: { model: string }; Body: Buffer | undefined }>('/v2/repository/models/:model/unload', async (request) => {
      authorize(engine, request.headers.authorization);
      await engine.unloadModel(request.params.model, decodeModelUnloadBody(request.body));
      return {};
    });
    done();
  });

  void app.register((scope, _options, done) => {
    // Infer bodies are decoded by protocol/, whatever their content type: the binary
    // extension sends JSON followed by raw bytes, which no generic parser understands.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, parsed) => parsed(null, body));
    for (const prefix of ['/v2/models/:model', '/v2/models/:model/versions/:version']) {
      scope.post<{ Params: ModelParams; Body: Buffer | undefined }>(`${prefix}/infer`, async (request, reply) => {
        const body = request.body ?? Buffer.alloc(0);
        if (body.length === 0) throw new InferenceError('ERR_INVALID_REQUEST', 'the request body is empty; expected a JSON inference request');
        const headerLength = parseHeaderLength(request.headers['inference-header-content-length']);
        const target = { modelName: request.params.model, ...(request.params.version !== undefined ? { modelVersion: request.params.version } : {}) };
        // Only Triton's raw binary request (header length 0) needs the model to be decoded.
        const rawModel = headerLength === 0 ? await rawRequestModel(engine, target) : undefined;
        const inferRequest = decodeInferRequestBody(body, headerLength, target, rawModel);
        const response = await engine.infer(inferRequest, { transferInputs: true });
        const encoded = encodeInferResponseBody(response, inferRequest);
        reply.type(encoded.contentType).header('content-length', encoded.byteLength);
        if (encoded.headerLength !== undefined) reply.header('inference-header-content-length', encoded.headerLength);
        return reply.send(responsePayload(encoded.chunks, encoded.byteLength));
      });
    }
    done();
  });

  return app;
}

/**
 * One buffer for small bodies (a stream costs more than copying a few KiB: measured 8% of the
 * server's CPU in stream bookkeeping on MLP-sized responses); a stream of the tensors' own
 * memory for large ones, to avoid copying megabytes.
 */
function responsePayload(chunks: Uint8Array[], byteLength: number): Uint8Array | Readable {
  if (chunks.length === 1) return chunks[0]!;
  if (byteLength <= STREAM_THRESHOLD_BYTES) return Buffer.concat(chunks, byteLength);
  return Readable.from(chunks);
}

const STREAM_THRESHOLD_BYTES = 1024 * 1024;

async function rawRequestModel(engine: InferenceServer, target: { modelName: string; modelVersion?: string }): Promise<RawRequestModel> {
  const { inputs } = await engine.modelMetadata(target.modelName, target.modelVersion);
  const maxBatchSize = (await engine.modelConfig(target.modelName, target.modelVersion)).max_batch_size;
  return { inputs, maxBatchSize: typeof maxBatchSize === 'number' ? maxBatchSize : 0 };
}

/** The engine decides whether the repository API needs a token and whether this one is it. */
function authorize(engine: InferenceServer, authorization: string | undefined): void {
  checkBearerToken(authorization, (token) => engine.checkManagementToken(token));
}

function asInferenceError(error: FastifyError | InferenceError, maxBodyBytes: number): InferenceError {
  if (isInferenceError(error)) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new InferenceError('ERR_BODY_TOO_LARGE', `the request body exceeds the limit of ${maxBodyBytes} bytes`);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new InferenceError('ERR_INVALID_REQUEST', error.message);
  }
  return toInferenceError(error);
}

function sendError(reply: FastifyReply, error: InferenceError): FastifyReply {
  return reply.code(error.httpStatus).type('application/json').send({ error: error.message, code: error.code });
}
