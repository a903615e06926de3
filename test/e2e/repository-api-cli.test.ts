// `wharf models load|unload` (the built CLI, spawned) against a server in explicit mode with a management token.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc/index.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server-harness.js';
import { writeAddSubModel } from '../support/test-models.js';

const run = promisify(execFile);
const cli = join(fileURLToPath(new URL('../../../', import.meta.url)), 'dist/src/cli/main.js');
const TOKEN = 'cli-t0ken';
let server: TestServer;
let grpc: RunningGrpcServer;
let dir: string;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await makeTempDir();
  ({ dir, cleanup } = tmp);
  await writeAddSubModel(join(dir, 'repo'));
  server = await startTestServer(join(dir, 'repo'), { modelControlMode: 'explicit', managementToken: TOKEN });
  grpc = await startGrpcServer(server.engine, { host: '127.0.0.1', port: 0 });
});

after(async () => {
  await grpc?.close();
  await server?.close();
  await cleanup?.();
});

/** Runs the CLI; resolves with its output and exit code instead of rejecting on failure. */
async function wharf(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // The caller's WHARF_* settings must not leak into the test.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('WHARF_')));
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: { ...inherited, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const state = (): string | undefined => server.engine.modelIndex().find((row) => row.name === 'add_sub')?.state;

describe('wharf models load / unload', () => {
  it('loads over HTTP with a config file and the token as a flag', async () => {
    const config = join(dir, 'small.json');
    await writeFile(config, JSON.stringify({ max_batch_size: 2 }));
    const loaded = await wharf(['models', 'load', 'add_sub', '--config', config, '-u', server.url, '--management-token', TOKEN]);
    assert.deepEqual(loaded, { code: 0, stdout: 'loaded add_sub\n', stderr: '' });
    assert.equal(state(), 'READY');
    assert.equal((await server.engine.modelConfig('add_sub')).max_batch_size, 2);
  });

  it('lists with the token from WHARF_MANAGEMENT_TOKEN', async () => {
    const listed = await wharf(['models', '--url', server.url], { WHARF_MANAGEMENT_TOKEN: TOKEN });
    assert.match(listed.stdout, /^add_sub\s+1\s+READY/m);
  });

  it('unloads over gRPC with --unload-dependents, options before or after the name', async () => {
    const unloaded = await wharf(['models', 'unload', '--protocol', 'grpc', 'add_sub', '--unload-dependents', '-u', grpc.address], { WHARF_MANAGEMENT_TOKEN: TOKEN });
    assert.deepEqual(unloaded, { code: 0, stdout: 'unloaded add_sub\n', stderr: '' });
    assert.equal(state(), 'UNAVAILABLE');
    const loaded = await wharf(['models', '-u', grpc.address, '--protocol', 'grpc', 'load', 'add_sub', '--management-token', TOKEN]);
    assert.equal(loaded.code, 0, loaded.stderr);
    assert.equal((await server.engine.modelConfig('add_sub')).max_batch_size, 8);
  });

  it('reports refusals with the code and exits 1', async () => {
    assert.deepEqual(await wharf(['models', 'unload', 'add_sub', '-u', server.url, '--management-token', 'wrong']), {
      code: 1, stdout: '', stderr: 'wharf: the management token is wrong (ERR_UNAUTHENTICATED)\n',
    });
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{"max_batch_size": "two"}');
    const refused = await wharf(['models', 'load', 'add_sub', '--config', bad, '-u', server.url, '--management-token', TOKEN]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^wharf: .*max_batch_size.* \(ERR_CONFIG_INVALID\)\n$/);
    const missing = await wharf(['models', 'load', 'add_sub', '--config', join(dir, 'missing.json'), '-u', server.url]);
    assert.match(missing.stderr, /^wharf: cannot read --config .*missing\.json: ENOENT/);
    assert.equal(state(), 'READY');
  });
});
