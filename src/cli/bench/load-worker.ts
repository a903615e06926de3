/**
 * @module
 * The load generator's thread (worker_threads): it owns the client (and so its keep-alive
 * connections), runs one load level per `run` message and posts progress and the outcome.
 * Keeping it off the main thread means the progress display and result formatting never
 * delay a send, and its event-loop utilization tells how busy the generator itself was.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { createClient, type ClientProtocol } from '../../client/index.js';
import { decodeInferRequestJson } from '../../protocol/index.js';
import type { JsonInput } from '../infer-input.js';
import { runLoad, type LoadPlan, type LoadProgress } from './load-loop.js';
import { breakdown, statsSource, type StatsTotals } from './server-stats.js';
import type { LevelResult } from './bench-result.js';

export interface LoadWorkerData {
  readonly url: string;
  readonly protocol: ClientProtocol;
  readonly jsonTensors: boolean;
  readonly model: string;
  readonly modelVersion?: string;
  readonly inputs: readonly JsonInput[];
  /** Rows per request: inferences = successful requests × batchSize. */
  readonly batchSize: number;
}

export type WorkerRequest = { readonly type: 'run'; readonly plan: LoadPlan } | { readonly type: 'close' };

export type WorkerMessage =
  | { readonly type: 'progress'; readonly level: number; readonly elapsedMs: number; readonly progress: LoadProgress }
  | { readonly type: 'done'; readonly result: LevelResult }
  | { readonly type: 'failed'; readonly message: string };

const PROGRESS_INTERVAL_MS = 500;

const data = workerData as LoadWorkerData;
const port = parentPort!;
const client = createClient(data.protocol, { url: data.url });
const request = decodeInferRequestJson({ inputs: data.inputs }, { modelName: data.model, ...(data.modelVersion === undefined ? {} : { modelVersion: data.modelVersion }) });
const readStats = statsSource(client, data.model, data.modelVersion);
const send = (): Promise<unknown> => client.infer(request, { json: data.jsonTensors });

async function runLevel(plan: LoadPlan): Promise<LevelResult> {
  const progress: LoadProgress = { phase: 'warmup', completed: 0, failed: 0, inFlight: 0 };
  const startedAt = performance.now();
  const timer = setInterval(() => {
    port.postMessage({ type: 'progress', level: plan.level, elapsedMs: performance.now() - startedAt, progress } satisfies WorkerMessage);
  }, PROGRESS_INTERVAL_MS);
  // Without a warm-up, the snapshot is taken before the first request, so none escapes it.
  let statsBefore: Promise<StatsTotals | undefined> = plan.warmupMs > 0 ? Promise.resolve(undefined) : Promise.resolve(await readStats());
  let cpuBefore = process.cpuUsage();
  let eluBefore = performance.eventLoopUtilization();
  let measureStartedAt = performance.now();
  try {
    const outcome = await runLoad(plan, send, {
      progress,
      onMeasureStart: () => {
        if (plan.warmupMs > 0) statsBefore = readStats();
        cpuBefore = process.cpuUsage();
        eluBefore = performance.eventLoopUtilization();
        measureStartedAt = performance.now();
      },
    });
    const wallMs = performance.now() - measureStartedAt;
    const cpu = process.cpuUsage(cpuBefore);
    const elu = performance.eventLoopUtilization(eluBefore);
    const server = breakdown(await statsBefore, await readStats());
    const seconds = outcome.durationMs / 1000;
    const failed = outcome.requests - outcome.succeeded;
    return {
      level: plan.level,
      requests: outcome.requests,
      inferences: outcome.succeeded * data.batchSize,
      durationMs: outcome.durationMs,
      requestsPerSecond: seconds > 0 ? outcome.requests / seconds : 0,
      inferencesPerSecond: seconds > 0 ? (outcome.succeeded * data.batchSize) / seconds : 0,
      latencyMs: outcome.histogram.summary(),
      percentiles: outcome.histogram.percentilePoints(),
      errors: outcome.errors,
      errorRate: outcome.requests > 0 ? failed / outcome.requests : 0,
      server,
      clientCpuPercent: wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0,
      generatorLoopUtilization: elu.utilization,
      maxSendLagMs: outcome.maxSendLagMs,
    };
  } finally {
    clearInterval(timer);
  }
}

port.on('message', (message: WorkerRequest) => {
  if (message.type === 'close') {
    client.close();
    port.close();
    return;
  }
  runLevel(message.plan).then(
    (result) => port.postMessage({ type: 'done', result } satisfies WorkerMessage),
    (error: unknown) => port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies WorkerMessage),
  );
});
