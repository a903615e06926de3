// `wharf serve --config FILE` as a process: the file under env and flags, the start-up line saying
// where each value came from with the token masked, and a bad file refused with exit code 2.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CLI, ROOT, killAll, startServe } from './serve-process.js';

const run = promisify(execFile);
const EXAMPLES = join(ROOT, 'examples/models');
const dir = mkdtempSync(join(tmpdir(), 'wharf-config-e2e-'));

after(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('wharf serve --config', () => {
  it('takes settings from the file under env and flags, and logs where each came from', { timeout: 30_000 }, async () => {
    const token = 'file-token-5d1e';
    const path = configFile('wharf.yaml', [
      '# flags and env win over these',
      'http-port: 1',                     // startServe passes --http-port 0
      'log-format: pretty',               // startServe sets WHARF_LOG_FORMAT=json
      'modelControlMode: explicit',
      'load-model: [simple_math]',
      'shutdown-timeout: 12',
      `management-token: ${token}`,
      'allow-metrics: false',
      '',
    ].join('\n'));
    const server = startServe(EXAMPLES, ['--config', path], { WHARF_SHUTDOWN_TIMEOUT: '9' });
    const starting = await server.waitFor('starting');
    const settings = starting.settings as Record<string, unknown>;
    const sources = starting.sources as Record<string, string>;
    assert.deepEqual(
      Object.fromEntries(['http-port', 'log-format', 'model-control-mode', 'load-model', 'shutdown-timeout', 'management-token', 'allow-metrics', 'max-body-bytes', 'config']
        .map((key) => [key, [settings[key], sources[key]]])),
      {
        'http-port': [0, 'flag'],
        'log-format': ['json', 'env'],
        'model-control-mode': ['explicit', 'file'],
        'load-model': [['simple_math'], 'file'],
        'shutdown-timeout': [9, 'env'],
        'management-token': ['[redacted]', 'file'],
        'allow-metrics': [false, 'file'],
        'max-body-bytes': [settings['max-body-bytes'], 'default'],
        config: [path, 'flag'],
      },
    );
    assert.equal(starting.managementToken, '[redacted]');
    await server.waitFor('server ready');
    const { http, metrics } = await server.addresses();
    assert.equal(metrics, undefined, 'allow-metrics: false from the file');
    const index = (authorization?: string): Promise<number> => fetch(`${http}/v2/repository/index`, { method: 'POST', headers: authorization ? { authorization } : {} }).then((r) => r.status);
    assert.equal(await index(), 401);
    assert.equal(await index(`Bearer ${token}`), 200, 'the token from the file reached the engine');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
    assert.equal(server.output().includes(token), false, 'the token is not in the output');
  });

  it('takes the file from WHARF_CONFIG, JSON too', { timeout: 30_000 }, async () => {
    const path = configFile('wharf.json', '{ "strictReadiness": true, "repository-poll-secs": 2.5, "model-control-mode": "poll" }\n');
    const server = startServe(EXAMPLES, [], { WHARF_CONFIG: path });
    const starting = await server.waitFor('starting');
    assert.equal(starting.repositoryPollSeconds, 2.5);
    assert.deepEqual((starting.sources as Record<string, string>).config, 'env');
    assert.equal((starting.settings as Record<string, unknown>)['strict-readiness'], true);
    await server.waitFor('server ready');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
  });

  it('refuses a bad file with exit code 2, naming the file, the line and the key', async () => {
    for (const [index, [text, message]] of ([
      ['http-port: 8000\nhttp-prot: 8001\n', /^wharf: config file .*bad-0.yaml, line 2: unknown key 'http-prot' \(did you mean 'http-port'\?\)/],
      ['model-control-mode: sometimes\n', /^wharf: config file .*bad-1.yaml, line 1: 'model-control-mode' value 'sometimes' is invalid. Allowed choices are none, poll, explicit./],
      ['model-memory-budget: lots\n', /'model-memory-budget' value 'lots' is invalid. --model-memory-budget must be a size in bytes/],
      ['http-port: [1\n', /^wharf: config file .*bad-3.yaml: Flow sequence/],
    ] as const).entries()) {
      const path = configFile(`bad-${index}.yaml`, text);
      const failure = await run(process.execPath, [CLI, 'serve', '-r', EXAMPLES, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--config', path])
        .then(() => undefined, (error: { code: number; stderr: string }) => error);
      assert.ok(failure, `${text} should fail`);
      assert.equal(failure.code, 2);
      assert.match(failure.stderr, message);
      assert.doesNotMatch(failure.stderr, /listening/);
    }
    const missing = await run(process.execPath, [CLI, 'serve', '-r', EXAMPLES, '--config', join(dir, 'nope.yaml')]).then(() => undefined, (error: { code: number; stderr: string }) => error);
    assert.ok(missing, 'a missing file should fail');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^wharf: config file .*nope.yaml: cannot read it: ENOENT/);
  });
});
