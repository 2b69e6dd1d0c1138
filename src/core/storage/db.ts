/**
 * The embedded SQLite store (better-sqlite3, WAL). Migrations are an ordered list applied once each;
 * later layers (archive index, intel cache, integrity manifest) append their own.
 */
import Database from 'better-sqlite3';

export type Db = Database.Database;

export interface Migration {
  /** Unique, ordered id, e.g. `001_events`. */
  id: string;
  sql: string;
}

export function openDb(path: string, opts: { readonly?: boolean } = {}): Db {
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  if (!opts.readonly) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only power loss can lose the last ones.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const done = new Set(db.prepare('SELECT id FROM schema_migrations').pluck().all() as string[]);
  const mark = db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)');
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      mark.run(m.id, new Date().toISOString());
    })();
  }
}
