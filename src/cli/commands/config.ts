import type { Command } from 'commander';
import { describeConfig } from '../../core/config/load.ts';
import { loadOrExit } from '../common.ts';

export function registerConfig(program: Command): void {
  program
    .command('config')
    .description('print the effective configuration (secrets masked) and where each value came from')
    .option('--json', 'print JSON instead of a table')
    .action((opts: { json?: boolean }) => {
      const loaded = loadOrExit(program.opts<{ config?: string }>().config);
      const rows = describeConfig(loaded);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ file: loaded.file, settings: rows }, null, 2)}\n`);
        return;
      }
      const w1 = Math.max(...rows.map((r) => r.name.length));
      const w2 = Math.min(60, Math.max(...rows.map((r) => r.value.length)));
      if (loaded.file) process.stdout.write(`# config file: ${loaded.file}\n`);
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w1)}  ${r.value.padEnd(w2)}  ${r.source}\n`);
    });
}
