/**
 * The portal's search form turned into archive queries (the Archive's public C-FIND API), one page of
 * rows at a time: patient, study, series or image level, by name (wildcards * and ?), patient ID / CPR,
 * date range, modality and accession number.
 */
import type { Archive } from '../../../domain/archive/index.ts';
import { attributeByKeyword, type QrLevel, type QrModel } from '../../../domain/archive/dictionary.ts';
import type { QueryKey } from '../../../domain/archive/matching.ts';

export type SearchLevel = 'patient' | 'study' | 'series' | 'image';
export const SEARCH_LEVELS: readonly SearchLevel[] = ['patient', 'study', 'series', 'image'];
export const MODALITIES = ['CT', 'MR', 'US', 'DX', 'CR', 'MG', 'PT', 'NM', 'XA', 'RF', 'OT'] as const;

export interface SearchForm {
  level: SearchLevel;
  name: string;
  pid: string;
  /** YYYY-MM-DD or ''. */
  from: string;
  to: string;
  modality: string;
  accession: string;
  page: number;
}

export type Row = Readonly<Record<string, string>>;

export interface SearchResult {
  rows: Row[];
  /** Matches counted (up to the cap). */
  total: number;
  /** More matched than were counted. */
  more: boolean;
  page: number;
  pages: number;
}

export const PAGE_SIZE = 25;
/** Matches counted for paging; beyond this the pager says "more". */
const COUNT_CAP = 1000;

const COLUMNS: Readonly<Record<SearchLevel, readonly string[]>> = {
  patient: ['PatientName', 'PatientID', 'PatientBirthDate', 'PatientSex', 'NumberOfPatientRelatedStudies'],
  study: ['PatientName', 'PatientID', 'PatientBirthDate', 'StudyDate', 'StudyTime', 'AccessionNumber', 'ModalitiesInStudy', 'StudyDescription', 'NumberOfStudyRelatedSeries', 'NumberOfStudyRelatedInstances', 'StudyInstanceUID'],
  series: ['PatientName', 'PatientID', 'StudyDate', 'AccessionNumber', 'StudyInstanceUID', 'Modality', 'SeriesNumber', 'SeriesDescription', 'BodyPartExamined', 'NumberOfSeriesRelatedInstances', 'SeriesInstanceUID'],
  image: ['PatientName', 'PatientID', 'StudyDate', 'StudyInstanceUID', 'SeriesInstanceUID', 'Modality', 'InstanceNumber', 'SOPClassUID', 'Rows', 'Columns', 'SOPInstanceUID'],
};

const LEVEL: Readonly<Record<SearchLevel, QrLevel>> = { patient: 'PATIENT', study: 'STUDY', series: 'SERIES', image: 'IMAGE' };

function clean(v: unknown, max = 64): string {
  const s = Array.isArray(v) ? v[0] : v;
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return typeof s === 'string' ? s.replace(/[\\\u0000-\u001f]/g, '').trim().slice(0, max) : '';
}

function isoDate(v: unknown): string {
  const s = clean(v, 10);
  return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : '';
}

export function parseSearchForm(q: Record<string, unknown>): SearchForm {
  const level = clean(q.level) as SearchLevel;
  const modality = clean(q.modality).toUpperCase();
  const page = Number.parseInt(clean(q.page, 6), 10);
  return {
    level: SEARCH_LEVELS.includes(level) ? level : 'study',
    name: clean(q.name),
    pid: clean(q.pid),
    from: isoDate(q.from),
    to: isoDate(q.to),
    modality: /^[A-Z]{2,4}$/.test(modality) ? modality : '',
    accession: clean(q.accession, 16),
    page: Number.isFinite(page) && page >= 1 && page <= 100_000 ? page : 1,
  };
}

function key(keyword: string, value = ''): QueryKey {
  const a = attributeByKeyword(keyword)!;
  return { tag: a.tag, vr: a.vr, value };
}

/** The identifier for a form: the display columns, with the form's filters as values. */
export function searchKeys(f: SearchForm): QueryKey[] {
  const filters = new Map<string, string>();
  if (f.name) filters.set('PatientName', /[*?]/.test(f.name) ? f.name : `${f.name}*`);
  if (f.pid) filters.set('PatientID', f.pid);
  if (f.level !== 'patient') {
    if (f.from || f.to) filters.set('StudyDate', `${f.from.replaceAll('-', '')}-${f.to.replaceAll('-', '')}`);
    if (f.accession) filters.set('AccessionNumber', f.accession);
    if (f.modality) filters.set(f.level === 'study' ? 'ModalitiesInStudy' : 'Modality', f.modality);
  }
  const cols = COLUMNS[f.level];
  const keys = cols.map((k) => key(k, filters.get(k) ?? ''));
  for (const [k, v] of filters) if (!cols.includes(k)) keys.push(key(k, v));
  return keys;
}

export function columnsOf(level: SearchLevel): readonly string[] {
  return COLUMNS[level];
}

/** Runs a query and returns the values of each match by keyword (every match, up to `limit`). */
export function query(archive: Archive, model: QrModel, level: QrLevel, keys: QueryKey[], requesterIp: string, opts: { offset?: number; take?: number; limit?: number } = {}): { rows: Row[]; counted: number; more: boolean } {
  const offset = opts.offset ?? 0;
  const take = opts.take ?? Number.MAX_SAFE_INTEGER;
  const limit = opts.limit ?? COUNT_CAP;
  const gen = archive.find({ model, level, keys, requesterIp, retrieveAeTitle: 'PACS', relational: true, caseInsensitivePN: true, limit });
  const rows: Row[] = [];
  let counted = 0;
  let step = gen.next();
  while (!step.done) {
    if (counted >= offset && rows.length < take) {
      const r: Record<string, string> = {};
      for (const e of step.value.elements) if (e.keyword) r[e.keyword] = e.value;
      rows.push(r);
    }
    counted++;
    step = gen.next();
  }
  return { rows, counted, more: step.value.truncated };
}

export function search(archive: Archive, f: SearchForm, requesterIp: string): SearchResult {
  const model: QrModel = f.level === 'patient' ? 'patient-root' : 'study-root';
  const r = query(archive, model, LEVEL[f.level], searchKeys(f), requesterIp, { offset: (f.page - 1) * PAGE_SIZE, take: PAGE_SIZE });
  return { rows: r.rows, total: r.counted, more: r.more, page: f.page, pages: Math.max(1, Math.ceil(r.counted / PAGE_SIZE)) };
}

/** `Family^Given^Middle` → `Family, Given Middle`. */
export function personName(pn: string | undefined): string {
  if (!pn) return '';
  const alpha = pn.split('=')[0] ?? '';
  const [family = '', given = '', middle = ''] = alpha.split('^');
  return [family, [given, middle].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** `YYYYMMDD` → `YYYY-MM-DD`. */
export function isoDay(da: string | undefined): string {
  return da && /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}` : (da ?? '');
}
