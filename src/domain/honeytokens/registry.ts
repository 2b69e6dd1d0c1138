/**
 * The honeytoken registry (DATA_DIR/dicomhawk.db): every token we plant — which object and study carries
 * it, behind which URL, since when — and every time one was handed to a session. When a token-bearing object
 * leaves the archive (C-GET, C-MOVE, later the portal), `issue()` records the session and emits
 * `dicomhawk.honeytoken.issued` on that session's log, once per token and session; a later trigger of the
 * token (the portal's /t/<token>) finds the session that took the data in `honeytoken_issues`.
 *
 * Tokens are never deleted: data stolen from an earlier archive can still call home. Re-seeding retires the
 * previous seed's tokens (`active = 0`: their objects are no longer served) and registers the new ones.
 */
import type { SessionLog } from '../../core/events/sessionLog.ts';
import type { Db, Migration } from '../../core/storage/db.ts';
import { migrate, openDb } from '../../core/storage/db.ts';
import type { HoneytokenKind } from './tokens.ts';

export const HONEYTOKEN_MIGRATIONS: readonly Migration[] = [
  {
    id: '200_honeytokens',
    sql: `
      CREATE TABLE IF NOT EXISTS honeytokens (
        token TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        sop_instance_uid TEXT,
        study_instance_uid TEXT,
        path TEXT,
        url TEXT,
        origin TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS honeytokens_object ON honeytokens (sop_instance_uid) WHERE active = 1;
      CREATE TABLE IF NOT EXISTS honeytoken_issues (
        token TEXT NOT NULL,
        session TEXT NOT NULL,
        src_ip TEXT,
        issued_at TEXT NOT NULL,
        PRIMARY KEY (token, session)
      );
      CREATE INDEX IF NOT EXISTS honeytoken_issues_token ON honeytoken_issues (token, issued_at);
    `,
  },
];

export interface HoneytokenRecord {
  readonly token: string;
  readonly kind: HoneytokenKind;
  readonly sopInstanceUid: string | null;
  readonly studyInstanceUid: string | null;
  /** Archive-relative path of the carrying object. */
  readonly path: string | null;
  /** The URL the token sits behind (null for a user's canary PDF, whose URL we do not know). */
  readonly url: string | null;
}

export interface StoredHoneytoken extends HoneytokenRecord {
  readonly origin: string;
  readonly active: boolean;
  readonly createdAt: string;
}

interface Row {
  token: string;
  kind: HoneytokenKind;
  sop_instance_uid: string | null;
  study_instance_uid: string | null;
  path: string | null;
  url: string | null;
  origin: string;
  active: number;
  created_at: string;
}

function fromRow(r: Row): StoredHoneytoken {
  return {
    token: r.token,
    kind: r.kind,
    sopInstanceUid: r.sop_instance_uid,
    studyInstanceUid: r.study_instance_uid,
    path: r.path,
    url: r.url,
    origin: r.origin,
    active: r.active === 1,
    createdAt: r.created_at,
  };
}

export class HoneytokenRegistry {
  private readonly byObject;
  private readonly insertIssue;
  private readonly upsert;

  constructor(
    private readonly db: Db,
    private readonly ownsDb = false,
    private readonly now: () => number = Date.now,
  ) {
    migrate(db, HONEYTOKEN_MIGRATIONS);
    this.byObject = db.prepare('SELECT token, kind, study_instance_uid AS study FROM honeytokens WHERE sop_instance_uid = ? AND active = 1');
    this.insertIssue = db.prepare('INSERT OR IGNORE INTO honeytoken_issues (token, session, src_ip, issued_at) VALUES (?, ?, ?, ?)');
    this.upsert = db.prepare(
      `INSERT INTO honeytokens (token, kind, sop_instance_uid, study_instance_uid, path, url, origin, active, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
       ON CONFLICT (token) DO UPDATE SET kind = excluded.kind, sop_instance_uid = excluded.sop_instance_uid,
         study_instance_uid = excluded.study_instance_uid, path = excluded.path, url = excluded.url, origin = excluded.origin, active = 1`,
    );
  }

  /** Opens the registry in the SQLite file at `dbPath` (created and migrated when needed). */
  static open(dbPath: string): HoneytokenRegistry {
    return new HoneytokenRegistry(openDb(dbPath), true);
  }

  /** Retires every active token of `origin` and registers `tokens` (re-registering one keeps its created_at). */
  replaceActive(origin: string, tokens: readonly HoneytokenRecord[]): void {
    const retire = this.db.prepare('UPDATE honeytokens SET active = 0 WHERE origin = ? AND active = 1');
    this.db.transaction(() => {
      retire.run(origin);
      for (const t of tokens) this.register(origin, t);
    })();
  }

  /** Registers one active token of `origin` beside the others (e.g. a fake admin token handed out by the portal). */
  register(origin: string, t: HoneytokenRecord): void {
    this.upsert.run(t.token, t.kind, t.sopInstanceUid, t.studyInstanceUid, t.path, t.url, origin, new Date(this.now()).toISOString());
  }

  /** The active token carried by an object, if any. */
  forObject(sopInstanceUid: string): { token: string; kind: HoneytokenKind; study: string | null } | undefined {
    return this.byObject.get(sopInstanceUid) as { token: string; kind: HoneytokenKind; study: string | null } | undefined;
  }

  get(token: string): StoredHoneytoken | undefined {
    const r = this.db.prepare('SELECT * FROM honeytokens WHERE token = ?').get(token) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  list(opts: { activeOnly?: boolean } = {}): StoredHoneytoken[] {
    const sql = `SELECT * FROM honeytokens ${opts.activeOnly ? 'WHERE active = 1' : ''} ORDER BY created_at, token`;
    return (this.db.prepare(sql).all() as Row[]).map(fromRow);
  }

  /** Sessions a token was handed to, oldest first. */
  issues(token: string): Array<{ session: string; srcIp: string | null; issuedAt: string }> {
    return (this.db.prepare('SELECT session, src_ip AS srcIp, issued_at AS issuedAt FROM honeytoken_issues WHERE token = ? ORDER BY issued_at, session').all(token) as Array<{
      session: string;
      srcIp: string | null;
      issuedAt: string;
    }>);
  }

  /**
   * An object was handed to the session behind `log`: when it carries a token, record the issue and emit
   * `dicomhawk.honeytoken.issued` (once per token and session). Never throws (it runs on a retrieve's path);
   * returns the token issued, or null.
   */
  issue(sopInstanceUid: string, log: SessionLog, onError?: (err: unknown) => void): string | null {
    try {
      const t = this.forObject(sopInstanceUid);
      if (!t) return null;
      const fresh = this.insertIssue.run(t.token, log.identity.session, log.identity.src_ip, new Date(this.now()).toISOString()).changes > 0;
      if (fresh) log.emit('dicomhawk.honeytoken.issued', { token: t.token, kind: t.kind, object: sopInstanceUid, study: t.study });
      return t.token;
    } catch (err) {
      onError?.(err);
      return null;
    }
  }

  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
