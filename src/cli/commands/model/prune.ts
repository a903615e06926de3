import { Command, InvalidArgumentError, Option } from 'commander';
import { formatBytes, formatComparison } from '../../../tools/evaluate/index.js';
import { encodeModel, readModelFile } from '../../../tools/onnx/index.js';
import { compressedSize, pruneWeights, type PruneResult } from '../../../tools/prune/index.js';
import { UsageError } from '../../bench/bench-options.js';
import { exitOnUsageError } from '../bench.js';
import { addCheckOptions, checkInputSpecs, checkSamples, checkTransformation, writeResult, type CheckOptions } from './model-check.js';

interface PruneCliOptions extends CheckOptions {
  output: string;
  sparsity: number;
  structured?: boolean;
  norm: 'l1' | 'l2';
  include?: string[];
}

export function pruneCommand(): Command {
  const command = new Command('prune')
    .description('magnitude pruning of MatMul, Gemm and Conv weights (zeros; shapes do not change)')
    .argument('<file>', 'ONNX model file')
    .requiredOption('-o, --output <file>', 'where to write the pruned model')
    .requiredOption('--sparsity <fraction>', 'fraction of each weight tensor (or of its output channels) to zero, in [0, 1)', sparsityOption)
    .option('--structured', 'zero whole output channels (Conv filters, weight columns) instead of single weights')
    .addOption(new Option('--norm <norm>', 'how --structured ranks channels').choices(['l1', 'l2']).default('l1'))
    .option('--include <names>', 'prune only these weight initializers, comma-separated', (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v !== ''));
  addCheckOptions(command)
    .addHelpText('after', `
Zeros do not make a dense ONNX file smaller or faster: the size that shrinks is the compressed one
(gzip, printed below), which is what ships.

Exit codes: 0 ok, 1 unreadable model or the result does not run in onnxruntime-node, 2 bad arguments.

Examples:
  $ wharf model prune model.onnx -o model.pruned.onnx --sparsity 0.5
  $ wharf model prune cnn.onnx -o cnn.pruned.onnx --sparsity 0.25 --structured --shape x=1,3,64,64`)
    .action(async (file: string, options: PruneCliOptions) => {
      const model = await readModelFile(file);
      const specs = checkInputSpecs(model, options);
      let result: PruneResult;
      try {
        result = pruneWeights(model, {
          sparsity: options.sparsity,
          structured: options.structured === true,
          norm: options.norm,
          ...(options.include === undefined ? {} : { include: options.include }),
        });
      } catch (error) {
        // The sparsity is checked by its parser, so an argument error here is --include naming a non-weight.
        if (options.include !== undefined) throw new UsageError((error as Error).message);
        throw error;
      }
      const comparison = await checkTransformation(model, result.model, await checkSamples(specs, options), options.iterations, file);
      const report = await writeResult(options.output, result.model, comparison);
      console.log(`pruned ${file} -> ${options.output} (${options.structured === true ? `structured, ${options.norm} channel norm` : 'unstructured'}, target sparsity ${options.sparsity})`);
      for (const line of [...describePruning(result), ...formatComparison(report)]) console.log(line);
      console.log(`gzip size: ${formatBytes(compressedSize(encodeModel(model)))} -> ${formatBytes(compressedSize(encodeModel(result.model)))}`);
    });
  return exitOnUsageError(command);
}

function describePruning(result: PruneResult): string[] {
  const lines = result.tensors.map((t) => {
    const channels = t.channels === undefined ? '' : `, ${t.channelsPruned}/${t.channels} channels`;
    return `  ${t.name} (${t.opType} ${t.node}) [${t.shape.join(',')}]: ${t.zeros}/${t.elements} zero, sparsity ${(100 * t.sparsity).toFixed(1)}%${channels}`;
  });
  for (const s of result.skipped) lines.push(`  skipped ${s.name}: ${s.reason}`);
  lines.push(`weights: ${result.tensors.length} tensors, ${result.zeros}/${result.elements} zero, achieved sparsity ${(100 * result.sparsity).toFixed(2)}%`);
  return lines;
}

function sparsityOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) {
    const error = new InvalidArgumentError(`--sparsity must be a number in [0, 1) such as 0.5, got "${value}"`);
    error.exitCode = 2;
    throw error;
  }
  return n;
}
