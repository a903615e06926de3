/**
 * @module
 * The size that matters for shipping a pruned model: zeros do not shrink a dense ONNX file, but
 * they compress, and models travel compressed (container layers, HTTP, app bundles).
 */
import { gzipSync } from 'node:zlib';

/** Bytes of `bytes` after gzip at its default level. */
export function compressedSize(bytes: Uint8Array): number {
  return gzipSync(bytes).byteLength;
}
