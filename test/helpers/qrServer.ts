/** A Q/R server over a small archive of real DICOM files (made with dump2dcm), as a test would set up a PACS. */
import { mkdirSync, mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../src/core/storage/db.ts';
import type { MoveDestination } from '../../src/core/config/parsers.ts';
import { Archive, archivePath } from '../../src/domain/archive/index.ts';
import { Quarantine } from '../../src/domain/quarantine/quarantine.ts';
import { loadPersona } from '../../src/domain/dicom/persona.ts';
import { dimseServices } from '../../src/services/dimse/surface.ts';
import { makeDicomFile, type DumpSpec } from './dicomFiles.ts';
import { startDimseServer, type TestServer } from './dimseServer.ts';

export const PATIENTS: DumpSpec[] = [
  { patientName: 'Jensen^Søren', patientId: '010170-1235', studyUid: '1.2.826.0.1.3680043.2.99.1', seriesUid: '1.2.826.0.1.3680043.2.99.1.1', sopUid: '1.2.826.0.1.3680043.2.99.1.1.1', modality: 'CT', studyDate: '20240102', charset: 'ISO_IR 100' },
  { patientName: 'Jensen^Søren', patientId: '010170-1235', studyUid: '1.2.826.0.1.3680043.2.99.1', seriesUid: '1.2.826.0.1.3680043.2.99.1.1', sopUid: '1.2.826.0.1.3680043.2.99.1.1.2', modality: 'CT', studyDate: '20240102', charset: 'ISO_IR 100', instanceNumber: 2 },
  { patientName: 'Jensen^Søren', patientId: '010170-1235', studyUid: '1.2.826.0.1.3680043.2.99.1', seriesUid: '1.2.826.0.1.3680043.2.99.1.2', sopUid: '1.2.826.0.1.3680043.2.99.1.2.1', modality: 'CT', studyDate: '20240102', charset: 'ISO_IR 100', seriesNumber: 2 },
  { patientName: 'Nielsen^Anne', patientId: '020280-2222', studyUid: '1.2.826.0.1.3680043.2.99.2', seriesUid: '1.2.826.0.1.3680043.2.99.2.1', sopUid: '1.2.826.0.1.3680043.2.99.2.1.1', modality: 'MR', studyDate: '20230515' },
  { patientName: 'Østergaard^Mette', patientId: '030390-3334', studyUid: '1.2.826.0.1.3680043.2.99.3', seriesUid: '1.2.826.0.1.3680043.2.99.3.1', sopUid: '1.2.826.0.1.3680043.2.99.3.1.1', modality: 'DX', studyDate: '20220301', charset: 'ISO_IR 192' },
];

/**
 * Writes one DICOM file per PATIENTS entry into `dir/archive` in the archive's layout; returns the archive
 * folder and each SOP instance's file.
 */
export function writePatients(dir: string): { archiveRoot: string; files: Map<string, string> } {
  const archiveRoot = join(dir, 'archive');
  const files = new Map<string, string>();
  mkdirSync(join(dir, 'src'));
  PATIENTS.forEach((p, i) => {
    const f = makeDicomFile(join(dir, 'src'), `f${i}`, p);
    const rel = archivePath(p.patientId, p.studyUid, p.seriesUid, p.sopUid);
    mkdirSync(join(archiveRoot, rel, '..'), { recursive: true });
    renameSync(f, join(archiveRoot, rel));
    files.set(p.sopUid, join(archiveRoot, rel));
  });
  return { archiveRoot, files };
}

export interface QrServer extends TestServer {
  archive: Archive;
  quarantine: Quarantine;
  archiveRoot: string;
  dir: string;
  /** Absolute path of the archived file of an SOP instance. */
  fileOf(sopUid: string): string;
}

export async function startQrServer(opts: { moveDestinations?: MoveDestination[]; persona?: string } = {}): Promise<QrServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-qr-'));
  const { archiveRoot, files } = writePatients(dir);
  const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot });
  await archive.ensureBuilt();
  const quarantine = new Quarantine(join(dir, 'quarantine'), openDb(join(dir, 'db.sqlite')), { maxBytesPerIp: 1 << 30, maxBytes: 1 << 30 });
  const persona = loadPersona(opts.persona ?? 'hospital-pacs');
  const server = await startDimseServer({
    persona: opts.persona,
    services: dimseServices({ archive, quarantine, persona, moveDestinations: opts.moveDestinations ?? [], uploadsVisibleToUploader: true }),
  });
  return {
    ...server,
    archive,
    quarantine,
    archiveRoot,
    dir,
    fileOf: (uid) => files.get(uid)!,
    async stop() {
      await server.stop();
      archive.close();
    },
  };
}
