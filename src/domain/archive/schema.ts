/**
 * The archive index schema, generated from the attribute dictionary: one table per level (patients,
 * studies, series, instances), one TEXT column per stored attribute holding the value as stored (minus
 * insignificant padding), derived match columns beside it (PN: normalised `__n` and case-folded `__u`;
 * DA/TM/DT: sortable `__k`), the computed attributes maintained at index time, and an `owner_ip`
 * column on every table: NULL for the public decoy archive, the uploader's address for quarantined
 * uploads (visible to that address only).
 *
 * The index is a cache of the archive directory: a schema change bumps SCHEMA_ID and the archive is
 * rebuilt (build aside, swap) rather than migrated in place.
 */
import type { ColumnRef } from './matching.ts';
import { storedAttributes, type ArchiveAttribute, type QrLevel } from './dictionary.ts';

export const SCHEMA_ID = 'archive_index_v1';

export interface LevelTable {
  readonly table: string;
  readonly alias: string;
  /** Column identifying the entity within an owner scope. */
  readonly identity: string;
  /** Column referencing the parent row, null at the top. */
  readonly parentRef: string | null;
}

export const TABLES: Readonly<Record<QrLevel, LevelTable>> = {
  PATIENT: { table: 'patients', alias: 'p', identity: 'patient_key', parentRef: null },
  STUDY: { table: 'studies', alias: 'st', identity: '"StudyInstanceUID"', parentRef: 'patient_ref' },
  SERIES: { table: 'series', alias: 'se', identity: '"SeriesInstanceUID"', parentRef: 'study_ref' },
  IMAGE: { table: 'instances', alias: 'i', identity: '"SOPInstanceUID"', parentRef: 'series_ref' },
};

const DATE_TIME = new Set(['DA', 'TM', 'DT']);

export function q(name: string): string {
  return `"${name}"`;
}

/** Derived columns of a stored attribute: [suffix, kind]. */
export function derivedColumns(a: ArchiveAttribute): readonly ('__n' | '__u' | '__k')[] {
  if (a.source !== 'stored' || a.multi) return [];
  if (a.vr === 'PN') return ['__n', '__u'];
  if (DATE_TIME.has(a.vr)) return ['__k'];
  return [];
}

/** Computed attributes stored as columns, per level: [keyword, SQL type]. */
const COMPUTED_COLUMNS: Readonly<Record<QrLevel, readonly (readonly [string, 'INTEGER' | 'TEXT'])[]>> = {
  PATIENT: [
    ['NumberOfPatientRelatedStudies', 'INTEGER'],
    ['NumberOfPatientRelatedSeries', 'INTEGER'],
    ['NumberOfPatientRelatedInstances', 'INTEGER'],
  ],
  STUDY: [
    ['ModalitiesInStudy', 'TEXT'],
    ['SOPClassesInStudy', 'TEXT'],
    ['NumberOfStudyRelatedSeries', 'INTEGER'],
    ['NumberOfStudyRelatedInstances', 'INTEGER'],
  ],
  SERIES: [['NumberOfSeriesRelatedInstances', 'INTEGER']],
  IMAGE: [],
};

/** Where an attribute's value is in a query's joined row (null for per-response attributes). */
export function columnRef(a: ArchiveAttribute): ColumnRef | null {
  if (a.level === null) return null;
  const alias = TABLES[a.level].alias;
  if (a.keyword === 'AvailableTransferSyntaxUID') return { raw: `${alias}.transfer_syntax` };
  if (a.source === 'computed') {
    const col = COMPUTED_COLUMNS[a.level].find(([k]) => k === a.keyword);
    if (col === undefined) return null;
    return { raw: `${alias}.${q(a.keyword)}`, integer: col[1] === 'INTEGER', multi: a.multi };
  }
  const raw = `${alias}.${q(a.keyword)}`;
  const derived = derivedColumns(a);
  return {
    raw,
    multi: a.multi,
    ...(derived.includes('__n') ? { pnNormalised: `${alias}.${q(`${a.keyword}__n`)}`, pnFolded: `${alias}.${q(`${a.keyword}__u`)}` } : {}),
    ...(derived.includes('__k') ? { temporal: `${alias}.${q(`${a.keyword}__k`)}` } : {}),
  };
}

function attributeColumns(level: QrLevel): string[] {
  const cols: string[] = [];
  for (const a of storedAttributes(level)) {
    cols.push(`${q(a.keyword)} TEXT NOT NULL DEFAULT ''`);
    for (const d of derivedColumns(a)) cols.push(`${q(a.keyword + d)} TEXT${d === '__k' ? '' : " NOT NULL DEFAULT ''"}`);
  }
  for (const [k, type] of COMPUTED_COLUMNS[level]) cols.push(`${q(k)} ${type} NOT NULL DEFAULT ${type === 'INTEGER' ? '0' : "''"}`);
  return cols;
}

