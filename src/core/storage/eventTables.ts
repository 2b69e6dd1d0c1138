/** Schema of the events and sessions tables that the SQLite sink writes and the CLI and console read. */
import type { Migration } from './db.ts';

/** One row of the events table, as `SELECT *` reads it. */
export interface StoredEvent {
  id: number;
  ts_ms: number;
  eventid: string;
  session: string;
  protocol: string;
  src_ip: string | null;
  json: string;
}

export const EVENT_MIGRATIONS: readonly Migration[] = [
  {
    id: '001_events',
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts_ms INTEGER NOT NULL,
        eventid TEXT NOT NULL,
        session TEXT NOT NULL,
        protocol TEXT NOT NULL,
        src_ip TEXT,
        json TEXT NOT NULL
      );
      CREATE INDEX events_ts ON events (ts_ms);
      CREATE INDEX events_eventid_ts ON events (eventid, ts_ms);
      CREATE INDEX events_session ON events (session, id);
      CREATE INDEX events_src_ip_ts ON events (src_ip, ts_ms);
      CREATE TABLE sessions (
        session TEXT PRIMARY KEY,
        protocol TEXT NOT NULL,
        sensor TEXT NOT NULL,
        src_ip TEXT,
        src_port INTEGER,
        dst_ip TEXT,
        dst_port INTEGER,
        first_seen_ms INTEGER NOT NULL,
        last_seen_ms INTEGER NOT NULL,
        event_count INTEGER NOT NULL DEFAULT 0,
        client_guess TEXT,
        client_fp TEXT,
        calling_ae TEXT,
        called_ae TEXT,
        closed_ms INTEGER,
        close_reason TEXT,
        abuse_score REAL,
        malicious_score REAL,
        threat_score REAL,
        country TEXT,
        isp TEXT
      );
      CREATE INDEX sessions_src_ip ON sessions (src_ip);
      CREATE INDEX sessions_first_seen ON sessions (first_seen_ms);
    `,
  },
];
