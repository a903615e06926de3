// The flags of `wharf serve` added for model control and shutdown: their parsers (unit tests,
// here beside the process tests of the same flags), bad values refused before anything starts,
// the environment variables, and a management token that never reaches the log.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidArgumentError } from 'commander';
import { byteSizeOption, listOption, parseByteSize, secondsOption } from '../../src/cli/options.js';
import { CLI, ROOT, killAll, startServe } from './serve-process.js';

const run = promisify(execFile);
const EXAMPLES = join(ROOT, 'examples/models');

after(killAll);

describe('parseByteSize', () => {
  for (const [text, bytes] of [
    ['1073741824', 1073741824],
    ['1', 1],
    ['512MiB', 512 * 2 ** 20],
    ['2GiB', 2 * 2 ** 30],
    ['1.5GB', 1.5e9],
    ['1.5gb', 1.5e9],
    ['512 Mi', 512 * 2 ** 20],
    ['2G', 2e9],
    ['64KiB', 65536],
    ['10kB', 10_000],
    ['.5KiB', 512],
    ['1TiB', 2 ** 40],
    ['100B', 100],
    [' 3MB ', 3e6],
    ['1.0001KiB', 1024],
  ] as const) {
    it(`reads ${JSON.stringify(text)} as ${bytes}`, () => assert.equal(parseByteSize(text), bytes));
  }

  for (const [text, problem] of [
    ['', /must be a size in bytes such as 1073741824, 512MiB, 2GiB or 1.5GB, got ""/],
    ['lots', /got "lots"/],
    ['-1GiB', /got "-1GiB"/],
    ['1e9', /got "1e9"/],
    ['12XB', /unknown unit "XB" in "12XB" \(known: B; KB, MB/],
    ['1.5', /a size without a unit is a whole number of bytes, got "1.5"/],
    ['0', /must be at least 1 byte, got "0"/],
    ['0.1B', /must be at least 1 byte/],
    ['9PiB', /unknown unit "PiB"/],
    ['9000000TiB', /must be at most 9007199254740991 bytes/],
    ['1 2MB', /got "1 2MB"/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.throws(() => parseByteSize(text), (error: unknown) => error instanceof RangeError && problem.test(error.message)));
  }

  it('byteSizeOption names the flag in a commander error', () => {
    assert.throws(() => byteSizeOption('--model-memory-budget')('lots'), (error: unknown) =>
      error instanceof InvalidArgumentError && /^--model-memory-budget must be a size in bytes/.test(error.message));
  });
});

describe('secondsOption and listOption', () => {
  it('takes positive seconds, fractions too, up to what a timer can wait', () => {
    const parse = secondsOption('--shutdown-timeout');
    assert.equal(parse('30'), 30);
    assert.equal(parse('0.5'), 0.5);
    assert.equal(parse('2147483'), 2147483);
    for (const bad of ['0', '-1', 'soon', '', 'Infinity', '2147484']) {
      assert.throws(() => parse(bad), (error: unknown) => error instanceof InvalidArgumentError
        && error.message === `--shutdown-timeout must be a number of seconds above 0 and at most 2147483, got "${bad}"`);
    }
  });

  it('gathers repeated values and comma-separated lists', () => {
    assert.deepEqual(listOption('a', undefined), ['a']);
    assert.deepEqual(listOption('b,c', ['a']), ['a', 'b', 'c']);
    assert.deepEqual(listOption(' d , ,e ', undefined), ['d', 'e']);
  });
});

/** Runs `wharf serve` to completion, expecting it to fail. */
async function failingServe(args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  const result = await run(process.execPath, [CLI, 'serve', '-r', EXAMPLES, '--http-port', '0', '--grpc-port', '0', '--metrics-port', '0', '--host', '127.0.0.1', ...args], { env: { ...process.env, ...env } })
    .then(() => undefined, (error: { code: number; stderr: string }) => error);
  assert.ok(result, `wharf serve ${args.join(' ')} should fail`);
  return result;
}

describe('wharf serve flags', () => {
  it('refuses bad values before starting anything, naming the flag', async () => {
    for (const [args, message] of [
      [['--model-control-mode', 'auto'], /option '--model-control-mode <mode>' argument 'auto' is invalid. Allowed choices are none, poll, explicit/],
      [['--model-memory-budget', 'lots'], /--model-memory-budget must be a size in bytes such as 1073741824, 512MiB, 2GiB or 1.5GB, got "lots"/],
      [['--model-memory-budget', '2XB'], /--model-memory-budget must be a size in bytes .*unknown unit "XB"/],
      [['--shutdown-timeout', '-5'], /--shutdown-timeout must be a number of seconds above 0 and at most 2147483, got "-5"/],
      [['--shutdown-timeout', 'never'], /--shutdown-timeout must be a number of seconds/],
      [['--repository-poll-secs', '0'], /--repository-poll-secs must be a number of seconds above 0/],
    ] as const) {
      const failure = await failingServe(args);
      assert.notEqual(failure.code, 0);
      assert.match(failure.stderr, message);
      assert.doesNotMatch(failure.stderr, /listening/);
    }
  });

  it('refuses bad values from the environment too', async () => {
    const failure = await failingServe([], { WHARF_MODEL_CONTROL_MODE: 'sometimes' });
    assert.notEqual(failure.code, 0);
    assert.match(failure.stderr, /value 'sometimes' from env 'WHARF_MODEL_CONTROL_MODE' is invalid/);
    const budget = await failingServe([], { WHARF_MODEL_MEMORY_BUDGET: '1.5' });
    assert.match(budget.stderr, /from env 'WHARF_MODEL_MEMORY_BUDGET' is invalid. --model-memory-budget .*whole number of bytes/);
  });

  it('takes every new flag from its environment variable and never logs the token', { timeout: 30_000 }, async () => {
    const token = 'tok-3f9a1c-secret';
    const server = startServe(EXAMPLES, [], {
      WHARF_MODEL_CONTROL_MODE: 'explicit',
      WHARF_LOAD_MODEL: 'mlp_classifier,simple_math',
      WHARF_MODEL_MEMORY_BUDGET: '512MiB',
      WHARF_MANAGEMENT_TOKEN: token,
      WHARF_SHUTDOWN_TIMEOUT: '7.5',
    });
    const starting = await server.waitFor('starting');
    assert.deepEqual(
      { mode: starting.modelControlMode, load: starting.loadModel, budget: starting.modelMemoryBudgetBytes, token: starting.managementToken, timeout: starting.shutdownTimeoutSeconds },
      { mode: 'explicit', load: ['mlp_classifier', 'simple_math'], budget: 512 * 2 ** 20, token: '[redacted]', timeout: 7.5 },
    );
    await server.waitFor((l) => l.msg === 'server ready' || l.msg === 'server not ready');
    const loaded = server.lines.filter((l) => l.msg === 'model not loaded (explicit mode: load it through the repository API)').map((l) => l.model);
    assert.deepEqual(loaded, ['color_classifier', 'image_pipeline', 'image_postprocess', 'image_preprocess', 'text_normalizer']);
    // The token reached the engine: the repository API wants it.
    const { http } = await server.addresses();
    const index = (authorization?: string): Promise<number> => fetch(`${http}/v2/repository/index`, { method: 'POST', headers: authorization ? { authorization } : {} }).then((r) => r.status);
    assert.equal(await index(), 401);
    assert.equal(await index('Bearer wrong-token'), 401);
    assert.equal(await index(`Bearer ${token}`), 200);
    server.child.kill('SIGTERM');
    assert.equal(await server.exited(), 0);
    assert.equal(server.output().includes(token), false, 'the token is not in the output');
  });

  it('command-line values win over the environment; the token from --management-token is masked too', { timeout: 30_000 }, async () => {
    const token = 'cli-token-77e2';
    const server = startServe(EXAMPLES, ['--model-control-mode', 'poll', '--repository-poll-secs', '0.5', '--management-token', token, '--load-model', 'simple_math'], { WHARF_MODEL_CONTROL_MODE: 'explicit' });
    const starting = await server.waitFor('starting');
    assert.equal(starting.modelControlMode, 'poll');
    assert.equal(starting.repositoryPollSeconds, 0.5);
    assert.equal(starting.managementToken, '[redacted]');
    const warning = await server.waitFor((l) => l.msg?.startsWith('--load-model only applies') === true);
    assert.deepEqual(warning.loadModel, ['simple_math']);
    await server.waitFor('server ready');
    server.child.kill('SIGINT');
    assert.equal(await server.exited(), 0);
    assert.equal(server.output().includes(token), false, 'the token is not in the output');
  });

  it('--help names the environment variable of every new flag', async () => {
    const { stdout } = await run(process.execPath, [CLI, 'serve', '--help']);
    const help = stdout.replace(/\s+/g, ' ');
    for (const variable of ['WHARF_MODEL_CONTROL_MODE', 'WHARF_REPOSITORY_POLL_SECS', 'WHARF_LOAD_MODEL', 'WHARF_MODEL_MEMORY_BUDGET', 'WHARF_MANAGEMENT_TOKEN', 'WHARF_SHUTDOWN_TIMEOUT']) {
      assert.ok(help.includes(`env: ${variable}`), `${variable} missing from --help`);
    }
  });
});
