/** A data directory with a small "synthetic" archive in service, and TCIA settings pointing at a fake NBIA. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths, ensureDataDirs, type DataPaths } from '../../../src/core/storage/dataDir.ts';
import { Archive, archivePath } from '../../../src/domain/archive/index.ts';
import { integrityTarget, learnManifest } from '../../../src/domain/integrity/manifest.ts';
import type { RotationOptions, TciaSettings } from '../../../src/domain/tcia/rotation.ts';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { tciaSeriesFiles, type FakeSeries } from '../../helpers/fakeNbia.ts';

export const SECRET = 'b'.repeat(64);

export interface DataDir {
  readonly dir: string;
  readonly paths: DataPaths;
  readonly archive: Archive;
  cleanup(): void;
}

/** Two synthetic Danish patients in the archive root, indexed and learned. */
export async function dataDirWithSyntheticArchive(): Promise<DataDir> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-tcia-'));
  const paths = dataPaths(join(dir, 'data'));
  ensureDataDirs(paths);
  const src = join(dir, 'src');
  mkdirSync(src);
  const synth = [
    { patientName: 'Hansen^Karen', patientId: '0101701234', studyUid: '2.25.1001', seriesUid: '2.25.1001.1', sopUid: '2.25.1001.1.1', modality: 'CT' },
    { patientName: 'Larsen^Peter', patientId: '0202802345', studyUid: '2.25.1002', seriesUid: '2.25.1002.1', sopUid: '2.25.1002.1.1', modality: 'MR' },
  ];
  for (const [i, s] of synth.entries()) {
    const f = makeDicomFile(src, `s${i}`, s);
    const rel = archivePath(s.patientId, s.studyUid, s.seriesUid, s.sopUid);
    mkdirSync(join(paths.archive, rel, '..'), { recursive: true });
    renameSync(f, join(paths.archive, rel));
  }
  const archive = Archive.open({ indexDir: join(paths.root, 'archive-index'), archiveRoot: paths.archive, pointerCheckMs: 0 });
  await archive.ensureBuilt();
  await learnManifest(integrityTarget(paths));
  return {
    dir,
    paths,
    archive,
    cleanup() {
      archive.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function settings(url: string, over: Partial<TciaSettings> = {}): TciaSettings {
  return {
    modalities: ['CT'],
    tciaApiUrl: url,
    tciaMinFiles: 2,
    tciaMaxFiles: 10,
    tciaStudiesPerModality: 1,
    tciaSeriesPerStudy: 2,
    tciaConcurrency: 2,
    tciaTimeoutMs: 2000,
    tciaRetries: 1,
    tciaMaxSeriesBytes: 64 * 1024 * 1024,
    honeytokenShare: 1,
    ...over,
  };
}

export function rotationOptions(d: DataDir, s: TciaSettings, over: Partial<RotationOptions> = {}): RotationOptions {
  return {
    settings: s,
    paths: d.paths,
    archive: d.archive,
    installSecret: SECRET,
    charset: 'ISO_IR 100',
    implementation: { classUid: '1.2.826.0.1.3680043.9.7777.1', versionName: 'HAWKPACS_1' },
    honeyUrlBase: 'http://portal.example.dk/t',
    trigger: 'cli',
    client: { backoffBaseMs: 5 },
    ...over,
  };
}

/** A TCIA-looking series (files made with dump2dcm). */
export function fakeSeries(collection: string, subject: number, study: number, series: number, count: number, modality = 'CT'): FakeSeries {
  const patientId = `${collection}-${String(subject).padStart(4, '0')}`;
  const studyUid = `1.3.6.1.4.1.14519.5.2.1.${subject}.${study}`;
  const seriesUid = `${studyUid}.${series}`;
  return { collection, patientId, studyInstanceUid: studyUid, seriesInstanceUid: seriesUid, modality, files: tciaSeriesFiles({ collection, patientId, studyUid, seriesUid, modality, count }) };
}

/** Every file under `dir` (relative paths), hidden ones included. */
export function walk(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) out.push(...walk(abs, base));
    else out.push(abs.slice(base.length + 1));
  }
  return out.sort();
}

/** Absolute paths of the files the archive in service indexes (what Q/R can hand out). */
export function servedFiles(archive: Archive): string[] {
  const lease = archive.acquire();
  try {
    const rows = lease.db.prepare('SELECT path FROM instances WHERE owner_ip IS NULL ORDER BY path').pluck().all() as string[];
    return rows.map((p) => join(lease.archiveRoot, p));
  } finally {
    lease.release();
  }
}

/** The tells of a fake TCIA series that must never reach a served file. */
export function tellsOf(s: FakeSeries): string[] {
  const sops = s.files.map((_, i) => `${s.seriesInstanceUid}.${i + 1}`);
  return ['TCIA', 'Cancer Imaging Archive', 'CTP', s.collection, s.patientId, s.studyInstanceUid, s.seriesInstanceUid, `${s.seriesInstanceUid}.99`, ...sops];
}

/** Tells of `tells` found anywhere in the file's bytes (pixel data included), case-insensitive. */
export function tellsIn(path: string, tells: readonly string[]): string[] {
  const text = readFileSync(path).toString('latin1').toLowerCase();
  return tells.filter((t) => text.includes(t.toLowerCase()));
}
