// Model tools benchmark: size, onnxruntime-node latency and output difference of the MLP and
// the CNN (bench/suite-models.ts) in FP32, dynamic int8 (fused and standard operators), static
// int8 QDQ and FP16, with ratios against FP32.
// Run: npm run bench:tools   (ONLY=mlp,cnn,mlp-large  SAMPLES=1000  ROUNDS=3  THREADS=n  BATCH=32)
import ort from 'onnxruntime-node';
import {
  compareOutputs, createSession, formatBytes, medianLatencyMs, randomFeeds, resolveInputSpecs, runOnSamples, seededRandom,
  type Feeds, type OutputDifference,
} from '../src/tools/evaluate/index.js';
import { convertToFloat16 } from '../src/tools/fp16/index.js';
import { decodeModel, encodeModel } from '../src/tools/onnx/index.js';
import { quantizeModel } from '../src/tools/quantize/index.js';
import { buildCnnModel, buildMlpModel } from '../test/support/test-models.js';
import { MLP_SIZES } from './suite-models.js';

const ONLY = (process.env.ONLY ?? 'mlp,cnn,mlp-large').split(',');
/** Random single-row inputs the output difference is measured on. */
const SAMPLES = Number(process.env.SAMPLES ?? 1000);
/** Interleaved timing rounds per variant; the report gives the median of the rounds' medians. */
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BATCH = Number(process.env.BATCH ?? 32);
const THREADS = process.env.THREADS === undefined ? undefined : Number(process.env.THREADS);
const CALIBRATION_SAMPLES = 100;

interface BenchModel {
  readonly key: string;
  readonly description: string;
  readonly bytes: Uint8Array;
  /** Timed runs per round at batch 1; a tenth of that at the large batch. */
  readonly iterations: number;
}

interface Variant {
  readonly name: string;
  readonly bytes: Uint8Array;
}

interface Measured {
  readonly variant: Variant;
  readonly latencyMs: Record<number, number>;
  readonly difference?: OutputDifference;
}

const LARGE_MLP = [512, 1024, 1024, 10];

function benchModels(): BenchModel[] {
  const models: BenchModel[] = [];
  if (ONLY.includes('mlp')) models.push({ key: 'mlp', description: `MLP ${MLP_SIZES.join('-')}`, bytes: buildMlpModel(MLP_SIZES), iterations: 2000 });
  if (ONLY.includes('cnn')) models.push({ key: 'cnn', description: 'CNN 3 x Conv3x3 + GAP + Gemm, [1,3,64,64]', bytes: buildCnnModel(), iterations: 300 });
  if (ONLY.includes('mlp-large')) models.push({ key: 'mlp-large', description: `MLP ${LARGE_MLP.join('-')}`, bytes: buildMlpModel(LARGE_MLP), iterations: 500 });
  return models;
}

function randomSamples(bytes: Uint8Array, count: number, seed: number, batch: number): Feeds[] {
  const specs = resolveInputSpecs(decodeModel(bytes), { batch });
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => randomFeeds(specs, random));
}

async function variantsOf(model: BenchModel): Promise<Variant[]> {
  const calibrationSamples = randomSamples(model.bytes, CALIBRATION_SAMPLES, 7, 1);
  const fresh = (): ReturnType<typeof decodeModel> => decodeModel(model.bytes);
  const dynamic = await quantizeModel(fresh(), { mode: 'dynamic' });
  const standard = await quantizeModel(fresh(), { mode: 'dynamic', dynamicForm: 'standard' });
  const staticQdq = await quantizeModel(fresh(), { mode: 'static', calibrationSamples });
  const staticPerChannel = await quantizeModel(fresh(), { mode: 'static', calibrationSamples, perChannel: true });
  const fp16 = convertToFloat16(fresh(), { keepIoTypes: true });
  return [
    { name: 'FP32', bytes: model.bytes },
    { name: 'dynamic int8 (fused)', bytes: encodeModel(dynamic.model) },
    { name: 'dynamic int8 (standard ops)', bytes: encodeModel(standard.model) },
    { name: 'static int8 QDQ', bytes: encodeModel(staticQdq.model) },
    { name: 'static int8 QDQ per-channel', bytes: encodeModel(staticPerChannel.model) },
    { name: 'FP16 (FP32 I/O)', bytes: encodeModel(fp16.model) },
  ];
}

