import type { Command } from 'commander';
import { startServer, type Running } from '../../app/serve.ts';
import { loadOrExit } from '../common.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start every enabled surface (DICOM, web portal, console) with the configured sinks')
    .action(async () => {
      const loaded = loadOrExit(program.opts<{ config?: string }>().config);
      // Signals are handled from the start: one that arrives while surfaces are still starting (first-start
      // seeding can take a while) stops the server as soon as it is up, so the sinks are still flushed.
      let running: Running | null = null;
      let stopSignal: NodeJS.Signals | null = null;
      let signals = 0;
      // A server runs until it is told to stop, even while no listener holds the event loop open.
      const keepAlive = setInterval(() => undefined, 1 << 30);
      const stop = (sig: NodeJS.Signals): void => {
        if (!running) return;
        void running.stop(sig).then(() => {
          clearInterval(keepAlive);
          process.exit(0);
        });
      };
      const onSignal = (sig: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) process.exit(130);
        stopSignal = sig;
        stop(sig);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        running = await startServer(loaded);
      } catch (err) {
        clearInterval(keepAlive);
        const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
        const why = e.code === 'EADDRINUSE' ? `${e.address ?? ''}:${e.port ?? ''} is already in use` : e.code === 'EACCES' ? `no permission to listen on ${e.address ?? ''}:${e.port ?? ''} (ports below 1024 need root or CAP_NET_BIND_SERVICE)` : e.message;
        process.stderr.write(`dicomhawk: cannot start: ${why}\n`);
        if (!loaded.config.prod && e.stack) process.stderr.write(`${e.stack}\n`);
        process.exit(1);
      }
      if (stopSignal) stop(stopSignal);
    });
}
