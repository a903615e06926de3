// `--config <file>`: parsing a YAML or JSON file into the options of `wharf serve`, validating it
// through each option's own parser, and merging it under flags and environment variables.
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError, type Command } from 'commander';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { applyConfigFile, ConfigFileError, startupSettings, withConfigFile } from '../../src/cli/config-file.js';

const dir = mkdtempSync(join(tmpdir(), 'wharf-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function configFile(text: string, extension = 'yaml'): string {
  const path = join(dir, `wharf-${++files}.${extension}`);
  writeFileSync(path, text);
  return path;
}

/** The WHARF_* variables of the environment, cleared for these tests and restored after each. */
const saved = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('WHARF_')));
function clearWharfEnv(): void {
  for (const name of Object.keys(process.env)) if (name.startsWith('WHARF_')) delete process.env[name];
}
before(clearWharfEnv);
afterEach(clearWharfEnv);
after(() => Object.assign(process.env, saved));

/** Parses `wharf serve <args>` with `env` set, up to (not including) the server start; returns the command. */
async function parseServe(args: readonly string[], env: Record<string, string> = {}): Promise<Command> {
  Object.assign(process.env, env);
  const command = withConfigFile(serveCommand()).exitOverride().configureOutput({ writeErr: () => undefined });
  command.action(() => undefined);
  await command.parseAsync(args, { from: 'user' });
  return command;
}

async function configError(text: string, extension?: string): Promise<string> {
  const path = configFile(text, extension);
  const error = await parseServe(['--config', path]).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ConfigFileError, `expected a ConfigFileError, got ${String(error)}`);
  assert.equal(error.exitCode, 2);
  assert.ok(error.message.startsWith(`config file ${path}`), error.message);
  return error.message;
}

describe('config file: keys and types', () => {
  it('takes kebab-case and camelCase keys with natural YAML values, through each option\'s parser', async () => {
    const command = await parseServe(['--config', configFile([
      'model-repository: /srv/models',
      'http-port: 9000',
      'grpcPort: 9001',
      'strict-readiness: true',
      'allow-metrics: false',
      'log-level: debug',
      'model-control-mode: explicit',
      'load-model: [mlp_classifier, simple_math]',
      'modelMemoryBudget: 512MiB',
      'shutdown-timeout: 7.5',
      'max-body-bytes: 0x100000',
      'management-token: "0123"',
    ].join('\n'))]);
    const expected = {
      modelRepository: '/srv/models', httpPort: 9000, grpcPort: 9001, strictReadiness: true, allowMetrics: false, logLevel: 'debug',
      modelControlMode: 'explicit', loadModel: ['mlp_classifier', 'simple_math'], modelMemoryBudget: 512 * 2 ** 20, shutdownTimeout: 7.5,
      maxBodyBytes: 0x100000, managementToken: '0123',
    };
    const options = command.opts();
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((name) => [name, options[name] as unknown])), expected);
    // Options the file does not name keep their defaults.
    for (const name of Object.keys(options).filter((name) => !(name in expected) && name !== 'config')) {
      assert.deepEqual(options[name], serveCommand().getOptionValue(name), name);
    }
    assert.equal(command.getOptionValueSource('httpPort'), 'config');
    assert.equal(command.getOptionValueSource('grpcPort'), 'config');
    assert.equal(command.getOptionValueSource('host'), 'default');
  });

  it('reads JSON, a list option from a single comma-separated value, and an empty file', async () => {
    const json = await parseServe(['-r', 'm', '--config', configFile('{"http-port": 8080, "strictReadiness": false, "load-model": "a,b"}', 'json')]);
    assert.equal(json.getOptionValue('httpPort'), 8080);
    assert.equal(json.getOptionValue('strictReadiness'), false);
    assert.deepEqual(json.getOptionValue('loadModel'), ['a', 'b']);
    const empty = await parseServe(['-r', 'm', '--config', configFile('# nothing set yet\n')]);
    assert.equal(empty.getOptionValueSource('httpPort'), 'default');
  });

  it('reads examples/wharf.yaml', async () => {
    const command = await parseServe(['--config', fileURLToPath(new URL('../../../examples/wharf.yaml', import.meta.url))]);
    assert.equal(command.getOptionValueSource('modelControlMode'), 'config');
    assert.deepEqual(command.getOptionValue('loadModel'), ['mlp_classifier', 'simple_math']);
  });

  it('takes the file from WHARF_CONFIG', async () => {
    const command = await parseServe(['-r', 'm'], { WHARF_CONFIG: configFile('http-port: 7000\n') });
    assert.equal(command.getOptionValue('httpPort'), 7000);
  });

  it('lets the file give a mandatory option, and still requires it otherwise', async () => {
    const command = await parseServe(['--config', configFile('model-repository: ./models\n')]);
    assert.equal(command.getOptionValue('modelRepository'), './models');
    const error = await parseServe(['--config', configFile('http-port: 1\n')]).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof CommanderError);
    assert.match(error.message, /required option '-r, --model-repository <dir>' not specified/);
  });
});

