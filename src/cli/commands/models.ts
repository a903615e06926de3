import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { createClient, type ClientProtocol, type InferenceClient } from '../../client/index.js';
import { serverOptions, type ServerConnectionOptions } from '../options.js';

interface RepositoryOptions extends ServerConnectionOptions {
  managementToken?: string;
}

/** `models` lists; `models load` and `models unload` drive a server in explicit model control mode. */
export function modelsCommand(): Command {
  const command = new Command('models')
    .description('list the models of a running server with their state; load and unload them')
    .option('--json', 'print JSON')
    .action(async (options: RepositoryOptions & { json?: boolean }) => {
      const rows = await withClient(options, (client) => client.repositoryIndex());
      if (options.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [['MODEL', 'VERSION', 'STATE', 'REASON'], ...rows.map((r) => [r.name, r.version || '-', r.state, r.reason])];
      const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]!.length)));
      for (const row of table) console.log(row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd());
    });
  addRepositoryOptions(command);

  const load = new Command('load')
    .description('load or reload a model (the server runs with --model-control-mode explicit)')
    .argument('<name>', 'model name (its folder in the repository)')
    .option('--config <file>', 'a JSON model configuration to use instead of the one in the model folder')
    .action(async (name: string, options: { config?: string }, self: Command) => {
      const config = options.config === undefined ? undefined : await readConfigFile(options.config);
      await withClient(connectionOptions(self), (client) => client.loadModel(name, config === undefined ? {} : { config }));
      console.log(`loaded ${name}`);
    });
  const unload = new Command('unload')
    .description('unload a model (the server runs with --model-control-mode explicit)')
    .argument('<name>', 'model name')
    .option('--unload-dependents', 'also unload the models (ensembles) that use it')
    .action(async (name: string, options: { unloadDependents?: boolean }, self: Command) => {
      await withClient(connectionOptions(self), (client) => client.unloadModel(name, { unloadDependents: options.unloadDependents === true }));
      console.log(`unloaded ${name}`);
    });
  for (const subcommand of [load, unload]) command.addCommand(addRepositoryOptions(subcommand));
  return command;
}

function addRepositoryOptions(command: Command): Command {
  for (const option of serverOptions()) command.addOption(option);
  return command.addOption(new Option('--management-token <token>', 'the token the server was started with (sent as a bearer token)').env('WHARF_MANAGEMENT_TOKEN'));
}

/** The file's text, sent as is: the server reports what is wrong with it, naming the field. */
async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read --config ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * The connection options of `load` or `unload`, wherever they were written: commander hands
 * `wharf models load m -u URL` to `models` (which has -u too, and parses first), while
 * `wharf models load m --config f -u URL` reaches `load`. A value given on either wins over a default.
 */
function connectionOptions(command: Command): RepositoryOptions {
  const given = (key: string): unknown => {
    for (const owner of [command, command.parent]) {
      const source = owner?.getOptionValueSource(key);
      if (source !== undefined && source !== 'default') return owner!.getOptionValue(key);
    }
    return command.getOptionValue(key);
  };
  return { url: given('url') as string | undefined, protocol: given('protocol') as ClientProtocol, managementToken: given('managementToken') as string | undefined };
}

async function withClient<T>(options: RepositoryOptions, call: (client: InferenceClient) => Promise<T>): Promise<T> {
  const client = createClient(options.protocol, {
    url: options.url ?? (options.protocol === 'grpc' ? 'localhost:8001' : 'localhost:8000'),
    ...(options.managementToken !== undefined ? { managementToken: options.managementToken } : {}),
  });
  try {
    return await call(client);
  } finally {
    client.close();
  }
}
