/** The Overview page's numbers, timeline, pies and top tables, from the roll-ups (and the sessions table for the latest sessions). */
import type { Range } from '../filters.ts';
import type { ConsoleStore } from './consoleStore.ts';
import { DAY_MS, HOUR_MS, type Dimension, type HourMetric } from './schema.ts';

export interface Slice {
  key: string;
  n: number;
}

export interface Overview {
  range: { name: string; since_ms: number; bucket: 'hour' | 'day' };
  generated_ms: number;
  fold: { watermark: number; latest_event: number; behind: number };
  numbers: {
    sessions_today: number;
    sessions_7d: number;
    dimse_sessions: number;
    web_sessions: number;
    web_requests: number;
    dimse_requests: number;
    unique_ips: number;
    scanner_sessions: number;
    other_sessions: number;
    honeytoken_triggers: number;
    uploads: number;
    logins: number;
  };
  timeline: { buckets: number[]; dimse_sessions: number[]; web_requests: number[] };
  pies: { request_types: Slice[]; web_paths: Slice[]; countries: Slice[]; clients: Slice[] };
  tops: {
    ips: Array<{ ip: string; sessions: number; web_requests: number; last_ms: number; abuse_score: number | null; malicious_score: number | null; threat_score: number | null; country: string | null; isp: string | null; scanner: string | null }>;
    calling_ae: Slice[];
    called_ae: Slice[];
    queries: Array<{ key: string; value: string; n: number }>;
    credentials: Array<{ username: string; password: string; n: number }>;
  };
  recent_sessions: RecentSession[];
}

export interface RecentSession {
  session: string;
  protocol: string;
  src_ip: string | null;
  first_seen_ms: number;
  last_seen_ms: number;
  event_count: number;
  client_guess: string | null;
  calling_ae: string | null;
  abuse_score: number | null;
  malicious_score: number | null;
  threat_score: number | null;
  country: string | null;
  isp: string | null;
}

const PIE_SLICES = 8;
const TOP_ROWS = 15;

