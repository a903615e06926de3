import { Command, InvalidArgumentError, Option } from 'commander';
import { symbols as pinoSymbols, type LevelWithSilent, type Logger } from 'pino';
import {
  DEFAULT_MAX_TENSOR_BYTES, DEFAULT_REPOSITORY_POLL_SECONDS, DEFAULT_SHUTDOWN_TIMEOUT_SECONDS, InferenceServer, MODEL_CONTROL_MODES,
  type ModelControlMode,
} from '../../engine/index.js';
import { DEFAULT_METRICS_PORT, METRICS_COMPAT_VALUES, MetricsRegistry, startMetricsServer, type MetricsCompat } from '../../metrics/index.js';
import { DEFAULT_MAX_BODY_BYTES, startHttpServer } from '../../server/http/index.js';
import { DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES, startGrpcServer } from '../../server/grpc/index.js';
import { readTlsFiles, type TlsFiles } from '../../server/tls.js';
import { startupSettings } from '../config-file.js';
import { createGracefulShutdown, listenForSignals, type ShutdownStep } from '../graceful-shutdown.js';
import { createLogger, type LogFormat } from '../logging.js';
import { byteSizeOption, integerOption, listOption, secondsOption } from '../options.js';

interface ServeOptions {
  modelRepository: string;
  httpPort: number;
  grpcPort: number;
  grpcMaxMessageBytes: number;
  host: string;
  logLevel: LevelWithSilent;
  logFormat: LogFormat;
  maxBodyBytes: number;
  maxTensorBytes: number;
  strictReadiness: boolean;
  allowMetrics: boolean;
  metricsPort: number;
  metricsCompat: MetricsCompat;
  modelControlMode: ModelControlMode;
  repositoryPollSecs: number;
  loadModel?: string[];
  modelMemoryBudget?: number;
  managementToken?: string;
  inferenceToken?: string;
  tlsCert?: string;
  tlsKey?: string;
  maxBatchSize?: number;
  maxConnections?: number;
  corsOrigin?: string[];
  shutdownTimeout: number;
}

