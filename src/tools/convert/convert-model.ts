/**
 * @module
 * Conversion to ONNX: parse with the source format's parser, emit ONNX from the IR, and
 * summarize what was converted.
 */
import type { OnnxModel } from '../onnx/index.js';
import type { IrGraph } from './ir/index.js';
import { emitOnnx } from './onnx/index.js';
import { SOURCE_PARSERS } from './source-parsers.js';

export interface ConvertOptions {
  /** Default-domain opset of the result. @defaultValue 17 */
  opset?: number;
  progress?: (done: number, total: number, layer: string) => void;
}

export interface Conversion {
  readonly model: OnnxModel;
  readonly graph: IrGraph;
  /** Source layers in order with the IR ops each became. */
  readonly layers: readonly { name: string; ops: string[] }[];
  /** ONNX nodes by op type, most frequent first. */
  readonly opHistogram: readonly [string, number][];
}

/**
 * Converts the model at `path` from format `from` (a key of SOURCE_PARSERS).
 * @throws Error for an unknown format, and whatever the parser or emitter throws (naming the
 * file, layer or weight at fault).
 */
export async function convertModel(from: string, path: string, options: ConvertOptions = {}): Promise<Conversion> {
  const parser = SOURCE_PARSERS.get(from);
  if (parser === undefined) throw new Error(`unknown source format '${from}' (supported: ${[...SOURCE_PARSERS.keys()].join(', ')})`);
  const graph = await parser.parse(path, options.progress);
  const model = emitOnnx(graph, options.opset === undefined ? {} : { opset: options.opset });
  const layers = new Map<string, string[]>();
  for (const op of graph.ops) {
    const ops = layers.get(op.source) ?? [];
    ops.push(op.kind === 'activation' ? `activation(${op.activation.fn})` : op.kind);
    layers.set(op.source, ops);
  }
  const counts = new Map<string, number>();
  for (const node of model.graph?.node ?? []) counts.set(node.opType ?? '?', (counts.get(node.opType ?? '?') ?? 0) + 1);
  return {
    model,
    graph,
    layers: [...layers].map(([name, ops]) => ({ name, ops })),
    opHistogram: [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}
