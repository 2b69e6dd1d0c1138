/**
 * Folds new rows of the events table (dicomhawk.db, attached as `ev`) into the console's roll-up tables
 * (console.db), from a rowid watermark: each call reads the next events after the watermark, adds them to the
 * counters, and commits the counters together with the new watermark, so a crash never counts an event twice
 * or loses one. The SQLite sink's insert path is untouched: it neither knows nor waits for the console.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Db } from '../../../core/storage/db.ts';
import { clientTool } from '../../../domain/intel/clientTool.ts';
import { DAY_MS, HOUR_MS, MAX_DISTINCT_PER_DAY, OTHER_KEY, SESSION_FLAGS, type Dimension, type HourMetric } from './schema.ts';
import type { StoredEvent } from '../../../core/storage/eventTables.ts';

/** Field names that carry the country / network owner in an intel.result summary (as the SQLite sink reads them). */
const COUNTRY_FIELDS = ['country_code', 'countryCode', 'country'] as const;
const ISP_FIELDS = ['isp', 'ISP', 'as_owner', 'as_org'] as const;

/** Request types charted as "DICOM request types". */
export const REQUEST_TYPES: Readonly<Record<string, string>> = {
  'dicomhawk.dimse.echo': 'C-ECHO',
  'dicomhawk.dimse.find': 'C-FIND',
  'dicomhawk.dimse.get': 'C-GET',
  'dicomhawk.dimse.move': 'C-MOVE',
  'dicomhawk.dimse.store': 'C-STORE',
  'dicomhawk.dimse.cancel': 'C-CANCEL',
  'dicomhawk.dimse.malformed': 'malformed DIMSE',
  'dicomhawk.pdu.malformed': 'malformed PDU',
  'dicomhawk.dicomweb.query': 'QIDO-RS',
  'dicomhawk.dicomweb.retrieve': 'WADO-RS',
  'dicomhawk.dicomweb.store': 'STOW-RS',
};

/** Events whose JSON the fold reads; every other event only counts. */
const PARSED = new Set([
  'dicomhawk.association.request',
  'dicomhawk.dimse.find',
  'dicomhawk.dimse.get',
  'dicomhawk.dimse.move',
  'dicomhawk.dimse.store',
  'dicomhawk.web.request',
  'dicomhawk.web.login.success',
  'dicomhawk.web.login.failed',
  'dicomhawk.web.upload',
  'dicomhawk.dicomweb.query',
  'dicomhawk.dicomweb.store',
  'dicomhawk.dicomweb.auth',
  'dicomhawk.honeytoken.triggered',
  'dicomhawk.intel.result',
  'dicomhawk.score.update',
  'dicomhawk.scanner.identified',
]);

const MAX_KEY = 300;


interface SessionState {
  flags: number;
  first_ms: number;
  protocol: string;
  ip: string | null;
  calling_ae: string | null;
  called_ae: string | null;
  dirty: boolean;
}

interface IpDelta {
  first: number;
  last: number;
  sessions: number;
  web: number;
  abuse: number | null;
  malicious: number | null;
  threat: number | null;
  country: string | null;
  isp: string | null;
  scanner: string | null;
}

type Json = Record<string, unknown>;

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, MAX_KEY) : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function firstText(summary: unknown, keys: readonly string[]): string | null {
  if (typeof summary !== 'object' || summary === null) return null;
  for (const k of keys) {
    const v = text((summary as Json)[k]);
    if (v) return v;
  }
  return null;
}

