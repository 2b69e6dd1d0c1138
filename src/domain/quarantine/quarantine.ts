/**
 * Everything attackers upload (C-STORE, STOW-RS, web uploads) is kept exactly as received, content-addressed
 * by SHA-256 under DATA_DIR/quarantine/, with one metadata record per upload. Quarantined objects are never
 * served to anyone but (optionally) their uploader. Per-IP and total quotas are checked before writing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Db, Migration } from '../../core/storage/db.ts';
import { migrate } from '../../core/storage/db.ts';

export const QUARANTINE_MIGRATIONS: readonly Migration[] = [
  {
    id: '100_quarantine',
    sql: `
      CREATE TABLE quarantine_objects (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL, first_seen_ms INTEGER NOT NULL);
      CREATE TABLE quarantine_uploads (
        id INTEGER PRIMARY KEY,
        sha256 TEXT NOT NULL REFERENCES quarantine_objects (sha256),
        received_ms INTEGER NOT NULL,
        session TEXT NOT NULL,
        src_ip TEXT NOT NULL,
        channel TEXT NOT NULL,
        sop_class TEXT,
        sop_instance TEXT,
        transfer_syntax TEXT,
        filename TEXT,
        size INTEGER NOT NULL
      );
      CREATE INDEX quarantine_uploads_ip ON quarantine_uploads (src_ip);
      CREATE INDEX quarantine_uploads_sha ON quarantine_uploads (sha256);
    `,
  },
];

export interface QuarantineLimits {
  maxBytesPerIp: number;
  maxBytes: number;
}

export interface UploadMeta {
  session: string;
  srcIp: string;
  channel: 'dimse' | 'stow' | 'web';
  sopClass?: string | null;
  sopInstance?: string | null;
  transferSyntax?: string | null;
  filename?: string | null;
}

export type PutResult =
  | { ok: true; sha256: string; path: string; size: number; duplicate: boolean }
  | { ok: false; reason: 'quota_per_ip' | 'quota_total'; sha256: string; size: number };

export class Quarantine {
  constructor(
    private readonly dir: string,
    private readonly db: Db,
    private readonly limits: QuarantineLimits,
    private readonly now: () => number = Date.now,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    migrate(db, QUARANTINE_MIGRATIONS);
  }

  static sha256(bytes: Uint8Array): string {
    return createHash('sha256').update(bytes).digest('hex');
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256.slice(0, 2), `${sha256}.bin`);
  }

  /** Bytes this address has stored (each distinct object once). */
  bytesFrom(ip: string): number {
    const r = this.db
      .prepare('SELECT coalesce(sum(size), 0) AS n FROM (SELECT DISTINCT o.sha256, o.size FROM quarantine_uploads u JOIN quarantine_objects o USING (sha256) WHERE u.src_ip = ?)')
      .get(ip) as { n: number };
    return r.n;
  }

  totalBytes(): number {
    return (this.db.prepare('SELECT coalesce(sum(size), 0) AS n FROM quarantine_objects').get() as { n: number }).n;
  }

  /** Stores the exact bytes (once per content) and records the upload; refuses past a quota without writing. */
  put(bytes: Uint8Array, meta: UploadMeta): PutResult {
    const sha256 = Quarantine.sha256(bytes);
    const size = bytes.byteLength;
    const known = this.db.prepare('SELECT size FROM quarantine_objects WHERE sha256 = ?').get(sha256) as { size: number } | undefined;
    const already = this.db.prepare('SELECT 1 FROM quarantine_uploads WHERE sha256 = ? AND src_ip = ? LIMIT 1').get(sha256, meta.srcIp) !== undefined;
    if (!already && this.bytesFrom(meta.srcIp) + size > this.limits.maxBytesPerIp) return { ok: false, reason: 'quota_per_ip', sha256, size };
    if (!known && this.totalBytes() + size > this.limits.maxBytes) return { ok: false, reason: 'quota_total', sha256, size };
    const path = this.pathOf(sha256);
    if (!known || !existsSync(path)) {
      mkdirSync(join(this.dir, sha256.slice(0, 2)), { recursive: true, mode: 0o750 });
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, bytes, { mode: 0o640 });
      renameSync(tmp, path);
    }
    const ms = this.now();
    this.db.transaction(() => {
      if (!known) this.db.prepare('INSERT INTO quarantine_objects (sha256, size, first_seen_ms) VALUES (?, ?, ?)').run(sha256, size, ms);
      this.db
        .prepare(
          'INSERT INTO quarantine_uploads (sha256, received_ms, session, src_ip, channel, sop_class, sop_instance, transfer_syntax, filename, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        )
        .run(sha256, ms, meta.session, meta.srcIp, meta.channel, meta.sopClass ?? null, meta.sopInstance ?? null, meta.transferSyntax ?? null, meta.filename ?? null, size);
    })();
    return { ok: true, sha256, path, size, duplicate: known !== undefined };
  }
}
