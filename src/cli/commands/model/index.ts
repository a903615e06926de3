import { Command } from 'commander';
import { convertCommand } from './convert.js';
import { fp16Command } from './fp16.js';
import { inspectCommand } from './inspect.js';
import { planSplitCommand } from './plan-split.js';
import { pruneCommand } from './prune.js';
import { quantizeCommand } from './quantize.js';
import { splitCommand } from './split.js';

/**
 * `wharf model ...`: offline tools over ONNX files (inspect, quantize, fp16, prune, split,
 * plan-split, convert). Each subcommand lives in its own module beside this one.
 */
export function modelCommand(): Command {
  return new Command('model')
    .description('inspect, shrink, split and convert ONNX model files; every result is checked in onnxruntime-node')
    .addCommand(inspectCommand())
    .addCommand(quantizeCommand())
    .addCommand(fp16Command())
    .addCommand(pruneCommand())
    .addCommand(splitCommand())
    .addCommand(planSplitCommand())
    .addCommand(convertCommand());
}
