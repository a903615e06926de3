import { Readable } from 'node:stream';
import cors from '@fastify/cors';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InferenceError, isInferenceError, toInferenceError } from '../../errors/index.js';
import type { InferenceServer } from '../../engine/index.js';
import type { TlsFiles } from '../tls.js';
import {
  decodeInferRequestBody, decodeModelLoadBody, decodeModelUnloadBody, decodeRepositoryIndexBody, encodeInferResponseBody, parseHeaderLength,
  checkBearerToken, type RawRequestModel,
} from '../../protocol/index.js';

export interface HttpAppOptions {
  /** Largest request body, in bytes. @defaultValue 256 MiB */
  readonly maxBodyBytes?: number;
  /** A pino logger; access lines go to it at debug level. */
  readonly logger?: FastifyBaseLogger;
  /** Serve HTTPS with this key and certificate. @defaultValue plain HTTP */
  readonly tls?: TlsFiles;
  /**
   * Origins allowed to call from a browser (CORS), `*` for any. Preflight OPTIONS requests are
   * answered for them. @defaultValue none: no CORS headers at all
   */
  readonly corsOrigins?: readonly string[];
}

/**
 * Which token a route needs. Routes are `inference` unless they say otherwise, so an endpoint
 * added later is guarded by default.
 */
type Access = 'public' | 'inference' | 'management';

/** Headers a browser may read from a cross-origin response (the binary extension's split point). */
const CORS_EXPOSED_HEADERS = ['inference-header-content-length'];

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
    // The https overload types the instance over https.Server; both expose what this module uses.
    ...(options.tls ? { https: { key: options.tls.key, cert: options.tls.cert } } : {}),
  }) as FastifyInstance;

  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    const origins = options.corsOrigins;
    // Its onRequest hook answers preflights before the token check (browsers never send
    // credentials on a preflight) and puts the headers on refusals too.
    void app.register(cors, {
      origin: origins.includes('*') ? '*' : [...origins],
      methods: ['GET', 'POST', 'OPTIONS'],
      allowedHeaders: ['authorization', 'content-type', 'inference-header-content-length'],
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: 600,
    });
  }

  // preParsing: after the CORS plugin's onRequest hook (plugins load after hooks added here), and
  // before the body is read, so a caller without the token cannot make the server buffer 256 MiB.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    try {
      authorize(engine, request);
      done(null, payload);
    } catch (error) {
      done(error as InferenceError);
    }
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

  const open = { config: { access: 'public' satisfies Access } };
  const management = { config: { access: 'management' satisfies Access } };
  app.get('/v2/health/live', open, () => ({ live: engine.isLive() }));
  app.get('/v2/health/ready', open, (_request, reply) => {
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
    scope.post<{ Body: Buffer | undefined }>('/v2/repository/index', management, (request) => engine.modelIndex(decodeRepositoryIndexBody(request.body)));
    // Success is 200 with `{}`. Triton answers 200 with no body; its clients look only at the status.
    scope.post<{ Params: { model: string }; Body: Buffer | undefined }>('/v2/repository/models/:model/load', management, async (request) => {
      await engine.loadModel(request.params.model, decodeModelLoadBody(request.body));
      return {};
    });
    scope.post<{ Params: { model: string }; Body: Buffer | undefined }>('/v2/repository/models/:model/unload', management, async (request) => {
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

/**
 * The route says which token it needs; the engine decides whether one is set and whether this is
 * it. Unknown paths count as inference routes, so without the token they answer 401, not 404.
 */
function authorize(engine: InferenceServer, request: FastifyRequest): void {
  const access = (request.routeOptions.config as { access?: Access } | undefined)?.access ?? 'inference';
  if (access === 'public') return;
  const check = access === 'management' ? engine.checkManagementToken.bind(engine) : engine.checkInferenceToken.bind(engine);
  checkBearerToken(request.headers.authorization, check);
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
