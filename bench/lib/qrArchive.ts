/**
 * A synthetic archive for the Q/R benchmark, written directly as Part-10 files (Explicit VR Little Endian,
 * no toolkit, a few seconds for 20 000 files): P patients × S studies × R series × I instances of a small
 * 64 × 64 16-bit CT or MR image, each with the patient / study / series / image attributes a PACS indexes.
 * Everything is deterministic (seeded), so the same parameters always give byte-identical files.
 *
 * The default is 100 patients × 5 studies × 4 series × 10 instances = 20 000 instances in 500 studies:
 * dcmqrscp keeps at most 500 studies per storage area (DB_UpperMaxStudies in dcmqrdb; past it, indexing a
 * new study silently drops the oldest one from its index), so 200 × 5 studies could not be served by all
 * three servers from the same files.
 *
 * Patient i's family name is FAMILY[i mod 20]; exactly one of the 20 names starts with "A", so the
 * benchmark's `PatientName=A*` matches exactly ⌈P / 20⌉ patients (all their studies: 25 by default).
 *
 * The archive is built once into `<tmpdir>/dh-bench-qr-<key>/archive` (key: a hash of the parameters and
 * the generator version), atomically (built aside, renamed), with a `manifest.json` listing its series.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BENCH_IMPL_UID, EXPLICIT_LE } from './echoScu.ts';
import { mulberry32 } from '../../test/helpers/mulberry32.ts';

export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
export const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';

export interface ArchiveParams {
  patients: number;
  studiesPerPatient: number;
  seriesPerStudy: number;
  instancesPerSeries: number;
  rows: number;
  columns: number;
}

export const DEFAULT_PARAMS: ArchiveParams = { patients: 100, studiesPerPatient: 5, seriesPerStudy: 4, instancesPerSeries: 10, rows: 64, columns: 64 };

/** dcmqrscp's limit on studies per storage area (DB_UpperMaxStudies). */
export const DCMQRSCP_MAX_STUDIES = 500;

/** Bump when the files written change, so a stale cache is never reused. */
const GENERATOR_VERSION = 2;

export interface SeriesEntry {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopClassUid: string;
  instances: number;
  /** Sum of the instances' file sizes. */
  fileBytes: number;
  /** Sum of the instances' data set sizes (file minus preamble and meta header): what a C-GET sends. */
  datasetBytes: number;
}

export interface Manifest {
  params: ArchiveParams;
  key: string;
  instances: number;
  studies: number;
  bytes: number;
  /** Studies whose PatientName starts with "A". */
  studiesMatchingA: number;
  series: SeriesEntry[];
  /** Archive-relative paths of every file, in generation order, grouped by study. */
  files: string[];
  /** For each study in generation order, the index in `files` of its first file (one past the last is the next study's). */
  studyStarts: number[];
}

export interface BuiltArchive {
  /** The cache directory (holds `archive/`, `manifest.json`, and the reference servers' prepared stores). */
  cacheDir: string;
  /** The archive root (files under `P000/ST0/SE0/I0.dcm`). */
  root: string;
  manifest: Manifest;
  /** True when it was generated in this run. */
  generated: boolean;
  generateMs: number;
}

const FAMILY = ['Andersen', 'Nielsen', 'Hansen', 'Pedersen', 'Jensen', 'Larsen', 'Sorensen', 'Rasmussen', 'Jorgensen', 'Petersen', 'Madsen', 'Kristensen', 'Olsen', 'Thomsen', 'Christiansen', 'Poulsen', 'Johansen', 'Moller', 'Mortensen', 'Knudsen'];
const GIVEN_F = ['Mette', 'Hanne', 'Kirsten', 'Susanne', 'Karen', 'Lone', 'Birgit', 'Inge', 'Camilla', 'Louise', 'Charlotte', 'Maria'];
const GIVEN_M = ['Lars', 'Jens', 'Niels', 'Peter', 'Michael', 'Henrik', 'Thomas', 'Soren', 'Anders', 'Christian', 'Martin', 'Jan'];
const REFERRING = ['Holm^Bente', 'Berg^Ole', 'Dahl^Rikke', 'Lund^Erik', 'Vestergaard^Tine', 'Bach^Morten'];
const CT_STUDIES = ['CT THORAX', 'CT ABDOMEN', 'CT CEREBRUM', 'CT THORAX ABDOMEN', 'CT COLUMNA LUMBALIS'];
const MR_STUDIES = ['MR CEREBRUM', 'MR KNAE', 'MR COLUMNA LUMBALIS', 'MR SKULDER', 'MR BAEKKEN'];
const CT_SERIES = ['Topogram', 'Axial 5.0 B30f', 'Axial 1.0 B70f', 'Coronal MPR', 'Sagittal MPR'];
const MR_SERIES = ['t1_tse_sag', 't2_tse_tra', 'pd_tse_fs_cor', 't2_flair_tra', 'dwi_tra'];