describe('config file: errors name the file, the line and the key', () => {
  it('refuses an unknown key with a suggestion', async () => {
    assert.match(await configError('model-repository: m\nhttp-prot: 1\n'), /, line 2: unknown key 'http-prot' \(did you mean 'http-port'\?\); keys are the long flags of the command: model-repository, http-port/);
    assert.match(await configError('http_port: 1\n'), /unknown key 'http_port' \(did you mean 'http-port'\?\)/);
    assert.match(await configError('maxBodyByte: 1\n'), /unknown key 'maxBodyByte' \(did you mean 'max-body-bytes'\?\)/);
    assert.doesNotMatch(await configError('colour: blue\n'), /did you mean/);
  });

  it('runs values through the option\'s own parser and choices', async () => {
    assert.match(await configError('http-port: 70000\n'), /, line 1: 'http-port' value '70000' is invalid. --http-port must be an integer between 0 and 65535, got "70000"$/);
    assert.match(await configError('shutdown-timeout: -5\n'), /'shutdown-timeout' value '-5' is invalid. --shutdown-timeout must be a number of seconds above 0/);
    assert.match(await configError('model-memory-budget: 2XB\n'), /'model-memory-budget' value '2XB' is invalid. --model-memory-budget .*unknown unit "XB"/);
    assert.match(await configError('\n\nlog-level: loud\n'), /, line 3: 'log-level' value 'loud' is invalid. Allowed choices are fatal, error, warn, info, debug, trace, silent.$/);
    assert.match(await configError('allow-metrics: maybe\n'), /'allow-metrics' value 'maybe' is invalid. Allowed choices are true, false./);
    assert.match(await configError('strict-readiness: 1\n'), /'strict-readiness' must be true or false, got '1'/);
  });

  it('refuses lists for single-valued options, empty values, mappings and repeated keys', async () => {
    assert.match(await configError('http-port: [1, 2]\n'), /'http-port' takes a single value, not a list/);
    assert.match(await configError('host:\n'), /'host' has no value \(remove the key to use the default\)/);
    assert.match(await configError('host: { a: 1 }\n'), /'host' takes a single value, got a mapping/);
    assert.match(await configError('load-model: [[a]]\n'), /'load-model' takes a value or a list of values, got a list/);
    assert.match(await configError('http-port: 1\nhttpPort: 2\n'), /, line 2: 'httpPort' sets the same option as 'http-port' above/);
    assert.match(await configError('http-port: 1\nhttp-port: 2\n'), /Map keys must be unique/);
  });

  it('refuses bad YAML, a top level that is not a mapping, and a missing file', async () => {
    assert.match(await configError('http-port: [1\n'), /^config file .*: Flow sequence/);
    assert.match(await configError('- http-port\n'), /expected a mapping of settings \(http-port: 8000\), got a list/);
    const missing = join(dir, 'missing.yaml');
    const error = await parseServe(['--config', missing]).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigFileError);
    assert.match(error.message, /^config file .*missing.yaml: cannot read it: ENOENT/);
  });

  it('sets nothing from a file with an error', async () => {
    const command = await parseServe(['-r', 'm']);
    assert.throws(() => applyConfigFile(command, configFile('http-port: 9\nlog-level: loud\n')), ConfigFileError);
    assert.equal(command.getOptionValue('httpPort'), 8000);
  });
});

