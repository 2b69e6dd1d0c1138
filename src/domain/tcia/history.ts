/**
 * What earlier rotations served (DATA_DIR/dicomhawk.db): every TCIA study (its original StudyInstanceUID)
 * that ever reached the archive, so no study is served twice, and each completed rotation (its set, when,
 * what it held), from which the next rotation's time is computed. A study is recorded only once its set is
 * in service: a rotation that failed served nothing.
 */
import type { Db, Migration } from '../../core/storage/db.ts';
import { migrate, openDb } from '../../core/storage/db.ts';

export const TCIA_MIGRATIONS: readonly Migration[] = [
  {
    id: '400_tcia',
    sql: `
      CREATE TABLE IF NOT EXISTS tcia_served_studies (
        study_uid TEXT PRIMARY KEY,
        collection TEXT NOT NULL,
        set_name TEXT NOT NULL,
        served_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS tcia_rotations (
        set_name TEXT PRIMARY KEY,
        finished_at TEXT NOT NULL,
        studies INTEGER NOT NULL,
        series INTEGER NOT NULL,
        instances INTEGER NOT NULL,
        bytes INTEGER NOT NULL
      );
    `,
  },
];

export interface RotationRecord {
  readonly set: string;
  readonly finishedAt: string;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
}

export class TciaHistory {
  private constructor(
    private readonly db: Db,
    private readonly owned: boolean,
  ) {
    migrate(db, TCIA_MIGRATIONS);
  }

  static open(dbPath: string): TciaHistory {
    return new TciaHistory(openDb(dbPath), true);
  }

  static over(db: Db): TciaHistory {
    return new TciaHistory(db, false);
  }

  isServed(studyUid: string): boolean {
    return this.db.prepare('SELECT 1 FROM tcia_served_studies WHERE study_uid = ?').get(studyUid) !== undefined;
  }

  servedCount(): number {
    return this.db.prepare('SELECT count(*) FROM tcia_served_studies').pluck().get() as number;
  }

  /** Records a rotation whose set is now in service, and the studies it serves. */
  recordRotation(r: RotationRecord, studies: readonly { studyUid: string; collection: string }[]): void {
    const insert = this.db.prepare('INSERT OR IGNORE INTO tcia_served_studies (study_uid, collection, set_name, served_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const s of studies) insert.run(s.studyUid, s.collection, r.set, r.finishedAt);
      this.db
        .prepare('INSERT OR REPLACE INTO tcia_rotations (set_name, finished_at, studies, series, instances, bytes) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.set, r.finishedAt, r.studies, r.series, r.instances, r.bytes);
    })();
  }

  lastRotation(): RotationRecord | null {
    const row = this.db.prepare('SELECT set_name AS "set", finished_at AS finishedAt, studies, series, instances, bytes FROM tcia_rotations ORDER BY finished_at DESC LIMIT 1').get() as
      | RotationRecord
      | undefined;
    return row ?? null;
  }

  close(): void {
    if (this.owned && this.db.open) this.db.close();
  }
}
