import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * A digest of every file under `dir`: path, size and modification time. It changes when a file
 * is added, removed or rewritten, without reading file contents (model files can be gigabytes).
 * Symbolic links are followed, as Kubernetes volumes (ConfigMaps, atomic writers) swap them.
 */
export async function folderFingerprint(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const files: string[] = [];
  await collectFiles(dir, files);
  files.sort();
  for (const file of files) {
    try {
      const info = await stat(file);
      hash.update(`${relative(dir, file)}\0${info.size}\0${info.mtimeMs}\n`);
    } catch {
      // Removed between listing and stat: the next scan sees the new state.
    }
  }
  return hash.digest('hex');
}

async function collectFiles(dir: string, into: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(path).then((s) => s.isDirectory(), () => false)));
    if (isDirectory) await collectFiles(path, into);
    else into.push(path);
  }
}
