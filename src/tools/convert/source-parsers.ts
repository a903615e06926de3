/**
 * @module
 * Source formats by name. A parser turns files of its format into the IR; the emitter does the
 * rest, so adding a format (Keras H5, TFLite...) is one parser module and one row here.
 */
import type { IrGraph } from './ir/index.js';
import { parseTfjsModel } from './tfjs/index.js';

export interface SourceParser {
  /** What `--from` takes. */
  readonly name: string;
  readonly description: string;
  /**
   * Reads the model at `path` (a file or folder, as the format stores models).
   * @param progress called after each source layer is converted
   */
  parse(path: string, progress?: (done: number, total: number, layer: string) => void): Promise<IrGraph>;
}

export const SOURCE_PARSERS: ReadonlyMap<string, SourceParser> = new Map([
  ['tfjs', { name: 'tfjs', description: 'TensorFlow.js layers model (model.json + weight shards)', parse: parseTfjsModel }],
]);
