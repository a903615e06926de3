import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { connect, serverOptions, type ServerConnectionOptions } from '../options.js';
import type { BenchReport, BenchSettings } from '../bench/bench-result.js';
import { durationOption, levelsOption, positiveIntegerOption, rateOption, shapeOption, UsageError } from '../bench/bench-options.js';
import { prepareInputs, runBench } from '../bench/bench-runner.js';
import { renderHtmlReport } from '../bench/html-report.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../bench/load-loop.js';
import { ProgressLine } from '../bench/progress-line.js';
import { formatTable, toCsv } from '../bench/report-formats.js';

interface BenchOptions extends ServerConnectionOptions {
  model: string;
  modelVersion?: string;
  jsonTensors?: boolean;
  batchSize: number;
  concurrency?: number[];
  requestRate?: number[];
  duration?: number;
  requests?: number;
  warmup: number;
  inputData: string;
  shape?: Record<string, number[]>;
  json?: string;
  csv?: string;
  report?: string;
  maxErrorRate: number;
  maxInflight: number;
}

/** Exits a bench-family command on commander's own errors with code 2 (bad arguments), 0 for --help. */
export function exitOnUsageError(command: Command): Command {
  return command.exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));
}

export function benchCommand(): Command {
  const command = new Command('bench')
    .description('measure a model\'s latency and throughput under load (closed loop by concurrency or open loop by request rate)')
    .requiredOption('-m, --model <name>', 'model name')
    .option('-v, --model-version <version>', 'model version (default: the highest ready)')
    .option('--json-tensors', 'HTTP: send tensors as JSON instead of binary')
    .option('-b, --batch-size <n>', 'rows per request (models with max_batch_size > 0)', positiveIntegerOption('--batch-size'), 1)
    .addOption(new Option('--concurrency <list>', 'closed loop: requests in flight, e.g. 1,4,16,64').argParser(levelsOption('--concurrency')).conflicts('requestRate'))
    .addOption(new Option('--request-rate <list>', 'open loop: requests per second, e.g. 100,500,1000').argParser(levelsOption('--request-rate', true)))
    .addOption(new Option('--duration <time>', 'measurement per level, e.g. 10s (default 10s)').argParser(durationOption('--duration')).conflicts('requests'))
    .option('--requests <n>', 'measure this many requests per level instead of a duration', positiveIntegerOption('--requests'))
    .option('--warmup <time>', 'unmeasured warm-up per level', durationOption('--warmup', true), 2000)
    .option('--max-inflight <n>', 'open loop: requests in flight at most; later ones wait in the generator, timed from their due time', positiveIntegerOption('--max-inflight'), DEFAULT_MAX_IN_FLIGHT)
    .option('--input-data <source>', 'zero, random, or a JSON file ({"inputs":[...]} or inputs by name)', 'random')
    .option('--shape <name:dims>', 'shape of an input with dynamic dims, e.g. INPUT0:1,3,224,224 (repeatable)', shapeOption)
    .option('--json <file>', 'write the report as JSON')
    .option('--csv <file>', 'write one CSV row per level')
    .option('--report <file.html>', 'write an HTML report')
    .option('--max-error-rate <fraction>', 'exit with code 1 when a level\'s error rate is above this', rateOption('--max-error-rate'), 0)
    .addHelpText('after', `
Exit codes: 0 ok, 1 a level's error rate above --max-error-rate (or the run failed), 2 bad arguments.

Examples:
  $ wharf bench -m mlp_classifier --concurrency 1,4,16 --duration 5s
  $ wharf bench -m mlp_classifier --request-rate 200,1000 --duration 5s --json out.json --report out.html
  $ wharf bench -m image_model --shape image:1,3,224,224 --protocol grpc --concurrency 8`)
    .action(async (options: BenchOptions) => {
      const settings = settingsOf(options);
      const client = connect(options);
      let report: BenchReport;
      try {
        const inputs = await prepareInputs(client, settings);
        report = await runBench(settings, inputs, new ProgressLine());
      } finally {
        client.close();
      }
      console.log(formatTable(report));
      await writeOutputs(report, options);
      const failing = report.levels.filter((l) => l.errorRate > settings.maxErrorRate);
      if (failing.length > 0) {
        console.error(`wharf bench: error rate above --max-error-rate ${settings.maxErrorRate} at level(s) ${failing.map((l) => `${l.level} (${(l.errorRate * 100).toFixed(2)}%: ${Object.entries(l.errors).map(([c, n]) => `${c} ×${n}`).join(', ')})`).join('; ')}`);
        process.exitCode = 1;
      }
    });
  for (const option of serverOptions()) command.addOption(option);
  return exitOnUsageError(command);
}

function settingsOf(options: BenchOptions): BenchSettings {
  if (options.concurrency === undefined && options.requestRate === undefined) {
    throw new UsageError('give the load as --concurrency 1,4,16 (closed loop) or --request-rate 100,500 (open loop)');
  }
  const mode = options.concurrency !== undefined ? 'concurrency' : 'request-rate';
  return {
    url: options.url ?? (options.protocol === 'grpc' ? 'localhost:8001' : 'localhost:8000'),
    protocol: options.protocol,
    jsonTensors: options.jsonTensors === true,
    model: options.model,
    ...(options.modelVersion === undefined ? {} : { modelVersion: options.modelVersion }),
    batchSize: options.batchSize,
    mode,
    levels: options.concurrency ?? options.requestRate!,
    ...(options.requests === undefined ? { durationMs: options.duration ?? 10_000 } : { requests: options.requests }),
    warmupMs: options.warmup,
    inputData: options.inputData,
    shapes: options.shape ?? {},
    maxErrorRate: options.maxErrorRate,
    ...(mode === 'request-rate' ? { maxInFlight: options.maxInflight } : {}),
  };
}

async function writeOutputs(report: BenchReport, options: BenchOptions): Promise<void> {
  if (options.json !== undefined) await writeFile(options.json, `${JSON.stringify(report, null, 2)}\n`);
  if (options.csv !== undefined) await writeFile(options.csv, toCsv(report));
  if (options.report !== undefined) await writeFile(options.report, renderHtmlReport(report));
  for (const [flag, file] of [['--json', options.json], ['--csv', options.csv], ['--report', options.report]] as const) {
    if (file !== undefined) console.error(`wrote ${flag.slice(2)} to ${file}`);
  }
}
