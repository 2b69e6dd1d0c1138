/**
 * The decoy portal for tests: buildWebApp over a small archive of real DICOM files (dump2dcm), a
 * quarantine and a honeytoken registry in a temporary directory, listening on loopback; every event is
 * collected from the bus and checked against the catalogue's schema. `Browser` is a tiny cookie-keeping
 * HTTP client (undici fetch, redirects not followed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/load.ts';
import type { Config } from '../../../src/core/config/settings.ts';
import { EventBus } from '../../../src/core/events/bus.ts';
import { hawkEventSchema, type HawkEvent } from '../../../src/core/events/catalogue.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { openDb, type Db } from '../../../src/core/storage/db.ts';
import { Archive } from '../../../src/domain/archive/index.ts';
import { HoneytokenRegistry } from '../../../src/domain/honeytokens/registry.ts';
import { Quarantine } from '../../../src/domain/quarantine/quarantine.ts';
import { buildWebApp, type WebApp } from '../../../src/services/web/app.ts';
import { makeManyStudies } from '../../helpers/dicomFiles.ts';
import { PATIENTS, writePatients } from '../../helpers/qrServer.ts';

export { PATIENTS };

export const HONEY_SOP = PATIENTS[3]!.sopUid;
export const HONEY_TOKEN = 'c0ffee00c0ffee00c0ffee00';
export const SECRETS = { jwtKey: 'test-jwt-key-0123456789abcdef', installSecret: 'test-install-secret-0123456789' };

export interface WebServer {
  readonly url: string;
  readonly dir: string;
  readonly config: Config;
  readonly archive: Archive;
  readonly quarantine: Quarantine;
  readonly honeytokens: HoneytokenRegistry;
  readonly db: Db;
  readonly web: WebApp;
  fileOf(sopUid: string): string;
  events(): HawkEvent[];
  eventsOf<Id extends HawkEvent['eventid']>(id: Id): Extract<HawkEvent, { eventid: Id }>[];
  stop(): Promise<void>;
}

export async function startWeb(env: Record<string, string> = {}, opts: { manyStudies?: number; collect?: boolean } = {}): Promise<WebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-web-'));
  const { archiveRoot, files } = writePatients(dir);
  if (opts.manyStudies) await makeManyStudies(join(archiveRoot, 'many'), opts.manyStudies);
  const { config } = loadConfig({ env: { DATA_DIR: dir, API_PORT: '3000', ...env }, cwd: dir });
  const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot });
  await archive.ensureBuilt();
  const db = openDb(join(dir, 'dicomhawk.db'));
  const quarantine = new Quarantine(join(dir, 'quarantine'), db, { maxBytesPerIp: config.quarantineMaxBytesPerIp, maxBytes: config.quarantineMaxBytes });
  const honeytokens = new HoneytokenRegistry(db);
  honeytokens.replaceActive('test', [{ token: HONEY_TOKEN, kind: 'url', sopInstanceUid: HONEY_SOP, studyInstanceUid: PATIENTS[3]!.studyUid, path: null, url: `http://127.0.0.1/t/${HONEY_TOKEN}` }]);
  const bus = new EventBus({ sensor: 'test-sensor', log: silentLogger() });
  const collected: HawkEvent[] = [];
  if (opts.collect !== false) {
    bus.subscribe((e) => {
      hawkEventSchema.parse(e);
      collected.push(e as HawkEvent);
    });
  }
  const data = { archive, quarantine, honeytokens, close: () => undefined };
  const web = await buildWebApp({ data, config, secrets: SECRETS, bus, diag: silentLogger() });
  const url = await web.app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    dir,
    config,
    archive,
    quarantine,
    honeytokens,
    db,
    web,
    fileOf: (uid) => files.get(uid)!,
    events: () => [...collected],
    eventsOf: (id) => collected.filter((e) => e.eventid === id) as never,
    async stop() {
      await web.close();
      archive.close();
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A cookie-keeping client: fetch with redirect: 'manual'. */
export class Browser {
  cookie: string | null = null;
  constructor(readonly base: string) {}

  async req(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie && !headers.has('cookie')) headers.set('cookie', this.cookie);
    const res = await fetch(this.base + path, { ...init, headers, redirect: 'manual' });
    const set = res.headers.get('set-cookie');
    if (set) {
      const pair = set.split(';')[0]!;
      this.cookie = pair.endsWith('=') ? null : pair;
    }
    return res;
  }

  /** GET /login and return the CSRF token of its form. */
  async csrf(path = '/login'): Promise<string> {
    const res = await this.req(path);
    const text = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(text);
    if (!m) throw new Error(`no CSRF token on ${path} (${res.status})`);
    return m[1]!;
  }

  async login(username: string, password: string, extra: Record<string, string> = {}): Promise<Response> {
    const csrf = await this.csrf();
    return this.req('/login', { method: 'POST', body: new URLSearchParams({ _csrf: csrf, username, password, ...extra }) });
  }
}
