import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import { isInferenceError, InferenceError } from '../../../errors/index.js';
import { parseShapeOption } from '../../../tools/evaluate/index.js';
import { formatReport, inspectModel, type ModelReport } from '../../../tools/inspect/index.js';
import { readModelFile, type OnnxModel } from '../../../tools/onnx/index.js';
import { positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import { exitOnUsageError } from '../bench.js';

interface InspectCliOptions {
  json?: boolean;
  shape: string[];
  batch?: number;
  top: number;
}

/** Reading is the only slow part, and only for big files: below this, no progress line. */
const PROGRESS_FROM_BYTES = 64 * 1024 * 1024;

/** `wharf model inspect FILE`: signature, operators, parameters, and FLOPs/memory estimates. */
export function inspectCommand(): Command {
  const command = new Command('inspect')
    .description('show a model\'s inputs, outputs, opsets, operators and parameters, and estimate FLOPs and activation memory per node')
    .argument('<file>', 'the ONNX model file (external data is read from its folder)')
    .option('--json', 'print the report as JSON (fields as in docs/model-tools.md)')
    .option('--shape <name=dims>', 'shape of an input for the estimates, e.g. x=1,3,224,224 (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--batch <n>', 'size of dynamic first dims for the estimates (default 1)', positiveIntegerOption('--batch'))
    .option('--top <k>', 'layers in each "largest" list', positiveIntegerOption('--top'), 5)
    .addHelpText('after', `
Exit codes: 0 ok, 1 the file is missing or not an ONNX model, 2 bad arguments.

Examples:
  $ wharf model inspect model.onnx
  $ wharf model inspect model.onnx --shape x=8,3,224,224 --top 10
  $ wharf model inspect model.onnx --batch 32 --json > report.json`)
    .action(async (file: string, options: InspectCliOptions) => {
      let shapes: Record<string, number[]>;
      try {
        shapes = parseShapeOption(options.shape);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const model = await readWithProgress(file);
      const report = inspect(file, model, { shapes, top: options.top, ...(options.batch === undefined ? {} : { batch: options.batch }) });
      console.log(options.json ? JSON.stringify(report, null, 2) : formatReport(report).join('\n'));
    });
  return exitOnUsageError(command);
}

async function readWithProgress(file: string): Promise<OnnxModel> {
  const size = await stat(file).then((info) => info.size, () => 0);
  if (size < PROGRESS_FROM_BYTES) return readModelFile(file);
  const progress = new TaskProgress();
  progress.step('reading model', 0, 1, 'file');
  const model = await readModelFile(file);
  progress.finish(`read ${file}`);
  return model;
}

/** Model problems name the file (exit 1); a --shape that does not fit the model is a usage error (exit 2). */
function inspect(file: string, model: OnnxModel, options: Parameters<typeof inspectModel>[1]): ModelReport {
  try {
    return inspectModel(model, options);
  } catch (error) {
    if (isInferenceError(error)) throw new InferenceError(error.code, `model file '${file}': ${error.message}`, { cause: error, details: error.details });
    throw new UsageError((error as Error).message);
  }
}
