/**
 * The decoy archive: its directory of DICOM files (`archiveRoot`) and the SQLite index Q/R answers from.
 *
 * Generations. The index lives in `indexDir` as numbered SQLite files (`index-000007.sqlite`) and a
 * `CURRENT` file naming the one in service. `rebuild()` builds a new generation aside
 * (`….sqlite.building-<pid>`), renames it into place, then swaps `CURRENT` by rename — atomic on POSIX —
 * and the `Archive` reopens on the new one. A query holds a lease on the generation it started on until
 * it finishes, so it sees the old index or the new one, never a mix; a retired generation is closed when
 * its last lease is released. Another process (`dicomhawk import`) swapping generations is noticed on the
 * next acquire (`CURRENT` is re-read when it changes).
 *
 * Roots. Each generation also names the directory its files live in, relative to `archiveRoot` (meta key
 * `root`; '' is `archiveRoot` itself). The TCIA rotation builds a new file set aside (`.sets/<name>`, hidden
 * from a walk of the root), indexes it into a new generation and swaps `CURRENT`: files and index change
 * together in one rename. Only files the bounded reader accepts as DICOM are indexed, so the `LICENSE` text
 * saved beside each TCIA series is never served (it is listed among the skipped files).
 *
 * `update()` indexes incrementally into the current generation: new and changed files (size + mtime),
 * removed files, each batch of files in one transaction together with the recount of what it touched.
 * `importFiles()` copies DICOM files into the archive layout; `addQuarantinedUpload()` registers an
 * upload visible only to its uploader's address (and replayed into every rebuilt generation).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { Statement } from 'better-sqlite3';
import { migrate, openDb, type Db } from '../../core/storage/db.ts';
import { IndexWriter } from './indexer.ts';
import { find, type FindRequest, type FindResponse, type FindSummary } from './query.ts';
import { readDicomFile, type FileReadResult } from './reader.ts';
import { resolveInstances, type Resolution, type RetrieveRequest } from './retrieve.ts';
import { SCHEMA_ID, schemaSql } from './schema.ts';
import type { ArchiveLease, ArchiveSource } from './plan.ts';

export { QueryRetrieveError } from './plan.ts';
export type { ArchiveLease, ArchiveSource } from './plan.ts';

export interface ArchiveOptions {
  /** Directory holding the index generations (e.g. `DATA_DIR/archive-index`). */
  readonly indexDir: string;
  /** The archive directory (`DATA_DIR/archive`); public instance paths are stored relative to it. */
  readonly archiveRoot: string;
  /** Compute each file's SHA-256 while indexing (default true). */
  readonly hash?: boolean;
  /** Files per transaction while indexing (default 200). */
  readonly batchSize?: number;
  /** How often (ms) an acquire re-checks `CURRENT` for a swap made by another process (default 500). */
  readonly pointerCheckMs?: number;
}

export interface Progress {
  readonly phase: 'scan' | 'index' | 'import' | 'uploads';
  readonly done: number;
  readonly total: number;
  /** The file just handled (relative to the root being walked). */
  readonly path?: string;
}

export interface SkippedFile {
  /** Relative to the directory walked. */
  readonly path: string;
  readonly reason: string;
}

export interface IndexReport {
  readonly generation: string;
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly unchanged: number;
  /** Files seen in this run that could not be indexed (unchanged known-bad files are not repeated). */
  readonly skipped: readonly SkippedFile[];
  readonly durationMs: number;
}

export interface ImportReport {
  readonly imported: number;
  readonly skipped: readonly SkippedFile[];
  /** Archive-relative paths written. */
  readonly files: readonly string[];
}

export interface UploadInput {
  /** Address of the uploader: the only one that will see the instance. */
  readonly ownerIp: string;
  /** Absolute path of the stored object (Part-10 file, or bare data set in `transferSyntax`). */
  readonly path: string;
  /** Transfer syntax of a bare data set (required when the file has no meta header). */
  readonly transferSyntax?: string;
  readonly sha256?: string;
  readonly receivedAt?: string;
}

export type UploadResult =
  | { readonly ok: true; readonly studyInstanceUid: string; readonly seriesInstanceUid: string; readonly sopInstanceUid: string; readonly sopClassUid: string }
  | { readonly ok: false; readonly reason: string };

