/**
 * Integrity of the decoy archive: a SHA-256 manifest of every file under DATA_DIR/archive (table
 * `integrity_manifest` in DATA_DIR/dicomhawk.db) and a content-addressed pristine copy of each
 * (DATA_DIR/pristine/<aa>/<sha256>).
 *
 * - `learnManifest()` records the archive as it is now (our own seed, import and rotation call it, through
 *   `withArchiveMaintenance()`, so our changes are never reported).
 * - `checkIntegrity()` compares the archive with the manifest: files modified, added or deleted; modified
 *   and deleted files are restored from the pristine copy when asked (added ones are only reported). Each
 *   violation carries `first`: whether an earlier check already reported it (same path, change and content),
 *   so a periodic check reports a lasting change once, not every round.
 * - While a maintenance (seed, import, rotation) is under way a check is skipped, and a check during which
 *   one started or the manifest was re-learned is discarded.
 *
 * Files are hashed as streams; the event loop is never held for more than one chunk.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { copyFile, lstat, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Db, Migration } from '../../core/storage/db.ts';
import { migrate, openDb } from '../../core/storage/db.ts';

export const INTEGRITY_MIGRATIONS: readonly Migration[] = [
  {
    id: '300_integrity',
    sql: `
      CREATE TABLE IF NOT EXISTS integrity_manifest (path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS integrity_reported (path TEXT PRIMARY KEY, change TEXT NOT NULL, actual_sha256 TEXT, reported_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS integrity_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `,
  },
];

/** Where the archive, its pristine copy and the manifest live. */
export interface IntegrityTarget {
  /** SQLite file holding the manifest (DATA_DIR/dicomhawk.db). */
  readonly db: string;
  readonly archiveRoot: string;
  readonly pristineRoot: string;
}

export function integrityTarget(paths: { root: string; db: string; archive: string }): IntegrityTarget {
  return { db: paths.db, archiveRoot: paths.archive, pristineRoot: join(paths.root, 'pristine') };
}

export type Change = 'modified' | 'added' | 'deleted';

export interface Violation {
  /** Archive-relative, with "/" separators. */
  readonly path: string;
  readonly change: Change;
  readonly expectedSha256: string | null;
  /** Null for a deleted file, or for something that is not a regular file (a directory, a symlink). */
  readonly actualSha256: string | null;
  readonly restored: boolean;
  /** True the first time this violation (path, change, content) is reported. */
  readonly first: boolean;
}

export interface CheckReport {
  /** Null when the check ran; otherwise why it did not. */
  readonly skipped: null | 'no-manifest' | 'maintenance';
  readonly checked: number;
  readonly violations: readonly Violation[];
  readonly durationMs: number;
}

export interface LearnReport {
  readonly files: number;
  readonly bytes: number;
  readonly pristineWritten: number;
  readonly pristineRemoved: number;
  readonly durationMs: number;
}

const MAINTENANCE_STALE_MS = 6 * 3_600_000;

function open(target: IntegrityTarget): Db {
  mkdirSync(dirname(target.db), { recursive: true });
  const db = openDb(target.db);
  migrate(db, INTEGRITY_MIGRATIONS);
  return db;
}

function withDb<T>(target: IntegrityTarget, fn: (db: Db) => T): T {
  const db = open(target);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function getState(db: Db, key: string): string | undefined {
  return db.prepare('SELECT value FROM integrity_state WHERE key = ?').pluck().get(key) as string | undefined;
}

function setState(db: Db, key: string, value: string | null): void {
  if (value === null) db.prepare('DELETE FROM integrity_state WHERE key = ?').run(key);
  else db.prepare('INSERT OR REPLACE INTO integrity_state (key, value) VALUES (?, ?)').run(key, value);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function maintenanceActive(db: Db, now = Date.now()): boolean {
  const raw = getState(db, 'maintenance');
  if (raw === undefined) return false;
  try {
    const m = JSON.parse(raw) as { pid: number; since: number };
    return processAlive(m.pid) && now - m.since < MAINTENANCE_STALE_MS;
  } catch {
    return false;
  }
}

/** Whether a manifest was ever learned for this archive. */
export function hasManifest(target: IntegrityTarget): boolean {
  return withDb(target, (db) => getState(db, 'learned_at') !== undefined);
}

export function pristinePath(target: IntegrityTarget, sha256: string): string {
  return join(target.pristineRoot, sha256.slice(0, 2), sha256);
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface Entry {
  readonly abs: string;
  readonly regular: boolean;
}

/** Every entry under the archive (hidden ones included: a hidden file an intruder drops is a change too). */
async function walk(root: string): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const visit = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && dir === root) return;
      throw err;
    }
    for (const e of entries) {
      const abs = join(dir, e.name);
      if (e.isDirectory()) await visit(abs);
      else out.set(relative(root, abs).split(sep).join('/'), { abs, regular: e.isFile() });
    }
  };
  await visit(root);
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function atomicCopy(src: string, dest: string, tmpDir: string): Promise<void> {
  mkdirSync(tmpDir, { recursive: true });
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = join(tmpDir, `${process.pid}-${randomBytes(6).toString('hex')}`);
  await copyFile(src, tmp, constants.COPYFILE_FICLONE);
  try {
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(src, dest);
  }
}

