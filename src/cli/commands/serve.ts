import { Command, InvalidArgumentError, Option } from 'commander';
import type { LevelWithSilent } from 'pino';
import { DEFAULT_MAX_TENSOR_BYTES, InferenceServer } from '../../engine/index.js';
import { DEFAULT_METRICS_PORT, METRICS_COMPAT_VALUES, MetricsRegistry, startMetricsServer, type MetricsCompat } from '../../metrics/index.js';
import { DEFAULT_MAX_BODY_BYTES, startHttpServer } from '../../server/http/index.js';
import { DEFAULT_GRPC_MAX_RECEIVE_MESSAGE_BYTES, startGrpcServer } from '../../server/grpc/index.js';
import { createLogger, type LogFormat } from '../logging.js';
import { integerOption } from '../options.js';

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
}

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
    .action(async (options: ServeOptions) => {
      await serve(options);
    });
}

async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger(options.logLevel, options.logFormat);
  logger.info({ repository: options.modelRepository }, 'loading models');
  // Created before the engine, which feeds it scheduler events and model states from the first load on.
  const metrics = options.allowMetrics ? new MetricsRegistry({ compat: options.metricsCompat }) : undefined;
  const engine = await InferenceServer.open({
    modelRepository: options.modelRepository,
    logger,
    maxTensorBytes: options.maxTensorBytes,
    strictReadiness: options.strictReadiness,
    metrics,
  });
  for (const row of engine.modelIndex()) {
    if (row.state === 'READY') logger.info({ model: row.name, version: row.version }, 'model ready');
    else logger.warn({ model: row.name, version: row.version, state: row.state, reason: row.reason }, 'model not ready');
  }
  const http = await startHttpServer(engine, { host: options.host, port: options.httpPort, maxBodyBytes: options.maxBodyBytes, logger });
  logger.info({ url: http.url }, 'HTTP server listening');
  const grpc = await startGrpcServer(engine, { host: options.host, port: options.grpcPort, maxReceiveMessageBytes: options.grpcMaxMessageBytes, logger });
  logger.info({ address: grpc.address }, 'gRPC server listening');
  const metricsServer = metrics ? await startMetricsServer(metrics, { host: options.host, port: options.metricsPort }) : undefined;
  if (metricsServer) logger.info({ url: `${metricsServer.url}/metrics`, compat: options.metricsCompat }, 'metrics server listening');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    void (async () => {
      await Promise.all([http.close(), grpc.close()]);
      await engine.close();
      // Last, so that Prometheus can scrape the final counts while requests drain.
      await metricsServer?.close();
      logger.info({}, 'stopped');
      process.exit(0);
    })();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

/**
 * `true` or `false`, as Triton spells `--allow-metrics=false`. It replaces the parser choices()
 * installs (choices() then only lists the values in --help), so it checks the text itself.
 */
function booleanOption(value: string): boolean {
  if (value !== 'true' && value !== 'false') throw new InvalidArgumentError(`expected true or false, got "${value}"`);
  return value === 'true';
}
