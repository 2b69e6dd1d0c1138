/**
 * Starts the real honeypot (`startServer`, every registered surface) in-process on free loopback ports with a
 * temporary DATA_DIR, as `dicomhawk serve` would, and collects every event it publishes.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type Running } from '../../../src/app/serve.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { freePort } from '../../helpers/net.ts';

export interface Honeypot {
  running: Running;
  dataDir: string;
  dicomPort: number;
  apiPort: number;
  consolePort: number;
  events: HawkEvent[];
  stop(): Promise<void>;
}

export async function startHoneypot(env: Record<string, string> = {}): Promise<Honeypot> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'dh-deploy-'));
  const dicomPort = await freePort();
  const apiPort = await freePort();
  const consolePort = await freePort();
  const loaded = loadConfig({
    env: {
      DATA_DIR: dataDir,
      SENSOR_NAME: 'deploy-test',
      DICOM_SERVER_HOST: '127.0.0.1',
      DICOM_PORT: String(dicomPort),
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      CONSOLE_PORT: String(consolePort),
      EVENTS_STDOUT: 'no',
      SCANNER_RDNS: 'no',
      SEED_PATIENTS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    },
    cwd: dataDir,
  });
  const running = await startServer(loaded, { log: silentLogger() });
  const events: HawkEvent[] = [];
  running.ctx.bus.subscribe((e) => events.push(e as HawkEvent));
  return {
    running,
    dataDir,
    dicomPort,
    apiPort,
    consolePort,
    events,
    stop: () => running.stop('test done'),
  };
}