/** Secondary indexes for the keys attackers and viewers match on. */
const KEY_INDEXES: readonly (readonly [QrLevel, string])[] = [
  ['PATIENT', 'PatientID'],
  ['PATIENT', 'PatientName__u'],
  ['PATIENT', 'PatientName__n'],
  ['PATIENT', 'PatientBirthDate__k'],
  ['STUDY', 'StudyDate__k'],
  ['STUDY', 'AccessionNumber'],
  ['STUDY', 'StudyID'],
  ['SERIES', 'Modality'],
  ['SERIES', 'SeriesDate__k'],
  ['IMAGE', 'SOPClassUID'],
];

export function schemaSql(): string {
  const out: string[] = [];
  out.push(`CREATE TABLE patients (
    id INTEGER PRIMARY KEY,
    owner_ip TEXT,
    patient_key TEXT NOT NULL,
    charset TEXT NOT NULL DEFAULT '',
    ${attributeColumns('PATIENT').join(',\n    ')}
  )`);
  out.push(`CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    owner_ip TEXT,
    patient_ref INTEGER NOT NULL REFERENCES patients(id),
    charset TEXT NOT NULL DEFAULT '',
    ${attributeColumns('STUDY').join(',\n    ')}
  )`);
  out.push(`CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    owner_ip TEXT,
    study_ref INTEGER NOT NULL REFERENCES studies(id),
    charset TEXT NOT NULL DEFAULT '',
    ${attributeColumns('SERIES').join(',\n    ')}
  )`);
  out.push(`CREATE TABLE instances (
    id INTEGER PRIMARY KEY,
    owner_ip TEXT,
    series_ref INTEGER NOT NULL REFERENCES series(id),
    charset TEXT NOT NULL DEFAULT '',
    ${attributeColumns('IMAGE').join(',\n    ')},
    path TEXT NOT NULL,
    transfer_syntax TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    sha256 TEXT,
    dataset_offset INTEGER NOT NULL,
    part10 INTEGER NOT NULL
  )`);
  // Identity within an owner scope (NULL owner = public), usable for both kinds of look-up.
  out.push(`CREATE UNIQUE INDEX patients_identity ON patients(patient_key, ifnull(owner_ip, ''))`);
  out.push(`CREATE UNIQUE INDEX studies_identity ON studies("StudyInstanceUID", ifnull(owner_ip, ''))`);
  out.push(`CREATE UNIQUE INDEX series_identity ON series("SeriesInstanceUID", ifnull(owner_ip, ''))`);
  out.push(`CREATE UNIQUE INDEX instances_identity ON instances("SOPInstanceUID", ifnull(owner_ip, ''))`);
  out.push(`CREATE UNIQUE INDEX instances_path ON instances(path, ifnull(owner_ip, ''))`);
  // Owner-scoped rows: the shadowing look-up of a requester's own rows.
  out.push(`CREATE INDEX patients_owner ON patients(owner_ip, patient_key) WHERE owner_ip IS NOT NULL`);
  out.push(`CREATE INDEX studies_owner ON studies(owner_ip, "StudyInstanceUID") WHERE owner_ip IS NOT NULL`);
  out.push(`CREATE INDEX series_owner ON series(owner_ip, "SeriesInstanceUID") WHERE owner_ip IS NOT NULL`);
  out.push(`CREATE INDEX instances_owner ON instances(owner_ip, "SOPInstanceUID") WHERE owner_ip IS NOT NULL`);
  out.push(`CREATE INDEX studies_parent ON studies(patient_ref)`);
  out.push(`CREATE INDEX series_parent ON series(study_ref)`);
  out.push(`CREATE INDEX instances_parent ON instances(series_ref)`);
  for (const [level, col] of KEY_INDEXES) {
    const t = TABLES[level].table;
    out.push(`CREATE INDEX ${t}_${col.toLowerCase()} ON ${t}(${q(col)})`);
  }
  // Files seen but not indexable, remembered so an unchanged bad file is not re-read on every update.
  out.push(`CREATE TABLE skipped (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, reason TEXT NOT NULL)`);
  // Quarantined uploads registered for their owner, replayed into a rebuilt index.
  out.push(`CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    owner_ip TEXT NOT NULL,
    path TEXT NOT NULL,
    transfer_syntax TEXT,
    sha256 TEXT,
    sop_instance_uid TEXT NOT NULL,
    received_at TEXT NOT NULL
  )`);
  out.push(`CREATE UNIQUE INDEX uploads_identity ON uploads(owner_ip, sop_instance_uid)`);
  out.push(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  return out.map((s) => `${s};`).join('\n');
}