/** IPv4 dotted quad as a 32-bit number (CIDR search by range), else null. */
export function ipv4Number(ip: string | null): number | null {
  if (!ip) return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** A C-STORE status that kept the object: success or a warning (0xB000 class). */
const storedStatus = (s: unknown): boolean => s === 0 || (typeof s === 'number' && (s & 0xf000) === 0xb000);

export interface FoldResult {
  folded: number;
  watermark: number;
}

export class RollupFolder {
  private readonly readEvents: BetterSqlite3.Statement<[number, number], StoredEvent>;
  private readonly getSession: BetterSqlite3.Statement<[string], Omit<SessionState, 'dirty'>>;
  private readonly putSession: BetterSqlite3.Statement<unknown[]>;
  private readonly bumpHour: BetterSqlite3.Statement<unknown[]>;
  private readonly updCount: BetterSqlite3.Statement<unknown[]>;
  private readonly insCount: BetterSqlite3.Statement<unknown[]>;
  private readonly getDistinct: BetterSqlite3.Statement<[string, number], { n: number }>;
  private readonly putDistinct: BetterSqlite3.Statement<unknown[]>;
  private readonly upsertIp: BetterSqlite3.Statement<unknown[]>;
  private readonly insValue: BetterSqlite3.Statement<[string]>;
  private readonly getValue: BetterSqlite3.Statement<[string], { id: number }>;
  private readonly insRef: BetterSqlite3.Statement<[number, number]>;
  private readonly insTrigger: BetterSqlite3.Statement<[string, number]>;
  private readonly setWatermark: BetterSqlite3.Statement<[number]>;
  private readonly foldTx: (rows: StoredEvent[]) => void;

  // Per-chunk accumulators (flushed at the end of each transaction).
  private sessions = new Map<string, SessionState>();
  private hours = new Map<string, number>();
  private counts = new Map<string, number>();
  private ips = new Map<string, IpDelta>();

  constructor(private readonly db: Db) {
    this.readEvents = db.prepare('SELECT id, ts_ms, eventid, session, protocol, src_ip, json FROM ev.events WHERE id > ? ORDER BY id LIMIT ?');
    this.getSession = db.prepare('SELECT flags, first_ms, protocol, ip, calling_ae, called_ae FROM c_session WHERE session = ?');
    this.putSession = db.prepare(
      'INSERT OR REPLACE INTO c_session (session, first_ms, protocol, ip, calling_ae, called_ae, flags) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.bumpHour = db.prepare('INSERT INTO c_hour (metric, hour_ms, n) VALUES (?, ?, ?) ON CONFLICT (metric, hour_ms) DO UPDATE SET n = n + excluded.n');
    this.updCount = db.prepare('UPDATE c_count SET n = n + ? WHERE dim = ? AND day_ms = ? AND key = ? AND sub = ?');
    this.insCount = db.prepare('INSERT INTO c_count (dim, day_ms, key, sub, n) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n');
    this.getDistinct = db.prepare('SELECT n FROM c_distinct WHERE dim = ? AND day_ms = ?');
    this.putDistinct = db.prepare('INSERT INTO c_distinct (dim, day_ms, n) VALUES (?, ?, 1) ON CONFLICT DO UPDATE SET n = n + 1');
    this.upsertIp = db.prepare(`
      INSERT INTO c_ip (ip, ip4, first_ms, last_ms, sessions, web_requests, abuse_score, malicious_score, threat_score, country, isp, scanner)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (ip) DO UPDATE SET
        first_ms = min(first_ms, excluded.first_ms), last_ms = max(last_ms, excluded.last_ms),
        sessions = sessions + excluded.sessions, web_requests = web_requests + excluded.web_requests,
        abuse_score = coalesce(excluded.abuse_score, abuse_score), malicious_score = coalesce(excluded.malicious_score, malicious_score),
        threat_score = max(coalesce(threat_score, 0), coalesce(excluded.threat_score, threat_score, 0)),
        country = coalesce(excluded.country, country), isp = coalesce(excluded.isp, isp), scanner = coalesce(excluded.scanner, scanner)`);
    this.insValue = db.prepare('INSERT OR IGNORE INTO c_qvalue (value) VALUES (?)');
    this.getValue = db.prepare('SELECT id FROM c_qvalue WHERE value = ?');
    this.insRef = db.prepare('INSERT OR IGNORE INTO c_qref (value_id, event_id) VALUES (?, ?)');
    this.insTrigger = db.prepare('INSERT OR IGNORE INTO c_trigger (issued_session, event_id) VALUES (?, ?)');
    this.setWatermark = db.prepare("INSERT INTO c_state (k, v) VALUES ('watermark', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v");
    this.foldTx = db.transaction((rows: StoredEvent[]) => {
      for (const r of rows) this.foldOne(r);
      this.flush();
      this.setWatermark.run(rows[rows.length - 1]!.id);
    });
  }

  watermark(): number {
    const r = this.db.prepare("SELECT v FROM c_state WHERE k = 'watermark'").get() as { v: number } | undefined;
    return r?.v ?? 0;
  }

  /** Folds at most `limit` events after the watermark in one transaction. */
  foldChunk(limit = 2000): FoldResult {
    const from = this.watermark();
    const rows = this.readEvents.all(from, limit);
    if (rows.length === 0) return { folded: 0, watermark: from };
    try {
      this.foldTx(rows);
    } finally {
      this.sessions.clear();
      this.hours.clear();
      this.counts.clear();
      this.ips.clear();
    }
    return { folded: rows.length, watermark: rows[rows.length - 1]!.id };
  }

  private hour(metric: HourMetric, ts: number, n = 1): void {
    const k = `${metric}\u0000${ts - (ts % HOUR_MS)}`;
    this.hours.set(k, (this.hours.get(k) ?? 0) + n);
  }

  private count(dim: Dimension, ts: number, key: string, sub = '', n = 1): void {
    const k = `${dim}\u0000${ts - (ts % DAY_MS)}\u0000${key.slice(0, MAX_KEY)}\u0000${sub.slice(0, MAX_KEY)}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + n);
  }

  private ip(ip: string, ts: number): IpDelta {
    let d = this.ips.get(ip);
    if (!d) {
      d = { first: ts, last: ts, sessions: 0, web: 0, abuse: null, malicious: null, threat: null, country: null, isp: null, scanner: null };
      this.ips.set(ip, d);
    }
    d.first = Math.min(d.first, ts);
    d.last = Math.max(d.last, ts);
    return d;
  }

  private session(r: StoredEvent): SessionState {
    let s = this.sessions.get(r.session);
    if (s) return s;
    const stored = this.getSession.get(r.session);
    if (stored) {
      s = { ...stored, dirty: false };
    } else {
      s = { flags: 0, first_ms: r.ts_ms, protocol: r.protocol, ip: r.src_ip, calling_ae: null, called_ae: null, dirty: true };
      this.hour(r.protocol === 'dimse' || r.protocol === 'dimse-tls' ? 'dimse_sessions' : 'web_sessions', r.ts_ms);
      if (r.src_ip) {
        this.count('ip', r.ts_ms, r.src_ip);
        this.ip(r.src_ip, r.ts_ms).sessions += 1;
      }
    }
    this.sessions.set(r.session, s);
    return s;
  }

  /** Counts something once per session (flag bit), e.g. its country. */
  private once(s: SessionState, flag: number): boolean {
    if (s.flags & flag) return false;
    s.flags |= flag;
    s.dirty = true;
    return true;
  }

  private queryValue(eventId: number, value: string): void {
    const v = value.slice(0, MAX_KEY);
    this.insValue.run(v);
    const id = this.getValue.get(v)?.id;
    if (id !== undefined) this.insRef.run(id, eventId);
  }

  private foldOne(r: StoredEvent): void {
    const ts = r.ts_ms;
    this.hour('events', ts);
    if (r.protocol === 'internal') return;
    const s = this.session(r);
    if (r.src_ip) this.ip(r.src_ip, ts);
    const type = REQUEST_TYPES[r.eventid];
    if (type) {
      this.count('dimse_type', ts, type);
      if (r.eventid.startsWith('dicomhawk.dimse.')) this.hour('dimse_requests', ts);
    }
    if (!PARSED.has(r.eventid)) return;
    let e: Json;
    try {
      e = JSON.parse(r.json) as Json;
    } catch {
      return;
    }
    switch (r.eventid) {
      case 'dicomhawk.association.request': {
        const calling = text((e.calling_ae as Json | undefined)?.text);
        const called = text((e.called_ae as Json | undefined)?.text);
        if (calling) this.count('calling_ae', ts, calling);
        if (called) this.count('called_ae', ts, called);
        s.calling_ae = calling ?? s.calling_ae;
        s.called_ae = called ?? s.called_ae;
        s.dirty = true;
        if (this.once(s, SESSION_FLAGS.client)) this.count('client', ts, text(e.client_guess) ?? `fp ${text(e.client_fp) ?? '?'}`);
        const ui = e.user_identity as Json | null | undefined;
        if (ui) {
          const user = text((ui.primary as Json | undefined)?.text) ?? '';
          const pass = text((ui.secondary as Json | null | undefined)?.text) ?? '';
          this.count('credential', ts, user, pass);
        }
        break;
      }
      case 'dicomhawk.dimse.find':
      case 'dicomhawk.dimse.get':
      case 'dicomhawk.dimse.move':
        for (const k of Array.isArray(e.keys) ? (e.keys as Json[]) : []) {
          const value = typeof k.value === 'string' ? k.value : '';
          if (value === '') continue;
          this.count('query', ts, text(k.keyword) ?? String(k.tag ?? '?'), value);
          this.queryValue(r.id, value);
        }
        break;
      case 'dicomhawk.dimse.store':
        if (storedStatus(e.status) && typeof e.sha256 === 'string') this.hour('uploads', ts);
        break;
      case 'dicomhawk.web.request': {
        this.hour('web_requests', ts);
        if (r.src_ip) this.ip(r.src_ip, ts).web += 1;
        const path = typeof e.path === 'string' ? e.path : '/';
        this.count('web_path', ts, path);
        if (path !== '') this.queryValue(r.id, path);
        if (this.once(s, SESSION_FLAGS.client)) this.count('client', ts, text(e.client_guess) ?? clientTool(typeof e.user_agent === 'string' ? e.user_agent : null)); // older events carry none
        break;
      }
      case 'dicomhawk.web.login.success':
      case 'dicomhawk.web.login.failed':
        this.hour('logins', ts);
        this.count('credential', ts, typeof e.username === 'string' ? e.username : '', typeof e.password === 'string' ? e.password : '');
        break;
      case 'dicomhawk.web.upload': {
        const n = (Array.isArray(e.files) ? (e.files as Json[]) : []).filter((f) => f.accepted === true).length;
        if (n > 0) this.hour('uploads', ts, n);
        break;
      }
      case 'dicomhawk.dicomweb.store': {
        const n = (Array.isArray(e.instances) ? (e.instances as Json[]) : []).filter((f) => f.accepted === true).length;
        if (n > 0) this.hour('uploads', ts, n);
        break;
      }
      case 'dicomhawk.dicomweb.query':
        for (const p of Array.isArray(e.params) ? (e.params as Json[]) : []) {
          const value = typeof p.value === 'string' ? p.value : '';
          if (value === '') continue;
          this.count('query', ts, text(p.name) ?? '?', value);
          this.queryValue(r.id, value);
        }
        break;
      case 'dicomhawk.dicomweb.auth':
        if (typeof e.username === 'string' || typeof e.password === 'string') {
          this.hour('logins', ts);
          this.count('credential', ts, typeof e.username === 'string' ? e.username : '', typeof e.password === 'string' ? e.password : '');
        }
        break;
      case 'dicomhawk.honeytoken.triggered': {
        this.hour('honeytoken_triggers', ts);
        const issued = text(e.issued_session);
        if (issued) this.insTrigger.run(issued, r.id);
        break;
      }
      case 'dicomhawk.intel.result': {
        if (e.ok !== true || !r.src_ip) break;
        const country = firstText(e.summary, COUNTRY_FIELDS);
        const isp = firstText(e.summary, ISP_FIELDS);
        const d = this.ip(r.src_ip, ts);
        if (country) {
          d.country = country;
          if (this.once(s, SESSION_FLAGS.country)) this.count('country', ts, country.toUpperCase());
        }
        if (isp) d.isp = isp;
        break;
      }
      case 'dicomhawk.score.update': {
        if (!r.src_ip) break;
        const d = this.ip(r.src_ip, ts);
        d.abuse = num(e.abuse_score) ?? d.abuse;
        d.malicious = num(e.malicious_score) ?? d.malicious;
        d.threat = Math.max(d.threat ?? 0, num(e.threat_score) ?? 0);
        break;
      }
      case 'dicomhawk.scanner.identified':
        if (this.once(s, SESSION_FLAGS.scanner)) this.hour('scanner_sessions', ts);
        if (r.src_ip) this.ip(r.src_ip, ts).scanner = text(e.name) ?? text(e.entry) ?? 'listed';
        break;
      default:
        break;
    }
  }

  private flush(): void {
    for (const [k, n] of this.hours) {
      const [metric, hour] = k.split('\u0000');
      this.bumpHour.run(metric, Number(hour), n);
    }
    for (const [k, n] of this.counts) {
      const [dim, dayText, key, sub] = k.split('\u0000') as [Dimension, string, string, string];
      const day = Number(dayText);
      if (this.updCount.run(n, dim, day, key, sub).changes > 0) continue;
      const distinct = this.getDistinct.get(dim, day)?.n ?? 0;
      if (distinct >= MAX_DISTINCT_PER_DAY) {
        this.insCount.run(dim, day, OTHER_KEY, '', n);
        continue;
      }
      this.insCount.run(dim, day, key, sub, n);
      this.putDistinct.run(dim, day);
    }
    for (const [ip, d] of this.ips) {
      this.upsertIp.run(ip, ipv4Number(ip), d.first, d.last, d.sessions, d.web, d.abuse, d.malicious, d.threat, d.country, d.isp, d.scanner);
    }
    for (const [id, s] of this.sessions) {
      if (s.dirty) this.putSession.run(id, s.first_ms, s.protocol, s.ip, s.calling_ae, s.called_ae, s.flags);
    }
  }
}
