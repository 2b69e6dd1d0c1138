/**
 * `dicomhawk healthcheck`: one real DICOM verification against this sensor (the Verification SCU in
 * services/dimse/scu/echoScu.ts). Exit 0 when the C-ECHO answers Success, 1 otherwise (with the reason on
 * stderr). Docker's HEALTHCHECK runs it inside the container.
 */
import type { Command } from 'commander';
import { cEcho } from '../../services/dimse/scu/echoScu.ts';
import { loadOrExit } from '../common.ts';

export function registerHealthcheck(program: Command): void {
  program
    .command('healthcheck')
    .description('C-ECHO this sensor (associate, echo, release); exit 0 when it answers Success, 1 otherwise (container healthchecks)')
    .option('--host <host>', 'address to connect to (default: 127.0.0.1, or DICOM_SERVER_HOST when it is a specific address)')
    .option('--port <port>', 'DICOM port (default: the first of DICOM_PORT)')
    .option('--timeout <ms>', 'give up after this many milliseconds', '5000')
    .option('--quiet', 'print nothing on success')
    .action(async (o: { host?: string; port?: string; timeout: string; quiet?: boolean }) => {
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const bindAll = ['0.0.0.0', '::', ''].includes(config.dicomHost);
      const host = o.host ?? (bindAll ? '127.0.0.1' : config.dicomHost);
      const port = o.port !== undefined ? Number(o.port) : config.dicomPorts[0]!;
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(port) || port < 1 || port > 65535 || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
        process.stderr.write('dicomhawk healthcheck: --port must be 1-65535 and --timeout a positive number of milliseconds\n');
        process.exitCode = 1;
        return;
      }
      try {
        const ms = await cEcho({ host, port, calledAe: config.dicomAeTitle, timeoutMs });
        if (!o.quiet) process.stdout.write(`C-ECHO ${host}:${port} ok in ${ms} ms\n`);
      } catch (err) {
        process.stderr.write(`dicomhawk healthcheck: C-ECHO ${host}:${port} failed: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
