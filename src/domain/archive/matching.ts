/**
 * C-FIND key matching, PS3.4 C.2.2.2: single value, universal, wild card (`*`, `?`), list of UIDs,
 * range (DA, TM, DT) and sequence matching, plus the identifier checks of C.4.1.2 / C.4.2.2 that decide
 * between an answer and a failure status.
 *
 * Every key compiles to a `KeyMatcher`: an exact JS predicate over the stored text (the reference) and,
 * where it can be expressed, an SQL pre-filter over the index columns (the fast path). The SQL part is
 * always a superset of the JS predicate and binds values as parameters — wild cards become GLOB patterns
 * with `[` escaped, so `%`, `_` and quotes in a key are ordinary characters and nothing is spliced into SQL.
 *
 * Normalised forms (shared with the index, which stores them beside the raw text):
 * - PN: trailing empty components and groups dropped ("Hansen^Jens^^" ≡ "Hansen^Jens"), and a case fold
 *   that keeps the string length (so `?` still matches one character) for `caseInsensitivePN`;
 * - DA/TM/DT: a fixed-width sortable key (dots and colons of old ACR-NEMA forms removed), so ranges
 *   compare as strings.
 */
import {
  attributeByTag,
  levelIn,
  levelRank,
  MODEL_LEVELS,
  normaliseTag,
  TEXT_BLOCK_VRS,
  UNIQUE_KEY,
  type ArchiveAttribute,
  type QrLevel,
  type QrModel,
} from './dictionary.ts';

export type KeyClass = 'single' | 'universal' | 'wildcard' | 'range' | 'list' | 'sequence' | 'empty';

/** A key of a C-FIND/C-GET/C-MOVE identifier as the network layer decoded it. */
export interface QueryKey {
  /** `GGGGEEEE`. */
  readonly tag: string;
  readonly vr: string;
  /** Decoded text, padding removed ('' for zero length). */
  readonly value: string;
  /** Items of a sequence key. */
  readonly items?: readonly (readonly QueryKey[])[];
}

export interface MatchOptions {
  /** Match PN values case-insensitively (PS3.4 C.2.2.2.1: the SCP may). */
  readonly caseInsensitivePN: boolean;
}

/** DIMSE statuses the archive can ask for (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4). */
export const QR_STATUS = Object.freeze({
  IdentifierDoesNotMatchSOPClass: 0xa900,
  UnableToProcess: 0xc000,
});

const DATE_TIME_VRS = new Set(['DA', 'TM', 'DT']);
/** VRs where wild card matching applies (PS3.4 C.2.2.2.4). */
const WILDCARD_VRS = new Set(['AE', 'AS', 'CS', 'LO', 'LT', 'PN', 'SH', 'ST', 'UC', 'UR', 'UT', 'UI']);

// ---------------------------------------------------------------------------------------------------
// Normalisation

/** PN without trailing empty components or groups: "A^B^^=^" → "A^B". */
export function pnNormalise(value: string): string {
  return value
    .split('\\')
    .map((v) =>
      v
        .split('=')
        .map((g) => g.replace(/\^+$/, ''))
        .join('=')
        .replace(/=+$/, ''),
    )
    .join('\\');
}

/** Upper-case fold that keeps one code point per code point (so `?` keeps its meaning). */
export function foldCase(value: string): string {
  let out = '';
  for (const ch of value) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

/** DA → `YYYYMMDD`, or null. Accepts the ACR-NEMA `YYYY.MM.DD` form. */
export function dateKey(value: string): string | null {
  const v = value.trim().replace(/\./g, '');
  return /^\d{8}$/.test(v) ? v : null;
}

/** TM → `HHMMSS.FFFFFF` (zero-padded), or null. Accepts the ACR-NEMA `HH:MM:SS` form. */
export function timeKey(value: string): string | null {
  const v = value.trim().replace(/:/g, '');
  const m = /^(\d{2})(\d{2})?(\d{2})?(?:\.(\d{1,6}))?$/.exec(v);
  if (m === null) return null;
  return `${m[1]}${m[2] ?? '00'}${m[3] ?? '00'}.${(m[4] ?? '').padEnd(6, '0')}`;
}

/** DT → `YYYYMMDDHHMMSS.FFFFFF` (missing month/day = 01, missing time parts = 0; UTC offset ignored), or null. */
export function dateTimeKey(value: string): string | null {
  const m = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:\.(\d{1,6}))?(?:[+-]\d{4})?$/.exec(value.trim());
  if (m === null) return null;
  return `${m[1]}${m[2] ?? '01'}${m[3] ?? '01'}${m[4] ?? '00'}${m[5] ?? '00'}${m[6] ?? '00'}.${(m[7] ?? '').padEnd(6, '0')}`;
}

