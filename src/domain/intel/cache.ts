// SQLite cache of reputation answers, one row per (service, ip). Times are epoch milliseconds.
// Successes live long (default 24 h), failures briefly (default 10 min) so a dead service is not hammered.
import type Database from 'better-sqlite3';
import type { IntelFailure, IntelService } from './types.ts';

export const INTEL_CACHE_SCHEMA = `
CREATE TABLE IF NOT EXISTS intel_cache (
  service    TEXT    NOT NULL,
  ip         TEXT    NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  ok         INTEGER NOT NULL CHECK (ok IN (0, 1)),
  json       TEXT    NOT NULL,
  PRIMARY KEY (service, ip)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS intel_cache_expires ON intel_cache (expires_at);
`;

export type CachedEntry =
  | { ok: true; fetchedAt: number; expiresAt: number; summary: unknown }
  | { ok: false; fetchedAt: number; expiresAt: number; error: IntelFailure };

interface Row {
  fetched_at: number;
  expires_at: number;
  ok: number;
  json: string;
}

export class IntelCache {
  readonly #get: Database.Statement<[string, string, number], Row>;
  readonly #put: Database.Statement<[string, string, number, number, number, string]>;
  readonly #purge: Database.Statement<[number]>;

  /** Creates the table if needed. The caller owns `db` (its lifetime, WAL mode, path). */
  constructor(db: Database.Database) {
    db.exec(INTEL_CACHE_SCHEMA);
    this.#get = db.prepare<[string, string, number], Row>(
      'SELECT fetched_at, expires_at, ok, json FROM intel_cache WHERE service = ? AND ip = ? AND expires_at > ?',
    );
    this.#put = db.prepare(
      `INSERT INTO intel_cache (service, ip, fetched_at, expires_at, ok, json) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (service, ip) DO UPDATE SET fetched_at = excluded.fetched_at, expires_at = excluded.expires_at,
         ok = excluded.ok, json = excluded.json`,
    );
    this.#purge = db.prepare('DELETE FROM intel_cache WHERE expires_at <= ?');
  }

  /** The live entry for (service, ip) at `now`, or null (absent, expired or unreadable). */
  get(service: IntelService, ip: string, now: number): CachedEntry | null {
    const row = this.#get.get(service, ip, now);
    if (!row) return null;
    let value: unknown;
    try {
      value = JSON.parse(row.json);
    } catch {
      return null;
    }
    return row.ok === 1
      ? { ok: true, fetchedAt: row.fetched_at, expiresAt: row.expires_at, summary: value }
      : { ok: false, fetchedAt: row.fetched_at, expiresAt: row.expires_at, error: value as IntelFailure };
  }

  putSuccess(service: IntelService, ip: string, summary: unknown, now: number, ttlMs: number): void {
    this.#put.run(service, ip, now, now + ttlMs, 1, JSON.stringify(summary));
  }

  putFailure(service: IntelService, ip: string, error: IntelFailure, now: number, ttlMs: number): void {
    this.#put.run(service, ip, now, now + ttlMs, 0, JSON.stringify(error));
  }

  /** Deletes expired rows; returns how many. */
  purgeExpired(now: number): number {
    return this.#purge.run(now).changes;
  }
}
