import { Command, Option } from 'commander';
import { HttpClient } from '../../client/index.js';

export function modelsCommand(): Command {
  return new Command('models')
    .description('list the models of a running server with their state')
    .addOption(new Option('-u, --url <url>', 'server URL or host:port').env('WHARF_URL').default('http://localhost:8000'))
    .option('--json', 'print JSON')
    .action(async (options: { url: string; json?: boolean }) => {
      const rows = await new HttpClient({ url: options.url }).repositoryIndex();
      if (options.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      const table = [['MODEL', 'VERSION', 'STATE', 'REASON'], ...rows.map((r) => [r.name, r.version || '-', r.state, r.reason])];
      const widths = [0, 1, 2].map((c) => Math.max(...table.map((row) => row[c]!.length)));
      for (const row of table) console.log(row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell)).join('  ').trimEnd());
    });
}
