/**
 * @module
 * The check every model tool prints: size, output difference and onnxruntime latency of a model
 * before and after a transformation, on the same samples.
 */
import type ort from 'onnxruntime-node';
import type { Feeds } from './feeds.js';
import { compareOutputs, type OutputDifference } from './output-difference.js';
import { createSession, medianLatencyMs, runSession, type Outputs, type SessionOptions } from './session.js';

export interface ModelComparison {
  readonly sizeBefore: number;
  readonly sizeAfter: number;
  readonly samples: number;
  readonly differences: readonly OutputDifference[];
  readonly latencyBeforeMs: number;
  readonly latencyAfterMs: number;
  readonly latencyIterations: number;
}

export interface CompareOptions extends SessionOptions {
  /** Timed runs per model. @defaultValue 50 */
  latencyIterations?: number;
  /** Called after each model run (samples of both models, then the timed runs). */
  progress?: (done: number, total: number) => void;
}

/** Runs both models on every sample and compares their outputs (no timing). */
export async function compareOnSamples(before: Uint8Array, after: Uint8Array, samples: readonly Feeds[]): Promise<OutputDifference[]> {
  const [original, transformed] = await Promise.all([createSession(before), createSession(after)]);
  try {
    return compareOutputs(await runOnSamples(original, samples), await runOnSamples(transformed, samples));
  } finally {
    await Promise.all([original.release(), transformed.release()]);
  }
}

/** Runs the session on each sample in turn; `onEach` is called after every run. */
export async function runOnSamples(session: ort.InferenceSession, samples: readonly Feeds[], onEach?: () => void): Promise<Outputs[]> {
  const outputs: Outputs[] = [];
  for (const feeds of samples) {
    outputs.push(await runSession(session, feeds));
    onEach?.();
  }
  return outputs;
}

/**
 * Runs both models on every sample and compares their outputs, then times each.
 * `before`/`after` sizes are the byte lengths given, which callers that write external data
 * should replace with the size on disk.
 */
export async function compareModels(before: Uint8Array, after: Uint8Array, samples: readonly Feeds[], options: CompareOptions = {}): Promise<ModelComparison> {
  if (samples.length === 0) throw new Error('comparing models needs at least one sample');
  const latencyIterations = options.latencyIterations ?? 50;
  const total = 2 * samples.length + 2 * latencyIterations;
  let done = 0;
  const tick = (steps = 1): void => {
    done += steps;
    options.progress?.(done, total);
  };
  const [original, transformed] = await Promise.all([createSession(before, options), createSession(after, options)]);
  try {
    const differences = compareOutputs(await runOnSamples(original, samples, tick), await runOnSamples(transformed, samples, tick));
    const latencyBeforeMs = await medianLatencyMs(original, samples, { iterations: latencyIterations });
    tick(latencyIterations);
    const latencyAfterMs = await medianLatencyMs(transformed, samples, { iterations: latencyIterations });
    tick(latencyIterations);
    return { sizeBefore: before.byteLength, sizeAfter: after.byteLength, samples: samples.length, differences, latencyBeforeMs, latencyAfterMs, latencyIterations };
  } finally {
    await Promise.all([original.release(), transformed.release()]);
  }
}

/** Lines for a CLI report. */
export function formatComparison(comparison: ModelComparison): string[] {
  const lines = [`size: ${formatBytes(comparison.sizeBefore)} -> ${formatBytes(comparison.sizeAfter)} (${formatPercent(comparison.sizeAfter / comparison.sizeBefore)} of the original)`];
  for (const d of comparison.differences) {
    const top1 = d.top1Agreement === undefined ? '' : `, top-1 agreement ${formatPercent(d.top1Agreement)} of ${d.rows} rows`;
    lines.push(`output '${d.output}' over ${comparison.samples} samples: max abs diff ${d.maxAbs.toPrecision(3)}, mean abs diff ${d.meanAbs.toPrecision(3)}, cosine ${d.cosine.toFixed(6)}${top1}`);
  }
  const ratio = comparison.latencyAfterMs / comparison.latencyBeforeMs;
  lines.push(`onnxruntime latency (median of ${comparison.latencyIterations} runs): ${formatMs(comparison.latencyBeforeMs)} -> ${formatMs(comparison.latencyAfterMs)} (${ratio.toFixed(2)}x)`);
  return lines;
}

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatPercent(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

function formatMs(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}
