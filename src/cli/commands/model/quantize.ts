import { Command, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import { exitOnUsageError } from '../bench.js';
import { formatComparison, readSampleFile, type Feeds, type InputSpec } from '../../../tools/evaluate/index.js';
import { readModelFile } from '../../../tools/onnx/index.js';
import { quantizeModel, resolveExclusions, type CalibrationMethod, type DynamicForm, type QuantizationMode, type QuantizationResult } from '../../../tools/quantize/index.js';
import { addCheckOptions, checkInputSpecs, checkSamples, checkTransformation, listOption, randomSamples, usage, writeResult, type CheckOptions } from './model-check.js';

interface QuantizeCliOptions extends CheckOptions {
  output: string;
  mode: QuantizationMode;
  calibration?: string;
  calibrationMethod: CalibrationMethod;
  percentile: number;
  perChannel?: boolean;
  exclude?: string[];
  dynamicOps: DynamicForm;
  json?: boolean;
}

/** Seed of random calibration samples, not the check's (CHECK_SEED): calibration must not see the inputs it is judged on. */
const CALIBRATION_SEED = 7;

export function quantizeCommand(): Command {
  const command = new Command('quantize')
    .description('quantize an FP32 model to int8: dynamic (MatMul/Gemm weights) or static QDQ (Conv/MatMul/Gemm, calibrated activations)')
    .argument('<file>', 'ONNX model file')
    .requiredOption('-o, --output <file>', 'where to write the quantized model')
    .addOption(new Option('--mode <mode>', 'dynamic: int8 weights, activations quantized at run time; static: QDQ with calibrated activation ranges').choices(['dynamic', 'static']).makeOptionMandatory())
    .option('--calibration <data>', 'static mode: calibration samples, a JSON file ([{"<input>": values}, ...]) or random:N (N seeded random samples; only for trying the tool)')
    .addOption(new Option('--calibration-method <method>', 'how activation ranges are taken from the calibration runs').choices(['minmax', 'percentile']).default('minmax'))
    .option('--percentile <p>', 'percentile method: share of values kept inside the range on each side, in percent', percentileOption, 99.99)
    .option('--per-channel', 'one weight scale per output channel instead of one per weight')
    .option('--exclude <nodes>', 'node names or op types to leave in float, comma-separated (e.g. fc_out,Gemm)', listOption)
    .addOption(new Option('--dynamic-ops <form>', 'dynamic mode: fused = com.microsoft.DynamicQuantizeMatMul (fastest in onnxruntime); standard = ONNX operators only').choices(['fused', 'standard']).default('fused'))
    .option('--json', 'print the report as JSON');
  addCheckOptions(command, 100)
    .addHelpText('after', `
Exit codes: 0 ok, 1 unreadable model, nothing to quantize or the result does not run in onnxruntime-node, 2 bad arguments.

Examples:
  $ wharf model quantize mlp.onnx -o mlp.int8.onnx --mode dynamic
  $ wharf model quantize cnn.onnx -o cnn.qdq.onnx --mode static --calibration samples.json --per-channel
  $ wharf model quantize cnn.onnx -o cnn.qdq.onnx --mode static --calibration random:64 --calibration-method percentile`)
    .action(async (file: string, options: QuantizeCliOptions) => {
      if (options.mode === 'static' && options.calibration === undefined) throw new UsageError('--mode static needs --calibration DATA (a samples JSON file, or random:N to try the tool)');
      if (options.mode === 'dynamic' && options.calibration !== undefined) throw new UsageError('--calibration is only used with --mode static');
      const model = await readModelFile(file);
      const specs = checkInputSpecs(model, options);
      usage(() => resolveExclusions(model.graph ?? {}, options.exclude ?? []));
      const progress = new TaskProgress();
      const calibrationSamples = options.calibration === undefined ? undefined : await readCalibration(options.calibration, specs);
      let result: QuantizationResult;
      try {
        result = await quantizeModel(model, {
          mode: options.mode,
          perChannel: options.perChannel === true,
          ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
          dynamicForm: options.dynamicOps,
          ...(calibrationSamples === undefined ? {} : { calibrationSamples }),
          calibrationMethod: options.calibrationMethod,
          percentile: options.percentile,
          progress: (done, total) => progress.step('calibrating', done, total, 'runs'),
        });
      } catch (error) {
        throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
      }
      if (calibrationSamples !== undefined) progress.finish(`calibrated ${options.calibrationMethod} ranges on ${calibrationSamples.length} samples`);
      const samples = await checkSamples(specs, options);
      const comparison = await checkTransformation(model, result.model, samples, options.iterations, file);
      const report = await writeResult(options.output, result.model, comparison);
      if (options.json === true) {
        console.log(JSON.stringify({ input: file, output: options.output, mode: options.mode, perChannel: options.perChannel === true, quantized: result.quantized, keptFloat: result.keptFloat, opsetChanges: result.opsetChanges, comparison: report }, null, 2));
        return;
      }
      console.log(`quantized ${file} -> ${options.output} (${describeMode(options)})`);
      for (const line of [...describeResult(result), ...formatComparison(report)]) console.log(line);
    });
  return exitOnUsageError(command);
}

function describeMode(options: QuantizeCliOptions): string {
  const weights = options.perChannel === true ? 'per-channel' : 'per-tensor';
  if (options.mode === 'dynamic') return `dynamic int8, ${weights} weights, ${options.dynamicOps} operators`;
  const method = options.calibrationMethod === 'percentile' ? `percentile ${options.percentile}` : 'minmax';
  return `static QDQ int8, ${weights} weights, ${method} calibration`;
}

function describeResult(result: QuantizationResult): string[] {
  const lines = [`nodes quantized: ${result.quantized.length} (${result.quantized.map((node) => `${node.name} ${node.opType}`).join(', ')})`];
  lines.push(`nodes left float: ${result.keptFloat.length}`);
  for (const node of result.keptFloat) lines.push(`  ${node.name} (${node.opType}): ${node.reason}`);
  for (const change of result.opsetChanges) lines.push(`opset: ${change}`);
  return lines;
}

/** `random:N` or a samples JSON file, shaped by the model's inputs. */
async function readCalibration(value: string, specs: readonly InputSpec[]): Promise<Feeds[]> {
  const random = /^random:(\d+)$/.exec(value);
  if (random !== null) {
    const count = Number(random[1]);
    if (count < 1) throw new UsageError(`--calibration ${value}: N must be at least 1`);
    return randomSamples(specs, count, CALIBRATION_SEED);
  }
  if (value.startsWith('random:')) throw new UsageError(`--calibration ${JSON.stringify(value)}: write random:N with N a positive integer`);
  return readSampleFile(value, specs);
}

function percentileOption(value: string): number {
  const p = Number(value);
  if (value.trim() === '' || !(p > 50 && p <= 100)) throw new InvalidArgumentError(`--percentile must be a number in (50, 100], got "${value}"`);
  return p;
}
