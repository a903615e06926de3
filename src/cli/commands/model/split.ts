import { Command } from 'commander';
import { dataTypeFromOnnx, dataTypeInfo } from '../../../core/index.js';
import { formatBytes, randomFeeds, seededRandom } from '../../../tools/evaluate/index.js';
import { readModelFile, writeModelFile, type OnnxModel, type ValueInfoProto } from '../../../tools/onnx/index.js';
import { CutError, probeTensorTypes, splitModel, validateCut, verifySplit } from '../../../tools/split/index.js';
import { positiveIntegerOption, UsageError } from '../../bench/bench-options.js';
import { exitOnUsageError } from '../bench.js';
import { CHECK_SEED, checkInputSpecs, collect } from './model-check.js';

interface SplitCliOptions {
  at: string[];
  output: string[];
  shape: string[];
  batch: number;
}

/** Head and tail must match the whole model to float rounding: the same kernels run on the same values. */
const TOLERANCE = 1e-4;


/** `wharf model split FILE --at TENSOR -o HEAD -o TAIL`: a head for the device and a tail for the server. */
export function splitCommand(): Command {
  const command = new Command('split')
    .description('split a model at a tensor into a head (inputs -> the tensor) and a tail (the tensor -> outputs), checked against the whole model in onnxruntime-node')
    .argument('<model>', 'the ONNX model file')
    .requiredOption('--at <tensor>', 'the cut tensor: the head\'s output and the tail\'s input (repeat for a cut of several tensors)', collect, [])
    .requiredOption('-o, --output <file>', 'give twice: the head file, then the tail file', collect, [])
    .option('--shape <name=dims>', 'input shape for the check, e.g. x=1,3,64,64 (repeatable)', collect, [])
    .option('--batch <n>', 'size of a dynamic first dim for the check', positiveIntegerOption('--batch'), 1)
    .addHelpText('after', `
The cut must separate the graph: every path from an input to an output passes through it.
\`wharf model plan-split\` lists the tensors that do, and picks the fastest for a link.

Exit codes: 0 split and verified, 1 the model could not be read, split or run, 2 bad arguments.

Examples:
  $ wharf model split cnn.onnx --at Relu_1 -o cnn-head.onnx -o cnn-tail.onnx
  $ wharf model split model.onnx --at a --at b -o head.onnx -o tail.onnx --shape x=1,3,224,224`)
    .action(async (modelPath: string, options: SplitCliOptions) => {
      if (options.output.length !== 2) throw new UsageError(`give -o twice, the head file and then the tail file (got ${options.output.length})`);
      const [headPath, tailPath] = options.output as [string, string];
      const model = await readModelFile(modelPath);
      const specs = checkInputSpecs(model, options);
      try {
        validateCut(model, options.at);
      } catch (error) {
        if (error instanceof CutError) throw new UsageError(`--at: ${error.message}`);
        throw error;
      }
      const probed = await probeTensorTypes(model, options.at, { shapes: Object.fromEntries(specs.map((spec) => [spec.name, [...spec.dims]])) });
      const parts = splitModel(model, options.at, { valueInfo: probed.valueInfo });
      const headBytes = await writeModelFile(headPath, parts.head);
      const tailBytes = await writeModelFile(tailPath, parts.tail);
      for (const value of probed.valueInfo) console.log(describeCutTensor(value));
      if (probed.dynamicDimsUnknown !== undefined) console.log(`note: every dim of the cut is fixed: ${probed.dynamicDimsUnknown}`);
      console.log(`wrote ${headPath}: ${describePart(parts.head)}, ${formatBytes(headBytes)}`);
      console.log(`wrote ${tailPath}: ${describePart(parts.tail)}, ${formatBytes(tailBytes)}`);
      const check = await verifySplit(model, parts, [randomFeeds(specs, seededRandom(CHECK_SEED))]);
      const worst = Math.max(...check.differences.map((difference) => difference.maxAbs));
      const described = check.differences.map((difference) => `${difference.output} max abs diff ${difference.maxAbs.toExponential(2)}`).join(', ');
      const input = specs.map((spec) => `${spec.name} [${spec.dims.join(',')}]`).join(', ');
      if (!(worst <= TOLERANCE)) throw new Error(`verification failed: head then tail differs from the whole model on a random input (${input}): ${described}`);
      console.log(`verified: head then tail equals the whole model in onnxruntime-node on a random input (${input}): ${described}`);
    });
  return exitOnUsageError(command);
}

/** `cut Relu_1: FP32 [batch,32,32,32], 131072 bytes per sample (128.0 KiB)` */
function describeCutTensor(value: ValueInfoProto): string {
  const tensorType = value.type?.tensorType;
  const datatype = dataTypeFromOnnx(tensorType?.elemType ?? 0);
  const dims = (tensorType?.shape?.dim ?? []).map((dim) => (dim.dimValue !== undefined ? Number(dim.dimValue) : dim.dimParam ?? '?'));
  const fixed = dims.filter((dim): dim is number => typeof dim === 'number').reduce((a, b) => a * b, 1);
  const bytes = fixed * (datatype === undefined ? 0 : dataTypeInfo(datatype).byteSize);
  const dynamic = dims.filter((dim) => typeof dim !== 'number').length;
  const per = dynamic === 0 ? 'per request' : dynamic === 1 && typeof dims[0] !== 'number' ? 'per sample' : 'per sample, dynamic dims counted as 1';
  return `cut ${value.name}: ${datatype ?? 'unknown type'} [${dims.join(',')}], ${bytes} bytes ${per} (${formatBytes(bytes)})`;
}

function describePart(part: OnnxModel): string {
  const graph = part.graph ?? {};
  const names = (values: ValueInfoProto[] | undefined): string => (values ?? []).map((value) => value.name).join(', ');
  return `${graph.node?.length ?? 0} nodes, ${graph.initializer?.length ?? 0} initializers, inputs ${names(graph.input)} -> outputs ${names(graph.output)}`;
}
