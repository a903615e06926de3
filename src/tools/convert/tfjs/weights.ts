/**
 * @module
 * Weight values from a layers model's shards. Each manifest group's files are one byte stream
 * (tfjs splits it into shards of at most 4 MB by default) holding the group's weights in
 * manifest order, little-endian. Quantized weights (tfjs-converter --quantize_uint8/uint16/
 * float16) are dequantized to float32 here.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { float16BitsToNumber } from '../../../core/index.js';
import type { WeightGroup, WeightSpec } from './model-json.js';

export interface WeightValue {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

const BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

/**
 * Reads every group's shards from `folder` and slices out each weight by name.
 * @throws Error naming the shard file when it is missing or escapes the folder, and the weight
 * when the shards are too short for it or its dtype cannot be converted.
 */
export async function readWeights(folder: string, manifest: readonly WeightGroup[]): Promise<Map<string, WeightValue>> {
  const weights = new Map<string, WeightValue>();
  for (const group of manifest) {
    const buffer = await readGroup(folder, group.paths);
    let offset = 0;
    for (const spec of group.weights) {
      const count = spec.shape.reduce((product, dim) => product * dim, 1);
      const storedAs = spec.quantization?.dtype ?? spec.dtype;
      const width = BYTES[storedAs];
      if (width === undefined) throw new Error(`weight '${spec.name}' is stored as ${storedAs}, which cannot be read (supported: float32, uint8/uint16/float16 quantized)`);
      const end = offset + count * width;
      if (end > buffer.length) {
        throw new Error(`weight '${spec.name}' [${spec.shape.join(',')}] needs bytes ${offset}-${end} of the shards ${group.paths.join(', ')}, which hold only ${buffer.length} bytes: a shard is truncated or missing`);
      }
      weights.set(spec.name, { shape: spec.shape, data: decode(spec, buffer.subarray(offset, end), count) });
      offset = end;
    }
  }
  return weights;
}

async function readGroup(folder: string, paths: readonly string[]): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const path of paths) {
    const file = resolve(folder, path);
    const inside = relative(resolve(folder), file);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new Error(`weight shard '${path}' lies outside the model's folder ${folder}; refusing to read it`);
    try {
      parts.push(await readFile(file));
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
      throw new Error(`cannot read weight shard ${file} (listed in model.json): ${reason}`, { cause: error });
    }
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

function decode(spec: WeightSpec, bytes: Uint8Array, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  const quantization = spec.quantization;
  if (quantization === undefined) {
    if (spec.dtype !== 'float32') throw new Error(`weight '${spec.name}' has dtype ${spec.dtype}; only float32 weights can be converted`);
    for (let i = 0; i < count; i += 1) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  if (quantization.dtype === 'float16') {
    for (let i = 0; i < count; i += 1) out[i] = float16BitsToNumber(view.getUint16(i * 2, true));
    return out;
  }
  const { scale, min } = quantization;
  if (typeof scale !== 'number' || typeof min !== 'number') throw new Error(`weight '${spec.name}' is ${quantization.dtype}-quantized without a numeric scale and min`);
  const read = quantization.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(i * 2, true);
  // tfjs dequantizes as q * scale + min (tfjs-core io_utils.ts).
  for (let i = 0; i < count; i += 1) out[i] = read(i) * scale + min;
  return out;
}