/** A UUID-derived UID (2.25 + 128 bits, ITU-T X.667) from a name, so every UID is stable and unique. */
function uid(name: string): string {
  return `2.25.${BigInt(`0x${createHash('sha256').update(`dh-bench-qr/${name}`).digest('hex').slice(0, 32)}`).toString()}`;
}

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

/** One Explicit VR Little Endian element (text padded to even length: UI with NUL, others with space). */
function el(group: number, element: number, vr: string, value: string | Buffer): Buffer {
  let v = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  if (v.length % 2 === 1) v = Buffer.concat([v, Buffer.from([vr === 'UI' || vr === 'OB' ? 0 : 0x20])]);
  const long = LONG_VRS.has(vr);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(v.length, 8);
  else h.writeUInt16LE(v.length, 6);
  return Buffer.concat([h, v]);
}

function us(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function metaHeader(sopClass: string, sopInstance: string): Buffer {
  const rest = Buffer.concat([
    el(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    el(0x0002, 0x0002, 'UI', sopClass),
    el(0x0002, 0x0003, 'UI', sopInstance),
    el(0x0002, 0x0010, 'UI', EXPLICIT_LE),
    el(0x0002, 0x0012, 'UI', BENCH_IMPL_UID),
    el(0x0002, 0x0013, 'SH', 'HAWKBENCH'),
  ]);
  const gl = Buffer.alloc(4);
  gl.writeUInt32LE(rest.length);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), el(0x0002, 0x0000, 'UL', gl), rest]);
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const ymd = (d: Date): string => `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}`;

export function archiveKey(params: ArchiveParams): string {
  return createHash('sha256').update(JSON.stringify({ v: GENERATOR_VERSION, params })).digest('hex').slice(0, 16);
}

/** Parameters from BENCH_QR_PATIENTS (for quick runs), else 100 × 5 × 4 × 10 = 20 000 instances. */
export function paramsFromEnv(): ArchiveParams {
  const p = Number(process.env.BENCH_QR_PATIENTS ?? DEFAULT_PARAMS.patients);
  const max = Math.floor(DCMQRSCP_MAX_STUDIES / DEFAULT_PARAMS.studiesPerPatient);
  if (!Number.isInteger(p) || p < 1 || p > max) throw new Error(`BENCH_QR_PATIENTS must be an integer from 1 to ${max} (dcmqrscp holds at most ${DCMQRSCP_MAX_STUDIES} studies)`);
  return { ...DEFAULT_PARAMS, patients: p };
}