/** What the logs show instead of the management token. */
const REDACTED = '[redacted]';

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the models of a Triton-layout repository over KServe v2 HTTP and gRPC')
    .addOption(new Option('-r, --model-repository <dir>', 'model repository: <dir>/<model>/<version>/model.onnx').env('WHARF_MODEL_REPOSITORY').makeOptionMandatory())
    .addOption(new Option('-p, --http-port <port>', 'HTTP port (0 picks a free one)').env('WHARF_HTTP_PORT').default(8000).argParser(integerOption('--http-port', 0, 65535)))
    .addOption(new Option('-g, --grpc-port <port>', 'gRPC port (0 picks a free one)').env('WHARF_GRPC_PORT').default(8001).argParser(integerOption('--grpc-port', 0, 65535)))
    .addOption(new Option('--grpc-max-message-bytes <bytes>', 'largest gRPC request message').env('WHARF_GRPC_MAX_MESSAGE_BYTES').default(DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES).argParser(integerOption('--grpc-max-message-bytes', 1, 2 ** 31 - 1)))
    .addOption(new Option('--host <address>', 'address to listen on').env('WHARF_HOST').default('0.0.0.0'))
    .addOption(new Option('--log-level <level>', 'log level; debug adds one access line per request').env('WHARF_LOG_LEVEL').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'))
    .addOption(new Option('--log-format <format>', 'pretty on a terminal, JSON otherwise').env('WHARF_LOG_FORMAT').choices(['auto', 'pretty', 'json']).default('auto'))
    .addOption(new Option('--max-body-bytes <bytes>', 'largest request body').env('WHARF_MAX_BODY_BYTES').default(DEFAULT_MAX_BODY_BYTES).argParser(integerOption('--max-body-bytes', 1)))
    .addOption(new Option('--max-tensor-bytes <bytes>', 'largest tensor in a request').env('WHARF_MAX_TENSOR_BYTES').default(DEFAULT_MAX_TENSOR_BYTES).argParser(integerOption('--max-tensor-bytes', 1)))
    .addOption(new Option('--strict-readiness', 'report ready only when every model is ready').env('WHARF_STRICT_READINESS').default(false))
    .addOption(new Option('--allow-metrics <boolean>', 'serve Prometheus metrics at GET /metrics on --metrics-port (Triton\'s flag)').env('WHARF_ALLOW_METRICS').choices(['true', 'false']).default(true).argParser(booleanOption))
    .addOption(new Option('--metrics-port <port>', 'Prometheus metrics port (0 picks a free one)').env('WHARF_METRICS_PORT').default(DEFAULT_METRICS_PORT).argParser(integerOption('--metrics-port', 0, 65535)))
    .addOption(new Option('--metrics-compat <names>', 'also export Triton\'s nv_inference_* metrics').env('WHARF_METRICS_COMPAT').choices([...METRICS_COMPAT_VALUES]).default('none'))
    .addOption(new Option('--model-control-mode <mode>', 'none: load every model at start; poll: also rescan the repository every --repository-poll-secs; explicit: load the --load-model models at start, others through the repository API')
      .env('WHARF_MODEL_CONTROL_MODE').choices([...MODEL_CONTROL_MODES]).default('none'))
    .addOption(new Option('--repository-poll-secs <seconds>', 'poll mode: seconds between repository scans').env('WHARF_REPOSITORY_POLL_SECS').default(DEFAULT_REPOSITORY_POLL_SECONDS).argParser(secondsOption('--repository-poll-secs')))
    .addOption(new Option('--load-model <name>', 'explicit mode: a model to load at start, repeatable; * loads them all (the env var takes a comma-separated list)').env('WHARF_LOAD_MODEL').argParser(listOption))
    .addOption(new Option('--model-memory-budget <bytes>', 'resident model memory, e.g. 2GiB or 1.5GB: models then load on their first request and the least recently used idle ones unload (default: no budget)')
      .env('WHARF_MODEL_MEMORY_BUDGET').argParser(byteSizeOption('--model-memory-budget')))
    .addOption(new Option('--management-token <token>', 'bearer token the model repository API requires; prefer the env var, since other users can read a process\'s arguments').env('WHARF_MANAGEMENT_TOKEN'))
    .addOption(new Option('--inference-token <token>', 'bearer token inference, metadata, config and statistics require (the management token also works; health needs none); prefer the env var').env('WHARF_INFERENCE_TOKEN'))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS and gRPC over TLS with; needs --tls-key').env('WHARF_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'PEM private key of --tls-cert').env('WHARF_TLS_KEY'))
    .addOption(new Option('--max-batch-size <n>', 'largest batch size of a request, whatever the model allows (default: the model\'s max_batch_size)').env('WHARF_MAX_BATCH_SIZE').argParser(integerOption('--max-batch-size', 1)))
    .addOption(new Option('--max-connections <n>', 'open HTTP connections allowed at once (more are closed on accept), and gRPC calls open at once per connection (default: unlimited)').env('WHARF_MAX_CONNECTIONS').argParser(integerOption('--max-connections', 1)))
    .addOption(new Option('--cors-origin <origin>', 'browser origin allowed to call the HTTP API (CORS), repeatable or comma-separated; * allows any (default: no CORS)').env('WHARF_CORS_ORIGIN').argParser(listOption))
    .addOption(new Option('--shutdown-timeout <seconds>', 'on SIGTERM or SIGINT, seconds to finish accepted requests; past that the process kills itself').env('WHARF_SHUTDOWN_TIMEOUT').default(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS).argParser(secondsOption('--shutdown-timeout')))
    .action(async (options: ServeOptions, command: Command) => {
      await serve(options, command);
    });
}

/**
 * Start-up order: the engine is created empty, the listeners start, and only then do the models
 * load, so /v2/health/live answers 200 and /v2/health/ready 503 while they do (Kubernetes then
 * neither restarts the pod nor sends it traffic). A signal from then on drains; see graceful-shutdown.ts.
 */
