/**
 * @module
 * The concrete input shapes a tool runs a model with: the model's declared dims with dynamic
 * ones resolved (batch for the first, 1 elsewhere) and per-input overrides from `--shape`.
 */
import type { DataType } from '../../core/index.js';
import { modelSignature, type OnnxModel } from '../onnx/index.js';

export interface InputSpec {
  readonly name: string;
  readonly datatype: DataType;
  readonly dims: readonly number[];
}

export interface InputSpecOptions {
  /** Size of a dynamic first dimension. @defaultValue 1 */
  batch?: number;
  /** Full shapes by input name; they win over the declared dims. */
  shapes?: Readonly<Record<string, readonly number[]>>;
}

/**
 * Resolves every graph input to a concrete shape.
 * @throws Error when `shapes` names an input the model does not have, or gives a shape whose rank
 * or fixed dims contradict the model's declaration.
 */
export function resolveInputSpecs(model: OnnxModel, options: InputSpecOptions = {}): InputSpec[] {
  const { inputs } = modelSignature(model);
  const batch = options.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`batch must be a positive integer, got ${batch}`);
  const shapes = options.shapes ?? {};
  const names = new Set(inputs.map((input) => input.name));
  for (const name of Object.keys(shapes)) {
    if (!names.has(name)) throw new Error(`--shape names input '${name}', but the model's inputs are ${[...names].map((n) => `'${n}'`).join(', ')}`);
  }
  return inputs.map(({ name, datatype, dims }) => {
    const override = shapes[name];
    if (override === undefined) return { name, datatype, dims: dims.map((dim, axis) => (dim >= 0 ? dim : axis === 0 ? batch : 1)) };
    if (override.length !== dims.length) throw new Error(`--shape ${name}=${override.join(',')} has rank ${override.length}, but the model declares [${dims.join(',')}] (rank ${dims.length})`);
    dims.forEach((dim, axis) => {
      if (dim >= 0 && override[axis] !== dim) throw new Error(`--shape ${name}=${override.join(',')}: dim ${axis} is fixed to ${dim} by the model`);
    });
    return { name, datatype, dims: [...override] };
  });
}

/**
 * Parses repeatable `NAME=D1,D2,...` values, e.g. `--shape x=1,3,224,224`.
 * @throws Error naming the value that is malformed.
 */
export function parseShapeOption(values: readonly string[]): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  for (const value of values) {
    const match = /^([^=]+)=(\d+(?:,\d+)*)$/.exec(value.trim());
    if (match === null) throw new Error(`--shape ${JSON.stringify(value)} is not NAME=D1,D2,... with positive integer dims (e.g. x=1,3,224,224)`);
    const [, name, list] = match as unknown as [string, string, string];
    const dims = list.split(',').map(Number);
    if (dims.some((dim) => dim < 1)) throw new Error(`--shape ${JSON.stringify(value)}: dims must be at least 1`);
    if (Object.hasOwn(shapes, name)) throw new Error(`--shape gives input '${name}' twice`);
    shapes[name] = dims;
  }
  return shapes;
}