/** The sortable key of a DA/TM/DT value (null when not parseable or another VR). */
export function temporalKey(vr: string, value: string): string | null {
  if (vr === 'DA') return dateKey(value);
  if (vr === 'TM') return timeKey(value);
  if (vr === 'DT') return dateTimeKey(value);
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Classification

function isUniversalPattern(value: string): boolean {
  return /^\*+$/.test(value);
}

function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/**
 * Split a DT range at the hyphen that separates two valid date-times (a DT may itself contain a
 * hyphen in its UTC offset). Returns null when no split gives a valid range.
 */
function splitRange(vr: string, value: string): [string, string] | null {
  const positions: number[] = [];
  for (let i = value.indexOf('-'); i !== -1; i = value.indexOf('-', i + 1)) positions.push(i);
  if (positions.length === 0) return null;
  if (vr !== 'DT') {
    if (positions.length !== 1) return null;
    const i = positions[0] as number;
    return [value.slice(0, i), value.slice(i + 1)];
  }
  for (const i of positions) {
    const lo = value.slice(0, i);
    const hi = value.slice(i + 1);
    if ((lo === '' || dateTimeKey(lo) !== null) && (hi === '' || dateTimeKey(hi) !== null)) return [lo, hi];
  }
  return null;
}

/**
 * How a key will be matched (PS3.4 C.2.2.2). `empty` is a zero-length key and `universal` a value of
 * only `*`; both match everything. The events report this per key.
 */
export function classifyKey(tag: string, vr: string, value: string): KeyClass {
  const effectiveVr = attributeByTag(tag)?.vr ?? vr;
  if (effectiveVr === 'SQ' || vr === 'SQ') return 'sequence';
  if (value === '') return 'empty';
  if (isUniversalPattern(value)) return 'universal';
  if (value.includes('\\')) return 'list';
  if (DATE_TIME_VRS.has(effectiveVr)) return value.includes('-') ? 'range' : 'single';
  if (WILDCARD_VRS.has(effectiveVr) && hasWildcard(value)) return 'wildcard';
  return 'single';
}

// ---------------------------------------------------------------------------------------------------
// Matchers

/** Where a key's attribute lives in the index, for the SQL pre-filter. */
export interface ColumnRef {
  /** SQL expression of the raw text column (e.g. `st."StudyDescription"`). */
  readonly raw: string;
  /** PN: the normalised and the folded columns. */
  readonly pnNormalised?: string;
  readonly pnFolded?: string;
  /** DA/TM/DT: the sortable key column (NULL when not parseable). */
  readonly temporal?: string;
  /** Computed counts: an INTEGER column. */
  readonly integer?: boolean;
  /** Several values may be stored (only the JS predicate can match them). */
  readonly multi?: boolean;
}

export interface SqlFilter {
  readonly clause: string;
  readonly params: readonly (string | number)[];
}

export interface KeyMatcher {
  readonly kind: KeyClass;
  /** True when every entity matches (no filtering needed). */
  readonly universal: boolean;
  /** Exact predicate over the stored text (multi-valued text is backslash-separated). */
  test(stored: string): boolean;
  /** SQL pre-filter (a superset of `test`), or null to rely on `test` alone. */
  sql(col: ColumnRef): SqlFilter | null;
}

/** Largest UID/value list turned into SQL `IN (...)`; longer lists are matched in JS only. */
const MAX_SQL_LIST = 500;

/** One alternative of a key (a list key has several). */
interface Alternative {
  readonly kind: 'single' | 'wildcard' | 'range';
  test(value: string): boolean;
  /** For single alternatives: the value to compare with the chosen column. */
  readonly sqlValue?: string | null;
  readonly glob?: string;
  readonly range?: readonly [string | null, string | null] | null;
}

function globEscape(pattern: string): string {
  // GLOB's only other special character is '['; DICOM's * and ? are GLOB's * and ?.
  return pattern.replace(/\[/g, '[[]');
}

/** Wild card match over code points, O(n·m) (greedy with back-tracking to the last `*`). */
export function wildcardMatch(pattern: string, value: string): boolean {
  const p = [...pattern];
  const s = [...value];
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (j < s.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === s[j]))) {
      i++;
      j++;
    } else if (i < p.length && p[i] === '*') {
      star = i++;
      mark = j;
    } else if (star !== -1) {
      i = star + 1;
      j = ++mark;
    } else {
      return false;
    }
  }
  while (i < p.length && p[i] === '*') i++;
  return i === p.length;
}

