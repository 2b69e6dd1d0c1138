/**
 * Turns an identifier into one SQL statement over the index (shared by C-FIND and C-GET/C-MOVE):
 * the level's table joined to its ancestors, the visibility rule for the requester, each key's SQL
 * pre-filter, and the list of selected columns; keys SQL cannot decide exactly are re-checked in JS
 * against the selected values.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../core/storage/db.ts';
import { attributeByTag, levelIn, levelRank, normaliseTag, type ArchiveAttribute, type QrLevel, type QrModel } from './dictionary.ts';
import { compileKey, type KeyMatcher, type MatchOptions, type QueryKey } from './matching.ts';
import { columnRef, TABLES } from './schema.ts';

/** One generation of the index held open for the duration of a query. */
export interface ArchiveLease {
  readonly db: Db;
  /** Absolute archive root; public instance paths are relative to it. */
  readonly archiveRoot: string;
  /** Name of the index generation (for diagnostics and tests). */
  readonly generation: string;
  /** A prepared statement, cached per generation. */
  prepare(sql: string): Statement;
  /** Give the generation back (it may be closed once a newer one replaced it). */
  release(): void;
}

export interface ArchiveSource {
  acquire(): ArchiveLease;
}

/** A failure status for the network layer (0xA900, 0xC000 …) with its Error Comment. */
export class QueryRetrieveError extends Error {
  constructor(
    readonly status: number,
    readonly comment: string,
  ) {
    super(comment);
    this.name = 'QueryRetrieveError';
  }
}

const JOINS: Readonly<Record<QrLevel, string>> = {
  PATIENT: 'patients p',
  STUDY: 'studies st JOIN patients p ON p.id = st.patient_ref',
  SERIES: 'series se JOIN studies st ON st.id = se.study_ref JOIN patients p ON p.id = st.patient_ref',
  IMAGE: 'instances i JOIN series se ON se.id = i.series_ref JOIN studies st ON st.id = se.study_ref JOIN patients p ON p.id = st.patient_ref',
};

const CONTROL_TAGS = new Set(['00080005', '00080052', '00080054', '00080056']);

export interface PlannedKey {
  readonly key: QueryKey;
  readonly tag: string;
  readonly attribute: ArchiveAttribute;
  readonly matcher: KeyMatcher;
  /** Selected column alias holding the stored value (for the JS check and the answer). */
  readonly column: string;
  /** Whether the SQL filter decides the key exactly (then the JS check is skipped). */
  readonly exact: boolean;
}

export interface Plan {
  readonly sql: string;
  readonly params: readonly (string | number | null)[];
  /** Attribute → alias of its selected column. */
  readonly columns: ReadonlyMap<string, string>;
  /** Keys that still need the JS predicate. */
  readonly jsKeys: readonly PlannedKey[];
}

export interface PlanInput {
  readonly answerModel: QrModel;
  readonly level: QrLevel;
  readonly keys: readonly QueryKey[];
  /** Match keys at or above `level` (find: per validation; retrieve: always). */
  readonly match: MatchOptions;
  /** Attributes whose values the caller wants selected. */
  readonly select: readonly ArchiveAttribute[];
  readonly requesterIp: string | null;
  /** The requester owns rows (uploads) in this generation. */
  readonly ownerRows: boolean;
  /** Extra select expressions (`expr AS alias`). */
  readonly extra: readonly string[];
  /** Keyset paging on the base table's id (appends `AND id > ?` and `LIMIT ?`, params last). */
  readonly paged: boolean;
  readonly orderBy: string;
}

export function baseAlias(level: QrLevel): string {
  return TABLES[level].alias;
}

/** Tables joined for a level, top (patients) down to the level. */
export function joinedLevels(level: QrLevel): QrLevel[] {
  return (['PATIENT', 'STUDY', 'SERIES', 'IMAGE'] as const).filter((l) => levelRank(l) <= levelRank(level));
}

