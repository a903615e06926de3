import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir } from '../support/server-harness.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(root, 'dist/src/cli/main.js');

let serve: ChildProcess;
let url: string;
let grpcAddress: string;
const logLines: Record<string, unknown>[] = [];

/** Starts `wharf serve` on a free port and waits for the line that says where it listens. */
function startServe(): Promise<string> {
  serve = spawn(process.execPath, [cli, 'serve', '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--log-level', 'debug'], {
    env: { ...process.env, WHARF_MODEL_REPOSITORY: join(root, 'examples/models'), WHARF_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    serve.once('exit', (code) => reject(new Error(`wharf serve exited with ${code}`)));
    createInterface({ input: serve.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      logLines.push(entry);
      if (entry.msg === 'gRPC server listening') grpcAddress = entry.address as string;
      // The listeners start first, so probes answer while models load; requests wait for this line.
      if (entry.msg === 'server ready') resolve(logLines.find((l) => l.msg === 'HTTP server listening')!.url as string);
    });
  });
}

before(async () => {
  url = await startServe();
});

after(() => {
  if (serve.exitCode === null) serve.kill('SIGKILL');
});

describe('wharf CLI', () => {
  it('serve takes its repository from WHARF_MODEL_REPOSITORY and logs JSON', () => {
    assert.ok(logLines.some((l) => l.msg === 'model ready' && l.model === 'mlp_classifier'));
  });

  it('models lists the models of a running server', async () => {
    const { stdout } = await run(process.execPath, [cli, 'models', '--url', url]);
    assert.match(stdout, /^MODEL\s+VERSION\s+STATE/m);
    assert.match(stdout, /^mlp_classifier\s+1\s+READY/m);
    const json = JSON.parse((await run(process.execPath, [cli, 'models', '--json'], { env: { ...process.env, WHARF_URL: url } })).stdout) as { name: string }[];
    assert.deepEqual(json.map((r) => r.name), ['color_classifier', 'image_pipeline', 'image_postprocess', 'image_preprocess', 'mlp_classifier', 'simple_math', 'text_normalizer']);
  });

  it('infer sends inline and file inputs and prints the outputs', async () => {
    const { stdout } = await run(process.execPath, [cli, 'infer', 'mlp_classifier', '-u', url.replace('http://', ''), '--input', 'features=[[5.1,3.5,1.4,0.2],[6.7,3.0,5.2,2.3]]', '--output', 'label']);
    assert.match(stdout, /^model mlp_classifier version 1/m);
    assert.match(stdout, /^label INT64 \[2,1\]\n {2}\[\[0\],\[2\]\]/m);

    const tmp = await makeTempDir();
    const file = join(tmp.dir, 'b.json');
    await writeFile(file, JSON.stringify({ shape: [1, 4], data: [1, 1, 1, 1] }));
    const json = await run(process.execPath, [cli, 'infer', 'simple_math', '-u', url, '--input', 'a=[1,2,3,4]', '--input', `b=@${file}`, '--json', '--id', 'cli-1']);
    const response = JSON.parse(json.stdout) as { id: string; outputs: { name: string; data: unknown }[] };
    assert.equal(response.id, 'cli-1');
    assert.deepEqual(response.outputs.find((o) => o.name === 'sum')?.data, [[2, 3, 4, 5]]);
    await tmp.cleanup();
  });

  it('models and infer speak gRPC with --protocol grpc', async () => {
    const models = await run(process.execPath, [cli, 'models', '--protocol', 'grpc', '--url', grpcAddress]);
    assert.match(models.stdout, /^text_normalizer\s+1\s+READY/m);
    const infer = await run(process.execPath, [cli, 'infer', 'text_normalizer', '--input', 'text=["Hello","WORLD"]'], { env: { ...process.env, WHARF_PROTOCOL: 'grpc', WHARF_URL: grpcAddress } });
    assert.match(infer.stdout, /^normalized BYTES \[2\]\n {2}\["hello","world"\]/m);
  });

  it('infer reports server errors with their code and a non-zero exit', async () => {
    const failure = await run(process.execPath, [cli, 'infer', 'mlp_classifier', '-u', url, '--input', 'features=[1,2]']).catch((error: { code: number; stderr: string }) => error);
    assert.equal((failure as { code: number }).code, 1);
    assert.match((failure as { stderr: string }).stderr, /wharf: input 'features': shape \[1,2\] does not match \[batch,4\].*\(ERR_INPUT_SHAPE\)/);
    const unknown = await run(process.execPath, [cli, 'infer', 'nope', '-u', url, '--input', 'x=[1]']).catch((error: { stderr: string }) => error);
    assert.match((unknown).stderr, /unknown model 'nope'.*\(ERR_MODEL_NOT_FOUND\)/);
  });

  it('serve writes one access line per request at debug level', () => {
    assert.ok(logLines.some((l) => l.msg === 'request' && l.method === 'POST' && typeof l.status === 'number' && typeof l.ms === 'number'));
  });

  it('documents the environment variable of every serve flag', async () => {
    const stdout = (await run(process.execPath, [cli, 'serve', '--help'])).stdout.replace(/\s+/g, ' ');
    for (const variable of ['WHARF_MODEL_REPOSITORY', 'WHARF_HTTP_PORT', 'WHARF_GRPC_PORT', 'WHARF_GRPC_MAX_MESSAGE_BYTES', 'WHARF_HOST', 'WHARF_LOG_LEVEL', 'WHARF_LOG_FORMAT', 'WHARF_MAX_BODY_BYTES', 'WHARF_MAX_TENSOR_BYTES', 'WHARF_STRICT_READINESS']) {
      assert.ok(stdout.includes(`env: ${variable}`), `${variable} missing from --help`);
    }
  });

  it('rejects a bad flag value with a clear message', async () => {
    const failure = await run(process.execPath, [cli, 'serve', '-r', root, '--http-port', 'eighty']).catch((error: { code: number; stderr: string }) => error);
    assert.match((failure as { stderr: string }).stderr, /--http-port must be an integer between 0 and 65535, got "eighty"/);
  });

  it('serve stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.ok(logLines.some((l) => l.msg === 'stopped'));
  });
});