describe('config file: precedence flag > env > file > default', () => {
  const file = (): string => configFile('model-repository: m\nhttp-port: 1111\nload-model: [a, b]\nlog-format: pretty\n');
  for (const [name, args, env, port, source] of [
    ['default', ['-r', 'm'], {}, 8000, 'default'],
    ['file over default', ['--config', '<file>'], {}, 1111, 'config'],
    ['env over file', ['--config', '<file>'], { WHARF_HTTP_PORT: '2222' }, 2222, 'env'],
    ['flag over file', ['--config', '<file>', '--http-port', '3333'], {}, 3333, 'cli'],
    ['flag over env over file', ['--http-port', '3333', '--config', '<file>'], { WHARF_HTTP_PORT: '2222' }, 3333, 'cli'],
  ] as const) {
    it(name, async () => {
      const path = file();
      const command = await parseServe(args.map((arg) => (arg === '<file>' ? path : arg)), env);
      assert.equal(command.getOptionValue('httpPort'), port);
      assert.equal(command.getOptionValueSource('httpPort'), source);
    });
  }

  it('replaces a list from the file rather than adding to it', async () => {
    const fromFlag = await parseServe(['--config', file(), '--load-model', 'c']);
    assert.deepEqual(fromFlag.getOptionValue('loadModel'), ['c']);
    const fromEnv = await parseServe(['--config', file()], { WHARF_LOAD_MODEL: 'd,e' });
    assert.deepEqual(fromEnv.getOptionValue('loadModel'), ['d', 'e']);
  });

  it('reads a boolean variable\'s value: false means false, and anything unclear is refused', async () => {
    for (const [text, expected] of [['false', false], ['0', false], ['Off', false], ['true', true], ['1', true], ['yes', true]] as const) {
      const command = await parseServe(['-r', 'm'], { WHARF_STRICT_READINESS: text });
      assert.equal(command.getOptionValue('strictReadiness'), expected, `WHARF_STRICT_READINESS=${text}`);
    }
    const error = await parseServe(['-r', 'm'], { WHARF_STRICT_READINESS: 'maybe' }).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigFileError);
    assert.match(error.message, /WHARF_STRICT_READINESS="maybe" must be true or false/);
    const flagWins = await parseServe(['-r', 'm', '--strict-readiness'], { WHARF_STRICT_READINESS: 'false' });
    assert.equal(flagWins.getOptionValue('strictReadiness'), true);
  });

  it('checks the whole file, values a flag overrides too', async () => {
    const error = await parseServe(['--http-port', '1', '--config', configFile('model-repository: m\nhttp-port: nope\n')]).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof ConfigFileError);
  });
});

describe('startupSettings', () => {
  it('lists every value with where it came from, secrets masked', async () => {
    const command = await parseServe(['--config', configFile('model-repository: m\nmanagement-token: s3cret\nshutdown-timeout: 5\n'), '--http-port', '0'], { WHARF_LOG_LEVEL: 'warn' });
    const { settings, sources } = startupSettings(command);
    assert.equal(settings['management-token'], '[redacted]');
    assert.equal(JSON.stringify(settings).includes('s3cret'), false);
    assert.deepEqual(
      { port: [settings['http-port'], sources['http-port']], level: [settings['log-level'], sources['log-level']], timeout: [settings['shutdown-timeout'], sources['shutdown-timeout']], host: [settings.host, sources.host], token: sources['management-token'] },
      { port: [0, 'flag'], level: ['warn', 'env'], timeout: [5, 'file'], host: ['0.0.0.0', 'default'], token: 'file' },
    );
    assert.equal('load-model' in settings, false, 'options without a value are left out');
  });
});
