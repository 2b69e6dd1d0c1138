/**
 * The decoy data every attacker-facing surface shares: the archive (and its index generations), the
 * quarantine of uploads, and the honeytoken registry. `serve` opens them once, on the first surface that
 * asks, so the DICOM listeners, the web portal and DICOMweb answer from the same archive generation, count
 * uploads against one per-address quota, and issue tokens into one registry; it closes them after every
 * surface has stopped.
 */
import { join } from 'node:path';
import type { Config } from '../core/config/settings.ts';
import type { Logger } from '../core/log.ts';
import { openDb, type Db } from '../core/storage/db.ts';
import type { DataPaths } from '../core/storage/dataDir.ts';
import { Archive } from '../domain/archive/index.ts';
import { HoneytokenRegistry } from '../domain/honeytokens/registry.ts';
import { Quarantine } from '../domain/quarantine/quarantine.ts';

export interface DecoyData {
  readonly archive: Archive;
  readonly quarantine: Quarantine;
  readonly honeytokens: HoneytokenRegistry;
  close(): void;
}

/** Opens the archive index over DATA_DIR/archive and brings it up to date. */
export async function openArchive(paths: DataPaths, log: Logger): Promise<Archive> {
  const archive = Archive.open({ indexDir: join(paths.root, 'archive-index'), archiveRoot: paths.archive });
  const report = await archive.ensureBuilt();
  log.info({ generation: report.generation, added: report.added, skipped: report.skipped.length }, 'archive index ready');
  return archive;
}

export async function openDecoyData(config: Config, paths: DataPaths, log: Logger): Promise<DecoyData> {
  const archive = await openArchive(paths, log);
  let db: Db | null = null;
  try {
    db = openDb(paths.db);
    const quarantine = new Quarantine(paths.quarantine, db, { maxBytesPerIp: config.quarantineMaxBytesPerIp, maxBytes: config.quarantineMaxBytes });
    const honeytokens = new HoneytokenRegistry(db);
    const owned = db;
    return {
      archive,
      quarantine,
      honeytokens,
      close() {
        archive.close();
        honeytokens.close();
        if (owned.open) owned.close();
      },
    };
  } catch (err) {
    archive.close();
    db?.close();
    throw err;
  }
}

/** Opens the decoy data on the first call and hands every later caller the same instance. */
export function lazyDecoyData(config: Config, paths: DataPaths, log: Logger): { get(): Promise<DecoyData>; close(): Promise<void> } {
  let opening: Promise<DecoyData> | null = null;
  return {
    get: () => (opening ??= openDecoyData(config, paths, log)),
    async close() {
      const o = opening;
      opening = null;
      if (o) (await o.catch(() => null))?.close();
    },
  };
}
