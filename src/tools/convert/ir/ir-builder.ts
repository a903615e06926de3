/**
 * @module
 * Builds an IrGraph op by op, inferring each output's shape and checking that every op reads
 * values already defined, so parsers cannot produce a graph out of topological order.
 */
import type { IrGraph, IrOp, IrShape, IrValue } from './ir-types.js';
import { inferOutputShape } from './shapes.js';

export class IrGraphBuilder {
  readonly #name: string;
  readonly #origin: string;
  readonly #inputs: IrValue[] = [];
  readonly #ops: IrOp[] = [];
  readonly #values = new Map<string, IrValue>();

  constructor(name: string, origin: string) {
    this.#name = name;
    this.#origin = origin;
  }

  input(name: string, shape: IrShape): IrValue {
    const value = this.#define(name, shape);
    this.#inputs.push(value);
    return value;
  }

  /** Adds an op and returns its output value (with the inferred shape). */
  add(op: IrOp): IrValue {
    const shapes = op.inputs.map((input) => {
      const value = this.#values.get(input);
      if (value === undefined) throw new Error(`layer '${op.source}' reads '${input}', which is not defined before it`);
      return value.shape;
    });
    const value = this.#define(op.output, inferOutputShape(op, shapes));
    this.#ops.push(op);
    return value;
  }

  value(name: string): IrValue {
    const value = this.#values.get(name);
    if (value === undefined) throw new Error(`value '${name}' is not defined`);
    return value;
  }

  /** A value name not used yet, derived from `base`. */
  freshName(base: string): string {
    if (!this.#values.has(base)) return base;
    for (let index = 1; ; index += 1) {
      const candidate = `${base}_${index}`;
      if (!this.#values.has(candidate)) return candidate;
    }
  }

  build(outputs: readonly string[]): IrGraph {
    if (outputs.length === 0) throw new Error(`model '${this.#name}' has no outputs`);
    return {
      name: this.#name,
      origin: this.#origin,
      inputs: [...this.#inputs],
      outputs: outputs.map((name) => this.value(name)),
      ops: [...this.#ops],
      values: new Map(this.#values),
    };
  }

  #define(name: string, shape: IrShape): IrValue {
    if (this.#values.has(name)) throw new Error(`value '${name}' is defined twice`);
    const value = { name, shape };
    this.#values.set(name, value);
    return value;
  }
}
