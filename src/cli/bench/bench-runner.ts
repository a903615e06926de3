/**
 * @module
 * Runs a whole `wharf bench`: reads the model, builds its request, then runs each level in
 * the load worker and gathers the BenchReport.
 */
import type { InferenceClient } from '../../client/index.js';
import type { JsonInput } from '../infer-input.js';
import type { BenchReport, BenchSettings, LevelResult } from './bench-result.js';
import { buildBenchInputs } from './bench-inputs.js';
import { LoadGenerator } from './load-generator.js';
import { machineInfo } from './machine-info.js';
import type { ProgressLine } from './progress-line.js';

/** The model's max_batch_size from its configuration; 0 when the server gives no configuration. */
export async function maxBatchSizeOf(client: InferenceClient, model: string, version: string | undefined): Promise<number> {
  const config = await client.modelConfig(model, version).catch(() => undefined);
  const value = Number(config?.max_batch_size ?? 0);
  return Number.isFinite(value) ? value : 0;
}

/** The request of a run, from the model's metadata and the settings. */
export async function prepareInputs(client: InferenceClient, settings: BenchSettings): Promise<JsonInput[]> {
  const metadata = await client.modelMetadata(settings.model, settings.modelVersion);
  const maxBatchSize = await maxBatchSizeOf(client, settings.model, settings.modelVersion);
  return buildBenchInputs(metadata, maxBatchSize, { inputData: settings.inputData, shapes: settings.shapes, batchSize: settings.batchSize });
}

export function createGenerator(settings: BenchSettings, inputs: readonly JsonInput[]): LoadGenerator {
  return new LoadGenerator({
    url: settings.url, protocol: settings.protocol, jsonTensors: settings.jsonTensors, model: settings.model, inputs, batchSize: settings.batchSize,
    ...(settings.modelVersion === undefined ? {} : { modelVersion: settings.modelVersion }),
  });
}

/** Runs one level on an existing generator. */
export function runLevel(generator: LoadGenerator, settings: BenchSettings, level: number, progress?: Pick<ProgressLine, 'update'>): Promise<LevelResult> {
  const label = `${settings.mode === 'concurrency' ? 'concurrency' : 'rate'} ${level}`;
  return generator.run(
    {
      mode: settings.mode, level, warmupMs: settings.warmupMs,
      ...(settings.maxInFlight === undefined ? {} : { maxInFlight: settings.maxInFlight }),
      ...(settings.requests === undefined ? { durationMs: settings.durationMs ?? 10_000 } : { requests: settings.requests }),
    },
    progress === undefined ? undefined : ({ elapsedMs, progress: p }) => progress.update(label, elapsedMs, p),
  );
}

export function levelLine(settings: BenchSettings, result: LevelResult): string {
  const l = result.latencyMs;
  return `${settings.mode === 'concurrency' ? 'concurrency' : 'rate'} ${result.level}: ${result.inferencesPerSecond.toFixed(1)} infer/s, p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms, `
    + `${result.requests} requests, ${(result.errorRate * 100).toFixed(2)}% errors, generator cpu ${result.clientCpuPercent.toFixed(0)}%`;
}

/** Every level in order, on one worker (so one set of connections). */
export async function runBench(settings: BenchSettings, inputs: readonly JsonInput[], progress?: ProgressLine): Promise<BenchReport> {
  const startedAt = new Date().toISOString();
  const generator = createGenerator(settings, inputs);
  const levels: LevelResult[] = [];
  try {
    for (const level of settings.levels) {
      const result = await runLevel(generator, settings, level, progress);
      levels.push(result);
      progress?.finish(levelLine(settings, result));
    }
  } finally {
    await generator.close();
  }
  return { settings, machine: machineInfo(), startedAt, levels };
}
