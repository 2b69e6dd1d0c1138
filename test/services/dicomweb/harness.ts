/**
 * A DICOMweb origin server for tests: the plugin registered under /dicom-web on a small fastify app over an
 * archive of real DICOM files (dump2dcm), a quarantine and a honeytoken registry in a temporary directory,
 * with a bus-backed `logFor` (one session per request, the real peer address) whose events are collected
 * and checked against the catalogue's schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadConfig } from '../../../src/core/config/load.ts';
import type { Config } from '../../../src/core/config/settings.ts';
import { EventBus } from '../../../src/core/events/bus.ts';
import { hawkEventSchema, type HawkEvent } from '../../../src/core/events/catalogue.ts';
import { uuidv7 } from '../../../src/core/ids.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { openDb, type Db } from '../../../src/core/storage/db.ts';
import { Archive } from '../../../src/domain/archive/index.ts';
import { HoneytokenRegistry } from '../../../src/domain/honeytokens/registry.ts';
import { Quarantine } from '../../../src/domain/quarantine/quarantine.ts';
import { dicomwebPlugin } from '../../../src/services/dicomweb/plugin.ts';
import { PATIENTS, writePatients } from '../../helpers/qrServer.ts';

export { PATIENTS };

/** The instance that carries a honeytoken in every harness. */
export const HONEY_SOP = PATIENTS[3]!.sopUid;
export const HONEY_TOKEN = 'c0ffee00c0ffee00c0ffee00';

export interface DicomwebServer {
  readonly url: string;
  readonly base: string;
  readonly dir: string;
  readonly config: Config;
  readonly archive: Archive;
  readonly quarantine: Quarantine;
  readonly honeytokens: HoneytokenRegistry;
  readonly db: Db;
  readonly app: FastifyInstance;
  /** Absolute path of the archived file of an SOP instance. */
  fileOf(sopUid: string): string;
  events(): HawkEvent[];
  eventsOf<Id extends HawkEvent['eventid']>(id: Id): Extract<HawkEvent, { eventid: Id }>[];
  stop(): Promise<void>;
}

export async function startDicomweb(env: Record<string, string> = {}): Promise<DicomwebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-dicomweb-'));
  const { archiveRoot, files } = writePatients(dir);
  const { config } = loadConfig({ env: { DATA_DIR: dir, ...env }, cwd: dir });
  const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot });
  await archive.ensureBuilt();
  const db = openDb(join(dir, 'dicomhawk.db'));
  const quarantine = new Quarantine(join(dir, 'quarantine'), db, { maxBytesPerIp: config.quarantineMaxBytesPerIp, maxBytes: config.quarantineMaxBytes });
  const honeytokens = new HoneytokenRegistry(db);
  honeytokens.replaceActive('test', [{ token: HONEY_TOKEN, kind: 'url', sopInstanceUid: HONEY_SOP, studyInstanceUid: PATIENTS[3]!.studyUid, path: null, url: `http://198.51.100.7/t/${HONEY_TOKEN}` }]);

  const bus = new EventBus({ sensor: 'test-sensor', log: silentLogger() });
  const collected: HawkEvent[] = [];
  bus.subscribe((e) => {
    hawkEventSchema.parse(e);
    collected.push(e as HawkEvent);
  });
  const data = { archive, quarantine, honeytokens, close: () => undefined };
  const app = Fastify({ logger: false });
  await app.register(
    dicomwebPlugin({
      data,
      config,
      logFor: (req) =>
        bus.forSession({
          session: uuidv7(),
          protocol: 'dicomweb',
          src_ip: req.socket.remoteAddress ?? null,
          src_port: req.socket.remotePort ?? null,
          dst_ip: req.socket.localAddress ?? null,
          dst_port: req.socket.localPort ?? null,
        }),
    }),
    { prefix: '/dicom-web' },
  );
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    base: `${url}/dicom-web`,
    dir,
    config,
    archive,
    quarantine,
    honeytokens,
    db,
    app,
    fileOf: (uid) => files.get(uid)!,
    events: () => [...collected],
    eventsOf: (id) => collected.filter((e) => e.eventid === id) as never,
    async stop() {
      await app.close();
      archive.close();
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A multipart body parsed by the test (RFC 2046), independent of the server's reader. */
export function parseMultipart(contentType: string, body: Buffer): { headers: Record<string, string>; body: Buffer }[] {
  const m = /boundary="?([^";]+)"?/i.exec(contentType);
  if (m === null) throw new Error(`no boundary in ${contentType}`);
  const delim = Buffer.from(`--${m[1]}`);
  const parts: { headers: Record<string, string>; body: Buffer }[] = [];
  let pos = body.indexOf(delim);
  if (pos !== 0) throw new Error('body does not start with the boundary');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts;
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') throw new Error('no CRLF after the boundary');
    const headEnd = body.indexOf('\r\n\r\n', pos);
    const headers: Record<string, string> = {};
    for (const line of body.subarray(pos + 2, headEnd).toString('latin1').split('\r\n')) {
      const c = line.indexOf(':');
      headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), headEnd + 4);
    if (next === -1) throw new Error('unterminated part');
    parts.push({ headers, body: body.subarray(headEnd + 4, next) });
    pos = next + 2;
  }
}

/** A multipart/related body of DICOM parts, as a STOW-RS client builds it. */
export function stowBody(parts: readonly (Buffer | { type: string; body: Buffer })[], boundary = 'stowBoundary42'): { contentType: string; body: Buffer } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const type = Buffer.isBuffer(p) ? 'application/dicom' : p.type;
    const bytes = Buffer.isBuffer(p) ? p : p.body;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${type}\r\n\r\n`), bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
