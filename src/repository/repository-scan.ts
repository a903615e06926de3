import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InferenceError } from '../errors/index.js';

/** One model folder as found on disk, before anything is loaded. */
export interface ModelSource {
  readonly name: string;
  readonly dir: string;
  /** `config.pbtxt` or `config.json`, when present. */
  readonly configFile: { readonly path: string; readonly format: 'pbtxt' | 'json' } | undefined;
  /** Numeric version folders, ascending. */
  readonly versions: readonly number[];
  /** Why the folder cannot be served as it stands (e.g. two config files). */
  readonly problem: string | undefined;
}

// Triton ignores version folders that are not plain positive numbers ("01", "v1", "0").
const VERSION_FOLDER = /^[1-9][0-9]*$/;

/** True for an existing directory (symlinks followed); false for anything else or an unreadable path. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Lists the model folders of a Triton-layout repository: `<repo>/<model>/<version>/`. */
export async function scanRepository(root: string): Promise<ModelSource[]> {
  if (!(await isDirectory(root))) {
    throw new InferenceError('ERR_REPOSITORY_INVALID', `model repository ${root} does not exist or is not a directory`);
  }
  const entries = await readdir(root, { withFileTypes: true });
  const names = entries.filter((e) => !e.name.startsWith('.')).map((e) => e.name).sort();
  const sources: ModelSource[] = [];
  for (const name of names) {
    const dir = join(root, name);
    // Symlinked model folders are followed: Kubernetes volumes mount them that way.
    if (!(await isDirectory(dir))) continue;
    sources.push(await scanModelFolder(name, dir));
  }
  return sources;
}

export async function scanModelFolder(name: string, dir: string): Promise<ModelSource> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = new Set(entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name));
  const versions: number[] = [];
  for (const entry of entries) {
    if (VERSION_FOLDER.test(entry.name) && Number.isSafeInteger(Number(entry.name)) && (await isDirectory(join(dir, entry.name)))) versions.push(Number(entry.name));
  }
  versions.sort((a, b) => a - b);
  const hasPbtxt = files.has('config.pbtxt');
  const hasJson = files.has('config.json');
  const problem = hasPbtxt && hasJson
    ? `${join(dir, 'config.pbtxt')} and ${join(dir, 'config.json')} both exist; keep one`
    : versions.length === 0 ? `${dir} has no numeric version folder (expected ${join(dir, '1', 'model.onnx')})` : undefined;
  const configFile = hasPbtxt ? { path: join(dir, 'config.pbtxt'), format: 'pbtxt' as const }
    : hasJson ? { path: join(dir, 'config.json'), format: 'json' as const } : undefined;
  return { name, dir, configFile, versions, problem };
}
