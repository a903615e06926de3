/**
 * @module
 * Writes js-backend models (config.pbtxt + <version>/model.js) into a Triton-layout repository.
 * Handler sources are kept as text (see command-handler.ts) and written into temporary
 * repositories, so the tests load them exactly as a server loads a user's file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface JsModelOptions {
  /** config.pbtxt text; absent: no config is written. */
  readonly config?: string;
  /** Handler source. */
  readonly source: string;
  /** @defaultValue 'model.js' */
  readonly fileName?: string;
  /** @defaultValue 1 */
  readonly version?: number;
}

/** @returns the version folder */
export async function writeJsModel(repo: string, name: string, options: JsModelOptions): Promise<string> {
  const versionDir = join(repo, name, String(options.version ?? 1));
  await mkdir(versionDir, { recursive: true });
  await writeFile(join(versionDir, options.fileName ?? 'model.js'), options.source);
  if (options.config !== undefined) await writeFile(join(repo, name, 'config.pbtxt'), options.config);
  return versionDir;
}

export interface CommandConfigOptions {
  readonly instances?: number;
  /** dynamic_batching block body, e.g. `max_queue_delay_microseconds: 1000`; absent: no dynamic batching. */
  readonly dynamicBatching?: string;
  readonly parameters?: Readonly<Record<string, string | number>>;
  /** Extra config lines. */
  readonly extra?: string;
}

/**
 * The config of a model served by COMMAND_HANDLER: batched (max_batch_size 8), input `x` (FP32
 * [-1]) and `cmd` (BYTES [1]); outputs `y` = 2x, `batch` (requests in the batch) and `instance`.
 */
export function commandConfig(options: CommandConfigOptions = {}): string {
  const parameters = Object.entries(options.parameters ?? {})
    .map(([key, value]) => `parameters { key: "${key}" value: { string_value: "${value}" } }`);
  return [
    'backend: "js"',
    'max_batch_size: 8',
    'input [ { name: "x" data_type: TYPE_FP32 dims: [ -1 ] }, { name: "cmd" data_type: TYPE_STRING dims: [ 1 ] } ]',
    'output [ { name: "y" data_type: TYPE_FP32 dims: [ -1 ] }, { name: "batch" data_type: TYPE_INT32 dims: [ 1 ] }, { name: "instance" data_type: TYPE_INT32 dims: [ 1 ] } ]',
    `instance_group [ { kind: KIND_CPU count: ${options.instances ?? 1} } ]`,
    ...(options.dynamicBatching !== undefined ? [`dynamic_batching { ${options.dynamicBatching} }`] : []),
    ...parameters,
    ...(options.extra !== undefined ? [options.extra] : []),
    '',
  ].join('\n');
}

/** A request to a COMMAND_HANDLER model: one row of `x` and the command. */
export function commandRequest(modelName: string, command: string, x: readonly number[] = [1, 2]): {
  modelName: string; inputs: [{ name: 'x'; datatype: 'FP32'; shape: number[]; data: Float32Array }, { name: 'cmd'; datatype: 'BYTES'; shape: number[]; data: string[] }];
} {
  return {
    modelName,
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [1, x.length], data: new Float32Array(x) },
      { name: 'cmd', datatype: 'BYTES', shape: [1, 1], data: [command] },
    ],
  };
}
