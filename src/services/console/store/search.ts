/**
 * Event search for the Search page and its exports: by address or CIDR network, session, event id (or prefix),
 * time range, AE title (every event of the sessions that used it) and free text in query values (C-FIND/C-GET/
 * C-MOVE keys, QIDO-RS parameters, web paths). Newest first, paged by a (timestamp, id) cursor that the
 * events table's indexes serve in order.
 */
import { EVENT_IDS } from '../../../core/events/catalogue.ts';
import { inCidr, type SearchFilter } from '../filters.ts';
import type { ConsoleStore } from './consoleStore.ts';

export interface EventRow {
  id: number;
  ts_ms: number;
  json: string;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One condition in two forms: `indexed`, which lets SQLite look the matching events up by an index and sort them,
 * and `scan`, the same test with the column prefixed by `+` so that no index serves it and SQLite walks the events
 * newest first (events_ts) until the page is full. Which is cheaper depends on how many events match: C matching
 * out of N, a page of L costs about C (look up and sort) or L·N/C (walk). `count` counts matches up to a bound.
 */
interface Condition {
  indexed: string;
  scan: string;
  args: unknown[];
  count?: { sql: string; args: unknown[] };
  /** A time bound: served by the walk newest first (events_ts). */
  time?: boolean;
  /** Its index already returns rows in time order (one event id). */
  ordered?: boolean;
  /** Matches worth looking up by index; beyond, walking the events newest first is cheaper (default MAX_LOOKUP). */
  maxLookup?: number;
}

function conditions(store: ConsoleStore, f: SearchFilter): Condition[] {
  const out: Condition[] = [];
  const both = (sql: string, args: unknown[], col: string, count?: Condition['count']): void => {
    out.push({ indexed: sql, scan: sql.replace(col, `+${col}`), args, ...(count ? { count } : {}) });
  };
  const countEvents = (where: string, args: unknown[]): Condition['count'] => ({ sql: `SELECT count(*) FROM (SELECT 1 FROM ev.events e WHERE ${where} LIMIT ?)`, args });
  if (f.ip?.kind === 'exact') {
    // Surfaces record IPv4 peers as dotted quads (IPv4-mapped IPv6 is unwrapped), so one value: the
    // (src_ip, ts_ms) index then returns the address's events already in time order.
    const sql = 'e.src_ip = ?';
    out.push({ indexed: sql, scan: '+e.src_ip = ?', args: [f.ip.ip], count: countEvents(sql, [f.ip.ip]), ordered: true });
  } else if (f.ip?.kind === 'cidr') {
    const cidr = f.ip;
    // Addresses that are not dotted quads (IPv6, IPv4-mapped) are matched here; dotted quads by their number.
    const others = JSON.stringify((store.db.prepare('SELECT ip FROM c_ip WHERE ip4 IS NULL').pluck().all() as string[]).filter((ip) => inCidr(ip, cidr)));
    const sql = cidr.v4
      ? '(e.src_ip IN (SELECT ip FROM c_ip WHERE ip4 BETWEEN ? AND ?) OR e.src_ip IN (SELECT value FROM json_each(?)))'
      : 'e.src_ip IN (SELECT value FROM json_each(?))';
    const args = cidr.v4 ? [cidr.v4.lo, cidr.v4.hi, others] : [others];
    out.push({ indexed: sql, scan: sql.replaceAll('e.src_ip', '+e.src_ip'), args, count: countEvents(sql, args) });
  }
  if (f.session) out.push({ indexed: 'e.session = ?', scan: '+e.session = ?', args: [f.session], count: { sql: 'SELECT 0 + 0 * ?', args: [] } });
  if (f.eventid && 'exact' in f.eventid) {
    // The (eventid, ts_ms) index returns one event id's rows already in time order: always the better plan.
    out.push({ indexed: 'e.eventid = ?', scan: 'e.eventid = ?', args: [f.eventid.exact], ordered: true });
  } else if (f.eventid) {
    const prefix = f.eventid.prefix;
    const ids = EVENT_IDS.filter((id) => id.startsWith(prefix));
    const sql = `e.eventid IN (${ids.map(() => '?').join(', ')})`;
    both(sql, ids, 'e.eventid', countEvents(sql, ids));
  }
  if (f.sinceMs !== undefined) out.push({ indexed: 'e.ts_ms >= ?', scan: '+e.ts_ms >= ?', args: [f.sinceMs], time: true });
  if (f.untilMs !== undefined) out.push({ indexed: 'e.ts_ms <= ?', scan: '+e.ts_ms <= ?', args: [f.untilMs], time: true });
  if (f.ae) {
    const sql = 'e.session IN (SELECT session FROM c_session WHERE calling_ae = ? UNION SELECT session FROM c_session WHERE called_ae = ?)';
    both(sql, [f.ae, f.ae], 'e.session', countEvents(sql, [f.ae, f.ae]));
  }
  if (f.text) {
    const sub = "SELECT r.event_id FROM c_qref r WHERE r.value_id IN (SELECT id FROM c_qvalue WHERE value LIKE ? ESCAPE '\\')";
    const args = [likePattern(f.text)];
    // Walking tests only the rowid (in the events_ts index itself): cheap, so the lookup pays only for few matches.
    out.push({ indexed: `e.id IN (${sub})`, scan: `+e.id IN (${sub})`, args, count: { sql: `SELECT count(*) FROM (${sub} LIMIT ?)`, args }, maxLookup: 1000 });
  }
  if (f.before) out.push({ indexed: '(e.ts_ms, e.id) < (?, ?)', scan: '(+e.ts_ms, +e.id) < (?, ?)', args: [f.before.ts, f.before.id], time: true });
  return out;
}

/** The statement and its arguments for a filter (limit rows; callers ask one more to know whether a next page exists). */
function build(store: ConsoleStore, f: SearchFilter, limit: number): { sql: string; args: unknown[] } {
  const conds = conditions(store, f);
  // The condition with the fewest matches (counted up to its maxLookup) drives: its index finds them, the others test
  // them, and only (ts, id) pairs are sorted. When every condition matches many events, walking the events newest
  // first (events_ts) fills a page soonest.
  const counts = conds.map((c) => {
    if (!c.count) return Infinity;
    const max = c.maxLookup ?? MAX_LOOKUP;
    const n = store.db.prepare(c.count.sql).pluck().get(...c.count.args, max + 1) as number;
    return n <= max ? n : Infinity;
  });
  let driver = -1;
  counts.forEach((n, i) => {
    if (n !== Infinity && (driver < 0 || n < counts[driver]!)) driver = i;
  });
  const where: string[] = [];
  const args: unknown[] = [];
  conds.forEach((c, i) => {
    const useIndex = driver >= 0 ? i === driver : c.time === true || c.ordered === true;
    where.push(useIndex ? c.indexed : c.scan);
    args.push(...c.args);
  });
  const sql = `SELECT e.id, e.ts_ms FROM ev.events e ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.ts_ms DESC, e.id DESC LIMIT ?`;
  args.push(limit);
  return { sql, args };
}

/** Matches looked up by index at most; beyond, the search walks the events in time order instead. */
const MAX_LOOKUP = 10_000;

export interface SearchPage {
  rows: EventRow[];
  /** Cursor of the next (older) page, or null on the last one. */
  next: string | null;
}

/** Networks holding at most this many known addresses are searched address by address (each in time order), then merged. */
const MAX_CIDR_ADDRESSES = 64;

function keys(store: ConsoleStore, f: SearchFilter, limit: number): Array<{ id: number; ts_ms: number }> {
  if (f.ip?.kind === 'cidr') {
    const cidr = f.ip;
    const v4 = cidr.v4 ? (store.db.prepare('SELECT ip FROM c_ip WHERE ip4 BETWEEN ? AND ? LIMIT ?').pluck().all(cidr.v4.lo, cidr.v4.hi, MAX_CIDR_ADDRESSES + 1) as string[]) : [];
    if (v4.length <= MAX_CIDR_ADDRESSES) {
      const others = (store.db.prepare('SELECT ip FROM c_ip WHERE ip4 IS NULL').pluck().all() as string[]).filter((ip) => inCidr(ip, cidr));
      const addresses = [...v4, ...others];
      if (addresses.length <= MAX_CIDR_ADDRESSES) {
        const merged = addresses.flatMap((ip) => keys(store, { ...f, ip: { kind: 'exact', ip } }, limit));
        return merged.sort((a, b) => b.ts_ms - a.ts_ms || b.id - a.id).slice(0, limit);
      }
    }
  }
  const { sql, args } = build(store, f, limit);
  return store.db.prepare(sql).all(...args) as Array<{ id: number; ts_ms: number }>;
}

export function searchEvents(store: ConsoleStore, f: SearchFilter): SearchPage {
  if (!store.hasEvents()) return { rows: [], next: null };
  const found = keys(store, f, f.limit + 1);
  const more = found.length > f.limit;
  const ids = (more ? found.slice(0, f.limit) : found).map((k) => k.id);
  // The page's events themselves, read once the page is known (the sort above moves only (ts, id) pairs).
  const byId = new Map(
    (store.db.prepare('SELECT id, ts_ms, json FROM ev.events WHERE id IN (SELECT value FROM json_each(?))').all(JSON.stringify(ids)) as EventRow[]).map((r) => [r.id, r]),
  );
  const page = ids.map((id) => byId.get(id)).filter((r): r is EventRow => r !== undefined);
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? `${last.ts_ms}.${last.id}` : null };
}
