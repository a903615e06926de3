import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root: the nearest folder above this file holding Wharf's package.json. */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

const manifest = JSON.parse(readFileSync(join(findRoot(), 'package.json'), 'utf8')) as { name: string; version: string };

export const SERVER_NAME: string = manifest.name;
export const SERVER_VERSION: string = manifest.version;
