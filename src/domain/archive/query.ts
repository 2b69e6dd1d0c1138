/**
 * C-FIND over the archive index (PS3.4 C.4.1): validates the identifier, then streams one response per
 * matching entity at the query level, each carrying exactly the requested keys (values as stored;
 * zero-length when the archive does not know the attribute or it lies below the level), plus
 * QueryRetrieveLevel, RetrieveAETitle and the Specific Character Set the values were stored in.
 *
 * The generator holds one index generation for its whole life (a rebuild swapping generations never
 * mixes two in one answer) and reads it page by page (keyset on the row id), so no SQLite cursor stays
 * open across a `yield` and memory stays flat however many entities match. Stop early with `return()`
 * (for-of `break` does it) to release the generation.
 */
import { responseCharset } from './charset.ts';
import { attributeByTag, CHARSET_VRS, levelIn, levelRank, normaliseTag, type ArchiveAttribute, type QrLevel, type QrModel } from './dictionary.ts';
import { validateIdentifier, type QueryKey } from './matching.ts';
import { buildPlan, hasOwnerRows, joinedLevels, passes, QueryRetrieveError, type ArchiveLease, type ArchiveSource } from './plan.ts';
import { TABLES } from './schema.ts';

export interface FindRequest {
  readonly model: QrModel;
  /** QueryRetrieveLevel as sent; when omitted it is taken from the (0008,0052) key. */
  readonly level?: QrLevel | string | null;
  readonly keys: readonly QueryKey[];
  /** Source address of the requester: its own uploads are visible to it, nobody else's. */
  readonly requesterIp: string | null;
  /** Value of RetrieveAETitle (0008,0054) in every response. */
  readonly retrieveAeTitle: string;
  /** The persona answers relational queries (else hierarchical rules apply). */
  readonly relational: boolean;
  readonly caseInsensitivePN: boolean;
  /** Maximum number of responses (persona maxMatches); further matches are not sent. */
  readonly limit?: number;
  /** Refuse (0xA900) keys a hierarchical query may not use, instead of ignoring them (see ValidateOptions.strict). */
  readonly strict?: boolean;
}

export interface FindElement {
  /** `GGGGEEEE`. */
  readonly tag: string;
  readonly keyword: string | null;
  readonly vr: string;
  /** Text as stored (multi-valued: backslash-separated); '' = zero length. */
  readonly value: string;
  /** Sequences: the items (always empty: sequence keys are matched universally). */
  readonly items?: readonly (readonly FindElement[])[];
}

export interface FindResponse {
  readonly level: QrLevel;
  /** (0008,0005) for this response ('' = default repertoire; then the element is omitted). */
  readonly specificCharacterSet: string;
  readonly retrieveAeTitle: string;
  /** Requested keys + QueryRetrieveLevel + RetrieveAETitle (+ SpecificCharacterSet), sorted by tag. */
  readonly elements: readonly FindElement[];
}

export interface FindSummary {
  readonly matches: number;
  /** More entities matched than `limit` allowed. */
  readonly truncated: boolean;
  /** Leniencies applied by validation (e.g. `study-root-patient-level`). */
  readonly notes: readonly string[];
  readonly generation: string;
}

const PAGE = 256;
const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';
const RETRIEVE_AE_TITLE = '00080054';
const INSTANCE_AVAILABILITY = '00080056';

interface RequestedKey {
  readonly tag: string;
  readonly vr: string;
  readonly attribute: ArchiveAttribute | undefined;
  /** Selected column alias when the value comes from the index. */
  column: string | null;
  /** Table alias the value comes from (for the charset decision). */
  source: string | null;
}

/**
 * Validate and run a C-FIND. Throws QueryRetrieveError (status 0xA900 / 0xC000 + comment) when the
 * identifier is invalid; otherwise returns a generator of responses whose return value is a summary.
 */
export function find(source: ArchiveSource, req: FindRequest): Generator<FindResponse, FindSummary, undefined> {
  const v = validateIdentifier(req.model, req.level ?? null, req.keys, { relational: req.relational, strict: req.strict ?? false });
  if (!v.ok) throw new QueryRetrieveError(v.status, v.comment);
  const ignored = new Set(v.ignored);
  const matchKeys = ignored.size === 0 ? req.keys : req.keys.filter((key) => !ignored.has(normaliseTag(key.tag) ?? ''));
  const holder: LeaseHolder = { lease: null };
  const generator = run(source, req, holder, matchKeys, v.level, v.answerModel, v.notes);
  // A caller that drops the generator without finishing it or calling return() would keep its index
  // generation open forever; release the lease when the generator is collected.
  abandoned.register(generator, holder);
  return generator;
}

interface LeaseHolder {
  lease: ArchiveLease | null;
}

const abandoned = new FinalizationRegistry<LeaseHolder>((holder) => {
  holder.lease?.release();
  holder.lease = null;
});