async function measure(model: BenchModel): Promise<Measured[]> {
  const variants = await variantsOf(model);
  const sessionOptions = THREADS === undefined ? {} : { threads: THREADS };
  const sessions = await Promise.all(variants.map((variant) => createSession(variant.bytes, sessionOptions)));
  try {
    const accuracySamples = randomSamples(model.bytes, SAMPLES, 1, 1);
    const reference = await runOnSamples(sessions[0]!, accuracySamples);
    const differences: (OutputDifference | undefined)[] = [undefined];
    for (const session of sessions.slice(1)) differences.push(compareOutputs(reference, await runOnSamples(session, accuracySamples))[0]);

    const latencies = variants.map(() => ({ 1: [] as number[], [BATCH]: [] as number[] }));
    for (const batch of [1, BATCH]) {
      const feeds = randomSamples(model.bytes, 8, 3, batch);
      const iterations = batch === 1 ? model.iterations : Math.max(20, Math.round(model.iterations / 10));
      // Rounds interleave the variants, so a burst of load from other processes hits them all.
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const [index, session] of sessions.entries()) latencies[index]![batch]!.push(await medianLatencyMs(session, feeds, { iterations, warmup: 20 }));
      }
    }
    return variants.map((variant, index) => ({
      variant,
      latencyMs: { 1: median(latencies[index]![1]), [BATCH]: median(latencies[index]![BATCH]!) },
      ...(differences[index] === undefined ? {} : { difference: differences[index] }),
    }));
  } finally {
    await Promise.all(sessions.map((session) => session.release()));
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function formatLatency(ms: number, base: number): string {
  const value = ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
  return `${value} (${(ms / base).toFixed(2)}x)`;
}

function report(model: BenchModel, rows: readonly Measured[]): void {
  const base = rows[0]!;
  const header = ['variant', 'size', 'vs FP32', 'latency b=1', `latency b=${BATCH}`, 'max abs diff', 'cosine', 'top-1 agree'];
  const table = rows.map((row) => [
    row.variant.name,
    formatBytes(row.variant.bytes.byteLength),
    `${((100 * row.variant.bytes.byteLength) / base.variant.bytes.byteLength).toFixed(1)}%`,
    formatLatency(row.latencyMs[1]!, base.latencyMs[1]!),
    formatLatency(row.latencyMs[BATCH]!, base.latencyMs[BATCH]!),
    row.difference === undefined ? '-' : row.difference.maxAbs.toPrecision(3),
    row.difference === undefined ? '-' : row.difference.cosine.toFixed(6),
    row.difference?.top1Agreement === undefined ? '-' : `${(100 * row.difference.top1Agreement).toFixed(1)}%`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]!.length)));
  const line = (cells: readonly string[]): string => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  console.log(`\n${model.description}: output difference on ${SAMPLES} random inputs (batch 1), latency median of ${ROUNDS} interleaved rounds`);
  console.log(line(header));
  for (const cells of table) console.log(line(cells));
}

function reportTargets(rows: readonly Measured[]): void {
  const base = rows[0]!;
  const dynamic = rows.find((row) => row.variant.name === 'dynamic int8 (fused)')!;
  const sizeRatio = dynamic.variant.bytes.byteLength / base.variant.bytes.byteLength;
  const top1 = dynamic.difference?.top1Agreement ?? 0;
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log('\nissue 9 targets for dynamic int8 on the MLP:');
  console.log(`  file at most 30% of FP32: ${(100 * sizeRatio).toFixed(1)}% -> ${verdict(sizeRatio <= 0.3)}`);
  console.log(`  top-1 agreement at least 99% on ${SAMPLES} random inputs: ${(100 * top1).toFixed(1)}% -> ${verdict(top1 >= 0.99)}`);
  for (const batch of [1, BATCH]) {
    const ratio = dynamic.latencyMs[batch]! / base.latencyMs[batch]!;
    console.log(`  faster than FP32 at batch ${batch}: ${ratio.toFixed(2)}x the FP32 latency -> ${verdict(ratio < 1)}`);
  }
}

console.log(`onnxruntime-node ${ort.env.versions.common}, ${THREADS === undefined ? 'default intra-op threads' : `${THREADS} intra-op threads`}; static int8 calibrated (minmax) on ${CALIBRATION_SAMPLES} random inputs other than the compared ones`);
for (const model of benchModels()) {
  const rows = await measure(model);
  report(model, rows);
  if (model.key === 'mlp') reportTargets(rows);
}
