/**
 * @module
 * One entry point for both modes: dynamic quantization, or static QDQ with its calibration run.
 */
import type { Feeds } from '../evaluate/index.js';
import type { OnnxModel } from '../onnx/index.js';
import { calibrate, type CalibrationMethod } from './calibration.js';
import { quantizeDynamic, type DynamicForm } from './dynamic-quantization.js';
import type { QuantizationResult } from './node-selection.js';
import { applyStaticQuantization, planStaticQuantization } from './static-qdq.js';

export type QuantizationMode = 'dynamic' | 'static';

export interface QuantizeOptions {
  mode: QuantizationMode;
  perChannel?: boolean;
  exclude?: readonly string[];
  /** Dynamic mode's graph form. @defaultValue 'fused' */
  dynamicForm?: DynamicForm;
  /** Static mode: the samples activation ranges are measured on (required). */
  calibrationSamples?: readonly Feeds[];
  /** @defaultValue 'minmax' */
  calibrationMethod?: CalibrationMethod;
  /** @defaultValue 99.99 */
  percentile?: number;
  /** Called during calibration with model runs done and to do. */
  progress?: (done: number, total: number) => void;
}

/**
 * Quantizes a model; the input model is not changed.
 * @throws Error for static mode without calibration samples, and whatever the mode's own
 * checks throw (nothing to quantize, unknown --exclude entry, calibration failures).
 */
export async function quantizeModel(model: OnnxModel, options: QuantizeOptions): Promise<QuantizationResult> {
  const selection = {
    ...(options.perChannel === undefined ? {} : { perChannel: options.perChannel }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
  };
  if (options.mode === 'dynamic') return quantizeDynamic(model, { ...selection, ...(options.dynamicForm === undefined ? {} : { form: options.dynamicForm }) });
  const samples = options.calibrationSamples;
  if (samples === undefined || samples.length === 0) throw new Error('static quantization needs calibration samples (--calibration samples.json, or random:N to try the tool)');
  const plan = planStaticQuantization(model, selection);
  const ranges = await calibrate(model, plan.activations, samples, {
    ...(options.calibrationMethod === undefined ? {} : { method: options.calibrationMethod }),
    ...(options.percentile === undefined ? {} : { percentile: options.percentile }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  });
  return applyStaticQuantization(model, plan, ranges, selection);
}
