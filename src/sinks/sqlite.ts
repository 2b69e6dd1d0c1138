/**
 * SQLite sink (the embedded default): one transaction per batch into `events`, with the `sessions` row of
 * each session in the batch folded in the same transaction (first/last seen, counts, client, scores).
 * A batch is acknowledged only once its transaction has committed.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { HawkEvent } from '../core/events/catalogue.ts';
import { openDb, migrate, type Db } from '../core/storage/db.ts';
import { EVENT_MIGRATIONS } from '../core/storage/eventTables.ts';
import type { Serialized, Sink } from './sink.ts';

interface SessionFold {
  session: string;
  protocol: string;
  sensor: string;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  first: number;
  last: number;
  count: number;
  client_guess: string | null;
  client_fp: string | null;
  calling_ae: string | null;
  called_ae: string | null;
  closed_ms: number | null;
  close_reason: string | null;
  abuse_score: number | null;
  malicious_score: number | null;
  threat_score: number | null;
  country: string | null;
  isp: string | null;
}

/** Field names that carry the country / network owner in each intel.result summary (geoip, AbuseIPDB, IPQS, VirusTotal). */
const COUNTRY_FIELDS = ['country_code', 'countryCode', 'country'] as const;
const ISP_FIELDS = ['isp', 'ISP', 'as_owner', 'as_org'] as const;

function firstText(summary: Readonly<Record<string, unknown>>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = summary[k];
    if (typeof v === 'string' && v.trim() !== '') return v;
  }
  return null;
}

function fold(into: SessionFold, e: Readonly<HawkEvent>, ms: number): void {
  into.first = Math.min(into.first, ms);
  into.last = Math.max(into.last, ms);
  into.count += 1;
  switch (e.eventid) {
    case 'dicomhawk.association.request':
      into.client_guess = e.client_guess;
      into.client_fp = e.client_fp;
      into.calling_ae = e.calling_ae.text;
      into.called_ae = e.called_ae.text;
      break;
    case 'dicomhawk.session.closed':
      into.closed_ms = ms;
      into.close_reason = e.close_reason;
      break;
    case 'dicomhawk.score.update':
      into.abuse_score = e.abuse_score;
      into.malicious_score = e.malicious_score;
      into.threat_score = e.threat_score;
      break;
    case 'dicomhawk.intel.result':
      // The latest answer that names a country / network owner wins; a lookup without one changes nothing.
      if (e.ok) {
        into.country = firstText(e.summary, COUNTRY_FIELDS) ?? into.country;
        into.isp = firstText(e.summary, ISP_FIELDS) ?? into.isp;
      }
      break;
    default:
      break;
  }
}

const MULTI_ROWS = 64;

export class SqliteSink implements Sink {
  readonly name = 'sqlite';
  private db: Db | null = null;
  private insertEvent!: BetterSqlite3.Statement<unknown[]>;
  /** The same insert for MULTI_ROWS rows at once: fewer statement calls per batch. */
  private insertMany!: BetterSqlite3.Statement<unknown[]>;
  private upsertSession!: BetterSqlite3.Statement<[SessionFold]>;
  private writeBatch!: (batch: readonly Serialized[]) => void;

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    const db = openDb(this.path);
    migrate(db, EVENT_MIGRATIONS);
    this.db = db;
    const insert = 'INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES ';
    this.insertEvent = db.prepare(`${insert}(?, ?, ?, ?, ?, ?)`);
    this.insertMany = db.prepare(insert + Array.from({ length: MULTI_ROWS }, () => '(?, ?, ?, ?, ?, ?)').join(', '));
    this.upsertSession = db.prepare(`
      INSERT INTO sessions (session, protocol, sensor, src_ip, src_port, dst_ip, dst_port, first_seen_ms, last_seen_ms, event_count,
                            client_guess, client_fp, calling_ae, called_ae, closed_ms, close_reason, abuse_score, malicious_score, threat_score, country, isp)
      VALUES (@session, @protocol, @sensor, @src_ip, @src_port, @dst_ip, @dst_port, @first, @last, @count,
              @client_guess, @client_fp, @calling_ae, @called_ae, @closed_ms, @close_reason, @abuse_score, @malicious_score, @threat_score, @country, @isp)
      ON CONFLICT (session) DO UPDATE SET
        first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
        last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
        event_count = event_count + excluded.event_count,
        client_guess = coalesce(excluded.client_guess, client_guess),
        client_fp = coalesce(excluded.client_fp, client_fp),
        calling_ae = coalesce(excluded.calling_ae, calling_ae),
        called_ae = coalesce(excluded.called_ae, called_ae),
        closed_ms = coalesce(excluded.closed_ms, closed_ms),
        close_reason = coalesce(excluded.close_reason, close_reason),
        abuse_score = coalesce(excluded.abuse_score, abuse_score),
        malicious_score = coalesce(excluded.malicious_score, malicious_score),
        threat_score = coalesce(excluded.threat_score, threat_score),
        country = coalesce(excluded.country, country),
        isp = coalesce(excluded.isp, isp)`);
    this.writeBatch = db.transaction((batch: readonly Serialized[]) => {
      const sessions = new Map<string, SessionFold>();
      const args: unknown[] = [];
      for (const { event: e, json } of batch) {
        const ms = Date.parse(e.timestamp);
        args.push(ms, e.eventid, e.session, e.protocol, e.src_ip, json);
        if (args.length === MULTI_ROWS * 6) {
          this.insertMany.run(args);
          args.length = 0;
        }
        if (e.protocol === 'internal') continue;
        let s = sessions.get(e.session);
        if (!s) {
          s = {
            session: e.session, protocol: e.protocol, sensor: e.sensor, src_ip: e.src_ip, src_port: e.src_port, dst_ip: e.dst_ip,
            dst_port: e.dst_port, first: ms, last: ms, count: 0, client_guess: null, client_fp: null, calling_ae: null, called_ae: null,
            closed_ms: null, close_reason: null, abuse_score: null, malicious_score: null, threat_score: null, country: null, isp: null,
          };
          sessions.set(e.session, s);
        }
        fold(s, e, ms);
      }
      for (let i = 0; i < args.length; i += 6) this.insertEvent.run(args.slice(i, i + 6));
      for (const s of sessions.values()) this.upsertSession.run(s);
    });
  }

  write(batch: readonly Serialized[]): void {
    if (!this.db) throw new Error('sqlite sink not started');
    this.writeBatch(batch);
  }

  async stop(): Promise<void> {
    this.db?.close();
    this.db = null;
  }
}
