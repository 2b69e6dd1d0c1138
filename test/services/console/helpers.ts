/** A console server over a generated store, for the API and browser tests. */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { silentLogger } from '../../../src/core/log.ts';
import type { Assets } from '../../../src/services/console/bundle.ts';
import { LiveHub } from '../../../src/services/console/live.ts';
import { buildConsoleApp } from '../../../src/services/console/server.ts';
import { ConsoleStore } from '../../../src/services/console/store/consoleStore.ts';
import { generateStore, type Generated } from '../../fixtures/consoleStore.ts';

export const TOKEN = 'test-console-token-abcdefghijklmnop';

export interface ConsoleFixture {
  dir: string;
  dbPath: string;
  quarantineDir: string;
  store: ConsoleStore;
  hub: LiveHub;
  app: FastifyInstance;
  base: string;
  generated: Generated;
  /** GET with the Bearer token (or the given headers). */
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function startConsole(opts: { events?: number; days?: number; now?: number; assets?: Assets | null } = {}): Promise<ConsoleFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-console-'));
  const dbPath = join(dir, 'dicomhawk.db');
  const quarantineDir = join(dir, 'quarantine');
  mkdirSync(quarantineDir);
  const generated = generateStore(dbPath, { events: opts.events ?? 4000, days: opts.days ?? 10, now: opts.now ?? Date.now(), ips: 300 });
  const store = ConsoleStore.open({ root: dir, db: dbPath });
  store.foldAll();
  const hub = new LiveHub();
  const app = await buildConsoleApp({ store, hub, token: TOKEN, quarantineDir, sensor: 'test', version: 'test', assets: opts.assets ?? null, log: silentLogger(), prod: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return {
    dir, dbPath, quarantineDir, store, hub, app, base, generated,
    get: (path, headers) => fetch(`${base}${path}`, { headers: headers ?? { authorization: `Bearer ${TOKEN}` }, redirect: 'manual' }),
    async close() {
      hub.stop();
      await app.close();
      store.close();
    },
  };
}