export function overview(store: ConsoleStore, range: Range, now: number = Date.now()): Overview {
  const db = store.db;
  const today = now - (now % DAY_MS);
  const hourSum = db.prepare('SELECT metric, coalesce(sum(n), 0) AS n FROM c_hour WHERE hour_ms >= ? GROUP BY metric');
  const sums = (since: number): Partial<Record<HourMetric, number>> =>
    Object.fromEntries((hourSum.all(since) as Array<{ metric: HourMetric; n: number }>).map((r) => [r.metric, r.n]));
  const inRange = sums(range.sinceMs);
  const onDay = sums(today);
  const week = sums(today - 6 * DAY_MS);
  const sessions = (s: Partial<Record<HourMetric, number>>): number => (s.dimse_sessions ?? 0) + (s.web_sessions ?? 0);

  const uniqueIps = (db.prepare('SELECT count(*) AS n FROM c_ip WHERE last_ms >= ?').get(range.sinceMs) as { n: number }).n;

  // Timeline: hourly or daily buckets from the start of the window (or of the data, for "all") to now.
  const step = range.bucket === 'hour' ? HOUR_MS : DAY_MS;
  let start = range.sinceMs;
  if (range.name === 'all') {
    const first = db.prepare("SELECT min(hour_ms) AS t FROM c_hour WHERE metric IN ('dimse_sessions', 'web_requests')").get() as { t: number | null };
    start = first.t === null ? today : first.t - (first.t % DAY_MS);
  }
  const end = now - (now % step);
  const buckets: number[] = [];
  for (let t = start; t <= end; t += step) buckets.push(t);
  const index = new Map(buckets.map((t, i) => [t, i]));
  const dimseLine = buckets.map(() => 0);
  const webLine = buckets.map(() => 0);
  const rows = db
    .prepare(`SELECT metric, hour_ms - (hour_ms % ?) AS t, sum(n) AS n FROM c_hour WHERE metric IN ('dimse_sessions', 'web_requests') AND hour_ms >= ? GROUP BY metric, t`)
    .all(step, start) as Array<{ metric: string; t: number; n: number }>;
  for (const r of rows) {
    const i = index.get(r.t);
    if (i === undefined) continue;
    (r.metric === 'dimse_sessions' ? dimseLine : webLine)[i] = r.n;
  }

  const topStmt = db.prepare('SELECT key, sub, sum(n) AS n FROM c_count WHERE dim = ? AND day_ms >= ? GROUP BY key, sub ORDER BY n DESC, key LIMIT ?');
  const top = (dim: Dimension, limit: number): Array<{ key: string; sub: string; n: number }> =>
    topStmt.all(dim, range.sinceMs, limit) as Array<{ key: string; sub: string; n: number }>;
  /** The biggest slices, and the rest as one "others" slice. */
  const pie = (dim: Dimension): Slice[] => {
    const all = topStmt.all(dim, range.sinceMs, 200) as Array<{ key: string; n: number }>;
    const head = all.slice(0, PIE_SLICES).map((r) => ({ key: r.key, n: r.n }));
    const rest = all.slice(PIE_SLICES).reduce((s, r) => s + r.n, 0);
    if (rest > 0) head.push({ key: 'others', n: rest });
    return head;
  };

  // All time: the per-address totals answer directly; a window sums the per-day counts.
  const ipRows =
    range.name === 'all'
      ? (db.prepare('SELECT ip AS key, sessions AS n FROM c_ip ORDER BY sessions DESC, ip LIMIT ?').all(TOP_ROWS) as Array<{ key: string; n: number }>)
      : top('ip', TOP_ROWS);
  const ipInfo = db.prepare('SELECT web_requests, last_ms, abuse_score, malicious_score, threat_score, country, isp, scanner FROM c_ip WHERE ip = ?');
  const ips = ipRows.map((r) => {
    const info = (ipInfo.get(r.key) ?? {}) as Record<string, unknown>;
    return {
      ip: r.key,
      sessions: r.n,
      web_requests: (info.web_requests as number | undefined) ?? 0,
      last_ms: (info.last_ms as number | undefined) ?? 0,
      abuse_score: (info.abuse_score as number | null | undefined) ?? null,
      malicious_score: (info.malicious_score as number | null | undefined) ?? null,
      threat_score: (info.threat_score as number | null | undefined) ?? null,
      country: (info.country as string | null | undefined) ?? null,
      isp: (info.isp as string | null | undefined) ?? null,
      scanner: (info.scanner as string | null | undefined) ?? null,
    };
  });

  const recent = store.hasEvents()
    ? (db
        .prepare(`SELECT session, protocol, src_ip, first_seen_ms, last_seen_ms, event_count, client_guess, calling_ae, abuse_score, malicious_score, threat_score, country, isp
                  FROM ev.sessions ORDER BY first_seen_ms DESC LIMIT ?`)
        .all(TOP_ROWS) as RecentSession[])
    : [];

  const latest = store.maxEventId();
  const watermark = store.watermark();
  const scanner = inRange.scanner_sessions ?? 0;
  return {
    range: { name: range.name, since_ms: start, bucket: range.bucket },
    generated_ms: now,
    fold: { watermark, latest_event: latest, behind: Math.max(0, latest - watermark) },
    numbers: {
      sessions_today: sessions(onDay),
      sessions_7d: sessions(week),
      dimse_sessions: inRange.dimse_sessions ?? 0,
      web_sessions: inRange.web_sessions ?? 0,
      web_requests: inRange.web_requests ?? 0,
      dimse_requests: inRange.dimse_requests ?? 0,
      unique_ips: uniqueIps,
      scanner_sessions: scanner,
      other_sessions: Math.max(0, sessions(inRange) - scanner),
      honeytoken_triggers: inRange.honeytoken_triggers ?? 0,
      uploads: inRange.uploads ?? 0,
      logins: inRange.logins ?? 0,
    },
    timeline: { buckets, dimse_sessions: dimseLine, web_requests: webLine },
    pies: { request_types: pie('dimse_type'), web_paths: pie('web_path'), countries: pie('country'), clients: pie('client') },
    tops: {
      ips,
      calling_ae: top('calling_ae', TOP_ROWS).map((r) => ({ key: r.key, n: r.n })),
      called_ae: top('called_ae', TOP_ROWS).map((r) => ({ key: r.key, n: r.n })),
      queries: top('query', TOP_ROWS).map((r) => ({ key: r.key, value: r.sub, n: r.n })),
      credentials: top('credential', TOP_ROWS).map((r) => ({ username: r.key, password: r.sub, n: r.n })),
    },
    recent_sessions: recent,
  };
}
