import { Command, Option } from 'commander';
import { positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import { exitOnUsageError } from '../bench.js';
import { convertToFloat16, type Fp16Conversion } from '../../../tools/fp16/index.js';
import {
  compareModels, formatComparison, parseShapeOption, randomFeeds, readSampleFile, resolveInputSpecs, seededRandom, type Feeds,
} from '../../../tools/evaluate/index.js';
import { encodeModel, readModelFile, writeModelFile, type OnnxModel } from '../../../tools/onnx/index.js';

interface Fp16CliOptions extends CheckOptions {
  output: string;
  keepIoTypes?: boolean;
  block?: string[];
  blockNodes?: string[];
}

/** The flags every `wharf model` transformation shares for checking its result. */
export interface CheckOptions {
  samples: number;
  inputs?: string;
  shape?: string[];
  iterations: number;
}

export function fp16Command(): Command {
  const command = new Command('fp16')
    .description('convert an FP32 model to FP16 (weights, constants and computation); operators without FP16 support stay FP32 behind Casts')
    .argument('<file>', 'ONNX model file')
    .requiredOption('-o, --output <file>', 'where to write the FP16 model')
    .option('--keep-io-types', 'keep FP32 graph inputs and outputs (Casts after the inputs and before the outputs)')
    .option('--block <ops>', 'operator types to keep in FP32 as well as the default list, comma-separated (e.g. Softmax,Resize)', listOption)
    .option('--block-nodes <names>', 'node names to keep in FP32, comma-separated', listOption);
  addCheckOptions(command)
    .addHelpText('after', `
Exit codes: 0 ok, 1 unreadable model or the result does not run in onnxruntime-node, 2 bad arguments.

Examples:
  $ wharf model fp16 model.onnx -o model.fp16.onnx
  $ wharf model fp16 model.onnx -o model.fp16.onnx --keep-io-types --inputs samples.json`)
    .action(async (file: string, options: Fp16CliOptions) => {
      const shapes = parseShapes(options.shape);
      const model = await readModelFile(file);
      const conversion = convertToFloat16(model, {
        keepIoTypes: options.keepIoTypes === true,
        ...(options.block === undefined ? {} : { blockList: options.block }),
        ...(options.blockNodes === undefined ? {} : { blockNodes: options.blockNodes }),
      });
      const lines = await checkTransformation(model, conversion.model, { ...options, shapes }, file);
      await writeResult(options.output, conversion.model);
      console.log(`converted ${file} -> ${options.output}`);
      for (const line of [...describeConversion(conversion), ...lines]) console.log(line);
    });
  return exitOnUsageError(command);
}

/** Adds --samples, --inputs, --shape and --iterations. */
export function addCheckOptions(command: Command): Command {
  return command
    .addOption(new Option('--samples <n>', 'random inputs to compare the models on').argParser(positiveIntegerOption('--samples')).default(20).conflicts('inputs'))
    .option('--inputs <file.json>', 'compare on these samples instead: a JSON array of {"<input>": values}')
    .option('--shape <name=dims>', 'shape of an input with dynamic dims, e.g. x=1,3,64,64 (repeatable; default: 1 for each dynamic dim)', collect)
    .option('--iterations <n>', 'timed onnxruntime runs per model', positiveIntegerOption('--iterations'), 50);
}

/**
 * Runs the original and the transformed model in onnxruntime-node on the same samples and
 * returns the report lines (size, output difference, latency).
 */
export async function checkTransformation(original: OnnxModel, transformed: OnnxModel, options: CheckOptions & { shapes: Record<string, number[]> }, file: string): Promise<string[]> {
  let specs;
  try {
    specs = resolveInputSpecs(original, { shapes: options.shapes });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let samples: Feeds[];
  if (options.inputs === undefined) {
    const random = seededRandom(1);
    samples = Array.from({ length: options.samples }, () => randomFeeds(specs, random));
  } else {
    samples = await readSampleFile(options.inputs, specs);
  }
  const progress = new TaskProgress();
  let comparison;
  try {
    comparison = await compareModels(encodeModel(original), encodeModel(transformed), samples, {
      latencyIterations: options.iterations,
      progress: (done, total) => progress.step('checking in onnxruntime-node', done, total, 'runs'),
    });
  } catch (error) {
    throw new Error(`checking the result for ${file}: ${(error as Error).message}`, { cause: error });
  }
  progress.finish(`checked on ${samples.length} samples`);
  return formatComparison(comparison);
}

/** Writes a tool's result; a failure names the path (fs messages name the syscall first). */
export async function writeResult(path: string, model: OnnxModel): Promise<void> {
  try {
    await writeModelFile(path, model);
  } catch (error) {
    throw new Error(`cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function describeConversion(conversion: Fp16Conversion): string[] {
  const elements = conversion.initializers.reduce((sum, i) => sum + i.elements, 0);
  const clamped = conversion.initializers.reduce((sum, i) => sum + i.clamped, 0);
  const raised = conversion.initializers.reduce((sum, i) => sum + i.raised, 0);
  const lines = [
    `initializers: ${conversion.initializers.length} converted to FP16 (${elements} values; ${clamped} clamped to ±65504, ${raised} raised to ±2^-24)`,
    `constant nodes converted: ${conversion.constants.length}; casts inserted: ${conversion.casts.length}; nodes kept in FP32: ${conversion.keptFp32.length}`,
  ];
  for (const node of conversion.keptFp32) lines.push(`  kept in FP32: ${node.name} (${node.opType}): ${node.reason}`);
  return lines;
}

export function parseShapes(values: readonly string[] = []): Record<string, number[]> {
  try {
    return parseShapeOption(values);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function listOption(value: string): string[] {
  return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
