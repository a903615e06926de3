import { Command } from 'commander';
import { connect, serverOptions, type ServerConnectionOptions } from '../options.js';

export function modelsCommand(): Command {
  const command = new Command('models')
    .description('list the models of a running server with their state')
    .option('--json', 'print JSON')
    .action(async (options: ServerConnectionOptions & { json?: boolean }) => {
      const client = connect(options);
      const rows = await client.repositoryIndex().finally(() => client.close());
      if (options.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [['MODEL', 'VERSION', 'STATE', 'REASON'], ...rows.map((r) => [r.name, r.version || '-', r.state, r.reason])];
      const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]!.length)));
      for (const row of table) console.log(row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd());
    });
  for (const option of serverOptions()) command.addOption(option);
  return command;
}
