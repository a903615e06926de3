/**
 * @module
 * The ONNX tensors that hold each IR value, by physical layout. A rank-4 channels_last value
 * may exist as itself ('logical', NHWC) and as its channels-first transpose ('nchw'), which
 * ONNX Conv and pooling need. A value is transposed at most once per direction, on first
 * demand, so a chain of convolutions stays NCHW between one transpose in and one out.
 */
import type { GraphBuilder } from '../../onnx/index.js';

export type View = 'logical' | 'nchw';

/** physical[i] = logical[perm[i]]: NHWC -> NCHW. */
export const TO_NCHW = [0, 3, 1, 2] as const;
const TO_LOGICAL = [0, 2, 3, 1] as const;

interface Record_ {
  /** The name the logical view has or will have. */
  readonly base: string;
  readonly names: Partial<Record<View, string>>;
  /** The view the producing op wrote; other views are transposes of it. */
  readonly native: View;
}

export class LayoutViews {
  readonly #graph: GraphBuilder;
  readonly #records = new Map<string, Record_>();

  constructor(graph: GraphBuilder) {
    this.#graph = graph;
  }

  /** Records that `value` is held by the ONNX tensor `name` in `view`. */
  define(value: string, view: View, name: string): void {
    if (this.#records.has(value)) throw new Error(`IR value '${value}' is defined twice`);
    this.#records.set(value, { base: value, names: { [view]: name }, native: view });
  }

  /** The ONNX name `value` would get in `view` if an op writes it there. */
  static nameFor(value: string, view: View): string {
    return view === 'logical' ? value : `${value}/nchw`;
  }

  /** Makes `value` another name for `source` (identity ops emit nothing). */
  alias(value: string, source: string): void {
    this.#records.set(value, this.#record(source));
  }

  native(value: string): View {
    return this.#record(value).native;
  }

  /** The ONNX tensor holding `value` in `view`, adding a Transpose the first time it is needed. */
  get(value: string, view: View): string {
    const record = this.#record(value);
    const existing = record.names[view];
    if (existing !== undefined) return existing;
    const from = record.names[record.native]!;
    const name = this.#graph.node('Transpose', [from], { perm: [...(view === 'nchw' ? TO_NCHW : TO_LOGICAL)] }, {
      name: `${record.base}/to_${view === 'nchw' ? 'nchw' : 'nhwc'}`,
      outputs: [LayoutViews.nameFor(record.base, view)],
    });
    record.names[view] = name;
    return name;
  }

  #record(value: string): Record_ {
    const record = this.#records.get(value);
    if (record === undefined) throw new Error(`IR value '${value}' is read before it is written`);
    return record;
  }
}

/** Where logical axis `axis` of a rank-`rank` value sits in `view`. */
export function physicalAxis(axis: number, rank: number, view: View): number {
  if (view === 'logical') return axis;
  if (rank !== 4) throw new Error(`only rank-4 values have an NCHW view (rank ${rank})`);
  return TO_NCHW.indexOf(axis as 0 | 1 | 2 | 3);
}
