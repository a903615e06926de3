import { Command } from 'commander';
import { convertModel, formatShape, SOURCE_PARSERS, SUPPORTED_OPSETS, type Conversion } from '../../../tools/convert/index.js';
import { createSession, formatBytes, parseShapeOption, randomFeeds, resolveInputSpecs, runSession, seededRandom, type InputSpec } from '../../../tools/evaluate/index.js';
import { encodeModel, writeModelFile } from '../../../tools/onnx/index.js';
import { positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import { exitOnUsageError } from '../bench.js';
import { CHECK_SEED, collect, usage } from './model-check.js';

interface ConvertOptions {
  from: string;
  output: string;
  opset: number;
  shape: string[];
}

/** `wharf model convert --from tfjs MODEL_DIR -o OUT.onnx`: another framework's model to ONNX, run once to check it loads. */
export function convertCommand(): Command {
  const command = new Command('convert')
    .description('convert a model from another framework to ONNX (through a framework-neutral IR) and check that onnxruntime-node runs it')
    .argument('<model>', 'the source model: for tfjs, the folder holding model.json (or model.json itself)')
    .requiredOption('--from <format>', `source format: ${[...SOURCE_PARSERS.keys()].join(', ')}`)
    .requiredOption('-o, --output <file.onnx>', 'where to write the ONNX model')
    .option('--opset <n>', `ONNX opset of the result (${SUPPORTED_OPSETS.min}-${SUPPORTED_OPSETS.max})`, positiveIntegerOption('--opset'), 17)
    .option('--shape <name=dims>', 'input shape for the verification run when the model has dynamic dims besides the batch, e.g. image=1,224,224,3 (repeatable)', collect, [])
    .addHelpText('after', `
Exit codes: 0 converted and verified, 1 the model could not be read, converted or run, 2 bad arguments.

Examples:
  $ wharf model convert --from tfjs ./my-model -o my-model.onnx
  $ wharf model convert --from tfjs ./my-model/model.json -o my-model.onnx --opset 13
  $ wharf model convert --from tfjs ./fully-conv -o fully-conv.onnx --shape conv1_input=1,224,224,3`)
    .action(async (modelPath: string, options: ConvertOptions) => {
      if (!SOURCE_PARSERS.has(options.from)) throw new UsageError(`--from ${options.from} is not a supported source format (supported: ${[...SOURCE_PARSERS.keys()].join(', ')})`);
      if (options.opset < SUPPORTED_OPSETS.min || options.opset > SUPPORTED_OPSETS.max) throw new UsageError(`--opset must be between ${SUPPORTED_OPSETS.min} and ${SUPPORTED_OPSETS.max}, got ${options.opset}`);
      const shapes = usage(() => parseShapeOption(options.shape));
      const progress = new TaskProgress();
      const conversion = await convertModel(options.from, modelPath, {
        opset: options.opset,
        progress: (done, total) => progress.step('converting', done, total, 'layers'),
      });
      progress.finish(`converted ${conversion.layers.length} layers from ${conversion.graph.origin}`);
      const specs = usage(() => resolveInputSpecs(conversion.model, { shapes }));
      const bytes = await writeModelFile(options.output, conversion.model);
      for (const line of describeConversion(conversion, options.output, bytes, options.opset)) console.log(line);
      console.log(await verify(conversion, specs));
    });
  return exitOnUsageError(command);
}

function describeConversion(conversion: Conversion, output: string, bytes: number, opset: number): string[] {
  const width = Math.max(...conversion.layers.map((layer) => layer.name.length));
  const io = (values: Conversion['graph']['inputs']): string[] => values.map((value) => `  ${value.name}  FP32 ${formatShape(value.shape)}`);
  return [
    `wrote ${output} (${formatBytes(bytes)}, opset ${opset})`,
    `layers (${conversion.layers.length}):`,
    ...conversion.layers.map((layer) => `  ${layer.name.padEnd(width)}  ${layer.ops.join(', ')}`),
    `ONNX ops: ${conversion.opHistogram.map(([op, count]) => `${op} ×${count}`).join(', ')}`,
    'inputs:', ...io(conversion.graph.inputs),
    'outputs:', ...io(conversion.graph.outputs),
  ];
}

/**
 * Loads the result in onnxruntime-node and runs it once on a seeded random input: batch 1, other
 * dynamic dims 1 unless --shape gives them.
 */
async function verify(conversion: Conversion, specs: readonly InputSpec[]): Promise<string> {
  const session = await createSession(encodeModel(conversion.model));
  try {
    const outputs = await runSession(session, randomFeeds(specs, seededRandom(CHECK_SEED)));
    const described = Object.entries(outputs).map(([name, tensor]) => {
      const values = tensor.data as Float32Array;
      if (!values.every(Number.isFinite)) throw new Error(`the converted model ran, but output '${name}' holds non-finite values on a random input`);
      return `${name} [${tensor.dims.join(',')}]`;
    });
    return `verified: onnxruntime-node ran it on a random input (${specs.map((spec) => `${spec.name} [${spec.dims.join(',')}]`).join(', ')}) -> ${described.join(', ')}`;
  } finally {
    await session.release();
  }
}