function compileAlternative(vr: string, value: string, opts: MatchOptions): Alternative {
  if (DATE_TIME_VRS.has(vr)) {
    const split = value.includes('-') ? splitRange(vr, value) : null;
    if (value.includes('-')) {
      const lo = split === null ? null : split[0] === '' ? null : temporalKey(vr, split[0]);
      const hi = split === null ? null : split[1] === '' ? null : temporalKey(vr, split[1]);
      const valid = split !== null && (split[0] === '' || lo !== null) && (split[1] === '' || hi !== null);
      return {
        kind: 'range',
        range: valid ? [lo, hi] : null,
        test: (stored) => {
          if (!valid) return false;
          const k = temporalKey(vr, stored);
          return k !== null && (lo === null || k >= lo) && (hi === null || k <= hi);
        },
      };
    }
    const key = temporalKey(vr, value);
    return { kind: 'single', sqlValue: key, test: (stored) => key !== null && temporalKey(vr, stored) === key };
  }
  const isPn = vr === 'PN';
  const prep = (v: string): string => {
    if (!isPn) return v.trim();
    const n = pnNormalise(v.trim());
    return opts.caseInsensitivePN ? foldCase(n) : n;
  };
  const q = prep(value);
  if (WILDCARD_VRS.has(vr) && hasWildcard(q)) {
    return { kind: 'wildcard', glob: globEscape(q), test: (stored) => wildcardMatch(q, prep(stored)) };
  }
  return { kind: 'single', sqlValue: q, test: (stored) => prep(stored) === q };
}

const NEVER: SqlFilter = Object.freeze({ clause: '0', params: [] });

/** The column a key of this VR compares against, or null when only the JS predicate can decide. */
function columnFor(vr: string, col: ColumnRef, opts: MatchOptions): string | null {
  if (DATE_TIME_VRS.has(vr)) return col.temporal ?? null;
  if (vr === 'PN') return (opts.caseInsensitivePN ? col.pnFolded : col.pnNormalised) ?? null;
  // Text blocks keep leading spaces in the index but the predicate ignores them: JS only.
  if (TEXT_BLOCK_VRS.has(vr)) return null;
  return col.raw;
}

function storedValues(stored: string, multi: boolean): string[] {
  return multi ? stored.split('\\') : [stored];
}

/**
 * Compile one key. `attribute` is the index's knowledge of the tag (undefined for tags it does not
 * hold: those are matched universally and answered zero-length).
 */
export function compileKey(key: QueryKey, attribute: ArchiveAttribute | undefined, opts: MatchOptions): KeyMatcher {
  const vr = attribute?.vr ?? key.vr;
  const kind = classifyKey(key.tag, vr, key.value);
  if (kind === 'empty' || kind === 'universal' || kind === 'sequence' || attribute === undefined) {
    return { kind, universal: true, test: () => true, sql: () => null };
  }
  const multi = attribute.multi;
  const parts = kind === 'list' ? key.value.split('\\') : [key.value];
  // A list element of only '*' makes the whole key universal.
  if (parts.some((p) => isUniversalPattern(p))) return { kind, universal: true, test: () => true, sql: () => null };
  const alts = parts.map((p) => compileAlternative(vr, p, opts));
  const test = (stored: string): boolean => {
    if (stored === '') return false;
    const values = storedValues(stored, multi);
    return values.some((v) => v !== '' && alts.some((a) => a.test(v)));
  };
  const sql = (col: ColumnRef): SqlFilter | null => {
    if (col.multi || multi) return null;
    if (col.integer) {
      if (alts.length !== 1 || alts[0]?.kind !== 'single') return null;
      const n = Number(alts[0].sqlValue);
      return Number.isSafeInteger(n) ? { clause: `${col.raw} = ?`, params: [n] } : NEVER;
    }
    const c = columnFor(vr, col, opts);
    if (c === null) return null;
    if (alts.length === 1) {
      const a = alts[0] as Alternative;
      if (a.kind === 'single') return a.sqlValue === null || a.sqlValue === undefined ? NEVER : { clause: `${c} = ?`, params: [a.sqlValue] };
      if (a.kind === 'wildcard') return { clause: `${c} GLOB ?`, params: [a.glob as string] };
      if (a.range === null || a.range === undefined) return NEVER;
      const [lo, hi] = a.range;
      const clauses = [`${c} IS NOT NULL`];
      const params: string[] = [];
      if (lo !== null) {
        clauses.push(`${c} >= ?`);
        params.push(lo);
      }
      if (hi !== null) {
        clauses.push(`${c} <= ?`);
        params.push(hi);
      }
      return { clause: clauses.join(' AND '), params };
    }
    // A list: IN (...) when every element is a single value and the list is not huge.
    if (alts.length > MAX_SQL_LIST || alts.some((a) => a.kind !== 'single')) return null;
    const values = alts.map((a) => a.sqlValue).filter((v): v is string => v !== null && v !== undefined);
    if (values.length === 0) return NEVER;
    return { clause: `${c} IN (${values.map(() => '?').join(',')})`, params: values };
  };
  return { kind, universal: false, test, sql };
}

