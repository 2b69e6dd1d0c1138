import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import { loadOrCreateSecrets } from '../../core/secrets.ts';
import { dataPaths } from '../../core/storage/dataDir.ts';
import { loadOrExit } from '../common.ts';

export function registerConsoleToken(program: Command): void {
  program
    .command('console-token')
    .description('print the operator console token (generated into DATA_DIR/secrets.json if there is none yet) and the console address')
    .option('--quiet', 'print only the token')
    .action((opts: { quiet?: boolean }) => {
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const paths = dataPaths(config.dataDir);
      mkdirSync(paths.root, { recursive: true, mode: 0o750 });
      const { secrets } = loadOrCreateSecrets(paths.secrets);
      if (opts.quiet) {
        process.stdout.write(`${secrets.consoleToken}\n`);
        return;
      }
      const host = config.consoleHost.includes(':') ? `[${config.consoleHost}]` : config.consoleHost;
      process.stdout.write(`${secrets.consoleToken}\n`);
      process.stderr.write(
        `Operator console: http://${host}:${config.consolePort}/ ${config.consoleEnabled ? '' : '(disabled: CONSOLE_ENABLED=no) '}— sign in with the token above, or send it as "Authorization: Bearer <token>".\n`,
      );
    });
}