function* run(
  source: ArchiveSource,
  req: FindRequest,
  holder: LeaseHolder,
  matchKeys: readonly QueryKey[],
  level: QrLevel,
  answerModel: QrModel,
  notes: readonly string[],
): Generator<FindResponse, FindSummary, undefined> {
  const lease = source.acquire();
  holder.lease = lease;
  try {
    const rank = levelRank(level);
    // The requested keys, first occurrence of each tag, and the attributes to select for them.
    const requested: RequestedKey[] = [];
    const seen = new Set<string>();
    for (const key of req.keys) {
      const tag = normaliseTag(key.tag);
      if (tag === null || seen.has(tag)) continue;
      seen.add(tag);
      const attribute = attributeByTag(tag);
      requested.push({ tag, vr: attribute?.vr ?? key.vr, attribute, column: null, source: null });
    }
    const select = requested
      .map((r) => r.attribute)
      .filter((a): a is ArchiveAttribute => {
        if (a === undefined || a.level === null) return false;
        const l = levelIn(answerModel, a);
        return l !== null && levelRank(l) <= rank;
      });
    const tables = joinedLevels(level);
    const ownerRows = hasOwnerRows(lease, req.requesterIp);
    const plan = buildPlan({
      answerModel,
      level,
      keys: matchKeys,
      match: { caseInsensitivePN: req.caseInsensitivePN },
      select,
      requesterIp: req.requesterIp,
      ownerRows,
      extra: tables.map((l) => `${TABLES[l].alias}.charset AS cs_${TABLES[l].alias}`),
      paged: true,
      orderBy: '',
    });
    for (const r of requested) {
      r.column = plan.columns.get(r.tag) ?? null;
      r.source = r.column !== null && r.attribute?.level ? TABLES[r.attribute.level].alias : null;
    }
    const stmt = lease.prepare(plan.sql);
    const limit = req.limit ?? Number.POSITIVE_INFINITY;
    const baseCharsetAlias = `cs_${TABLES[level].alias}`;
    let after = 0;
    let matches = 0;
    for (;;) {
      const rows = stmt.all(...plan.params, after, PAGE) as Record<string, unknown>[];
      for (const row of rows) {
        after = row._id as number;
        if (!passes(plan, row)) continue;
        if (matches >= limit) return { matches, truncated: true, notes, generation: lease.generation };
        matches++;
        yield respond(row, requested, level, req.retrieveAeTitle, baseCharsetAlias);
      }
      if (rows.length < PAGE) break;
    }
    return { matches, truncated: false, notes, generation: lease.generation };
  } finally {
    holder.lease = null;
    lease.release();
  }
}

function respond(row: Record<string, unknown>, requested: readonly RequestedKey[], level: QrLevel, retrieveAeTitle: string, baseCharsetAlias: string): FindResponse {
  const elements: FindElement[] = [];
  const charsets = [String(row[baseCharsetAlias] ?? '')];
  const texts: string[] = [];
  let hasLevel = false;
  let hasAe = false;
  for (const r of requested) {
    const keyword = r.attribute?.keyword ?? null;
    if (r.tag === SPECIFIC_CHARACTER_SET) continue; // decided below
    let value = '';
    if (r.tag === QUERY_RETRIEVE_LEVEL) {
      value = level;
      hasLevel = true;
    } else if (r.tag === RETRIEVE_AE_TITLE) {
      value = retrieveAeTitle;
      hasAe = true;
    } else if (r.tag === INSTANCE_AVAILABILITY) {
      value = 'ONLINE';
    } else if (r.column !== null) {
      const raw = row[r.column];
      value = raw === null || raw === undefined ? '' : String(raw);
      if (value !== '' && CHARSET_VRS.has(r.vr)) {
        texts.push(value);
        if (r.source !== null) charsets.push(String(row[`cs_${r.source}`] ?? ''));
      }
    }
    elements.push(r.vr === 'SQ' ? { tag: r.tag, keyword, vr: 'SQ', value: '', items: [] } : { tag: r.tag, keyword, vr: r.vr, value });
  }
  if (!hasLevel) elements.push({ tag: QUERY_RETRIEVE_LEVEL, keyword: 'QueryRetrieveLevel', vr: 'CS', value: level });
  if (!hasAe) elements.push({ tag: RETRIEVE_AE_TITLE, keyword: 'RetrieveAETitle', vr: 'AE', value: retrieveAeTitle });
  const specificCharacterSet = responseCharset(charsets, texts);
  const wantsCharset = requested.some((r) => r.tag === SPECIFIC_CHARACTER_SET);
  if (specificCharacterSet !== '' || wantsCharset) {
    elements.push({ tag: SPECIFIC_CHARACTER_SET, keyword: 'SpecificCharacterSet', vr: 'CS', value: specificCharacterSet });
  }
  elements.sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return { level, specificCharacterSet, retrieveAeTitle, elements };
}