async function serve(options: ServeOptions, command: Command): Promise<void> {
  const logger = createLogger(options.logLevel, options.logFormat);
  const explicit = options.modelControlMode === 'explicit';
  logger.info({
    repository: options.modelRepository,
    modelControlMode: options.modelControlMode,
    ...(options.modelControlMode === 'poll' ? { repositoryPollSeconds: options.repositoryPollSecs } : {}),
    ...(explicit ? { loadModel: options.loadModel ?? [] } : {}),
    ...(options.modelMemoryBudget !== undefined ? { modelMemoryBudgetBytes: options.modelMemoryBudget } : {}),
    ...(options.managementToken !== undefined ? { managementToken: REDACTED } : {}),
    ...(options.inferenceToken !== undefined ? { inferenceToken: REDACTED } : {}),
    shutdownTimeoutSeconds: options.shutdownTimeout,
    ...startupSettings(command),
  }, 'starting');
  if (options.loadModel !== undefined && !explicit) {
    logger.warn({ loadModel: options.loadModel, modelControlMode: options.modelControlMode }, '--load-model only applies with --model-control-mode explicit; ignoring it');
  }
  if (options.modelControlMode !== 'poll' && ['cli', 'env'].includes(command.getOptionValueSource('repositoryPollSecs') ?? '')) {
    logger.warn({ modelControlMode: options.modelControlMode }, '--repository-poll-secs only applies with --model-control-mode poll; ignoring it');
  }

  // Created before the engine, which feeds it scheduler events and model states from the first load on.
  const metrics = options.allowMetrics ? new MetricsRegistry({ compat: options.metricsCompat }) : undefined;
  const engine = InferenceServer.create({
    modelRepository: options.modelRepository,
    logger,
    maxTensorBytes: options.maxTensorBytes,
    strictReadiness: options.strictReadiness,
    metrics,
    modelControlMode: options.modelControlMode,
    repositoryPollSeconds: options.repositoryPollSecs,
    ...(explicit ? { startupModels: options.loadModel ?? [] } : {}),
    ...(options.modelMemoryBudget !== undefined ? { modelMemoryBudgetBytes: options.modelMemoryBudget } : {}),
    ...(options.managementToken !== undefined ? { managementToken: options.managementToken } : {}),
    ...(options.inferenceToken !== undefined ? { inferenceToken: options.inferenceToken } : {}),
    ...(options.maxBatchSize !== undefined ? { maxBatchSize: options.maxBatchSize } : {}),
  });

  const steps = await startListeners(engine, metrics, options, logger);
  const shutdown = createGracefulShutdown({
    logger,
    timeoutSeconds: options.shutdownTimeout,
    beginDrain: () => engine.beginDrain(),
    inflightRequests: () => engine.inflightRequests,
    stages: [
      steps.transports,
      [{ name: 'in-flight requests', done: 'in-flight requests finished', run: async () => { await engine.idle(); return requestTotals(engine); } }],
      [{ name: 'models', done: 'models unloaded', run: () => engine.close() }],
      // Last, so that Prometheus can scrape the final counts while requests drain.
      ...(steps.metrics ? [[steps.metrics]] : []),
    ],
    // After the log is written: pino's exit handler would write what it buffered ahead of the
    // write under way, and the last lines would come out of order.
    exit: (code) => afterLogWritten(logger, () => process.exit(code)),
    exitNow: () => killProcess(logger),
  });
  const stopListening = listenForSignals(shutdown);

  logger.info({ repository: options.modelRepository, modelControlMode: options.modelControlMode }, 'loading models');
  try {
    await engine.start();
  } catch (error) {
    if (shutdown.draining) return;
    stopListening();
    await closeQuietly([...steps.transports, ...(steps.metrics ? [steps.metrics] : [])], engine);
    throw error;
  }
  // A signal during loading began a drain, which logs what follows.
  if (shutdown.draining) return;
  const asked = new Set(options.loadModel ?? []);
  for (const row of engine.modelIndex()) {
    if (row.state === 'READY') logger.info({ model: row.name, version: row.version }, 'model ready');
    else if (explicit && !asked.has(row.name) && !asked.has('*')) logger.info({ model: row.name }, 'model not loaded (explicit mode: load it through the repository API)');
    else logger.warn({ model: row.name, version: row.version, state: row.state, reason: row.reason }, 'model not ready');
  }
  const ready = engine.isReady();
  logger.info({ ready }, ready ? 'server ready' : 'server not ready');
}

interface ListenerSteps {
  /** HTTP and gRPC: closed side by side. */
  transports: ShutdownStep[];
  metrics?: ShutdownStep;
}