// ---------------------------------------------------------------------------------------------------
// Identifier validation (PS3.4 C.4.1.2.2 hierarchical, C.4.1.2.3 relational, C.4.2.2 retrieve)

export type ValidationResult =
  | {
      readonly ok: true;
      readonly level: QrLevel;
      /** The model whose levels the query is answered in (Study Root at PATIENT level → Patient Root). */
      readonly answerModel: QrModel;
      /** Leniencies applied, for the event (e.g. `study-root-patient-level`). */
      readonly notes: readonly string[];
      /** Tags of keys that must not take part in matching (non-unique keys above a hierarchical query's level). */
      readonly ignored: readonly string[];
    }
  | { readonly ok: false; readonly status: number; readonly comment: string };

export interface ValidateOptions {
  /** Relational queries (PS3.4 C.4.1.2.3) are allowed: any key at any level at or above the query level. */
  readonly relational: boolean;
  /**
   * Refuse (0xA900) the keys a hierarchical query may not use instead of ignoring them: non-unique keys
   * with a value above the query level, and keys below it (dcmqrscp with --check-find). Default false:
   * ignored as dcmqrscp does by default (answered, but not matched).
   */
  readonly strict?: boolean;
}

const QUERY_RETRIEVE_LEVEL = '00080052';
/** Keys that are not matching keys: charset, level, response-only attributes, command-ish groups. */
function isControlKey(tag: string): boolean {
  const a = attributeByTag(tag);
  return tag === QUERY_RETRIEVE_LEVEL || a?.source === 'response' || tag.startsWith('0000') || tag.startsWith('0002') || tag === '00080201';
}

function fail(status: number, comment: string): ValidationResult {
  return { ok: false, status, comment };
}

/** Resolve the level from the argument or the identifier's (0008,0052), check it against the model. */
function resolveLevel(model: QrModel, level: string | null | undefined, keys: readonly QueryKey[], notes: string[]): { level: QrLevel; answerModel: QrModel } | ValidationResult {
  const raw = level ?? keys.find((k) => normaliseTag(k.tag) === QUERY_RETRIEVE_LEVEL)?.value;
  if (raw === undefined || raw.trim() === '') return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, 'missing QueryRetrieveLevel (0008,0052)');
  const text = raw.trim();
  const upper = text.toUpperCase();
  if (upper !== 'PATIENT' && upper !== 'STUDY' && upper !== 'SERIES' && upper !== 'IMAGE') {
    return fail(QR_STATUS.UnableToProcess, `unknown QueryRetrieveLevel ${JSON.stringify(text.slice(0, 32))}`);
  }
  if (upper !== text) notes.push('lower-case-level');
  const lv = upper as QrLevel;
  if (MODEL_LEVELS[model].includes(lv)) return { level: lv, answerModel: model };
  if (model === 'study-root' && lv === 'PATIENT') {
    // The original product documents `findscu -S -k QueryRetrieveLevel=PATIENT`; Orthanc answers it with patients.
    notes.push('study-root-patient-level');
    return { level: lv, answerModel: 'patient-root' };
  }
  return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `QueryRetrieveLevel ${lv} is not a level of the ${model} model`);
}

