/** The data directory layout (ARCHITECTURE.md, "Data on disk"). */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface DataPaths {
  root: string;
  db: string;
  logs: string;
  archive: string;
  quarantine: string;
  spool: string;
  secrets: string;
}

export function dataPaths(dataDir: string): DataPaths {
  const root = resolve(dataDir);
  return {
    root,
    db: join(root, 'dicomhawk.db'),
    logs: join(root, 'logs'),
    archive: join(root, 'archive'),
    quarantine: join(root, 'quarantine'),
    spool: join(root, 'spool'),
    secrets: join(root, 'secrets.json'),
  };
}

export function ensureDataDirs(p: DataPaths): void {
  for (const dir of [p.root, p.logs, p.archive, p.quarantine, p.spool]) mkdirSync(dir, { recursive: true, mode: 0o750 });
}
