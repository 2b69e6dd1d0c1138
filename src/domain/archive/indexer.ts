/**
 * Writes instances into one index generation and keeps the computed attributes right.
 *
 * Public rows (owner_ip NULL) are the decoy archive: each instance hangs under its series, study and
 * patient (created on first sight, their attributes refreshed from the latest instance indexed), and the
 * counts, ModalitiesInStudy and SOPClassesInStudy of every entity an operation touched are recomputed
 * inside the same transaction (`flush`) — so queries read maintained values, never recount.
 *
 * Owner rows (owner_ip = an uploader's address) form that uploader's private tree. When an upload lands
 * in a study the public archive also has, the owner's study row shadows the public one for that address,
 * and its computed attributes are those of the merged view (public children not shadowed + own ones):
 * a PACS that just accepted your image shows it in the study you sent it to.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../core/storage/db.ts';
import { storedAttributes, type QrLevel } from './dictionary.ts';
import { foldCase, pnNormalise, temporalKey } from './matching.ts';
import type { DicomHeader } from './reader.ts';
import { derivedColumns, q, TABLES } from './schema.ts';

export interface IndexInput {
  /** NULL for the public archive, else the uploader's address. */
  readonly ownerIp: string | null;
  /** Relative to the archive root (public) or absolute (quarantine). */
  readonly path: string;
  readonly header: DicomHeader;
  readonly sha256: string | null;
  readonly mtimeMs: number;
}

export type IndexOutcome =
  | { readonly ok: true; readonly studyInstanceUid: string; readonly seriesInstanceUid: string; readonly sopInstanceUid: string; readonly sopClassUid: string }
  | { readonly ok: false; readonly reason: string };

const LEVEL_ORDER: readonly QrLevel[] = ['PATIENT', 'STUDY', 'SERIES'];

interface EntityStatements {
  readonly find: Statement;
  readonly insert: Statement;
  readonly update: Statement;
}

interface RowId {
  id: number;
}

/** Column names and bound values of a level's stored attributes (raw + derived) for one header. */
function levelValues(level: QrLevel, header: DicomHeader): { columns: string[]; values: (string | null)[] } {
  const columns: string[] = [];
  const values: (string | null)[] = [];
  for (const a of storedAttributes(level)) {
    const raw = header.values.get(a.tag) ?? '';
    columns.push(q(a.keyword));
    values.push(raw);
    for (const d of derivedColumns(a)) {
      columns.push(q(a.keyword + d));
      if (d === '__n') values.push(pnNormalise(raw));
      else if (d === '__u') values.push(foldCase(pnNormalise(raw)));
      else values.push(temporalKey(a.vr, raw));
    }
  }
  return { columns, values };
}

function columnsOf(level: QrLevel): string[] {
  const cols: string[] = [];
  for (const a of storedAttributes(level)) {
    cols.push(q(a.keyword));
    for (const d of derivedColumns(a)) cols.push(q(a.keyword + d));
  }
  return cols;
}