export interface ArchiveStats {
  readonly generation: string;
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly uploads: number;
}

type ProgressFn = (p: Progress) => void;

interface Generation {
  readonly name: string;
  /** Directory of the generation's files, relative to `archiveRoot` ('' = the root itself). */
  readonly root: string;
  readonly db: Db;
  readonly statements: Map<string, Statement>;
  writer: IndexWriter | null;
  refs: number;
  retired: boolean;
}

interface FileEntry {
  readonly rel: string;
  readonly abs: string;
  readonly size: number;
  readonly mtimeMs: number;
}

const CURRENT = 'CURRENT';
const GEN_RE = /^index-(\d{6})\.sqlite$/;
const BUILDING_RE = /^index-(\d{6})\.sqlite\.building-(\d+)$/;
const STATEMENT_CACHE = 256;
const POINTER_CHECK_MS = 500;
/** Longest stretch of synchronous file reading before indexing yields to the event loop. */
const SLICE_MS = 20;

const migrations = [{ id: SCHEMA_ID, sql: schemaSql() }];

function genName(n: number): string {
  return `index-${String(n).padStart(6, '0')}.sqlite`;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeDbFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path + suffix, { force: true });
}

const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Recursively list regular files (hidden entries skipped), sorted; non-regular entries are reported. */
async function listFiles(root: string, skipped: SkippedFile[]): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: relative(root, dir) || '.', reason: `unreadable directory: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const abs = join(dir, e.name);
      const rel = relative(root, abs).split(sep).join('/');
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) {
        try {
          const st = await stat(abs);
          out.push({ rel, abs, size: st.size, mtimeMs: st.mtimeMs });
        } catch (err) {
          skipped.push({ path: rel, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
        }
      } else skipped.push({ path: rel, reason: 'not a regular file' });
    }
  };
  await walk(root);
  return out;
}

/** A path component from attribute text: [A-Za-z0-9.-] kept, anything else replaced, a hash suffix when changed. */
export function safeComponent(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9.-]/g, '_').replace(/^\.+/, '_').slice(0, 64);
  if (cleaned === value && value !== '' && value.length <= 64) return value;
  const digest = createHash('sha256').update(value).digest('hex').slice(0, 8);
  return `${cleaned.slice(0, 48) || '_'}_${digest}`;
}

/** The archive-relative path of an instance: `<PatientID>/<StudyUID>/<SeriesUID>/<SOPInstanceUID>.dcm`. */
export function archivePath(patientId: string, studyUid: string, seriesUid: string, sopUid: string): string {
  return [safeComponent(patientId), safeComponent(studyUid), safeComponent(seriesUid), `${safeComponent(sopUid)}.dcm`].join('/');
}

/**
 * Copy DICOM Part-10 files from `srcDir` (recursively) into `archiveDir` in the archive layout. Files
 * that are not DICOM, are damaged or truncated, lack a UID, or whose instance the archive already holds
 * are skipped with a reason. Each file appears atomically (copied aside, then renamed).
 */
export async function importFiles(srcDir: string, archiveDir: string, opts: { onProgress?: ProgressFn } = {}): Promise<ImportReport> {
  const skipped: SkippedFile[] = [];
  const files = await listFiles(resolve(srcDir), skipped);
  const written: string[] = [];
  mkdirSync(archiveDir, { recursive: true });
  let done = 0;
  let slice = Date.now();
  for (const f of files) {
    done++;
    const { result } = readDicomFile(f.abs);
    if (!result.ok) skipped.push({ path: f.rel, reason: result.reason });
    else {
      const v = result.header.values;
      const study = v.get('0020000D') ?? '';
      const series = v.get('0020000E') ?? '';
      const sop = v.get('00080018') || result.header.mediaStorageSopInstanceUid;
      const missing = study === '' ? 'StudyInstanceUID (0020,000D)' : series === '' ? 'SeriesInstanceUID (0020,000E)' : sop === '' ? 'SOPInstanceUID (0008,0018)' : null;
      if (missing !== null) skipped.push({ path: f.rel, reason: `missing ${missing}` });
      else {
        const rel = archivePath(v.get('00100020') ?? '', study, series, sop);
        const dest = join(archiveDir, ...rel.split('/'));
        if (existsSync(dest)) skipped.push({ path: f.rel, reason: `already in the archive as ${rel}` });
        else {
          mkdirSync(join(dest, '..'), { recursive: true });
          const tmp = join(dest, '..', `.${basename(dest)}.importing-${process.pid}`);
          copyFileSync(f.abs, tmp);
          renameSync(tmp, dest);
          written.push(rel);
        }
      }
    }
    opts.onProgress?.({ phase: 'import', done, total: files.length, path: f.rel });
    if (Date.now() - slice >= SLICE_MS) {
      await yieldToLoop();
      slice = Date.now();
    }
  }
  return { imported: written.length, skipped, files: written };
}

export class Archive implements ArchiveSource {
  readonly indexDir: string;
  readonly archiveRoot: string;
  private readonly hash: boolean;
  private readonly batchSize: number;
  private readonly pointerCheckMs: number;
  private current: Generation;
  private readonly retired = new Set<Generation>();
  private pointerStamp = '';
  private lastPointerCheck = 0;
  /** Serialises rebuild/update/import of this object. */
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(opts: ArchiveOptions, current: Generation, stamp: string) {
    this.indexDir = resolve(opts.indexDir);
    this.archiveRoot = resolve(opts.archiveRoot);
    this.hash = opts.hash ?? true;
    this.batchSize = opts.batchSize ?? 200;
    this.pointerCheckMs = opts.pointerCheckMs ?? POINTER_CHECK_MS;
    this.current = current;
    this.pointerStamp = stamp;
  }

  /**
   * Open the archive index (creating an empty generation when there is none). Call `ensureBuilt()` (or
   * `rebuild()`/`update()`) to index the archive directory.
   */
  static open(opts: ArchiveOptions): Archive {
    const dir = resolve(opts.indexDir);
    mkdirSync(dir, { recursive: true });
    mkdirSync(resolve(opts.archiveRoot), { recursive: true });
    for (const name of readdirSync(dir)) {
      const m = BUILDING_RE.exec(name);
      if (m !== null && !processAlive(Number(m[2]))) removeDbFiles(join(dir, name)); // a build that died
    }
    let name = Archive.readPointer(dir);
    if (name === null || !existsSync(join(dir, name))) {
      name = genName(Archive.nextNumber(dir));
      const db = openDb(join(dir, name));
      migrate(db, migrations);
      db.close();
      Archive.writePointer(dir, name);
    }
    const gen = Archive.openGeneration(dir, name);
    return new Archive(opts, gen, Archive.stamp(dir));
  }

  private static readPointer(dir: string): string | null {
    try {
      const name = readFileSync(join(dir, CURRENT), 'utf8').trim();
      return GEN_RE.test(name) ? name : null;
    } catch {
      return null;
    }
  }

  private static writePointer(dir: string, name: string): void {
    const tmp = join(dir, `${CURRENT}.tmp-${process.pid}`);
    writeFileSync(tmp, `${name}\n`);
    renameSync(tmp, join(dir, CURRENT));
  }

  private static stamp(dir: string): string {
    try {
      const st = statSync(join(dir, CURRENT));
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return '';
    }
  }

  private static nextNumber(dir: string): number {
    let max = 0;
    for (const name of readdirSync(dir)) {
      const m = GEN_RE.exec(name) ?? BUILDING_RE.exec(name);
      if (m !== null) max = Math.max(max, Number(m[1]));
    }
    return max + 1;
  }

  private static openGeneration(dir: string, name: string): Generation {
    const db = openDb(join(dir, name));
    migrate(db, migrations);
    return { name, root: Archive.rootOf(db), db, statements: new Map(), writer: null, refs: 0, retired: false };
  }

  private static rootOf(db: Db): string {
    const v = db.prepare(`SELECT value FROM meta WHERE key = 'root'`).pluck().get();
    return typeof v === 'string' ? v : '';
  }

  /** A root relative to the archive directory: '' or a path below it (no '..', not absolute). */
  private static checkRoot(root: string): string {
    const r = root.split(sep).join('/').replace(/\/+$/, '');
    if (r === '') return '';
    if (r.startsWith('/') || r.split('/').some((c) => c === '' || c === '.' || c === '..')) throw new Error(`archive root ${JSON.stringify(root)} is not a path below the archive directory`);
    return r;
  }

  private rootDir(gen: Generation): string {
    return gen.root === '' ? this.archiveRoot : join(this.archiveRoot, ...gen.root.split('/'));
  }

  /** The directory (relative to `archiveRoot`, '' = itself) whose files the generation in service serves. */
  get root(): string {
    return this.refresh().root;
  }

  /** Absolute directory of the files the generation in service serves. */
  get servedDir(): string {
    return this.rootDir(this.refresh());
  }

  /** Roots of every generation still on disk (the one in service and the one kept before it). */
  rootsOnDisk(): string[] {
    const roots = new Set<string>([this.refresh().root]);
    for (const name of readdirSync(this.indexDir)) {
      if (!GEN_RE.test(name) || name === this.current.name) continue;
      try {
        const db = openDb(join(this.indexDir, name), { readonly: true });
        try {
          roots.add(Archive.rootOf(db));
        } finally {
          db.close();
        }
      } catch {
        // unreadable generation: it roots nothing
      }
    }
    return [...roots];
  }

  /** Resolves once no query holds a generation other than the one in service (or after `timeoutMs`). */
  async drained(timeoutMs = 30_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while ([...this.retired].some((g) => g.refs > 0)) {
      if (Date.now() >= until) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** The generation in service (re-reading `CURRENT` when another process swapped it). */
  private refresh(): Generation {
    const now = Date.now();
    if (now - this.lastPointerCheck >= this.pointerCheckMs) {
      this.lastPointerCheck = now;
      const stamp = Archive.stamp(this.indexDir);
      if (stamp !== this.pointerStamp) {
        this.pointerStamp = stamp;
        const name = Archive.readPointer(this.indexDir);
        if (name !== null && name !== this.current.name && existsSync(join(this.indexDir, name))) {
          this.switchTo(Archive.openGeneration(this.indexDir, name));
        }
      }
    }
    return this.current;
  }

  private switchTo(next: Generation): void {
    const old = this.current;
    this.current = next;
    old.retired = true;
    if (old.refs === 0) this.closeGeneration(old);
    else this.retired.add(old);
  }

  private closeGeneration(gen: Generation): void {
    this.retired.delete(gen);
    gen.statements.clear();
    gen.writer = null;
    if (gen.db.open) gen.db.close();
  }

  /** Hold the current generation (see ArchiveSource). */
  acquire(): ArchiveLease {
    if (this.closed) throw new Error('archive is closed');
    const gen = this.refresh();
    gen.refs++;
    let released = false;
    return {
      db: gen.db,
      archiveRoot: this.rootDir(gen),
      generation: gen.name,
      prepare: (sql: string): Statement => {
        let st = gen.statements.get(sql);
        if (st === undefined) {
          st = gen.db.prepare(sql);
          if (gen.statements.size >= STATEMENT_CACHE) {
            const first = gen.statements.keys().next().value;
            if (first !== undefined) gen.statements.delete(first);
          }
          gen.statements.set(sql, st);
        }
        return st;
      },
      release: () => {
        if (released) return;
        released = true;
        gen.refs--;
        if (gen.retired && gen.refs === 0) this.closeGeneration(gen);
      },
    };
  }

  /** Name of the generation in service. */
  get generation(): string {
    return this.refresh().name;
  }

  /** C-FIND (see query.ts). */
  find(req: FindRequest): Generator<FindResponse, FindSummary, undefined> {
    return find(this, req);
  }

  /** C-GET / C-MOVE instance selection (see retrieve.ts). */
  resolveInstances(req: RetrieveRequest): Resolution {
    return resolveInstances(this, req);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** True when the current generation has never indexed the archive directory. */
  get needsBuild(): boolean {
    const row = this.refresh().db.prepare(`SELECT value FROM meta WHERE key = 'built_at'`).pluck().get();
    return row === undefined;
  }

  /** Build the index if it never was, otherwise bring it up to date incrementally. */
  ensureBuilt(opts: { onProgress?: ProgressFn } = {}): Promise<IndexReport> {
    return this.needsBuild ? this.rebuild(opts) : this.update(opts);
  }

  /**
   * Build a complete new generation from the archive directory (plus the registered uploads) aside and
   * swap it in. Queries keep running on the previous generation meanwhile.
   *
   * `root` names the directory (relative to `archiveRoot`) the new generation serves; default: the root of
   * the generation in service (the archive directory itself when that root no longer exists). `beforeSwap` runs once the new index is complete and before the swap (the
   * rotation learns the integrity manifest there); when it throws, the new generation is discarded and the
   * one in service stays.
   */
  rebuild(opts: { onProgress?: ProgressFn; root?: string; beforeSwap?: (generation: string) => Promise<void> } = {}): Promise<IndexReport> {
    return this.serial(async () => {
      const started = Date.now();
      // Default: the root in service — unless its directory is gone (a forced re-seed cleared the archive).
      const current = this.refresh();
      const root = opts.root !== undefined ? Archive.checkRoot(opts.root) : existsSync(this.rootDir(current)) ? current.root : '';
      const rootAbs = root === '' ? this.archiveRoot : join(this.archiveRoot, ...root.split('/'));
      if (!existsSync(rootAbs)) throw new Error(`archive root ${rootAbs} does not exist`);
      const number = Archive.nextNumber(this.indexDir);
      const name = genName(number);
      const building = join(this.indexDir, `${name}.building-${process.pid}`);
      removeDbFiles(building);
      const db = openDb(building);
      let report: Omit<IndexReport, 'generation' | 'durationMs'>;
      try {
        db.pragma('journal_mode = OFF');
        db.pragma('synchronous = OFF');
        migrate(db, migrations);
        db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('root', ?)`).run(root);
        const synced = await this.sync(db, opts.onProgress, rootAbs);
        await opts.beforeSwap?.(name);
        // From here to the swap nothing awaits: no upload registered in this process can slip between the
        // replay of the registered uploads and the swap.
        const lost = this.replayUploads(db, opts.onProgress);
        report = { ...synced, skipped: [...synced.skipped, ...lost] };
        db.pragma('journal_mode = WAL');
        db.close();
      } catch (err) {
        if (db.open) db.close();
        removeDbFiles(building);
        throw err;
      }
      renameSync(building, join(this.indexDir, name));
      Archive.writePointer(this.indexDir, name);
      this.pointerStamp = Archive.stamp(this.indexDir);
      this.switchTo(Archive.openGeneration(this.indexDir, name));
      this.prune();
      return { generation: name, ...report, durationMs: Date.now() - started };
    });
  }

  /** Re-register, in `db`, the uploads registered in the generation in service; returns those that failed. */
  private replayUploads(db: Db, onProgress: ProgressFn | undefined): SkippedFile[] {
    const rows = this.refresh()
      .db.prepare('SELECT owner_ip, path, transfer_syntax, sha256, received_at FROM uploads ORDER BY id')
      .all() as { owner_ip: string; path: string; transfer_syntax: string | null; sha256: string | null; received_at: string }[];
    const writer = new IndexWriter(db);
    const lost: SkippedFile[] = [];
    let done = 0;
    db.transaction(() => {
      for (const r of rows) {
        done++;
        const res = this.indexUpload(db, writer, { ownerIp: r.owner_ip, path: r.path, transferSyntax: r.transfer_syntax ?? undefined, sha256: r.sha256 ?? undefined, receivedAt: r.received_at });
        if (!res.ok) lost.push({ path: r.path, reason: `upload of ${r.owner_ip} dropped: ${res.reason}` });
        onProgress?.({ phase: 'uploads', done, total: rows.length, path: r.path });
      }
      writer.flush();
      for (const ip of writer.owners()) writer.recomputeOwner(ip);
    })();
    return lost;
  }

  /** Keep the current and the previous generation files; remove older ones. */
  private prune(): void {
    const names = readdirSync(this.indexDir)
      .filter((n) => GEN_RE.test(n))
      .sort();
    const keep = new Set(names.slice(-2));
    keep.add(this.current.name);
    for (const n of names) if (!keep.has(n)) removeDbFiles(join(this.indexDir, n));
  }

  /**
   * Index new and changed files, and forget removed ones, in the generation in service. Each batch of
   * files is one transaction that also recounts what it touched.
   */
  update(opts: { onProgress?: ProgressFn } = {}): Promise<IndexReport> {
    return this.serial(async () => {
      const started = Date.now();
      const gen = this.refresh();
      gen.refs++;
      try {
        const report = await this.sync(gen.db, opts.onProgress, this.rootDir(gen));
        return { generation: gen.name, ...report, durationMs: Date.now() - started };
      } finally {
        gen.refs--;
        if (gen.retired && gen.refs === 0) this.closeGeneration(gen);
      }
    });
  }

  /** Bring `db` in line with the archive directory. */
  private async sync(db: Db, onProgress: ProgressFn | undefined, rootAbs: string): Promise<Omit<IndexReport, 'generation' | 'durationMs'>> {
    const skipped: SkippedFile[] = [];
    const files = await listFiles(rootAbs, skipped);
    onProgress?.({ phase: 'scan', done: files.length, total: files.length });
    const known = new Map<string, { size: number; mtime: number }>();
    for (const r of db.prepare('SELECT path, size, mtime_ms AS mtime FROM instances WHERE owner_ip IS NULL').all() as { path: string; size: number; mtime: number }[]) {
      known.set(r.path, { size: r.size, mtime: r.mtime });
    }
    const bad = new Map<string, { size: number; mtime: number }>();
    for (const r of db.prepare('SELECT path, size, mtime_ms AS mtime FROM skipped').all() as { path: string; size: number; mtime: number }[]) {
      bad.set(r.path, { size: r.size, mtime: r.mtime });
    }
    const onDisk = new Set(files.map((f) => f.rel));
    const removedPaths = [...known.keys(), ...bad.keys()].filter((p) => !onDisk.has(p));
    const work: { file: FileEntry; kind: 'add' | 'update' }[] = [];
    let unchanged = 0;
    for (const f of files) {
      const k = known.get(f.rel) ?? bad.get(f.rel);
      if (k === undefined) work.push({ file: f, kind: 'add' });
      else if (k.size !== f.size || k.mtime !== f.mtimeMs) work.push({ file: f, kind: known.has(f.rel) ? 'update' : 'add' });
      else unchanged++;
    }

    const writer = new IndexWriter(db);
    const setSkipped = db.prepare('INSERT OR REPLACE INTO skipped (path, size, mtime_ms, reason) VALUES (?, ?, ?, ?)');
    const clearSkipped = db.prepare('DELETE FROM skipped WHERE path = ?');
    let added = 0;
    let updated = 0;
    let removed = 0;
    db.transaction(() => {
      for (const p of removedPaths) {
        if (writer.removePath(p, null)) removed++;
        clearSkipped.run(p);
      }
      writer.flush();
    })();

    let done = 0;
    for (let i = 0; i < work.length; i += this.batchSize) {
      const batch = work.slice(i, i + this.batchSize);
      // Read outside the transaction (I/O, yielding to the event loop every few ms), write inside it.
      const read: ({ file: FileEntry; kind: 'add' | 'update' } & FileReadResult)[] = [];
      let slice = Date.now();
      for (const { file, kind } of batch) {
        read.push({ file, kind, ...readDicomFile(file.abs, { hash: this.hash }) });
        if (Date.now() - slice >= SLICE_MS) {
          await yieldToLoop();
          slice = Date.now();
        }
      }
      db.transaction(() => {
        for (const { file, kind, result, sha256 } of read) {
          done++;
          let reason: string | null = null;
          if (!result.ok) reason = result.reason;
          else {
            const outcome = writer.index({ ownerIp: null, path: file.rel, header: result.header, sha256, mtimeMs: file.mtimeMs });
            if (!outcome.ok) reason = outcome.reason;
          }
          if (reason !== null) {
            if (kind === 'update' && writer.removePath(file.rel, null)) removed++;
            setSkipped.run(file.rel, file.size, file.mtimeMs, reason);
            skipped.push({ path: file.rel, reason });
          } else {
            clearSkipped.run(file.rel);
            if (kind === 'update') updated++;
            else added++;
          }
          onProgress?.({ phase: 'index', done, total: work.length, path: file.rel });
        }
        writer.flush();
      })();
      await yieldToLoop();
    }
    if (removed + added + updated > 0) {
      db.transaction(() => {
        for (const ip of writer.owners()) writer.recomputeOwner(ip);
      })();
    }
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('built_at', ?)`).run(new Date().toISOString());
    return { added, updated, removed, unchanged, skipped };
  }

  /** Import files into the archive directory, then index them. */
  async import(srcDir: string, opts: { onProgress?: ProgressFn } = {}): Promise<{ import: ImportReport; index: IndexReport }> {
    const imported = await importFiles(srcDir, this.servedDir, opts);
    const index = await this.update(opts);
    return { import: imported, index };
  }

  private indexUpload(db: Db, writer: IndexWriter, u: UploadInput): UploadResult {
    const { result, sha256 } = readDicomFile(u.path, { ...(u.transferSyntax !== undefined ? { transferSyntax: u.transferSyntax } : {}), hash: u.sha256 === undefined && this.hash });
    if (!result.ok) return { ok: false, reason: result.reason };
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(u.path).mtimeMs;
    } catch {
      // vanished between read and stat: keep 0
    }
    const outcome = writer.index({ ownerIp: u.ownerIp, path: u.path, header: result.header, sha256: u.sha256 ?? sha256, mtimeMs });
    if (!outcome.ok) return outcome;
    db.prepare(
      `INSERT INTO uploads (owner_ip, path, transfer_syntax, sha256, sop_instance_uid, received_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (owner_ip, sop_instance_uid) DO UPDATE SET path = excluded.path, transfer_syntax = excluded.transfer_syntax, sha256 = excluded.sha256, received_at = excluded.received_at`,
    ).run(u.ownerIp, u.path, u.transferSyntax ?? null, u.sha256 ?? sha256, outcome.sopInstanceUid, u.receivedAt ?? new Date().toISOString());
    return outcome;
  }

  /**
   * Register a quarantined upload so that `ownerIp` — and nobody else — sees it in its later queries and
   * retrieves (issue 4's C-STORE rule). The file is parsed with the bounded reader (attacker bytes).
   */
  addQuarantinedUpload(u: UploadInput): UploadResult {
    const gen = this.refresh();
    const writer = (gen.writer ??= new IndexWriter(gen.db));
    return gen.db.transaction(() => {
      const res = this.indexUpload(gen.db, writer, u);
      writer.flush();
      if (res.ok) writer.recomputeOwner(u.ownerIp);
      return res;
    })();
  }

  /** Forget an address's uploads (all, or the listed SOP Instance UIDs). Returns how many were removed. */
  removeUploads(ownerIp: string, sopInstanceUids?: readonly string[]): number {
    const gen = this.refresh();
    const writer = (gen.writer ??= new IndexWriter(gen.db));
    return gen.db.transaction(() => {
      const rows = gen.db.prepare('SELECT path, sop_instance_uid AS uid FROM uploads WHERE owner_ip = ?').all(ownerIp) as { path: string; uid: string }[];
      const wanted = sopInstanceUids === undefined ? null : new Set(sopInstanceUids);
      let n = 0;
      for (const r of rows) {
        if (wanted !== null && !wanted.has(r.uid)) continue;
        if (writer.removePath(r.path, ownerIp)) n++;
        gen.db.prepare('DELETE FROM uploads WHERE owner_ip = ? AND sop_instance_uid = ?').run(ownerIp, r.uid);
      }
      writer.flush();
      writer.recomputeOwner(ownerIp);
      return n;
    })();
  }

  stats(): ArchiveStats {
    const gen = this.refresh();
    const count = (sql: string): number => gen.db.prepare(sql).pluck().get() as number;
    return {
      generation: gen.name,
      patients: count('SELECT count(*) FROM patients WHERE owner_ip IS NULL'),
      studies: count('SELECT count(*) FROM studies WHERE owner_ip IS NULL'),
      series: count('SELECT count(*) FROM series WHERE owner_ip IS NULL'),
      instances: count('SELECT count(*) FROM instances WHERE owner_ip IS NULL'),
      uploads: count('SELECT count(*) FROM uploads'),
    };
  }

  /** Close every generation (leases still out become invalid). */
  close(): void {
    this.closed = true;
    for (const g of [...this.retired]) this.closeGeneration(g);
    this.closeGeneration(this.current);
  }
}
