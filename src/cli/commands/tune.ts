import { writeFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { connect, serverOptions, type ServerConnectionOptions } from '../options.js';
import type { InferenceClient } from '../../client/index.js';
import { isInferenceError } from '../../errors/index.js';
import { modelConfigToText, validateModelConfig } from '../../config/index.js';
import type { BenchSettings, LevelResult } from '../bench/bench-result.js';
import { durationOption, levelsOption, parseDurationMs, positiveIntegerOption, UsageError } from '../bench/bench-options.js';
import { createGenerator, maxBatchSizeOf, prepareInputs, runLevel } from '../bench/bench-runner.js';
import type { LoadGenerator } from '../bench/load-generator.js';
import { ProgressLine } from '../bench/progress-line.js';
import {
  applyTrial, batchingTrials, bestWithinBudget, instanceTrials, LATENCY_METRICS, maxBatchSizeTrials, metricOf, rankTrials,
  type LatencyMetric, type ModelConfigJson, type TrialConfig, type TrialScore,
} from '../bench/tune-search.js';
import { exitOnUsageError } from './bench.js';
import { usableCores } from '../../core/index.js';

interface TuneOptions extends ServerConnectionOptions {
  model: string;
  latencyBudget: string;
  metric: LatencyMetric;
  concurrency: number[];
  duration: number;
  warmup: number;
  maxInstances: number;
  maxTrials: number;
  write?: string;
  apply?: boolean;
}

export function tuneCommand(): Command {
  const command = new Command('tune')
    .description('try instance counts and dynamic batching settings on a running server and recommend the highest-throughput config within a latency budget (needs --model-control-mode explicit)')
    .requiredOption('-m, --model <name>', 'model name')
    .requiredOption('--latency-budget <time>', 'latency budget, e.g. 50ms')
    .addOption(new Option('--metric <metric>', 'latency figure held to the budget').choices(LATENCY_METRICS).default('p99'))
    .option('--concurrency <list>', 'closed-loop levels each trial runs, lowest first; a trial stops at the first level over budget', levelsOption('--concurrency'), [1, 2, 4, 8, 16, 32])
    .option('--duration <time>', 'measurement per level', durationOption('--duration'), 2000)
    .option('--warmup <time>', 'warm-up per level', durationOption('--warmup', true), 500)
    .option('--max-instances <n>', 'largest instance count tried (default: the cores this process may use)', positiveIntegerOption('--max-instances'), usableCores())
    .option('--max-trials <n>', 'at most this many configurations', positiveIntegerOption('--max-trials'), 10)
    .option('--write <file>', 'save the recommended config to this local file: config.pbtxt text when it ends in .pbtxt (e.g. the model\'s own config.pbtxt), else Triton JSON (a config.json or a load override)')
    .option('--apply', 'leave the recommended config loaded (default: reload the model from its repository files at the end)')
    .addHelpText('after', `
The server must run with --model-control-mode explicit: each trial reloads the model with a
config override. Whatever happens (errors, Ctrl-C), the model ends reloaded from its repository
files, or with the recommended config under --apply.

Example:
  $ wharf tune -m mlp_classifier --latency-budget 5ms --metric p99 --write tuned.json`)
    .action(async (options: TuneOptions) => {
      const budgetMs = parseDurationMs(options.latencyBudget, '--latency-budget');
      const client = connect(options);
      try {
        await tune(client, options, budgetMs);
      } finally {
        client.close();
      }
    });
  for (const option of serverOptions()) command.addOption(option);
  return exitOnUsageError(command);
}

function describe(level: LevelResult | undefined, metric: LatencyMetric, levels: readonly LevelResult[] = []): string {
  if (level !== undefined) return `${level.inferencesPerSecond.toFixed(1)} infer/s at concurrency ${level.level}, ${metric} ${metricOf(level.latencyMs, metric).toFixed(2)} ms`;
  const first = levels[0];
  if (first === undefined) return 'no level within budget';
  const errors = Object.entries(first.errors).map(([code, n]) => `${code} ×${n}`).join(', ');
  return `no level within budget (concurrency ${first.level}: ${metric} ${metricOf(first.latencyMs, metric).toFixed(2)} ms${errors === '' ? '' : `, errors ${errors}`})`;
}

async function tune(client: InferenceClient, options: TuneOptions, budgetMs: number): Promise<void> {
  const model = options.model;
  const original = await client.modelConfig(model);
  const maxBatchSize = await maxBatchSizeOf(client, model, undefined);
  const settings: BenchSettings = {
    url: options.url ?? (options.protocol === 'grpc' ? 'localhost:8001' : 'localhost:8000'), protocol: options.protocol, jsonTensors: false, model,
    batchSize: 1, mode: 'concurrency', levels: options.concurrency, durationMs: options.duration, warmupMs: options.warmup,
    inputData: 'random', shapes: {}, maxErrorRate: 0,
  };
  const inputs = await prepareInputs(client, settings);
  const generator = createGenerator(settings, inputs);
  const progress = new ProgressLine();
  const scores: TrialScore[] = [];
  let interrupted = false;
  const onSignal = (): void => {
    interrupted = true;
    console.error('\ninterrupted: restoring the model configuration (Ctrl-C again to abandon)');
    void generator.close();
  };
  process.once('SIGINT', onSignal);
  let recommended: TrialScore | undefined;
  // Set before the first trial load: from then on the model must be put back.
  let changed = false;
  try {
    const runTrial = async (trial: TrialConfig): Promise<TrialScore> => {
      const wasChanged = changed;
      try {
        changed = true;
        await client.loadModel(model, { config: applyTrial(original, trial) });
      } catch (error) {
        if (isInferenceError(error) && error.code === 'ERR_MODEL_CONTROL_DISABLED') {
          // Refused before anything changed (and every later load would be refused too).
          changed = wasChanged;
          throw new UsageError(`wharf tune reloads the model with each trial config: start the server with --model-control-mode explicit (${error.message})`);
        }
        // The server refused this config and kept the previous one: the trial fails, the search goes on.
        if (isInferenceError(error) && (error.kind === 'INVALID_ARG' || error.kind === 'INTERNAL')) {
          progress.finish(`${trial.label}: the server refused the config: ${error.message}`);
          return { trial, best: undefined, levels: [] };
        }
        throw error;
      }
      const score = { trial, best: undefined, levels: await measureTrial(generator, settings, progress, options.metric, budgetMs, trial.label) };
      const scored = { ...score, best: bestWithinBudget(score.levels, options.metric, budgetMs) };
      progress.finish(`${trial.label}: ${describe(scored.best, options.metric, scored.levels)}`);
      return scored;
    };
    for (const trial of instanceTrials(options.maxInstances)) {
      if (interrupted || scores.length >= options.maxTrials) break;
      scores.push(await runTrial(trial));
    }
    const bestInstances = rankTrials(scores)[0]?.trial.instances ?? 1;
    for (const trial of batchingTrials(bestInstances, maxBatchSize)) {
      if (interrupted || scores.length >= options.maxTrials) break;
      scores.push(await runTrial(trial));
    }
    const bestBatching = rankTrials(scores).find((s) => s.best !== undefined && s.trial.maxQueueDelayUs !== undefined);
    for (const trial of bestBatching ? maxBatchSizeTrials(bestBatching.trial, maxBatchSize) : []) {
      if (interrupted || scores.length >= options.maxTrials) break;
      scores.push(await runTrial(trial));
    }
    recommended = rankTrials(scores).find((s) => s.best !== undefined);
  } catch (error) {
    // Ctrl-C stops the generator, which fails the running level: that is the interruption, not an error.
    if (!interrupted) throw error;
  } finally {
    process.removeListener('SIGINT', onSignal);
    await generator.close();
    if (changed) await restore(client, model, options.apply === true && !interrupted ? recommended : undefined, original);
  }
  if (interrupted) {
    process.exitCode = 130;
    return;
  }
  printRanking(rankTrials(scores), options.metric, budgetMs);
  if (recommended === undefined) {
    console.log(`no configuration met ${options.metric} <= ${budgetMs} ms at any of concurrency ${options.concurrency.join(',')}; try a larger budget or lower levels`);
    process.exitCode = 1;
    return;
  }
  const config: ModelConfigJson = applyTrial(original, recommended.trial);
  console.log(`recommended: ${recommended.trial.label} (${describe(recommended.best, options.metric)})`);
  if (options.write !== undefined) {
    // A .pbtxt path gets protobuf text, so the file can replace the model's config.pbtxt as is.
    const asText = options.write.endsWith('.pbtxt');
    await writeFile(options.write, asText ? modelConfigToText(validateModelConfig(config, options.write, model)) : `${JSON.stringify(config, null, 2)}\n`);
    console.log(`wrote the recommended config to ${options.write} (${asText ? 'config.pbtxt text' : 'Triton JSON form: use it as the model\'s config.json, or as a load override'})`);
  }
}

/**
 * Reloads the model from its repository files, or with the kept trial's config. A failure is
 * reported loudly and thrown (the model may be left on a trial config).
 */
async function restore(client: InferenceClient, model: string, keep: TrialScore | undefined, original: ModelConfigJson): Promise<void> {
  try {
    await client.loadModel(model, keep === undefined ? {} : { config: applyTrial(original, keep.trial) });
  } catch (error) {
    console.error(`wharf tune: could not restore model ${model}; reload it with \`wharf models load ${model}\` or the repository API: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  console.error(keep === undefined ? `model ${model} reloaded from its repository configuration` : `model ${model} left loaded with: ${keep.trial.label}`);
}

/** Levels lowest first; stops after the first one over budget (more load only adds latency). */
async function measureTrial(generator: LoadGenerator, settings: BenchSettings, progress: ProgressLine, metric: LatencyMetric, budgetMs: number, label: string): Promise<LevelResult[]> {
  const levels: LevelResult[] = [];
  for (const level of settings.levels) {
    const result = await runLevel(generator, settings, level, { update: (_l, elapsedMs, p) => progress.update(`${label}, concurrency ${level}`, elapsedMs, p) });
    levels.push(result);
    if (result.errorRate > 0 || metricOf(result.latencyMs, metric) > budgetMs) break;
  }
  return levels;
}

function printRanking(ranked: readonly TrialScore[], metric: LatencyMetric, budgetMs: number): void {
  console.log(`ranking (${metric} budget ${budgetMs} ms, best level within budget):`);
  ranked.forEach((score, i) => console.log(`  ${String(i + 1).padStart(2)}. ${score.trial.label.padEnd(48)} ${describe(score.best, metric, score.levels)}`));
}
