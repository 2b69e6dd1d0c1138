/**
 * The reference servers' stores of the Q/R benchmark archive, prepared once next to the cached archive
 * (so a run only copies them): dcmqrscp's `index.dat` and Orthanc's storage + SQLite index.
 *
 * dcmqrscp. `dcmqridx` is quadratic (every image added to a known study rescans the whole index to drop
 * duplicates): 2 000 files take 30 s, 20 000 would take close to an hour. So it is run per study, on a
 * small index each, and the indexes are merged. index.dat is DCMTK's flat file: a 6-byte magic + version
 * ("QRDB05"), then a fixed array of 500 study descriptors (88 bytes each: StudyInstanceUID, size, last
 * recorded date, image count as int32 at byte 80), then one fixed-size record per instance (8 032 bytes;
 * its string pointers are re-linked on every read). Merging = the descriptors of every partial index
 * packed into one array, and their records concatenated. The result is checked (magic, sizes, study
 * count) here and by the benchmark's first queries (every server must return the same match counts).
 *
 * Orthanc. Started on its own dirs in the cache, every file POSTed to /instances over its REST API
 * (loopback, 4 requests in flight), then stopped; a run copies the SQLite index and points Orthanc at
 * the cached storage area (C-FIND and C-GET only read it).
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import type { BuiltArchive } from './qrArchive.ts';
import { DCMQRSCP_MAX_STUDIES } from './qrArchive.ts';
import { orthancStamp, startOrthanc } from './servers.ts';
import { createHash } from 'node:crypto';

const DB_MAGIC = 'QRDB05';
const DB_HEADER = DB_MAGIC.length;
const STUDY_DESC_SIZE = 88;
const STUDY_DESC_COUNT_OFFSET = 80;
const STUDY_DESC_BYTES = STUDY_DESC_SIZE * DCMQRSCP_MAX_STUDIES;
const RECORDS_OFFSET = DB_HEADER + STUDY_DESC_BYTES;

function execFileAsync(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => (err ? reject(new Error(`${cmd} failed: ${err.message} ${stderr}`)) : resolve()));
  });
}

/** The cached dcmqrscp storage area (holding only index.dat; the records name the archive's files). */
export async function ensureDcmqrscpStore(archive: BuiltArchive, log: (s: string) => void): Promise<string> {
  const dir = join(archive.cacheDir, 'dcmqrscp');
  if (existsSync(join(dir, 'index.dat'))) return dir;
  const t0 = performance.now();
  log(`building dcmqrscp's index.dat for ${archive.manifest.instances} files (dcmqridx per study, merged) …`);
  const { files, studyStarts } = archive.manifest;
  if (studyStarts.length > DCMQRSCP_MAX_STUDIES) throw new Error(`${studyStarts.length} studies: dcmqrscp holds at most ${DCMQRSCP_MAX_STUDIES}`);
  const work = mkdtempSync(join(archive.cacheDir, 'dcmqridx-'));
  try {
    const partial = (i: number): string => join(work, String(i));
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < studyStarts.length; i = next++) {
        const from = studyStarts[i]!;
        const to = studyStarts[i + 1] ?? files.length;
        mkdirSync(partial(i));
        await execFileAsync('dcmqridx', [partial(i), ...files.slice(from, to).map((f) => join(archive.root, f))]);
      }
    };
    await Promise.all([worker(), worker()]);
    const descs = Buffer.alloc(STUDY_DESC_BYTES);
    const records: Buffer[] = [];
    let studies = 0;
    let recordSize = 0;
    for (let i = 0; i < studyStarts.length; i += 1) {
      const buf = readFileSync(join(partial(i), 'index.dat'));
      if (buf.toString('latin1', 0, DB_HEADER) !== DB_MAGIC) throw new Error(`unexpected index.dat format (magic ${JSON.stringify(buf.toString('latin1', 0, DB_HEADER))}, want ${DB_MAGIC})`);
      const count = (studyStarts[i + 1] ?? files.length) - studyStarts[i]!;
      const size = (buf.length - RECORDS_OFFSET) / count;
      if (!Number.isInteger(size) || size <= 0 || (recordSize !== 0 && size !== recordSize)) throw new Error(`unexpected index.dat layout (${buf.length} bytes for ${count} records)`);
      recordSize = size;
      for (let d = 0; d < DCMQRSCP_MAX_STUDIES; d += 1) {
        const at = DB_HEADER + d * STUDY_DESC_SIZE;
        if (buf.readInt32LE(at + STUDY_DESC_COUNT_OFFSET) <= 0) continue;
        buf.copy(descs, studies * STUDY_DESC_SIZE, at, at + STUDY_DESC_SIZE);
        studies += 1;
      }
      records.push(buf.subarray(RECORDS_OFFSET));
    }
    if (studies !== studyStarts.length) throw new Error(`merged ${studies} study descriptors, expected ${studyStarts.length}`);
    mkdirSync(`${dir}.building`, { recursive: true });
    writeFileSync(join(`${dir}.building`, 'index.dat'), Buffer.concat([Buffer.from(DB_MAGIC, 'latin1'), descs, ...records]));
    rmSync(dir, { recursive: true, force: true });
    renameSync(`${dir}.building`, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  log(`dcmqrscp index ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return dir;
}

/** POST one file to Orthanc's /instances; resolves with the HTTP status. */
function postInstance(agent: Agent, port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/instances', agent, headers: { 'content-type': 'application/dicom', 'content-length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface OrthancStore {
  storageDir: string;
  indexDir: string;
}

/** The cached Orthanc storage area and index holding every archive file (keyed by the Orthanc version too). */
export async function ensureOrthancStore(archive: BuiltArchive, log: (s: string) => void): Promise<OrthancStore> {
  const stamp = createHash('sha256').update(orthancStamp()).digest('hex').slice(0, 8);
  const dir = join(archive.cacheDir, `orthanc-${stamp}`);
  const store = { storageDir: join(dir, 'storage'), indexDir: join(dir, 'index') };
  if (existsSync(join(dir, 'complete'))) return store;
  const t0 = performance.now();
  log(`loading ${archive.manifest.instances} files into Orthanc (REST POST /instances) …`);
  const building = `${dir}.building`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  const orthanc = await startOrthanc(building, { storageDir: join(building, 'storage'), indexDir: join(building, 'index') });
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    let next = 0;
    const { files } = archive.manifest;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < files.length; i = next++) {
        const status = await postInstance(agent, orthanc.httpPort, readFileSync(join(archive.root, files[i]!)));
        if (status !== 200) throw new Error(`Orthanc answered HTTP ${status} to POST /instances of ${files[i]}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    agent.destroy();
    await orthanc.stop();
  }
  writeFileSync(join(building, 'complete'), `${new Date().toISOString()}\n`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  log(`Orthanc store ready in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return store;
}

/** A run's own copy of Orthanc's index (the storage area is shared, read-only in practice). */
export function copyOrthancIndex(store: OrthancStore, into: string): string {
  const indexDir = join(into, 'index');
  cpSync(store.indexDir, indexDir, { recursive: true });
  return indexDir;
}
