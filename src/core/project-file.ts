import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds a file shipped with Wharf (`proto/onnx.proto`, `package.json`) by walking up from
 * this module: the same code runs from `dist/src/` in a clone and from an installed package,
 * whose `files` put `proto/` beside `dist/`.
 */
export function findProjectFile(relativePath: string, start: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`cannot find ${relativePath} in ${start} or any folder above it; the package is incomplete`);
  }
}
