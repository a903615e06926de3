/**
 * @module
 * ONNX model files on disk, external data included. readModelFile gives a self-contained model
 * (every external tensor inlined), so the tools never deal with side files; writeModelFile can
 * move large initializers back out, which models over 2 GiB need (protobuf's size limit).
 */
import { mkdir, open, readFile, realpath, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, isAbsolute, sep } from 'node:path';
import { InferenceError } from '../../errors/index.js';
import { externalizeData, hasExternalData, inlineExternalData, type ExternalDataRef } from './external-data.js';
import { decodeModel, encodeModel } from './model-io.js';
import type { OnnxModel } from './onnx-types.js';

/**
 * Reads and decodes an ONNX model file, inlining external-data tensors from files in the model's
 * folder (see inlineExternalData). The result holds no reference to any file.
 * @throws InferenceError ERR_MODEL_LOAD_FAILED naming the path: the file cannot be read, is not
 * an ONNX model, or an external tensor's file is missing, too short, or outside the folder.
 */
export async function readModelFile(path: string): Promise<OnnxModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InferenceError('ERR_MODEL_LOAD_FAILED', `cannot read model file '${path}': ${describeFsError(error)}`, { cause: error });
  }
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InferenceError('ERR_MODEL_LOAD_FAILED', `model file '${path}': ${reason}`, { cause: error });
  }
  if (!hasExternalData(model)) return model;
  const reader = new FolderReader(dirname(path));
  try {
    return await inlineExternalData(model, (ref) => reader.read(ref));
  } catch (error) {
    if (error instanceof InferenceError) throw new InferenceError(error.code, `model file '${path}': ${error.message}`, { cause: error, details: error.details });
    throw error;
  } finally {
    await reader.close();
  }
}

export interface WriteModelOptions {
  /**
   * When set, initializers with at least this many bytes of raw data are written to a side file
   * and referenced from the model (ONNX external data). Absent: everything stays in the model file.
   */
  readonly externalDataThreshold?: number;
  /**
   * The side file, relative to the model's folder (a subfolder is created when needed).
   * @defaultValue `<model file name>.data`, e.g. `model.onnx.data`
   */
  readonly externalDataFile?: string;
}

/**
 * Encodes `model` and writes it to `path` (and its large initializers to a side file when
 * `externalDataThreshold` is given; the side file is written first, so the model file never
 * refers to a file that is not there yet). `model` is not changed.
 * @returns bytes written, model file and side file together.
 * @throws Error when the model still refers to external data (read it with readModelFile) or the
 * side file would be outside the model's folder; file-system errors as they come.
 */
export async function writeModelFile(path: string, model: OnnxModel, options: WriteModelOptions = {}): Promise<number> {
  if (options.externalDataThreshold === undefined) {
    if (hasExternalData(model)) {
      throw new Error(`cannot write '${path}': the model refers to external data files; read it with readModelFile, which inlines them, or pass externalDataThreshold`);
    }
    const bytes = encodeModel(model);
    await writeFile(path, bytes);
    return bytes.byteLength;
  }
  const location = options.externalDataFile ?? `${basename(path)}.data`;
  const split = externalizeData(model, { thresholdBytes: options.externalDataThreshold, location });
  const dataPath = join(dirname(path), location);
  if (resolve(dataPath) === resolve(path)) throw new Error(`cannot write '${path}': externalDataFile '${location}' is the model file itself`);
  if (split.chunks.length > 0) await writeChunks(dataPath, split.chunks);
  const bytes = encodeModel(split.model);
  await writeFile(path, bytes);
  return bytes.byteLength + split.dataBytes;
}

async function writeChunks(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const handle = await open(path, 'w');
  try {
    for (const chunk of chunks) await handle.write(chunk);
  } finally {
    await handle.close();
  }
}

/** Reads ranges of files inside one folder, refusing any whose real path lies outside it. */
class FolderReader {
  readonly #folder: string;
  readonly #files = new Map<string, Promise<{ handle: FileHandle; size: number }>>();
  #realFolder: Promise<string> | undefined;

  constructor(folder: string) {
    this.#folder = resolve(folder);
  }

  async read(ref: ExternalDataRef): Promise<Uint8Array> {
    const { handle, size } = await this.#open(ref);
    const length = ref.length ?? Math.max(size - ref.offset, 0);
    if (ref.offset + length > size) {
      throw this.#error(ref, `needs bytes ${ref.offset}..${ref.offset + length} but the file has ${size} bytes (truncated?)`);
    }
    const bytes = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(bytes, done, length - done, ref.offset + done);
      if (bytesRead === 0) throw this.#error(ref, `ended after ${ref.offset + done} bytes while reading ${length} bytes at offset ${ref.offset}`);
      done += bytesRead;
    }
    return bytes;
  }

  async close(): Promise<void> {
    const opened = await Promise.allSettled(this.#files.values());
    this.#files.clear();
    await Promise.all(opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value.handle.close()] : [])));
  }

  #open(ref: ExternalDataRef): Promise<{ handle: FileHandle; size: number }> {
    let file = this.#files.get(ref.location);
    if (file === undefined) {
      file = this.#openChecked(ref);
      this.#files.set(ref.location, file);
    }
    return file;
  }

  async #openChecked(ref: ExternalDataRef): Promise<{ handle: FileHandle; size: number }> {
    const path = join(this.#folder, ...ref.location.split('/'));
    let real: string;
    try {
      real = await realpath(path);
    } catch (error) {
      throw this.#error(ref, `cannot be opened: ${describeFsError(error)}`, error);
    }
    // The lexical check (checkExternalLocation) cannot see symlinks; the real path can.
    this.#realFolder ??= realpath(this.#folder);
    const inside = relative(await this.#realFolder, real);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      throw this.#error(ref, `resolves to '${real}', outside the model's folder (a symlink?)`);
    }
    let handle: FileHandle;
    try {
      handle = await open(real, 'r');
    } catch (error) {
      throw this.#error(ref, `cannot be opened: ${describeFsError(error)}`, error);
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw this.#error(ref, 'is not a regular file');
      return { handle, size: stat.size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  #error(ref: ExternalDataRef, problem: string, cause?: unknown): InferenceError {
    const message = `tensor '${ref.tensorName}': external data file '${ref.location}' ${problem}`;
    return new InferenceError('ERR_MODEL_LOAD_FAILED', message, {
      details: [{ path: `tensor '${ref.tensorName}'.external_data.location`, problem }],
      ...(cause === undefined ? {} : { cause }),
    });
  }
}

/** `ENOENT: no such file or directory` without the repeated path Node adds to the message. */
function describeFsError(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
    const known: Record<string, string> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory', ENOTDIR: 'a parent is not a directory' };
    return known[error.code] ?? `${error.code} (${error.message})`;
  }
  return error instanceof Error ? error.message : String(error);
}

