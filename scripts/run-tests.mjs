// Runs every compiled test file with node's own test runner. Node 20 cannot glob
// test files itself, so this finds them; arguments narrow the run to paths that contain them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'dist/test';
const filters = process.argv.slice(2);

function collect(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return collect(path);
    return path.endsWith('.test.js') ? [path] : [];
  });
}

const files = collect(root).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error(`no test files found under ${root}${filters.length ? ` matching ${filters.join(', ')}` : ''}; run npm run build first`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
