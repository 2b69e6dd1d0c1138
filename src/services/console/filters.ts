/**
 * Parsing of the console's query parameters. Every problem is a FilterError whose message names the parameter,
 * the value and what is allowed; the API answers it with 400 and that message.
 */
import ipaddr from 'ipaddr.js';
import { EVENT_IDS } from '../../core/events/catalogue.ts';
import { DAY_MS } from './store/schema.ts';

export class FilterError extends Error {}

export type RangeName = 'today' | '7d' | '30d' | 'all';
export const RANGES: readonly RangeName[] = ['today', '7d', '30d', 'all'];

export interface Range {
  name: RangeName;
  /** Start of the window: 00:00 UTC of its first day (0 for all). */
  sinceMs: number;
  /** Timeline granularity. */
  bucket: 'hour' | 'day';
}

export function parseRange(value: unknown, now: number = Date.now()): Range {
  const v = value === undefined || value === '' ? '7d' : value;
  if (typeof v !== 'string' || !(RANGES as readonly string[]).includes(v)) {
    throw new FilterError(`range=${JSON.stringify(v)}: expected one of ${RANGES.join(', ')}`);
  }
  const today = now - (now % DAY_MS);
  const name = v as RangeName;
  const days = { today: 1, '7d': 7, '30d': 30, all: 0 }[name];
  return { name, sinceMs: days === 0 ? 0 : today - (days - 1) * DAY_MS, bucket: name === 'today' || name === '7d' ? 'hour' : 'day' };
}

/** `15m`, `2h`, `7d` before now, or an ISO 8601 time. */
export function parseTime(name: string, text: string, now: number = Date.now()): number {
  const rel = /^(\d{1,6})\s*(s|m|h|d|w)$/.exec(text.trim());
  if (rel) {
    const mult = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * mult;
  }
  const ms = /^\d{4}-\d\d-\d\d/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(ms)) throw new FilterError(`${name}=${JSON.stringify(text)}: not a time; use ISO 8601 (2026-11-28T10:00:00Z) or a duration before now (15m, 2h, 7d)`);
  return ms;
}

export type IpFilter =
  | { kind: 'exact'; ip: string }
  | { kind: 'cidr'; text: string; v4?: { lo: number; hi: number }; range: [ipaddr.IPv4 | ipaddr.IPv6, number] };

export function parseIpFilter(text: string): IpFilter {
  const t = text.trim();
  const bad = (): never => {
    throw new FilterError(`ip=${JSON.stringify(text)}: not an IP address or CIDR network (e.g. 203.0.113.7, 203.0.113.0/24, 2001:db8::/32)`);
  };
  if (!t.includes('/')) {
    if (!ipaddr.isValid(t)) bad();
    const a = ipaddr.process(t);
    return { kind: 'exact', ip: a.toString() };
  }
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = ipaddr.parseCIDR(t);
  } catch {
    return bad();
  }
  const [addr, bits] = range;
  if (addr.kind() === 'ipv4') {
    const bytes = addr.toByteArray();
    const base = ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) + bytes[3]!;
    const size = 2 ** (32 - bits);
    const lo = base - (base % size);
    return { kind: 'cidr', text: t, v4: { lo, hi: lo + size - 1 }, range };
  }
  return { kind: 'cidr', text: t, range };
}

/** True when `ip` (text as stored) is inside the CIDR network (IPv4-mapped IPv6 counts as IPv4). */
export function inCidr(ip: string, f: Extract<IpFilter, { kind: 'cidr' }>): boolean {
  if (!ipaddr.isValid(ip)) return false;
  const a = ipaddr.process(ip);
  const [net, bits] = f.range;
  return a.kind() === net.kind() && a.match(net, bits);
}

export interface SearchFilter {
  ip?: IpFilter;
  session?: string;
  eventid?: { exact: string } | { prefix: string };
  sinceMs?: number;
  untilMs?: number;
  ae?: string;
  text?: string;
  before?: { ts: number; id: number };
  limit: number;
}

const SEARCH_KEYS = ['ip', 'session', 'eventid', 'since', 'until', 'ae', 'text', 'before', 'limit', 'format'] as const;

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw new FilterError(`${name}: given ${v.length} times; give it once`);
  if (typeof v !== 'string') throw new FilterError(`${name}: expected text`);
  const t = v.trim();
  return t === '' ? undefined : t;
}

function bounded(name: string, v: string, max: number): string {
  if (v.length > max) throw new FilterError(`${name}: longer than ${max} characters`);
  return v;
}

export function parseSearch(q: Record<string, unknown>, opts: { maxLimit: number; defaultLimit: number; now?: number }): SearchFilter {
  for (const k of Object.keys(q)) {
    if (!(SEARCH_KEYS as readonly string[]).includes(k)) throw new FilterError(`unknown filter ${JSON.stringify(k)}; known: ${SEARCH_KEYS.filter((x) => x !== 'format').join(', ')}`);
  }
  const now = opts.now ?? Date.now();
  const f: SearchFilter = { limit: opts.defaultLimit };
  const ip = one(q, 'ip');
  if (ip) f.ip = parseIpFilter(bounded('ip', ip, 64));
  const session = one(q, 'session');
  if (session) f.session = bounded('session', session, 64);
  const eventid = one(q, 'eventid');
  if (eventid) {
    if (eventid.endsWith('*')) {
      const prefix = eventid.slice(0, -1);
      if (!EVENT_IDS.some((id) => id.startsWith(prefix))) throw new FilterError(`eventid=${JSON.stringify(eventid)}: no event id starts with ${JSON.stringify(prefix)}`);
      f.eventid = { prefix };
    } else {
      if (!(EVENT_IDS as readonly string[]).includes(eventid)) throw new FilterError(`eventid=${JSON.stringify(eventid)}: not a known event id (e.g. dicomhawk.dimse.find, or a prefix such as dicomhawk.web.*)`);
      f.eventid = { exact: eventid };
    }
  }
  const since = one(q, 'since');
  if (since) f.sinceMs = parseTime('since', since, now);
  const until = one(q, 'until');
  if (until) f.untilMs = parseTime('until', until, now);
  if (f.sinceMs !== undefined && f.untilMs !== undefined && f.untilMs < f.sinceMs) throw new FilterError('until is before since');
  const ae = one(q, 'ae');
  if (ae) f.ae = bounded('ae', ae, 64);
  const text = one(q, 'text');
  if (text) f.text = bounded('text', text, 200);
  const before = one(q, 'before');
  if (before) {
    const m = /^(\d{1,15})\.(\d{1,15})$/.exec(before);
    if (!m) throw new FilterError(`before=${JSON.stringify(before)}: expected the cursor of a previous page (e.g. 1764325200000.1234)`);
    f.before = { ts: Number(m[1]), id: Number(m[2]) };
  }
  const limit = one(q, 'limit');
  if (limit) {
    if (!/^\d{1,7}$/.test(limit) || Number(limit) < 1 || Number(limit) > opts.maxLimit) throw new FilterError(`limit=${JSON.stringify(limit)}: expected a whole number from 1 to ${opts.maxLimit}`);
    f.limit = Number(limit);
  }
  return f;
}
