/**
 * @module
 * onnxruntime-node sessions for offline tools. `run()` blocks the event loop for the whole
 * inference (DESIGN.md); that is fine here, where nothing else waits on the loop.
 */
import ort from 'onnxruntime-node';
import { dataTypeFromOrt, float16BitsToNumber, numberToFloat16Bits } from '../../core/index.js';
import type { Feeds } from './feeds.js';

export type Outputs = Record<string, ort.Tensor>;

export interface SessionOptions {
  /** Intra-op threads; onnxruntime's default (one per core) when absent. */
  threads?: number;
}

/**
 * Opens a model from its bytes.
 * @throws Error with onnxruntime's reason when the model does not load.
 */
export async function createSession(modelBytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(modelBytes, {
      ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads, interOpNumThreads: 1 }),
      graphOptimizationLevel: 'all',
    });
  } catch (error) {
    throw new Error(`onnxruntime-node could not load the model: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Runs one inference. Feeds whose float width differs from what the session declares (FP32
 * samples for a model converted to FP16, and back) are converted, so one set of samples can
 * drive a model before and after a transformation.
 */
export async function runSession(session: ort.InferenceSession, feeds: Feeds): Promise<Outputs> {
  return session.run(adaptFeeds(session, feeds));
}

function adaptFeeds(session: ort.InferenceSession, feeds: Feeds): Feeds {
  const adapted: Feeds = {};
  for (const meta of session.inputMetadata) {
    const feed = feeds[meta.name];
    if (feed === undefined) throw new Error(`no value for the model's input '${meta.name}'`);
    adapted[meta.name] = meta.isTensor ? convertFloat(feed, meta.type) : feed;
  }
  return adapted;
}

function convertFloat(tensor: ort.Tensor, type: ort.Tensor.Type): ort.Tensor {
  if (tensor.type === type) return tensor;
  if (tensor.type === 'float32' && type === 'float16') {
    return new ort.Tensor('float16', Uint16Array.from(tensor.data as Float32Array, numberToFloat16Bits), tensor.dims);
  }
  if (tensor.type === 'float16' && type === 'float32') return new ort.Tensor('float32', floatValues(tensor), tensor.dims);
  throw new Error(`an input is ${tensor.type}, but the model takes ${type}`);
}

/** Any numeric tensor's values as float64, FP16 decoded from its bit patterns. */
export function floatValues(tensor: ort.Tensor): Float64Array {
  const data = tensor.data;
  if (tensor.type === 'float16') return Float64Array.from(data as Uint16Array, float16BitsToNumber);
  if (dataTypeFromOrt(tensor.type) === undefined || tensor.type === 'string') throw new Error(`cannot compare ${tensor.type} values`);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
  return Float64Array.from(data as Float32Array);
}

export interface LatencyOptions {
  /** Timed runs. @defaultValue 50 */
  iterations?: number;
  /** Untimed runs first, so allocations and lazy kernel setup are not measured. @defaultValue 5 */
  warmup?: number;
}

/** Median wall time of `run()` in milliseconds, cycling through the feeds. */
export async function medianLatencyMs(session: ort.InferenceSession, feeds: readonly Feeds[], options: LatencyOptions = {}): Promise<number> {
  if (feeds.length === 0) throw new Error('latency needs at least one sample');
  const iterations = options.iterations ?? 50;
  const warmup = options.warmup ?? 5;
  const adapted = feeds.map((feed) => adaptFeeds(session, feed));
  for (let i = 0; i < warmup; i += 1) await session.run(adapted[i % adapted.length]!);
  const times: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await session.run(adapted[i % adapted.length]!);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const middle = times.length >> 1;
  return times.length % 2 === 1 ? times[middle]! : (times[middle - 1]! + times[middle]!) / 2;
}