function generate(root: string, params: ArchiveParams, key: string): Manifest {
  const rand = mulberry32(0x5eed1234);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const series: SeriesEntry[] = [];
  const files: string[] = [];
  const studyStarts: number[] = [];
  let bytes = 0;
  let studiesMatchingA = 0;
  const pixelCount = params.rows * params.columns;
  const pixels = Buffer.alloc(pixelCount * 2);
  for (let p = 0; p < params.patients; p += 1) {
    const female = rand() < 0.5;
    const family = FAMILY[p % FAMILY.length]!;
    const patientName = `${family}^${pick(female ? GIVEN_F : GIVEN_M)}`;
    const birth = new Date(Date.UTC(1935 + Math.floor(rand() * 70), Math.floor(rand() * 12), 1 + Math.floor(rand() * 28)));
    const patientId = `${pad2(birth.getUTCDate())}${pad2(birth.getUTCMonth() + 1)}${String(birth.getUTCFullYear()).slice(2)}${String(1000 + ((p * 7919) % 9000)).padStart(4, '0')}`;
    if (family.startsWith('A')) studiesMatchingA += params.studiesPerPatient;
    for (let s = 0; s < params.studiesPerPatient; s += 1) {
      studyStarts.push(files.length);
      const studyUid = uid(`study/${p}/${s}`);
      const mr = rand() < 0.4;
      const sopClass = mr ? MR_IMAGE_STORAGE : CT_IMAGE_STORAGE;
      const modality = mr ? 'MR' : 'CT';
      const studyDate = ymd(new Date(Date.UTC(2016, 0, 1) + Math.floor(rand() * 3000) * 86_400_000));
      const studyTime = `${pad2(7 + Math.floor(rand() * 11))}${pad2(Math.floor(rand() * 60))}${pad2(Math.floor(rand() * 60))}`;
      const accession = `RH${String(10_000_000 + p * 100 + s)}`;
      const studyDescription = pick(mr ? MR_STUDIES : CT_STUDIES);
      const referring = pick(REFERRING);
      const frameOfReference = uid(`for/${p}/${s}`);
      for (let r = 0; r < params.seriesPerStudy; r += 1) {
        const seriesUid = uid(`series/${p}/${s}/${r}`);
        const seriesDescription = (mr ? MR_SERIES : CT_SERIES)[r % 5]!;
        const entry: SeriesEntry = { patientId, studyInstanceUid: studyUid, seriesInstanceUid: seriesUid, sopClassUid: sopClass, instances: 0, fileBytes: 0, datasetBytes: 0 };
        const dir = join(root, `P${String(p).padStart(4, '0')}`, `ST${s}`, `SE${r}`);
        mkdirSync(dir, { recursive: true });
        for (let i = 0; i < params.instancesPerSeries; i += 1) {
          const sopUid = uid(`instance/${p}/${s}/${r}/${i}`);
          const base = (p * 31 + s * 17 + r * 7 + i) & 0x3ff;
          for (let k = 0; k < pixelCount; k += 1) pixels.writeUInt16LE((base + (k % params.columns) * 8 + Math.floor(k / params.columns) * 4) & 0xfff, k * 2);
          const z = (-100 + i * 5).toFixed(1);
          const dataset = Buffer.concat([
            el(0x0008, 0x0008, 'CS', 'ORIGINAL\\PRIMARY\\AXIAL'),
            el(0x0008, 0x0016, 'UI', sopClass),
            el(0x0008, 0x0018, 'UI', sopUid),
            el(0x0008, 0x0020, 'DA', studyDate),
            el(0x0008, 0x0021, 'DA', studyDate),
            el(0x0008, 0x0030, 'TM', studyTime),
            el(0x0008, 0x0031, 'TM', studyTime),
            el(0x0008, 0x0050, 'SH', accession),
            el(0x0008, 0x0060, 'CS', modality),
            el(0x0008, 0x0070, 'LO', mr ? 'SIEMENS' : 'GE MEDICAL SYSTEMS'),
            el(0x0008, 0x0080, 'LO', 'Regionshospitalet Bench'),
            el(0x0008, 0x0090, 'PN', referring),
            el(0x0008, 0x1030, 'LO', studyDescription),
            el(0x0008, 0x103e, 'LO', seriesDescription),
            el(0x0010, 0x0010, 'PN', patientName),
            el(0x0010, 0x0020, 'LO', patientId),
            el(0x0010, 0x0030, 'DA', ymd(birth)),
            el(0x0010, 0x0040, 'CS', female ? 'F' : 'M'),
            el(0x0018, 0x0050, 'DS', mr ? '4' : '5'),
            el(0x0020, 0x000d, 'UI', studyUid),
            el(0x0020, 0x000e, 'UI', seriesUid),
            el(0x0020, 0x0010, 'SH', String(s + 1)),
            el(0x0020, 0x0011, 'IS', String(r + 1)),
            el(0x0020, 0x0013, 'IS', String(i + 1)),
            el(0x0020, 0x0032, 'DS', `-160\\-160\\${z}`),
            el(0x0020, 0x0037, 'DS', '1\\0\\0\\0\\1\\0'),
            el(0x0020, 0x0052, 'UI', frameOfReference),
            el(0x0028, 0x0002, 'US', us(1)),
            el(0x0028, 0x0004, 'CS', 'MONOCHROME2'),
            el(0x0028, 0x0010, 'US', us(params.rows)),
            el(0x0028, 0x0011, 'US', us(params.columns)),
            el(0x0028, 0x0030, 'DS', '5\\5'),
            el(0x0028, 0x0100, 'US', us(16)),
            el(0x0028, 0x0101, 'US', us(12)),
            el(0x0028, 0x0102, 'US', us(11)),
            el(0x0028, 0x0103, 'US', us(0)),
            el(0x0028, 0x1050, 'DS', mr ? '600' : '40'),
            el(0x0028, 0x1051, 'DS', mr ? '1200' : '400'),
            ...(mr ? [] : [el(0x0028, 0x1052, 'DS', '-1024'), el(0x0028, 0x1053, 'DS', '1')]),
            el(0x7fe0, 0x0010, 'OW', pixels),
          ]);
          const file = Buffer.concat([metaHeader(sopClass, sopUid), dataset]);
          const rel = join(`P${String(p).padStart(4, '0')}`, `ST${s}`, `SE${r}`, `I${i}.dcm`);
          writeFileSync(join(root, rel), file);
          files.push(rel);
          entry.instances += 1;
          entry.fileBytes += file.length;
          entry.datasetBytes += dataset.length;
          bytes += file.length;
        }
        series.push(entry);
      }
    }
  }
  return { params, key, instances: files.length, studies: params.patients * params.studiesPerPatient, bytes, studiesMatchingA, series, files, studyStarts };
}

/** The cached archive for these parameters, generated (atomically) when missing. */
export function ensureArchive(params: ArchiveParams = paramsFromEnv()): BuiltArchive {
  const key = archiveKey(params);
  const cacheDir = join(tmpdir(), `dh-bench-qr-${key}`);
  const manifestFile = join(cacheDir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    return { cacheDir, root: join(cacheDir, 'archive'), manifest, generated: false, generateMs: 0 };
  }
  const t0 = performance.now();
  const building = `${cacheDir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(join(building, 'archive'), { recursive: true });
  const manifest = generate(join(building, 'archive'), params, key);
  writeFileSync(join(building, 'manifest.json'), JSON.stringify(manifest));
  rmSync(cacheDir, { recursive: true, force: true });
  renameSync(building, cacheDir);
  return { cacheDir, root: join(cacheDir, 'archive'), manifest, generated: true, generateMs: performance.now() - t0 };
}
