/**
 * The console's own roll-up tables, in DATA_DIR/console.db (a cache derived from the events table: deleting the
 * file only makes the console fold the whole event history again). They live in a file of their own so that
 * folding never takes the write lock of dicomhawk.db, where the SQLite sink commits events.
 *
 * Windows are whole UTC days (counts per day) and hours (the timeline): any page sums a few hundred rows at most.
 */
import type { Migration } from '../../../core/storage/db.ts';

export const ROLLUP_MIGRATIONS: readonly Migration[] = [
  {
    id: 'c001_rollups',
    sql: `
      -- Folding state: watermark = the last events.id folded (committed with the roll-ups it produced).
      CREATE TABLE c_state (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      -- Counters per UTC hour (dimse_sessions, web_sessions, web_requests, dimse_requests, scanner_sessions, ...).
      CREATE TABLE c_hour (metric TEXT NOT NULL, hour_ms INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (metric, hour_ms)) WITHOUT ROWID;
      -- Counts per UTC day of one dimension's values (dimse_type, web_path, country, client, ip, calling_ae, called_ae, query, credential).
      CREATE TABLE c_count (dim TEXT NOT NULL, day_ms INTEGER NOT NULL, key TEXT NOT NULL, sub TEXT NOT NULL, n INTEGER NOT NULL,
                            PRIMARY KEY (dim, day_ms, key, sub)) WITHOUT ROWID;
      -- Distinct values per dimension and day (capped: past the cap new values count as "(other)").
      CREATE TABLE c_distinct (dim TEXT NOT NULL, day_ms INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (dim, day_ms)) WITHOUT ROWID;
      -- One row per source address.
      CREATE TABLE c_ip (
        ip TEXT PRIMARY KEY, ip4 INTEGER, first_ms INTEGER NOT NULL, last_ms INTEGER NOT NULL,
        sessions INTEGER NOT NULL DEFAULT 0, web_requests INTEGER NOT NULL DEFAULT 0,
        abuse_score REAL, malicious_score REAL, threat_score REAL, country TEXT, isp TEXT, scanner TEXT
      );
      CREATE INDEX c_ip_last ON c_ip (last_ms);
      CREATE INDEX c_ip_ip4 ON c_ip (ip4) WHERE ip4 IS NOT NULL;
      -- One row per session: what was already counted for it, and its AE titles (search by AE title).
      CREATE TABLE c_session (session TEXT PRIMARY KEY, first_ms INTEGER NOT NULL, protocol TEXT NOT NULL, ip TEXT,
                              calling_ae TEXT, called_ae TEXT, flags INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX c_session_calling ON c_session (calling_ae) WHERE calling_ae IS NOT NULL;
      CREATE INDEX c_session_called ON c_session (called_ae) WHERE called_ae IS NOT NULL;
      -- Free-text search in query values: each distinct value once, and the events that sent it.
      CREATE TABLE c_qvalue (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
      CREATE TABLE c_qref (value_id INTEGER NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (value_id, event_id)) WITHOUT ROWID;
      -- Honeytoken triggers by the session the token was issued to (session detail).
      CREATE TABLE c_trigger (issued_session TEXT NOT NULL, event_id INTEGER NOT NULL, PRIMARY KEY (issued_session, event_id)) WITHOUT ROWID;
    `,
  },
  {
    id: 'c002_ip_sessions',
    sql: 'CREATE INDEX c_ip_sessions ON c_ip (sessions DESC);',
  },
];

/** Bits of c_session.flags: what was already counted once for the session. */
export const SESSION_FLAGS = { country: 1, client: 2, scanner: 4 } as const;

/** Metrics of c_hour. */
export type HourMetric =
  | 'dimse_sessions'
  | 'web_sessions'
  | 'web_requests'
  | 'dimse_requests'
  | 'scanner_sessions'
  | 'honeytoken_triggers'
  | 'uploads'
  | 'logins'
  | 'events';

/** Dimensions of c_count. */
export type Dimension = 'dimse_type' | 'web_path' | 'country' | 'client' | 'ip' | 'calling_ae' | 'called_ae' | 'query' | 'credential';

/** Distinct values kept per dimension and day; beyond, new values are counted as OTHER_KEY. */
export const MAX_DISTINCT_PER_DAY = 5000;
export const OTHER_KEY = '(other)';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