function visibility(level: QrLevel, requesterIp: string | null, ownerRows: boolean, params: (string | number | null)[]): string {
  const t = TABLES[level];
  const a = t.alias;
  if (requesterIp === null || !ownerRows) return `${a}.owner_ip IS NULL`;
  params.push(requesterIp, requesterIp);
  return `(${a}.owner_ip = ? OR (${a}.owner_ip IS NULL AND NOT EXISTS (SELECT 1 FROM ${t.table} o WHERE o.owner_ip = ? AND o.${t.identity} = ${a}.${t.identity})))`;
}

/** Whether an address owns rows in this generation (cheap: a partial index). */
export function hasOwnerRows(lease: ArchiveLease, ip: string | null): boolean {
  if (ip === null) return false;
  return lease.prepare('SELECT 1 FROM instances WHERE owner_ip = ? LIMIT 1').pluck().get(ip) !== undefined;
}

/**
 * The keys that take part in matching: known attributes at or above the level (in the model the query
 * is answered in), excluding control keys. Keys below the level and unknown tags are left out.
 */
export function matchingKeys(answerModel: QrModel, level: QrLevel, keys: readonly QueryKey[]): { key: QueryKey; tag: string; attribute: ArchiveAttribute }[] {
  const out: { key: QueryKey; tag: string; attribute: ArchiveAttribute }[] = [];
  const rank = levelRank(level);
  for (const key of keys) {
    const tag = normaliseTag(key.tag);
    if (tag === null || CONTROL_TAGS.has(tag)) continue;
    const attribute = attributeByTag(tag);
    if (attribute === undefined) continue;
    const l = levelIn(answerModel, attribute);
    if (l === null || levelRank(l) > rank) continue;
    out.push({ key, tag, attribute });
  }
  return out;
}

export function buildPlan(input: PlanInput): Plan {
  const params: (string | number | null)[] = [];
  const columns = new Map<string, string>();
  const selects: string[] = [...input.extra];
  const rank = levelRank(input.level);
  const addColumn = (a: ArchiveAttribute): string | null => {
    const existing = columns.get(a.tag);
    if (existing !== undefined) return existing;
    if (a.level === null || levelRank(a.level) > rank) return null;
    const ref = columnRef(a);
    if (ref === null) return null;
    const alias = `c${columns.size}`;
    columns.set(a.tag, alias);
    selects.push(`${ref.raw} AS ${alias}`);
    return alias;
  };
  for (const a of input.select) addColumn(a);

  const where: string[] = [visibility(input.level, input.requesterIp, input.ownerRows, params)];
  const jsKeys: PlannedKey[] = [];
  for (const { key, tag, attribute } of matchingKeys(input.answerModel, input.level, input.keys)) {
    const matcher = compileKey(key, attribute, input.match);
    if (matcher.universal) continue;
    const ref = columnRef(attribute);
    // Levels are compared in the Patient Root sense for tables: Study Root's patient keys live in `patients`.
    if (ref === null || attribute.level === null || levelRank(attribute.level) > rank) continue;
    const filter = matcher.sql(ref);
    if (filter !== null) {
      where.push(`(${filter.clause})`);
      params.push(...filter.params);
    }
    // SQL equality/GLOB/range over the dedicated columns is exact; only keys without a filter need JS.
    const exact = filter !== null;
    const column = addColumn(attribute) as string;
    if (!exact) jsKeys.push({ key, tag, attribute, matcher, column, exact });
  }
  const base = baseAlias(input.level);
  let sql = `SELECT ${base}.id AS _id${selects.length > 0 ? ', ' : ''}${selects.join(', ')} FROM ${JOINS[input.level]} WHERE ${where.join(' AND ')}`;
  if (input.paged) sql += ` AND ${base}.id > ? ORDER BY ${base}.id LIMIT ?`;
  else sql += ` ORDER BY ${input.orderBy}`;
  return { sql, params, columns, jsKeys };
}

/** Apply the JS predicates of a plan to a selected row. */
export function passes(plan: Plan, row: Record<string, unknown>): boolean {
  for (const k of plan.jsKeys) {
    const v = row[k.column];
    if (!k.matcher.test(v === null || v === undefined ? '' : String(v))) return false;
  }
  return true;
}