function prepareStatements(db: Db) {
  const icols = ['owner_ip', 'series_ref', 'charset', ...columnsOf('IMAGE'), 'path', 'transfer_syntax', 'size', 'mtime_ms', 'sha256', 'dataset_offset', 'part10'];
  const multiSep = `'\\'`;
  return {
    instanceByPath: db.prepare(`SELECT id, series_ref AS parent FROM instances WHERE path = ? AND owner_ip IS ?`),
    instanceBySop: db.prepare(`SELECT id, series_ref AS parent, path FROM instances WHERE "SOPInstanceUID" = ? AND owner_ip IS ?`),
    insertInstance: db.prepare(`INSERT INTO instances (${icols.join(', ')}) VALUES (${icols.map(() => '?').join(', ')})`),
    deleteInstance: db.prepare(`DELETE FROM instances WHERE id = ?`),
    parentOfSeries: db.prepare(`SELECT study_ref FROM series WHERE id = ?`),
    parentOfStudy: db.prepare(`SELECT patient_ref FROM studies WHERE id = ?`),
    countSeries: db.prepare(`UPDATE series SET "NumberOfSeriesRelatedInstances" = (SELECT count(*) FROM instances WHERE series_ref = series.id) WHERE id = ? RETURNING "NumberOfSeriesRelatedInstances" AS n`),
    deleteSeries: db.prepare(`DELETE FROM series WHERE id = ?`),
    countStudy: db.prepare(`UPDATE studies SET
        "NumberOfStudyRelatedSeries" = (SELECT count(*) FROM series WHERE study_ref = studies.id),
        "NumberOfStudyRelatedInstances" = (SELECT ifnull(sum("NumberOfSeriesRelatedInstances"), 0) FROM series WHERE study_ref = studies.id),
        "ModalitiesInStudy" = ifnull((SELECT group_concat(m, ${multiSep} ORDER BY m) FROM (SELECT DISTINCT "Modality" AS m FROM series WHERE study_ref = studies.id AND "Modality" <> '')), ''),
        "SOPClassesInStudy" = ifnull((SELECT group_concat(c, ${multiSep} ORDER BY c) FROM (SELECT DISTINCT i."SOPClassUID" AS c FROM instances i JOIN series s ON i.series_ref = s.id WHERE s.study_ref = studies.id AND i."SOPClassUID" <> '')), '')
      WHERE id = ? RETURNING "NumberOfStudyRelatedSeries" AS n`),
    deleteStudy: db.prepare(`DELETE FROM studies WHERE id = ?`),
    countPatient: db.prepare(`UPDATE patients SET
        "NumberOfPatientRelatedStudies" = (SELECT count(*) FROM studies WHERE patient_ref = patients.id),
        "NumberOfPatientRelatedSeries" = (SELECT ifnull(sum("NumberOfStudyRelatedSeries"), 0) FROM studies WHERE patient_ref = patients.id),
        "NumberOfPatientRelatedInstances" = (SELECT ifnull(sum("NumberOfStudyRelatedInstances"), 0) FROM studies WHERE patient_ref = patients.id)
      WHERE id = ? RETURNING "NumberOfPatientRelatedStudies" AS n`),
    deletePatient: db.prepare(`DELETE FROM patients WHERE id = ?`),
    // Owner scope (merged view with the public rows of the same identities)
    ownerSeries: db.prepare(`SELECT id, "SeriesInstanceUID" AS uid FROM series WHERE owner_ip = ?`),
    ownerStudies: db.prepare(`SELECT id, "StudyInstanceUID" AS uid FROM studies WHERE owner_ip = ?`),
    ownerPatients: db.prepare(`SELECT id, patient_key AS uid FROM patients WHERE owner_ip = ?`),
    ownCount: db.prepare(`SELECT count(*) AS n FROM instances WHERE series_ref = ?`),
    publicUnshadowedInstances: db.prepare(`SELECT count(*) AS n FROM instances i JOIN series s ON i.series_ref = s.id
        WHERE s.owner_ip IS NULL AND s."SeriesInstanceUID" = ? AND i.owner_ip IS NULL
          AND NOT EXISTS (SELECT 1 FROM instances o WHERE o.owner_ip = ? AND o."SOPInstanceUID" = i."SOPInstanceUID")`),
    setSeriesCount: db.prepare(`UPDATE series SET "NumberOfSeriesRelatedInstances" = ? WHERE id = ?`),
    ownSeriesOfStudy: db.prepare(`SELECT "SeriesInstanceUID" AS uid, "Modality" AS modality, "NumberOfSeriesRelatedInstances" AS n FROM series WHERE study_ref = ?`),
    publicSeriesOfStudy: db.prepare(`SELECT s."SeriesInstanceUID" AS uid, s."Modality" AS modality, s."NumberOfSeriesRelatedInstances" AS n
        FROM series s JOIN studies t ON s.study_ref = t.id WHERE t.owner_ip IS NULL AND t."StudyInstanceUID" = ?`),
    ownClassesOfStudy: db.prepare(`SELECT DISTINCT i."SOPClassUID" AS c FROM instances i JOIN series s ON i.series_ref = s.id WHERE s.study_ref = ?`),
    publicClassesOfStudy: db.prepare(`SELECT "SOPClassesInStudy" AS c FROM studies WHERE owner_ip IS NULL AND "StudyInstanceUID" = ?`),
    setStudyComputed: db.prepare(`UPDATE studies SET "NumberOfStudyRelatedSeries" = ?, "NumberOfStudyRelatedInstances" = ?, "ModalitiesInStudy" = ?, "SOPClassesInStudy" = ? WHERE id = ?`),
    ownStudiesOfPatient: db.prepare(`SELECT "StudyInstanceUID" AS uid, "NumberOfStudyRelatedSeries" AS ns, "NumberOfStudyRelatedInstances" AS ni FROM studies WHERE patient_ref = ?`),
    publicStudiesOfPatient: db.prepare(`SELECT t."StudyInstanceUID" AS uid, t."NumberOfStudyRelatedSeries" AS ns, t."NumberOfStudyRelatedInstances" AS ni
        FROM studies t JOIN patients p ON t.patient_ref = p.id WHERE p.owner_ip IS NULL AND p.patient_key = ?`),
    setPatientComputed: db.prepare(`UPDATE patients SET "NumberOfPatientRelatedStudies" = ?, "NumberOfPatientRelatedSeries" = ?, "NumberOfPatientRelatedInstances" = ? WHERE id = ?`),
    owners: db.prepare(`SELECT DISTINCT owner_ip AS ip FROM instances WHERE owner_ip IS NOT NULL`),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

export class IndexWriter {
  /** Public entities touched since the last flush, by level. */
  private readonly dirty = { series: new Set<number>(), studies: new Set<number>(), patients: new Set<number>() };
  private readonly entity: Record<'PATIENT' | 'STUDY' | 'SERIES', EntityStatements>;
  private readonly s: Statements;
  /** Entities written since the last flush: identity → row id and parent. */
  private readonly touched = new Map<string, { id: number; parent: number | null }>();

  constructor(db: Db) {
    const entity = {} as Record<'PATIENT' | 'STUDY' | 'SERIES', EntityStatements>;
    for (const level of LEVEL_ORDER) {
      const t = TABLES[level];
      const cols = columnsOf(level);
      const parent = t.parentRef === null ? [] : [t.parentRef];
      const key = level === 'PATIENT' ? ['patient_key'] : [];
      const all = ['owner_ip', ...key, ...parent, 'charset', ...cols];
      entity[level as 'PATIENT'] = {
        find: db.prepare(`SELECT id${t.parentRef === null ? '' : `, ${t.parentRef} AS parent`} FROM ${t.table} WHERE ${t.identity} = ? AND owner_ip IS ?`),
        insert: db.prepare(`INSERT INTO ${t.table} (${all.join(', ')}) VALUES (${all.map(() => '?').join(', ')})`),
        update: db.prepare(`UPDATE ${t.table} SET ${[...parent, 'charset', ...cols].map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
      };
    }
    this.entity = entity;
    this.s = prepareStatements(db);
  }

  /** Index one file's header. Call `flush()` before committing the surrounding transaction. */
  index(input: IndexInput): IndexOutcome {
    const { header, ownerIp } = input;
    const v = header.values;
    const studyUid = v.get('0020000D') ?? '';
    const seriesUid = v.get('0020000E') ?? '';
    const sopUid = v.get('00080018') || header.mediaStorageSopInstanceUid;
    const sopClass = v.get('00080016') || header.mediaStorageSopClassUid;
    if (studyUid === '') return { ok: false, reason: 'missing StudyInstanceUID (0020,000D)' };
    if (seriesUid === '') return { ok: false, reason: 'missing SeriesInstanceUID (0020,000E)' };
    if (sopUid === '') return { ok: false, reason: 'missing SOPInstanceUID (0008,0018)' };

    const dup = this.s.instanceBySop.get(sopUid, ownerIp) as (RowId & { parent: number; path: string }) | undefined;
    if (dup !== undefined && dup.path !== input.path) {
      if (ownerIp === null) return { ok: false, reason: `duplicate SOPInstanceUID ${sopUid} (already indexed from ${dup.path})` };
      this.removeRow(dup.id, dup.parent); // an uploader storing the same instance again replaces it
    }
    const prev = this.s.instanceByPath.get(input.path, ownerIp) as (RowId & { parent: number }) | undefined;
    if (prev !== undefined) this.removeRow(prev.id, prev.parent);

    const charset = header.specificCharacterSet;
    const patientId = v.get('00100020') ?? '';
    const patientKey = `${patientId}\\${v.get('00100021') ?? ''}`;
    const patientRef = this.upsert('PATIENT', ownerIp, patientKey, null, charset, header);
    const studyRef = this.upsert('STUDY', ownerIp, studyUid, patientRef, charset, header);
    const seriesRef = this.upsert('SERIES', ownerIp, seriesUid, studyRef, charset, header);
    const image = levelValues('IMAGE', header);
    // The IMAGE level's SOP UIDs may come from the meta header when the data set lacks them.
    const uidIndex = image.columns.indexOf('"SOPInstanceUID"');
    const classIndex = image.columns.indexOf('"SOPClassUID"');
    if (uidIndex >= 0) image.values[uidIndex] = sopUid;
    if (classIndex >= 0) image.values[classIndex] = sopClass;
    this.s.insertInstance.run(
      ownerIp,
      seriesRef,
      charset,
      ...image.values,
      input.path,
      header.transferSyntax,
      header.size,
      input.mtimeMs,
      input.sha256,
      header.datasetOffset,
      header.part10 ? 1 : 0,
    );
    this.touchSeries(seriesRef);
    return { ok: true, studyInstanceUid: studyUid, seriesInstanceUid: seriesUid, sopInstanceUid: sopUid, sopClassUid: sopClass };
  }

  /** Remove the instance indexed from `path` (public or owner scope); true when there was one. */
  removePath(path: string, ownerIp: string | null): boolean {
    const prev = this.s.instanceByPath.get(path, ownerIp) as (RowId & { parent: number }) | undefined;
    if (prev === undefined) return false;
    this.removeRow(prev.id, prev.parent);
    return true;
  }

  private removeRow(id: number, seriesRef: number): void {
    this.s.deleteInstance.run(id);
    this.touchSeries(seriesRef);
  }

  private touchSeries(seriesRef: number): void {
    this.dirty.series.add(seriesRef);
  }

  private upsert(level: 'PATIENT' | 'STUDY' | 'SERIES', ownerIp: string | null, identity: string, parentRef: number | null, charset: string, header: DicomHeader): number {
    // Within one batch an entity's attributes come from the first of its instances indexed.
    const cacheKey = `${level}\0${ownerIp ?? ''}\0${identity}`;
    const cached = this.touched.get(cacheKey);
    if (cached !== undefined && cached.parent === parentRef) return cached.id;
    const id = this.write(level, ownerIp, identity, parentRef, charset, header);
    this.touched.set(cacheKey, { id, parent: parentRef });
    return id;
  }

  private write(level: 'PATIENT' | 'STUDY' | 'SERIES', ownerIp: string | null, identity: string, parentRef: number | null, charset: string, header: DicomHeader): number {
    const st = this.entity[level];
    const { values } = levelValues(level, header);
    const found = st.find.get(identity, ownerIp) as (RowId & { parent?: number }) | undefined;
    const parent = parentRef === null ? [] : [parentRef];
    if (found === undefined) {
      const key = level === 'PATIENT' ? [identity] : [];
      return Number(st.insert.run(ownerIp, ...key, ...parent, charset, ...values).lastInsertRowid);
    }
    if (ownerIp === null && found.parent !== undefined && parentRef !== null && found.parent !== parentRef) {
      // The entity moved to another parent (e.g. a file's PatientID changed): recount the old one.
      if (level === 'STUDY') this.dirty.patients.add(found.parent);
      else this.dirty.studies.add(found.parent);
    }
    st.update.run(...parent, charset, ...values, found.id);
    return found.id;
  }

  /** Recompute the public entities touched since the last flush (series → studies → patients), dropping empty ones. */
  flush(): void {
    for (const id of this.dirty.series) {
      const study = this.s.parentOfSeries.pluck().get(id) as number | undefined;
      if (study === undefined) continue;
      this.dirty.studies.add(study);
      const row = this.s.countSeries.get(id) as { n: number } | undefined;
      if (row !== undefined && row.n === 0) this.s.deleteSeries.run(id);
    }
    for (const id of this.dirty.studies) {
      const patient = this.s.parentOfStudy.pluck().get(id) as number | undefined;
      if (patient === undefined) continue;
      this.dirty.patients.add(patient);
      const row = this.s.countStudy.get(id) as { n: number } | undefined;
      if (row !== undefined && row.n === 0) this.s.deleteStudy.run(id);
    }
    for (const id of this.dirty.patients) {
      const row = this.s.countPatient.get(id) as { n: number } | undefined;
      if (row !== undefined && row.n === 0) this.s.deletePatient.run(id);
    }
    this.dirty.series.clear();
    this.dirty.studies.clear();
    this.dirty.patients.clear();
    this.touched.clear();
  }

  /** Every address that owns rows. */
  owners(): string[] {
    return this.s.owners.pluck().all() as string[];
  }

  /**
   * Recompute the computed attributes of one owner's rows as the merged view that owner sees (its rows
   * plus the public rows they do not shadow), dropping owner rows left without instances.
   */
  recomputeOwner(ip: string): void {
    const s = this.s;
    for (const { id, uid } of s.ownerSeries.all(ip) as { id: number; uid: string }[]) {
      const own = (s.ownCount.get(id) as { n: number }).n;
      if (own === 0) {
        s.deleteSeries.run(id);
        continue;
      }
      const pub = (s.publicUnshadowedInstances.get(uid, ip) as { n: number }).n;
      s.setSeriesCount.run(own + pub, id);
    }
    for (const { id, uid } of s.ownerStudies.all(ip) as { id: number; uid: string }[]) {
      const own = s.ownSeriesOfStudy.all(id) as { uid: string; modality: string; n: number }[];
      if (own.length === 0) {
        s.deleteStudy.run(id);
        continue;
      }
      const merged = new Map(own.map((r) => [r.uid, r]));
      for (const r of s.publicSeriesOfStudy.all(uid) as { uid: string; modality: string; n: number }[]) if (!merged.has(r.uid)) merged.set(r.uid, r);
      const rows = [...merged.values()];
      const modalities = [...new Set(rows.map((r) => r.modality).filter((m) => m !== ''))].sort();
      const classes = new Set((s.ownClassesOfStudy.pluck().all(id) as string[]).filter((c) => c !== ''));
      const pubClasses = s.publicClassesOfStudy.pluck().get(uid) as string | undefined;
      for (const c of (pubClasses ?? '').split('\\')) if (c !== '') classes.add(c);
      const instances = rows.reduce((sum, r) => sum + r.n, 0);
      s.setStudyComputed.run(rows.length, instances, modalities.join('\\'), [...classes].sort().join('\\'), id);
    }
    for (const { id, uid } of s.ownerPatients.all(ip) as { id: number; uid: string }[]) {
      const own = s.ownStudiesOfPatient.all(id) as { uid: string; ns: number; ni: number }[];
      if (own.length === 0) {
        s.deletePatient.run(id);
        continue;
      }
      const merged = new Map(own.map((r) => [r.uid, r]));
      for (const r of s.publicStudiesOfPatient.all(uid) as { uid: string; ns: number; ni: number }[]) if (!merged.has(r.uid)) merged.set(r.uid, r);
      const rows = [...merged.values()];
      s.setPatientComputed.run(
        rows.length,
        rows.reduce((sum, r) => sum + r.ns, 0),
        rows.reduce((sum, r) => sum + r.ni, 0),
        id,
      );
    }
  }
}
