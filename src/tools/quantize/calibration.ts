/**
 * @module
 * Activation ranges for static quantization, measured by running the model in onnxruntime-node
 * on calibration samples with the tensors to calibrate added as extra graph outputs.
 *
 * - `minmax`: the smallest and largest value seen.
 * - `percentile`: a second pass fills a 2048-bin histogram over [min, max] per tensor, and the
 *   range is cut at the p-th and (100 - p)-th percentiles, so rare outliers do not stretch the
 *   scale for every other value. (onnxruntime's percentile calibrator cuts a histogram of |x|
 *   symmetrically; cutting each side suits the uint8 asymmetric activations used here.)
 */
import { createSession, floatValues, runSession, type Feeds } from '../evaluate/index.js';
import { encodeModel, type OnnxModel } from '../onnx/index.js';
import { ONNX_FLOAT } from './graph-index.js';

export type CalibrationMethod = 'minmax' | 'percentile';

export interface TensorRange {
  readonly min: number;
  readonly max: number;
}

export interface CalibrationOptions {
  /** @defaultValue 'minmax' */
  method?: CalibrationMethod;
  /** For `percentile`: the share of values kept inside the range on each side, in percent. @defaultValue 99.99 */
  percentile?: number;
  /** Called after each model run. */
  progress?: (done: number, total: number) => void;
}

const HISTOGRAM_BINS = 2048;

/**
 * Ranges of `tensors` (FP32 values of the graph) over `samples`.
 * @throws Error when there are no samples, the percentile is outside (50, 100], or a tensor is
 * not produced as FP32 by the model.
 */
export async function calibrate(model: OnnxModel, tensors: readonly string[], samples: readonly Feeds[], options: CalibrationOptions = {}): Promise<Map<string, TensorRange>> {
  if (samples.length === 0) throw new Error('calibration needs at least one sample');
  const method = options.method ?? 'minmax';
  const percentile = options.percentile ?? 99.99;
  if (method === 'percentile' && !(percentile > 50 && percentile <= 100)) throw new RangeError(`the calibration percentile must be in (50, 100], got ${percentile}`);
  const passes = method === 'percentile' ? 2 : 1;
  let done = 0;
  const tick = (): void => {
    done += 1;
    options.progress?.(done, passes * samples.length);
  };
  const session = await createSession(encodeModel(withExtraOutputs(model, tensors)));
  try {
    const run = async (visit: (name: string, values: Float64Array) => void): Promise<void> => {
      for (const feeds of samples) {
        const outputs = await runSession(session, feeds);
        for (const name of tensors) {
          // Graph inputs are read from the feeds: onnxruntime need not echo an input as an output.
          const tensor = outputs[name] ?? feeds[name];
          if (tensor === undefined) throw new Error(`calibration: the model did not return '${name}'`);
          if (tensor.type !== 'float32') throw new Error(`calibration: '${name}' is ${tensor.type}, only float32 activations are quantized`);
          visit(name, floatValues(tensor));
        }
        tick();
      }
    };
    const ranges = new Map<string, { min: number; max: number }>(tensors.map((name) => [name, { min: Infinity, max: -Infinity }]));
    await run((name, values) => {
      const range = ranges.get(name)!;
      for (const value of values) {
        if (value < range.min) range.min = value;
        if (value > range.max) range.max = value;
      }
    });
    if (method === 'minmax') return ranges;
    const histograms = new Map(tensors.map((name) => [name, new Float64Array(HISTOGRAM_BINS)]));
    await run((name, values) => {
      const { min, max } = ranges.get(name)!;
      const histogram = histograms.get(name)!;
      const width = (max - min) / HISTOGRAM_BINS;
      for (const value of values) histogram[width === 0 ? 0 : Math.min(HISTOGRAM_BINS - 1, Math.floor((value - min) / width))]! += 1;
    });
    return new Map(tensors.map((name) => [name, percentileRange(histograms.get(name)!, ranges.get(name)!, percentile)]));
  } finally {
    await session.release();
  }
}

/**
 * The range holding all but (100 - p)% of the values on each side, from a histogram over
 * [range.min, range.max]. Bin edges are used, so the result is never narrower than the bins
 * holding the cut values.
 */
export function percentileRange(histogram: Float64Array, range: TensorRange, percentile: number): TensorRange {
  const total = histogram.reduce((a, b) => a + b, 0);
  const width = (range.max - range.min) / histogram.length;
  if (total === 0 || width === 0) return { min: range.min, max: range.max };
  const tail = (total * (100 - percentile)) / 100;
  let low = 0;
  for (let seen = 0; low < histogram.length - 1 && seen + histogram[low]! <= tail; low += 1) seen += histogram[low]!;
  let high = histogram.length - 1;
  for (let seen = 0; high > low && seen + histogram[high]! <= tail; high -= 1) seen += histogram[high]!;
  return { min: range.min + low * width, max: range.min + (high + 1) * width };
}

/** A copy of the model that also outputs `tensors` (graph inputs aside), declared FP32 of unknown shape. */
function withExtraOutputs(model: OnnxModel, tensors: readonly string[]): OnnxModel {
  const copy: OnnxModel = { ...model, graph: { ...model.graph } };
  const graph = copy.graph!;
  const existing = new Set([...(graph.output ?? []), ...(graph.input ?? [])].map((value) => value.name));
  graph.output = [
    ...(graph.output ?? []),
    ...tensors.filter((name) => !existing.has(name)).map((name) => ({ name, type: { tensorType: { elemType: ONNX_FLOAT } } })),
  ];
  return copy;
}
