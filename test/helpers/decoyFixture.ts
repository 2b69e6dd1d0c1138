/**
 * The decoy data of the HTTP surfaces' test harnesses (portal, DICOMweb) in a temporary directory: an archive of
 * real DICOM files (PATIENTS, dump2dcm) and its index, a quarantine and a honeytoken registry in one SQLite file
 * (one token on HONEY_SOP), the configuration, and a bus whose events are collected and checked against the
 * catalogue's schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DecoyData } from '../../src/app/decoyData.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import type { Config } from '../../src/core/config/settings.ts';
import { EventBus } from '../../src/core/events/bus.ts';
import { hawkEventSchema, type HawkEvent } from '../../src/core/events/catalogue.ts';
import { silentLogger } from '../../src/core/log.ts';
import { openDb, type Db } from '../../src/core/storage/db.ts';
import { Archive } from '../../src/domain/archive/index.ts';
import { HoneytokenRegistry } from '../../src/domain/honeytokens/registry.ts';
import { Quarantine } from '../../src/domain/quarantine/quarantine.ts';
import { makeManyStudies } from './dicomFiles.ts';
import { PATIENTS, writePatients } from './qrServer.ts';

/** The instance that carries a honeytoken in every harness, and its token. */
export const HONEY_SOP = PATIENTS[3]!.sopUid;
export const HONEY_TOKEN = 'c0ffee00c0ffee00c0ffee00';

export interface DecoyFixture {
  readonly dir: string;
  readonly config: Config;
  readonly archive: Archive;
  readonly quarantine: Quarantine;
  readonly honeytokens: HoneytokenRegistry;
  readonly db: Db;
  readonly data: DecoyData;
  readonly bus: EventBus;
  /** Absolute path of the archived file of an SOP instance. */
  fileOf(sopUid: string): string;
  events(): HawkEvent[];
  eventsOf<Id extends HawkEvent['eventid']>(id: Id): Extract<HawkEvent, { eventid: Id }>[];
  /** Closes the archive and the database and removes the directory. */
  close(): void;
}

export async function openDecoyFixture(opts: {
  prefix: string;
  env: Record<string, string>;
  /** Host written into the honeytoken's URL. */
  honeyHost: string;
  manyStudies?: number;
  collect?: boolean;
}): Promise<DecoyFixture> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const { archiveRoot, files } = writePatients(dir);
  if (opts.manyStudies) await makeManyStudies(join(archiveRoot, 'many'), opts.manyStudies);
  const { config } = loadConfig({ env: { DATA_DIR: dir, ...opts.env }, cwd: dir });
  const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot });
  await archive.ensureBuilt();
  const db = openDb(join(dir, 'dicomhawk.db'));
  const quarantine = new Quarantine(join(dir, 'quarantine'), db, { maxBytesPerIp: config.quarantineMaxBytesPerIp, maxBytes: config.quarantineMaxBytes });
  const honeytokens = new HoneytokenRegistry(db);
  honeytokens.replaceActive('test', [{ token: HONEY_TOKEN, kind: 'url', sopInstanceUid: HONEY_SOP, studyInstanceUid: PATIENTS[3]!.studyUid, path: null, url: `http://${opts.honeyHost}/t/${HONEY_TOKEN}` }]);
  const bus = new EventBus({ sensor: 'test-sensor', log: silentLogger() });
  const collected: HawkEvent[] = [];
  if (opts.collect !== false) {
    bus.subscribe((e) => {
      hawkEventSchema.parse(e);
      collected.push(e as HawkEvent);
    });
  }
  return {
    dir,
    config,
    archive,
    quarantine,
    honeytokens,
    db,
    data: { archive, quarantine, honeytokens, close: () => undefined },
    bus,
    fileOf: (uid) => files.get(uid)!,
    events: () => [...collected],
    eventsOf: (id) => collected.filter((e) => e.eventid === id) as never,
    close() {
      archive.close();
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
