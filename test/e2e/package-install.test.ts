// The install proof (issue 8): `npm pack` the built project, install the tarball with production
// dependencies only into an empty directory, start its `wharf` bin on the bundled example
// models, and infer over HTTP and (through the installed `wharf/client`) gRPC. The Dockerfile
// installs the same files and dependencies. `npm install` downloads the dependencies, so the
// test is opt-in: WHARF_SLOW_TESTS=1 (.ci/run sets it).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { makeTempDir } from '../support/server-harness.js';
import { ROOT, type LogLine } from './serve-process.js';

const run = promisify(execFile);
const SLOW = process.env.WHARF_SLOW_TESTS === '1';

/** The environment without npm's own npm_* variables (set when run under `npm test`), which would configure the child npm. */
function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
}

async function npm(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

let dir: string;
let cleanup: () => Promise<void>;
let server: ChildProcess | undefined;

before(async () => {
  ({ dir, cleanup } = await makeTempDir('wharf-install-'));
});

after(async () => {
  if (server?.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
  await cleanup();
});

describe('the npm package', () => {
  it('installs with production dependencies only, serves the example models and infers', { skip: SLOW ? false : 'set WHARF_SLOW_TESTS=1 (npm install downloads the dependencies)', timeout: 600_000 }, async () => {
    // 1. Pack: the tarball holds what serve needs and none of the tests or sources.
    const packDir = join(dir, 'pack');
    await mkdir(packDir);
    const [packed] = JSON.parse(await npm(ROOT, ['pack', '--json', '--pack-destination', packDir])) as { filename: string; files: { path: string }[] }[];
    const files = packed!.files.map((f) => f.path);
    for (const needed of ['package.json', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/client/index.js',
      'proto/grpc_service.proto', 'proto/health.proto', 'proto/model_config.proto', 'proto/onnx.proto',
      'examples/models/mlp_classifier/1/model.onnx', 'examples/models/mlp_classifier/config.pbtxt']) {
      assert.ok(files.includes(needed), `the tarball has ${needed}`);
    }
    const unwanted = files.filter((f) => /^(dist\/(test|bench|scripts)|src|test|bench|scripts)\//.test(f) || f.startsWith('.'));
    assert.deepEqual(unwanted, [], 'the tarball has no tests, sources, benchmarks or dot files');

    // 2. Install into an empty project with the repository's npm settings and no dev dependencies.
    const project = join(dir, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'wharf-install-proof', private: true, type: 'module' })}\n`);
    await copyFile(join(ROOT, '.npmrc'), join(project, '.npmrc'));
    await npm(project, ['install', '--omit=dev', '--no-audit', '--no-fund', join(packDir, packed!.filename)]);
    const installed = join(project, 'node_modules');
    for (const dev of ['typescript', 'eslint', 'express', 'fast-check']) {
      assert.equal(existsSync(join(installed, dev)), false, `dev dependency ${dev} is not installed`);
    }

    // 3. Serve the bundled examples with the installed bin, from the project (not this checkout).
    const child = spawn(join(installed, '.bin/wharf'), ['serve', '-r', join(installed, 'wharf/examples/models'),
      '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--log-format', 'json'], {
      cwd: project, env: npmEnv(), stdio: ['ignore', 'pipe', 'pipe'],
    });
    server = child;
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    try {
      const lines: LogLine[] = [];
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (raw) => {
          output += `${raw}\n`;
          try {
            const line = JSON.parse(raw) as LogLine;
            lines.push(line);
            if (line.msg === 'server ready') resolve();
          } catch { /* not a log line */ }
        });
        void exited.then((code) => reject(new Error(`wharf serve exited with ${code} before 'server ready'; output:\n${output}`)));
      });
      const http = lines.find((l) => l.msg === 'HTTP server listening')?.url as string;
      const grpc = lines.find((l) => l.msg === 'gRPC server listening')?.address as string;
      assert.equal(lines.filter((l) => l.msg === 'model ready').length, 7, 'every example model is ready');

      // 4. Infer over HTTP with fetch: the README's iris example.
      const response = await fetch(`${http}/v2/models/mlp_classifier/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3] }] }),
      });
      assert.equal(response.status, 200);
      const body = await response.json() as { outputs: { name: string; shape: number[]; data: number[] }[] };
      const label = body.outputs.find((o) => o.name === 'label');
      assert.deepEqual([label?.shape, label?.data], [[2, 1], [0, 2]]);

      // 5. The installed package's exports: gRPC through `wharf/client`, resolved from the project.
      const script = [
        "import { GrpcClient } from 'wharf/client';",
        "import { InferenceServer } from 'wharf';",
        `const client = new GrpcClient({ url: ${JSON.stringify(grpc)} });`,
        "const r = await client.infer({ modelName: 'mlp_classifier', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: new Float32Array([6.7, 3.0, 5.2, 2.3]) }], outputs: ['label'] });",
        'client.close();',
        "console.log(JSON.stringify({ server: typeof InferenceServer, label: Array.from(r.outputs[0].data, String) }));",
      ].join('\n');
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project, env: npmEnv() });
      assert.deepEqual(JSON.parse(stdout), { server: 'function', label: ['2'] });
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, `wharf serve exits 0 on SIGTERM; output:\n${output}`);
  });
});
