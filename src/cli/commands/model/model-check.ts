/**
 * @module
 * What the `wharf model` transformations share: argument helpers, the samples a result is
 * checked on, the onnxruntime check itself, and writing the result.
 */
import { Option, type Command } from 'commander';
import { positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import {
  compareModels, parseShapeOption, randomFeeds, readSampleFile, resolveInputSpecs, seededRandom,
  type Feeds, type InputSpec, type ModelComparison,
} from '../../../tools/evaluate/index.js';
import { encodeModel, writeModelFile, type OnnxModel } from '../../../tools/onnx/index.js';

/** The flags of addCheckOptions. */
export interface CheckOptions {
  samples: number;
  inputs?: string;
  shape?: string[];
  batch: number;
  iterations: number;
}

/** Seed of the random check samples; calibration uses another so it never sees them. */
export const CHECK_SEED = 1;

/** Adds --samples, --inputs, --shape, --batch and --iterations. */
export function addCheckOptions(command: Command, defaultSamples = 20): Command {
  return command
    .addOption(new Option('--samples <n>', 'random inputs to compare the models on').argParser(positiveIntegerOption('--samples')).default(defaultSamples).conflicts('inputs'))
    .option('--inputs <file.json>', 'compare on these samples instead: a JSON array of {"<input>": values}')
    .option('--shape <name=dims>', 'shape of an input with dynamic dims, e.g. x=1,3,64,64 (repeatable; default: 1 for each dynamic dim)', collect)
    .option('--batch <n>', 'size of a dynamic first dimension in random samples', positiveIntegerOption('--batch'), 1)
    .option('--iterations <n>', 'timed onnxruntime runs per model', positiveIntegerOption('--iterations'), 50);
}

/** The model's inputs at the shapes --shape and --batch ask for; a mismatch is a usage error (exit 2). */
export function checkInputSpecs(model: OnnxModel, options: Pick<CheckOptions, 'shape' | 'batch'>): InputSpec[] {
  return usage(() => resolveInputSpecs(model, { batch: options.batch, shapes: parseShapeOption(options.shape ?? []) }));
}

/** Seeded random samples. */
export function randomSamples(specs: readonly InputSpec[], count: number, seed: number): Feeds[] {
  const random = seededRandom(seed);
  return usage(() => Array.from({ length: count }, () => randomFeeds(specs, random)));
}

/** --inputs when given, otherwise --samples random ones. */
export function checkSamples(specs: readonly InputSpec[], options: Pick<CheckOptions, 'samples' | 'inputs'>): Promise<Feeds[]> {
  return options.inputs === undefined ? Promise.resolve(randomSamples(specs, options.samples, CHECK_SEED)) : readSampleFile(options.inputs, specs);
}

/**
 * Runs the original and the transformed model in onnxruntime-node on the same samples (size,
 * output difference, latency), with a progress line.
 * @throws Error naming `file` when either model fails to load or run.
 */
export async function checkTransformation(original: OnnxModel, transformed: OnnxModel, samples: readonly Feeds[], iterations: number, file: string): Promise<ModelComparison> {
  const progress = new TaskProgress();
  try {
    const comparison = await compareModels(encodeModel(original), encodeModel(transformed), samples, {
      latencyIterations: iterations,
      progress: (done, total) => progress.step('checking in onnxruntime-node', done, total, 'runs'),
    });
    progress.finish(`checked on ${samples.length} samples`);
    return comparison;
  } catch (error) {
    throw new Error(`checking the result for ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Writes a tool's result and returns the comparison with the size written (external data
 * included) as the size after.
 */
export async function writeResult(path: string, model: OnnxModel, comparison: ModelComparison): Promise<ModelComparison> {
  let written: number;
  try {
    written = await writeModelFile(path, model);
  } catch (error) {
    throw new Error(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
  return { ...comparison, sizeAfter: written };
}

/** Runs an argument check, turning its error into a UsageError (exit 2). */
export function usage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message);
  }
}

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `a, b,c` -> ['a', 'b', 'c']. */
export function listOption(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
