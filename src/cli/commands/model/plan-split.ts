import { Command } from 'commander';
import { formatBytes, parseShapeOption } from '../../../tools/evaluate/index.js';
import { readModelFile } from '../../../tools/onnx/index.js';
import { CutError, formatBandwidth, parseBandwidth, planSplit, profileCuts, type SplitPlan } from '../../../tools/split/index.js';
import { durationOption, positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { TaskProgress } from '../../task-progress.js';
import { exitOnUsageError } from '../bench.js';
import { collect } from './model-check.js';

interface PlanCliOptions {
  bandwidth: string;
  deviceSpeed: string;
  rtt: number;
  shape: string[];
  batch: number;
  iterations: number;
  cut: string[];
  json?: boolean;
}


/** `wharf model plan-split FILE --bandwidth 20Mbps --device-speed 0.1`: where to split, Neurosurgeon-style. */
export function planSplitCommand(): Command {
  const command = new Command('plan-split')
    .description('profile every cut of a model in onnxruntime-node and recommend the one with the lowest end-to-end latency for a device and a link (Neurosurgeon)')
    .argument('<model>', 'the ONNX model file')
    .requiredOption('--bandwidth <rate>', 'link speed, e.g. 20Mbps, 500kbps, 1Gbps, 2MB/s (bps = bits, B/s = bytes)')
    .requiredOption('--device-speed <factor>', 'device speed relative to this machine: 0.1 = the device is 10x slower, 2 = twice as fast')
    .option('--rtt <time>', 'round-trip time added to every plan that uses the server, e.g. 20ms', durationOption('--rtt', true), 0)
    .option('--shape <name=dims>', 'input shape, e.g. x=1,3,64,64 (repeatable)', collect, [])
    .option('--batch <n>', 'size of a dynamic first dim', positiveIntegerOption('--batch'), 1)
    .option('--iterations <n>', 'timed runs of each part (the median counts)', positiveIntegerOption('--iterations'), 20)
    .option('--cut <tensor>', 'profile only this cut (repeatable); default: every tensor that separates the graph', collect, [])
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', `
Each plan's end-to-end latency is head on the device + transfer + tail on the server:
  head on the device = head latency measured here / --device-speed
  transfer           = (bytes sent + bytes of the outputs) x 8 / --bandwidth + --rtt
                       (the cut tensor goes up, the result comes back; none for all on device)
  tail on the server = tail latency measured here (this machine stands for the server)
"all on server" sends the model's inputs; "all on device" runs the whole model on the device.

Exit codes: 0 planned, 1 the model could not be read or run, 2 bad arguments.

Examples:
  $ wharf model plan-split cnn.onnx --bandwidth 20Mbps --device-speed 0.1
  $ wharf model plan-split cnn.onnx --bandwidth 1MB/s --device-speed 0.5 --rtt 30ms --batch 4 --json`)
    .action(async (modelPath: string, options: PlanCliOptions) => {
      const bandwidthBitsPerSecond = usage(() => parseBandwidth(options.bandwidth), '--bandwidth');
      const deviceSpeed = Number(options.deviceSpeed);
      if (options.deviceSpeed.trim() === '' || !Number.isFinite(deviceSpeed) || deviceSpeed <= 0) {
        throw new UsageError(`--device-speed must be a positive number such as 0.1 (a device 10x slower than this machine), got "${options.deviceSpeed}"`);
      }
      const shapes = usage(() => parseShapeOption(options.shape), '--shape');
      const model = await readModelFile(modelPath);
      const progress = new TaskProgress();
      const profiled = await profileCuts(model, {
        batch: options.batch, shapes, iterations: options.iterations, ...(options.cut.length > 0 ? { cuts: options.cut } : {}),
        progress: (done, total, label) => progress.step(`profiling ${label}`, done, total, 'parts'),
      }).catch((error: unknown) => {
        // A bad --cut or --shape is the caller's mistake (exit 2); a model that fails to run is not.
        if (error instanceof CutError) throw new UsageError(`--cut: ${error.message}`);
        if (error instanceof Error && error.message.startsWith('--shape')) throw new UsageError(error.message);
        throw error;
      });
      const cuts = profiled.profiles.length - 2;
      progress.finish(`profiled ${cuts} cut${cuts === 1 ? '' : 's'} plus all on server and all on device (median of ${options.iterations} runs each)`);
      const link = { bandwidthBitsPerSecond, deviceSpeed, rttMs: options.rtt };
      const plan = planSplit(profiled.profiles, link);
      if (options.json === true) {
        console.log(JSON.stringify({ model: modelPath, batch: profiled.batch, link, recommended: plan.rows[plan.best]!.label, rows: plan.rows }, null, 2));
        return;
      }
      for (const line of formatPlan(plan, modelPath, profiled.batch, link)) console.log(line);
      if (profiled.dynamicDimsUnknown !== undefined) console.log(`note: ${profiled.dynamicDimsUnknown}`);
    });
  return exitOnUsageError(command);
}

/** Runs a flag's parser, turning its error into a UsageError (exit 2). */
function usage<T>(parse: () => T, flag: string): T {
  try {
    return parse();
  } catch (error) {
    const message = (error as Error).message;
    throw new UsageError(message.startsWith(flag) ? message : `${flag}: ${message}`);
  }
}

function formatPlan(plan: SplitPlan, modelPath: string, batch: number, link: { bandwidthBitsPerSecond: number; deviceSpeed: number; rttMs: number }): string[] {
  const ms = (value: number): string => value.toFixed(2);
  const header = ['', 'cut', 'sent', 'bytes', 'device ms', 'transfer ms', 'server ms', 'total ms'];
  const table = plan.rows.map((row, index) => [
    index === plan.best ? '*' : '',
    row.label,
    row.sent.length === 0 ? '-' : row.sent.map((name, i) => `${name} [${row.sentShapes[i]!.join(',')}]`).join(', '),
    row.sent.length === 0 ? '-' : formatBytes(row.sentBytes),
    ms(row.deviceMs), ms(row.transferMs), ms(row.serverMs), ms(row.totalMs),
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...table].map((cells) => cells[column]!.length)));
  const line = (cells: string[]): string => cells.map((cell, column) => (column <= 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ').trimEnd();
  const best = plan.rows[plan.best]!;
  const slower = link.deviceSpeed < 1 ? `${Number((1 / link.deviceSpeed).toPrecision(3))}x slower than` : link.deviceSpeed > 1 ? `${link.deviceSpeed}x as fast as` : 'as fast as';
  const advice = best.kind === 'cut'
    ? [`recommended: split at '${best.label}' (${ms(best.totalMs)} ms end to end)`, `  wharf model split ${modelPath} --at ${best.label} -o head.onnx -o tail.onnx`]
    : [`recommended: ${best.label} (${ms(best.totalMs)} ms end to end)`];
  return [
    `${modelPath}, batch ${batch}: device ${slower} this machine, link ${formatBandwidth(link.bandwidthBitsPerSecond)}, rtt ${link.rttMs} ms`,
    line(header),
    ...table.map(line),
    ...advice,
  ];
}