/**
 * Records the archive as it is now: hashes every file, replaces the manifest, keeps a pristine copy of each
 * file (`pristine`, default true) and removes pristine copies no longer referenced. Forgets earlier reports.
 * `skip` lists archive-relative directories left out (the TCIA rotation learns the archive as it will be
 * once the set being replaced is gone, before the swap).
 */
export async function learnManifest(target: IntegrityTarget, opts: { pristine?: boolean; skip?: readonly string[] } = {}): Promise<LearnReport> {
  const started = Date.now();
  const keepPristine = opts.pristine ?? true;
  const skip = (opts.skip ?? []).filter((d) => d !== '').map((d) => `${d.replace(/\/+$/, '')}/`);
  const files = new Map([...(await walk(target.archiveRoot))].filter(([path]) => !skip.some((d) => path.startsWith(d))));
  const rows: Array<{ path: string; sha256: string; size: number }> = [];
  let bytes = 0;
  let written = 0;
  for (const [path, e] of files) {
    if (!e.regular) continue;
    const sha256 = await sha256File(e.abs);
    const size = statSync(e.abs).size;
    rows.push({ path, sha256, size });
    bytes += size;
    if (keepPristine) {
      const blob = pristinePath(target, sha256);
      if (!existsSync(blob)) {
        await atomicCopy(e.abs, blob, join(target.pristineRoot, 'tmp'));
        written++;
      }
    }
  }
  const wanted = new Set(keepPristine ? rows.map((r) => r.sha256) : []);
  let removed = 0;
  if (existsSync(target.pristineRoot)) {
    for (const dir of readdirSync(target.pristineRoot)) {
      if (dir === 'tmp') {
        rmSync(join(target.pristineRoot, dir), { recursive: true, force: true });
        continue;
      }
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(join(target.pristineRoot, dir))) {
        if (!wanted.has(name)) {
          rmSync(join(target.pristineRoot, dir, name), { force: true });
          removed++;
        }
      }
    }
  }
  withDb(target, (db) =>
    db.transaction(() => {
      db.prepare('DELETE FROM integrity_manifest').run();
      db.prepare('DELETE FROM integrity_reported').run();
      const insert = db.prepare('INSERT INTO integrity_manifest (path, sha256, size) VALUES (?, ?, ?)');
      for (const r of rows) insert.run(r.path, r.sha256, r.size);
      setState(db, 'learned_at', new Date().toISOString());
      setState(db, 'generation', String(Number(getState(db, 'generation') ?? '0') + 1));
    })(),
  );
  return { files: rows.length, bytes, pristineWritten: written, pristineRemoved: removed, durationMs: Date.now() - started };
}

/**
 * Runs `fn` (which changes the archive: seed, import, rotation) with periodic checks paused, then learns the
 * manifest of the result, so none of our own changes is ever reported.
 */
export async function withArchiveMaintenance<T>(target: IntegrityTarget, fn: () => Promise<T>, opts: { pristine?: boolean } = {}): Promise<{ result: T; learned: LearnReport }> {
  return withMaintenancePaused(target, async () => {
    const result = await fn();
    const learned = await learnManifest(target, opts);
    return { result, learned };
  });
}

/**
 * Runs `fn` with periodic checks paused and does not learn afterwards: for a change (the TCIA rotation) that
 * learns the manifest itself at the right moment (`learnManifest` inside `fn`).
 */
export async function withMaintenancePaused<T>(target: IntegrityTarget, fn: () => Promise<T>): Promise<T> {
  withDb(target, (db) => setState(db, 'maintenance', JSON.stringify({ pid: process.pid, since: Date.now() })));
  try {
    return await fn();
  } finally {
    withDb(target, (db) => setState(db, 'maintenance', null));
  }
}