/** Starts HTTP, gRPC and metrics. If one cannot listen, those already up are closed again. */
async function startListeners(engine: InferenceServer, metrics: MetricsRegistry | undefined, options: ServeOptions, logger: Logger): Promise<ListenerSteps> {
  const started: ShutdownStep[] = [];
  try {
    const tls: TlsFiles | undefined = await readTlsFiles(options.tlsCert, options.tlsKey);
    const http = await startHttpServer(engine, {
      host: options.host, port: options.httpPort, maxBodyBytes: options.maxBodyBytes, logger,
      ...(tls ? { tls } : {}),
      ...(options.corsOrigin !== undefined ? { corsOrigins: options.corsOrigin } : {}),
      ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
    });
    started.push({ name: 'HTTP server', done: 'HTTP server closed', run: () => http.close() });
    logger.info({ url: http.url }, 'HTTP server listening');
    const grpc = await startGrpcServer(engine, {
      host: options.host, port: options.grpcPort, maxReceiveMessageBytes: options.grpcMaxMessageBytes, logger,
      // The drain's own deadline decides; cancelling calls earlier would lose accepted work.
      closeGraceMs: options.shutdownTimeout * 1000,
      ...(tls ? { tls } : {}),
      ...(options.maxConnections !== undefined ? { maxConcurrentStreams: options.maxConnections } : {}),
    });
    started.push({ name: 'gRPC server', done: 'gRPC server closed', run: () => grpc.close() });
    logger.info({ address: grpc.address, tls: tls !== undefined }, 'gRPC server listening');
    const metricsServer = metrics ? await startMetricsServer(metrics, { host: options.host, port: options.metricsPort }) : undefined;
    if (!metricsServer) return { transports: started };
    logger.info({ url: `${metricsServer.url}/metrics`, compat: options.metricsCompat }, 'metrics server listening');
    return { transports: started, metrics: { name: 'metrics server', done: 'metrics server closed', run: () => metricsServer.close() } };
  } catch (error) {
    await closeQuietly(started, engine);
    throw error;
  }
}

async function closeQuietly(steps: readonly ShutdownStep[], engine: InferenceServer): Promise<void> {
  await Promise.allSettled([...steps.map((step) => step.run()), engine.close()]);
}

/**
 * Requests answered since start by the models loaded now, from the statistics extension; read
 * once the transports are closed, so that the drain's last log line says what was served.
 */
function requestTotals(engine: InferenceServer): { succeeded: number; failed: number } {
  let succeeded = 0;
  let failed = 0;
  for (const stats of engine.modelStatistics()) {
    succeeded += stats.inference_stats.success.count;
    failed += stats.inference_stats.fail.count;
  }
  return { succeeded, failed };
}

/**
 * Ends the process with SIGKILL, so its status is 137 (128 + 9), not an exit code. process.exit()
 * would first join every worker thread, and an onnxruntime worker inside session.run() cannot be
 * interrupted: the exit would wait for the execution to end, and onnxruntime-node then aborts
 * the process ("terminate called after throwing an instance of 'Napi::Error'", status 134).
 * The log is written out first, or the line saying why would be lost.
 */
function killProcess(logger: Logger): void {
  afterLogWritten(logger, () => process.kill(process.pid, 'SIGKILL'));
}

/** How long the process waits for its log to be written before it ends anyway (stdout stuck on a full pipe). */
const LOG_FLUSH_WAIT_MS = 1000;

/**
 * Calls `then` once every line logged so far is in the file descriptor. pino's JSON destination
 * (sonic-boom, sync: false) writes on the libuv thread pool; its flush() returns at once when
 * it does not buffer (minLength 0), while the last write may still be under way. It emits
 * 'drain' once it has written everything, and the line just logged guarantees a pending write.
 */
function afterLogWritten(logger: Logger, then: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    then();
  };
  setTimeout(once, LOG_FLUSH_WAIT_MS);
  const stream = (logger as unknown as Record<symbol, unknown>)[pinoSymbols.streamSym] as { sync?: boolean; flushSync?: unknown; once?(event: 'drain', listener: () => void): void } | undefined;
  if (stream && typeof stream.flushSync === 'function' && stream.sync === false && stream.once) stream.once('drain', once);
  else logger.flush(once);
}

/**
 * `true` or `false`, as Triton spells `--allow-metrics=false`. It replaces the parser choices()
 * installs (choices() then only lists the values in --help), so it checks the text itself.
 */
function booleanOption(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError(`expected true or false, got "${value}"`);
  return value === 'true';
}
