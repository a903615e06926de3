// Shared by the binary codec tests: building bodies by hand (an oracle independent of the
// encoders), and placing them at chosen offsets inside larger buffers.
import assert from 'node:assert/strict';
import { InferenceError, type ErrorCode } from '../../../src/errors/index.js';
import type { Tensor } from '../../../src/core/index.js';
import type { EncodedBody } from '../../../src/protocol/index.js';

const utf8 = new TextEncoder();

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let position = 0;
  for (const chunk of chunks) {
    out.set(chunk, position);
    position += chunk.byteLength;
  }
  return out;
}

/** A body of `header` (an object, or text sent as is) followed by the blobs, and the header's byte length. */
export function framed(header: unknown, ...blobs: Uint8Array[]): { body: Uint8Array; headerLength: number } {
  const json = utf8.encode(typeof header === 'string' ? header : JSON.stringify(header));
  return { body: concat([json, ...blobs]), headerLength: json.byteLength };
}

/** The encoder's chunks as one body. */
export function joined(encoded: EncodedBody): Uint8Array {
  const body = concat(encoded.chunks);
  assert.equal(body.byteLength, encoded.byteLength);
  return body;
}

/** Little-endian bytes from hex text, e.g. hex('01000000 02000000'). */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/\s+/g, '');
  return Uint8Array.from({ length: digits.length / 2 }, (_, i) => parseInt(digits.slice(2 * i, 2 * i + 2), 16));
}

/** BYTES elements serialized by hand: 4-byte LE length then the bytes. */
export function bytesBlob(...elements: (string | Uint8Array)[]): Uint8Array {
  return concat(elements.flatMap((element) => {
    const bytes = typeof element === 'string' ? utf8.encode(element) : element;
    const prefix = new Uint8Array(4);
    new DataView(prefix.buffer).setUint32(0, bytes.byteLength, true);
    return [prefix, bytes];
  }));
}

/**
 * The blob of a tensor, written element by element with DataView (explicitly little-endian).
 * Floats go through their bit patterns (as integers), because a NaN read as a JS number may lose its payload.
 */
export function blobOf(tensor: Tensor): Uint8Array {
  if (tensor.datatype === 'BYTES') return bytesBlob(...tensor.data);
  const { data } = tensor;
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  const size = data.BYTES_PER_ELEMENT;
  let source: ArrayLike<number | bigint> = data;
  if (data instanceof Float32Array) source = new Uint32Array(data.buffer, data.byteOffset, data.length);
  if (data instanceof Float64Array) source = new BigUint64Array(data.buffer, data.byteOffset, data.length);
  const signed = data instanceof Int8Array || data instanceof Int16Array || data instanceof Int32Array || data instanceof BigInt64Array;
  for (let i = 0; i < data.length; i++) {
    const value = source[i]!;
    if (typeof value === 'bigint') {
      if (signed) view.setBigInt64(i * size, value, true);
      else view.setBigUint64(i * size, value, true);
    } else if (size === 1) view.setUint8(i, value);
    else if (size === 2) view.setUint16(i * size, value, true);
    else view.setUint32(i * size, value, true);
  }
  return out;
}

/** A copy of `bytes` that starts `offset` bytes into a fresh, larger ArrayBuffer. */
export function placeAt(bytes: Uint8Array, offset: number): Uint8Array {
  const placed = new Uint8Array(new ArrayBuffer(offset + bytes.byteLength + 7), offset, bytes.byteLength);
  placed.set(bytes);
  return placed;
}

/** Asserts that `run` throws an InferenceError with `code` and exactly `message` (or a message matching it). */
export function throwsInference(run: () => unknown, code: ErrorCode, message: string | RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof InferenceError, `expected an InferenceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}
