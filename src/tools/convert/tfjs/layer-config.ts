/**
 * @module
 * Typed reads of one Keras layer's `config` object, as tfjs and Keras serialize it (snake_case
 * keys). Every failure names the layer and the key, since model.json files are often edited by
 * hand or written by other tools.
 */
import type { Padding } from '../ir/index.js';

export class LayerConfig {
  readonly className: string;
  readonly name: string;
  readonly #config: Readonly<Record<string, unknown>>;

  constructor(className: string, name: string, config: Readonly<Record<string, unknown>>) {
    this.className = className;
    this.name = name;
    this.#config = config;
  }

  /** An error about this layer: "layer 'conv_1' (Conv2D): problem". */
  error(problem: string): Error {
    return new Error(`layer '${this.name}' (${this.className}): ${problem}`);
  }

  has(key: string): boolean {
    return this.#config[key] !== undefined && this.#config[key] !== null;
  }

  raw(key: string): unknown {
    return this.#config[key];
  }

  number(key: string, fallback?: number): number {
    const value = this.#config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw this.error(`config '${key}' must be a number, got ${JSON.stringify(value)}`);
    return value;
  }

  integer(key: string, fallback?: number): number {
    const value = this.number(key, fallback);
    if (!Number.isInteger(value) || value < 0) throw this.error(`config '${key}' must be a non-negative integer, got ${value}`);
    return value;
  }

  positive(key: string, fallback?: number): number {
    const value = this.integer(key, fallback);
    if (value < 1) throw this.error(`config '${key}' must be at least 1, got ${value}`);
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.#config[key] ?? fallback;
    if (typeof value !== 'boolean') throw this.error(`config '${key}' must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  string(key: string, fallback?: string): string {
    const value = this.#config[key] ?? fallback;
    if (typeof value !== 'string') throw this.error(`config '${key}' must be a string, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A 2-D window parameter: one positive integer for both axes or a pair; `fallback` when absent. */
  pair(key: string, fallback?: readonly [number, number]): [number, number] {
    const value = this.#config[key] ?? fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return [value, value];
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isInteger(v) && v > 0)) return [value[0] as number, value[1] as number];
    throw this.error(`config '${key}' must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  }

  padding(): Padding {
    const padding = this.string('padding', 'valid');
    if (padding !== 'same' && padding !== 'valid') throw this.error(`padding '${padding}' is not supported (only 'same' and 'valid')`);
    return padding;
  }

  dataFormat(): 'channels_last' | 'channels_first' {
    const format = this.string('data_format', 'channels_last');
    if (format !== 'channels_last' && format !== 'channels_first') throw this.error(`data_format '${format}' is not channels_last or channels_first`);
    return format;
  }
}