async function restore(target: IntegrityTarget, path: string, sha256: string, entry: Entry | undefined): Promise<boolean> {
  const blob = pristinePath(target, sha256);
  if (!existsSync(blob)) return false;
  if ((await sha256File(blob)) !== sha256) return false; // the pristine copy itself was touched
  const dest = join(target.archiveRoot, ...path.split('/'));
  // Whatever sits there instead of the file (a symlink, a directory) goes.
  const there = await lstat(dest).catch(() => null);
  if ((entry && !entry.regular) || (there && !there.isFile())) await rm(dest, { recursive: true, force: true });
  await atomicCopy(blob, dest, join(target.pristineRoot, 'tmp'));
  return (await sha256File(dest)) === sha256;
}

/** Compares the archive with its manifest; restores modified and deleted files when `restore` is set. */
export async function checkIntegrity(target: IntegrityTarget, opts: { restore: boolean }): Promise<CheckReport> {
  const started = Date.now();
  const before = withDb(target, (db) => ({
    learned: getState(db, 'learned_at') !== undefined,
    maintenance: maintenanceActive(db),
    generation: getState(db, 'generation') ?? '0',
    manifest: new Map((db.prepare('SELECT path, sha256 FROM integrity_manifest').all() as Array<{ path: string; sha256: string }>).map((r) => [r.path, r.sha256])),
  }));
  const skip = (why: 'no-manifest' | 'maintenance'): CheckReport => ({ skipped: why, checked: 0, violations: [], durationMs: Date.now() - started });
  if (!before.learned) return skip('no-manifest');
  if (before.maintenance) return skip('maintenance');

  const disk = await walk(target.archiveRoot);
  const found: Array<{ path: string; change: Change; expected: string | null; actual: string | null; entry: Entry | undefined }> = [];
  for (const [path, expected] of before.manifest) {
    const entry = disk.get(path);
    if (!entry) found.push({ path, change: 'deleted', expected, actual: null, entry });
    else if (!entry.regular) found.push({ path, change: 'modified', expected, actual: null, entry });
    else {
      const actual = await sha256File(entry.abs).catch(() => null);
      if (actual === null && !existsSync(entry.abs)) found.push({ path, change: 'deleted', expected, actual: null, entry: undefined });
      else if (actual !== expected) found.push({ path, change: 'modified', expected, actual, entry });
    }
  }
  for (const [path, entry] of disk) {
    if (before.manifest.has(path)) continue;
    const actual = entry.regular ? await sha256File(entry.abs).catch(() => null) : null;
    found.push({ path, change: 'added', expected: null, actual, entry });
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  // Our own maintenance may have started (or finished) while we hashed: then what we saw is not a tamper.
  const after = withDb(target, (db) => ({ maintenance: maintenanceActive(db), generation: getState(db, 'generation') ?? '0' }));
  if (after.maintenance || after.generation !== before.generation) return skip('maintenance');

  const violations: Violation[] = [];
  for (const f of found) {
    let restored = false;
    if (opts.restore && f.change !== 'added' && f.expected !== null) restored = await restore(target, f.path, f.expected, f.entry).catch(() => false);
    violations.push({ path: f.path, change: f.change, expectedSha256: f.expected, actualSha256: f.actual, restored, first: true });
  }
  // Report each lasting violation once: remember what was reported, forget what is resolved.
  const reported = withDb(target, (db) =>
    db.transaction(() => {
      const prior = new Map(
        (db.prepare('SELECT path, change, actual_sha256 AS actual FROM integrity_reported').all() as Array<{ path: string; change: string; actual: string | null }>).map((r) => [r.path, r]),
      );
      const at = new Date().toISOString();
      const upsert = db.prepare('INSERT OR REPLACE INTO integrity_reported (path, change, actual_sha256, reported_at) VALUES (?, ?, ?, ?)');
      const current = new Set<string>();
      const out = violations.map((v) => {
        const p = prior.get(v.path);
        // A restore is always news; a lasting change is news once.
        const first = v.restored || !(p && p.change === v.change && p.actual === v.actualSha256);
        if (!v.restored) {
          current.add(v.path);
          if (first) upsert.run(v.path, v.change, v.actualSha256, at);
        }
        return { ...v, first };
      });
      const del = db.prepare('DELETE FROM integrity_reported WHERE path = ?');
      for (const path of prior.keys()) if (!current.has(path)) del.run(path);
      return out;
    })(),
  );
  return { skipped: null, checked: before.manifest.size, violations: reported, durationMs: Date.now() - started };
}
