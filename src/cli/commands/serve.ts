import type { Command } from 'commander';
import { startServer } from '../../app/serve.ts';
import { loadOrExit } from '../common.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start every enabled surface (DICOM, web portal, console) with the configured sinks')
    .action(async () => {
      const loaded = loadOrExit(program.opts<{ config?: string }>().config);
      const running = await startServer(loaded);
      // A server runs until it is told to stop, even while no listener holds the event loop open.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) process.exit(130);
        void running.stop(sig).then(() => {
          clearInterval(keepAlive);
          process.exit(0);
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
}
