/**
 * @module
 * What a shape rule sees of one node: its inputs' inferred shapes and constant values, and its
 * attributes with ONNX defaults. A rule that lacks something throws UnknownShapeError, which the
 * walker records against the node instead of failing the whole inspection.
 */
import type { DataType } from '../../core/index.js';
import { ATTRIBUTE_TYPE, type AttributeProto, type NodeProto, type TensorProto } from '../onnx/index.js';

/** An inferred value: its datatype (undefined for element types Wharf has no name for) and concrete dims. */
export interface ValueShape {
  readonly datatype: DataType | undefined;
  readonly dims: readonly number[];
  /**
   * The elements, when the value is a small integer constant known before running (an INT64
   * initializer, a Shape of known dims, arithmetic on those): what Reshape, Slice, Unsqueeze...
   * read their shapes and axes from.
   */
  readonly values?: readonly number[];
}

/** Thrown by a rule that cannot infer a node's outputs; the message says why. */
export class UnknownShapeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnknownShapeError';
  }
}

const utf8 = new TextDecoder();

export class NodeContext {
  readonly node: NodeProto;
  /** Version of the default-domain opset the model imports: some ops moved attributes to inputs. */
  readonly opset: number;
  readonly #lookup: (name: string) => ValueShape | undefined;
  readonly #attributes: ReadonlyMap<string, AttributeProto>;

  constructor(node: NodeProto, opset: number, lookup: (name: string) => ValueShape | undefined) {
    this.node = node;
    this.opset = opset;
    this.#lookup = lookup;
    this.#attributes = new Map((node.attribute ?? []).map((attribute) => [attribute.name ?? '', attribute]));
  }

  get inputCount(): number {
    return this.node.input?.length ?? 0;
  }

  /** True when input `index` is given (ONNX marks an omitted optional input with ''). */
  has(index: number): boolean {
    const name = this.node.input?.[index];
    return name !== undefined && name !== '';
  }

  input(index: number): ValueShape {
    const name = this.node.input?.[index];
    if (name === undefined || name === '') throw new UnknownShapeError(`input ${index} is missing`);
    const shape = this.#lookup(name);
    if (shape === undefined) throw new UnknownShapeError(`input '${name}' has no inferred shape`);
    return shape;
  }

  /** The input's dims, which must have `rank` entries when given. */
  dims(index: number, rank?: number): readonly number[] {
    const { dims } = this.input(index);
    if (rank !== undefined && dims.length !== rank) throw new UnknownShapeError(`input '${this.node.input?.[index] ?? ''}' has rank ${dims.length}, ${rank} expected`);
    return dims;
  }

  /** The constant elements of an input (an initializer, a Constant or a computed shape). */
  constant(index: number): readonly number[] {
    const values = this.input(index).values;
    if (values === undefined) throw new UnknownShapeError(`input '${this.node.input?.[index] ?? ''}' is not a constant known before running`);
    return values;
  }

  /** Like constant(), but undefined when the optional input is omitted. */
  optionalConstant(index: number): readonly number[] | undefined {
    return this.has(index) ? this.constant(index) : undefined;
  }

  int(name: string, fallback: number): number;
  int(name: string): number | undefined;
  int(name: string, fallback?: number): number | undefined {
    const value = this.#attributes.get(name)?.i;
    return value === undefined ? fallback : Number(value);
  }

  ints(name: string): number[] | undefined {
    const attribute = this.#attributes.get(name);
    if (attribute === undefined) return undefined;
    return (attribute.ints ?? []).map(Number);
  }

  float(name: string, fallback: number): number {
    return this.#attributes.get(name)?.f ?? fallback;
  }

  string(name: string, fallback: string): string {
    const bytes = this.#attributes.get(name)?.s;
    return bytes === undefined ? fallback : utf8.decode(bytes);
  }

  tensor(name: string): TensorProto | undefined {
    const attribute = this.#attributes.get(name);
    return attribute?.type === ATTRIBUTE_TYPE.TENSOR || attribute?.t !== undefined ? attribute.t : undefined;
  }

  /** Axes from the `axes` input (newer opsets) or attribute (older ones); undefined when neither is given. */
  axes(inputIndex: number): readonly number[] | undefined {
    if (this.has(inputIndex)) return this.constant(inputIndex);
    return this.ints('axes');
  }
}
