/**
 * The console's connection to the store: its own roll-up database (DATA_DIR/console.db, read-write) with the
 * events database (DATA_DIR/dicomhawk.db) attached as `ev` and only ever read (WAL: readers never block the
 * SQLite sink's writer, and the sink's writer never blocks them).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDb, type Db } from '../../../core/storage/db.ts';
import type { DataPaths } from '../../../core/storage/dataDir.ts';
import { RollupFolder, type FoldResult } from './fold.ts';
import { ROLLUP_MIGRATIONS } from './schema.ts';

export class ConsoleStore {
  readonly db: Db;
  private folder: RollupFolder | null = null;

  private constructor(
    readonly rollupPath: string,
    readonly eventsPath: string,
  ) {
    this.db = openDb(rollupPath);
    migrate(this.db, ROLLUP_MIGRATIONS);
    this.attach();
  }

  static open(paths: Pick<DataPaths, 'root' | 'db'>): ConsoleStore {
    return new ConsoleStore(join(paths.root, 'console.db'), paths.db);
  }

  /** Attaches the events database once it exists and holds the events table (EVENTS_SQLITE=no: never). */
  private attach(): boolean {
    if (this.folder) return true;
    if (!existsSync(this.eventsPath)) return false;
    const attached = (this.db.prepare('PRAGMA database_list').all() as Array<{ name: string }>).some((d) => d.name === 'ev');
    if (!attached) this.db.prepare('ATTACH DATABASE ? AS ev').run(this.eventsPath);
    const ok = this.db.prepare("SELECT 1 FROM ev.sqlite_master WHERE type = 'table' AND name IN ('events', 'sessions')").all().length === 2;
    if (!ok) return false;
    this.folder = new RollupFolder(this.db);
    this.resetIfReplaced();
    return true;
  }

  /** True when the events database is attached (the pages have something to read). */
  hasEvents(): boolean {
    return this.attach();
  }

  /** A table of the events database that another part of DICOMHawk creates (quarantine_uploads …), when it exists. */
  hasEventTable(name: string): boolean {
    if (!this.attach()) return false;
    return this.db.prepare("SELECT 1 FROM ev.sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  /**
   * The events database was replaced (restored, deleted and started again): the roll-ups describe another history and
   * start over. Recognised by a watermark beyond its last event, or a different first event.
   */
  private resetIfReplaced(): void {
    const folder = this.folder;
    if (!folder) return;
    const first = (this.db.prepare('SELECT ts_ms FROM ev.events ORDER BY id LIMIT 1').pluck().get() as number | undefined) ?? null;
    const known = (this.db.prepare("SELECT v FROM c_state WHERE k = 'first_event_ts'").pluck().get() as number | undefined) ?? null;
    if (folder.watermark() > this.maxEventId() || (known !== null && first !== null && known !== first)) {
      this.db.exec('DELETE FROM c_state; DELETE FROM c_hour; DELETE FROM c_count; DELETE FROM c_distinct; DELETE FROM c_ip; DELETE FROM c_session; DELETE FROM c_qref; DELETE FROM c_qvalue; DELETE FROM c_trigger;');
    }
    if (first !== null) this.db.prepare("INSERT OR REPLACE INTO c_state (k, v) VALUES ('first_event_ts', ?)").run(first);
  }

  maxEventId(): number {
    if (!this.attach()) return 0;
    // Exactly `SELECT max(id)`: SQLite answers it from the end of the rowid B-tree (wrapped in coalesce() it scans).
    return (this.db.prepare('SELECT max(id) AS n FROM ev.events').get() as { n: number | null }).n ?? 0;
  }

  watermark(): number {
    return this.folder?.watermark() ?? 0;
  }

  /** Folds the next chunk of new events into the roll-ups. */
  fold(limit?: number): FoldResult {
    if (!this.attach() || !this.folder) return { folded: 0, watermark: 0 };
    return this.folder.foldChunk(limit);
  }

  /** Folds until caught up (tests, benchmarks, the CLI); the server folds in slices instead. */
  foldAll(): number {
    let n = 0;
    for (;;) {
      const r = this.fold(5000);
      n += r.folded;
      if (r.folded === 0) return n;
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