/**
 * Check a C-FIND identifier (PS3.4 C.4.1.2). Hierarchical (the default): each level above the query
 * level needs its unique key with a value (single or UID list); other keys above the level are answered
 * but not matched (or refused when `strict`). Relational: any key at or above the level is matched. Keys
 * below the query level are answered zero-length (or refused when `strict`). Unknown tags never fail.
 */
export function validateIdentifier(model: QrModel, level: string | null | undefined, keys: readonly QueryKey[], opts: ValidateOptions): ValidationResult {
  const notes: string[] = [];
  const resolved = resolveLevel(model, level, keys, notes);
  if ('ok' in resolved) return resolved;
  const { level: lv, answerModel } = resolved;
  const rank = levelRank(lv);
  const seenUnique = new Set<QrLevel>();
  const ignored: string[] = [];
  for (const key of keys) {
    const tag = normaliseTag(key.tag);
    if (tag === null) return fail(QR_STATUS.UnableToProcess, `malformed tag ${JSON.stringify(key.tag.slice(0, 16))}`);
    if (isControlKey(tag)) continue;
    const a = attributeByTag(tag);
    const keyLevel = a === undefined ? null : levelIn(answerModel, a);
    if (a === undefined || keyLevel === null) continue;
    const keyRank = levelRank(keyLevel);
    if (keyRank > rank) {
      if (opts.strict) return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `${a.keyword} is below the ${lv} level`);
      notes.push(`lower-level-key:${a.keyword}`);
      continue;
    }
    if (keyRank === rank || opts.relational) continue;
    const kind = classifyKey(tag, a.vr, key.value);
    // The unique key of the key's level in this model (PatientID is not one at STUDY level in Study Root).
    if (UNIQUE_KEY[keyLevel].tag === tag && MODEL_LEVELS[answerModel].includes(keyLevel)) {
      if (kind !== 'single' && kind !== 'list') {
        return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `${a.keyword} must hold a value for a hierarchical ${lv} query (got ${kind})`);
      }
      seenUnique.add(keyLevel);
      continue;
    }
    if (kind === 'empty') {
      notes.push(`return-key-above-level:${a.keyword}`);
      continue;
    }
    if (opts.strict) {
      return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `${a.keyword} is not a unique key and cannot be matched above the ${lv} level in a hierarchical query`);
    }
    notes.push(`ignored-key-above-level:${a.keyword}`);
    ignored.push(tag);
  }
  if (!opts.relational) {
    for (const above of MODEL_LEVELS[answerModel]) {
      if (levelRank(above) >= rank) break;
      if (!seenUnique.has(above)) {
        return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `missing unique key ${UNIQUE_KEY[above].keyword} of the ${above} level for a hierarchical ${lv} query`);
      }
    }
  }
  return { ok: true, level: lv, answerModel, notes, ignored };
}

/**
 * Check a C-GET/C-MOVE identifier (PS3.4 C.4.2.2, C.4.3.2). Lenient as the original product documents
 * (`getscu -k QueryRetrieveLevel=STUDY -k PatientName=…`): any key at or above the level selects
 * instances; an identifier with no key at all (nothing to select by) fails with 0xA900.
 */
export function validateRetrieveIdentifier(model: QrModel, level: string | null | undefined, keys: readonly QueryKey[]): ValidationResult {
  const notes: string[] = [];
  const resolved = resolveLevel(model, level, keys, notes);
  if ('ok' in resolved) return resolved;
  const { level: lv, answerModel } = resolved;
  const rank = levelRank(lv);
  let selecting = 0;
  for (const key of keys) {
    const tag = normaliseTag(key.tag);
    if (tag === null) return fail(QR_STATUS.UnableToProcess, `malformed tag ${JSON.stringify(key.tag.slice(0, 16))}`);
    if (isControlKey(tag)) continue;
    const a = attributeByTag(tag);
    const keyLevel = a === undefined ? null : levelIn(answerModel, a);
    if (a === undefined || keyLevel === null || levelRank(keyLevel) > rank) continue;
    const kind = classifyKey(tag, a.vr, key.value);
    if (kind === 'empty') continue;
    selecting++;
    if (!a.unique) notes.push(`retrieve-by-non-unique-key:${a.keyword}`);
  }
  if (selecting === 0) return fail(QR_STATUS.IdentifierDoesNotMatchSOPClass, `no key with a value at or above the ${lv} level to select instances`);
  return { ok: true, level: lv, answerModel, notes, ignored: [] };
}
