import { Command } from 'commander';
import { exitOnUsageError } from '../bench.js';
import { convertToFloat16, type Fp16Conversion } from '../../../tools/fp16/index.js';
import { formatComparison } from '../../../tools/evaluate/index.js';
import { readModelFile } from '../../../tools/onnx/index.js';
import { addCheckOptions, checkInputSpecs, checkSamples, checkTransformation, listOption, writeResult, type CheckOptions } from './model-check.js';

interface Fp16CliOptions extends CheckOptions {
  output: string;
  keepIoTypes?: boolean;
  block?: string[];
  blockNodes?: string[];
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
      const model = await readModelFile(file);
      const specs = checkInputSpecs(model, options);
      const conversion = convertToFloat16(model, {
        keepIoTypes: options.keepIoTypes === true,
        ...(options.block === undefined ? {} : { blockList: options.block }),
        ...(options.blockNodes === undefined ? {} : { blockNodes: options.blockNodes }),
      });
      const comparison = await checkTransformation(model, conversion.model, await checkSamples(specs, options), options.iterations, file);
      const report = await writeResult(options.output, conversion.model, comparison);
      console.log(`converted ${file} -> ${options.output}`);
      for (const line of [...describeConversion(conversion), ...formatComparison(report)]) console.log(line);
    });
  return exitOnUsageError(command);
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
