/**
 * Where the PDU records go: rotating pcapng files `DATA_DIR/pdu/<yyyy-mm-dd>/<HHMMSSmmm>-<pid>-<n>.pcapng`
 * shared by all sessions (every packet carries its session id, see pcapng.ts). Names sort by the time a file was
 * started. Writing happens off the protocol path: recorders encode their blocks straight into the store's reused
 * write buffers, which are written by one asynchronous append per file every FLUSH_MS (or sooner once FLUSH_BYTES
 * are waiting) — an association costs no file operation and no buffer of its own.
 *
 * Bounded (besides each recorder's own per-session cap):
 * - per source address: bytes recorded for one IP during the current UTC day (by this process);
 * - in total: bytes under `DATA_DIR/pdu`. When the total passes 90 % of the cap, the oldest files are deleted
 *   (oldest first) down to 75 %; the file being written is never deleted. Files rotate at an eighth of the cap
 *   (64 MiB at most), so pruning is fine-grained. While pruning has not caught up, a reservation that would pass
 *   the cap is refused (the session's record is cut);
 * - in memory: bytes reserved but not yet written. Past `maxPendingBytes` reservations are refused too, so a
 *   stalled disk cannot make memory grow without bound.
 */
import { appendFile, mkdir, readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../core/log.ts';
import { pcapngFileHeader } from './pcapng.ts';

export interface PduRecordLimits {
  maxBytesPerSession: number;
  maxBytesPerIp: number;
  maxBytesTotal: number;
  /** Bytes reserved but not yet written, all sessions together (default 16 MiB). */
  maxPendingBytes?: number;
}

export const RECORD_DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
export const RECORD_FILE = /^\d{9}-\d+-\d{4,}\.pcapng$/;
/** Entries in the per-IP map before it is emptied (a flood of addresses cannot grow it; the total cap still holds). */
const MAX_TRACKED_IPS = 65_536;
const DEFAULT_MAX_PENDING = 16 * 1024 * 1024;
const MAX_FILE_BYTES = 64 * 1024 * 1024;
const FLUSH_MS = 100;
const FLUSH_BYTES = 256 * 1024;
/** Write buffer size (a block larger than this gets a buffer of its own). */
const CHUNK_BYTES = FLUSH_BYTES + 64 * 1024;
/** Chunks kept for reuse. */
const FREE_CHUNKS = 4;

/** A run of blocks of one file, bytes [start, end) of a chunk. */
interface Queued {
  rel: string;
  chunk: Buffer;
  start: number;
  end: number;
}

export class PduRecordStore {
  private used = 0;
  private pending = 0;
  private readonly perIp = new Map<string, number>();
  /** When the per-IP budgets start over (next UTC midnight, ms). */
  private ipDayEndsAt = 0;
  private readonly madeDays = new Set<string>();
  private current: { rel: string; day: string; dayEndsAt: number; bytes: number } | null = null;
  private fileCounter = 0;
  private queue: Queued[] = [];
  private queueBytes = 0;
  /** The chunk blocks are encoded into now, and how much of it is used. */
  private chunk: Buffer | null = null;
  private chunkUsed = 0;
  private readonly freeChunks: Buffer[] = [];
  /** Appends in flight per chunk (a chunk's blocks are all flushed together, after it stopped taking blocks). */
  private readonly chunkWrites = new Map<Buffer, number>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** The tail of the chain of appends (one chain: files are written in order). */
  private writing: Promise<void> = Promise.resolve();
  /** Files with appends still in flight (never pruned: the append would re-create them without a header). */
  private readonly inFlight = new Map<string, number>();
  private pruning: Promise<void> | null = null;
  private readonly scanned: Promise<void>;
  private failures = 0;
  private readonly rotateBytes: number;

  constructor(
    readonly root: string,
    readonly limits: PduRecordLimits,
    private readonly diag?: Logger,
    private readonly application = 'DICOMHawk PDU record',
  ) {
    this.rotateBytes = Math.max(64 * 1024, Math.min(MAX_FILE_BYTES, Math.floor(limits.maxBytesTotal / 8)));
    this.scanned = this.scan().catch((err: unknown) => this.diag?.warn({ err }, 'PDU record store: could not measure existing records'));
  }

  /** Bytes under the root as far as the store knows (existing records counted once the start-up scan is done). */
  get usedBytes(): number {
    return this.used;
  }

  get pendingBytes(): number {
    return this.pending;
  }

  /** Writes what is queued and resolves once the start-up scan, every write and any pruning are done. */
  async settled(): Promise<void> {
    await this.scanned;
    for (;;) {
      this.flush();
      const tail = this.writing;
      await tail;
      if (this.pruning) await this.pruning;
      if (tail === this.writing && this.queue.length === 0 && !this.pruning) return;
    }
  }

  /** Asks for `n` more bytes for a record of a session from `ip`; false: the record must stop here. */
  reserve(ip: string, n: number): boolean {
    const max = this.limits.maxPendingBytes ?? DEFAULT_MAX_PENDING;
    if (this.pending + n > max) return false;
    if (this.used + n > this.limits.maxBytesTotal) {
      this.prune();
      return false;
    }
    const now = Date.now();
    if (now >= this.ipDayEndsAt) {
      this.perIp.clear();
      this.ipDayEndsAt = (Math.floor(now / 86_400_000) + 1) * 86_400_000;
    }
    const had = this.perIp.get(ip) ?? 0;
    if (had + n > this.limits.maxBytesPerIp) return false;
    if (had === 0 && this.perIp.size >= MAX_TRACKED_IPS) this.perIp.clear();
    this.perIp.set(ip, had + n);
    this.used += n;
    this.pending += n;
    if (this.used > this.limits.maxBytesTotal * 0.9) this.prune();
    return true;
  }

  /**
   * Queues a block of `size` bytes (reserved before), written by `fill` straight into the store's write buffer,
   * and returns the file, relative to the root, it goes into. Never throws, never blocks.
   */
  writeBlock(size: number, fill: (buf: Buffer, at: number) => void, nowMs = Date.now()): string {
    let cur = this.current;
    if (cur === null || nowMs >= cur.dayEndsAt || cur.bytes + size > this.rotateBytes) cur = this.startFile(nowMs);
    cur.bytes += size;
    this.queueBlock(cur.rel, size, fill);
    if (this.queueBytes >= FLUSH_BYTES) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
    return cur.rel;
  }

  /**
   * Blocks are encoded one after the other into a chunk of memory reused once its write is done: a buffer per
   * packet (eight per association) and a concatenation per flush cost the event loop more than the encoding.
   * A run of blocks of one file in one chunk is one queue entry (one slice, one append).
   */
  private queueBlock(rel: string, size: number, fill: (buf: Buffer, at: number) => void): void {
    if (this.chunk === null || this.chunkUsed + size > this.chunk.length) {
      this.closeChunk();
      this.chunk = size > CHUNK_BYTES ? Buffer.allocUnsafeSlow(size) : (this.freeChunks.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES));
      this.chunkUsed = 0;
    }
    const chunk = this.chunk;
    fill(chunk, this.chunkUsed);
    const last = this.queue.at(-1);
    if (last && last.rel === rel && last.chunk === chunk && last.end === this.chunkUsed) last.end += size;
    else this.queue.push({ rel, chunk, start: this.chunkUsed, end: this.chunkUsed + size });
    this.chunkUsed += size;
    this.queueBytes += size;
  }

  /** The current chunk takes no more blocks; it returns to the free list once every write from it is done. */
  private closeChunk(): void {
    const chunk = this.chunk;
    this.chunk = null;
    if (chunk !== null && !this.queue.some((q) => q.chunk === chunk)) this.release(chunk);
  }

  private release(chunk: Buffer): void {
    if (chunk.length === CHUNK_BYTES && this.freeChunks.length < FREE_CHUNKS) this.freeChunks.push(chunk);
  }

  private startFile(nowMs: number): { rel: string; day: string; dayEndsAt: number; bytes: number } {
    const t = new Date(nowMs).toISOString(); // 2026-11-28T15:08:12.345Z
    const day = t.slice(0, 10);
    const stamp = `${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}${t.slice(20, 23)}`;
    this.fileCounter += 1;
    const rel = join(day, `${stamp}-${process.pid}-${String(this.fileCounter).padStart(4, '0')}.pcapng`);
    const header = pcapngFileHeader(this.application);
    this.used += header.length; // not refused: a file without its header would be unreadable
    this.pending += header.length;
    this.current = { rel, day, dayEndsAt: (Math.floor(nowMs / 86_400_000) + 1) * 86_400_000, bytes: header.length };
    this.queueBlock(rel, header.length, (buf, at) => header.copy(buf, at));
    return this.current;
  }

  /** Hands what is queued to the chain of appends: one append per run of blocks of one file in one chunk. */
  private flush(): void {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (this.queue.length === 0) return;
    // The chunk being filled is written now: it takes no more blocks (a new one, or a free one, takes the next).
    // Closed before the queue is emptied, so that it is known to have writes coming.
    this.closeChunk();
    const batch = this.queue;
    this.queue = [];
    this.queueBytes = 0;
    for (const g of batch) {
      const data = g.chunk.subarray(g.start, g.end);
      this.inFlight.set(g.rel, (this.inFlight.get(g.rel) ?? 0) + 1);
      this.writing = this.writing
        .then(async () => {
          const day = g.rel.slice(0, 10);
          if (!this.madeDays.has(day)) {
            await mkdir(join(this.root, day), { recursive: true, mode: 0o750 });
            this.madeDays.add(day);
          }
          await appendFile(join(this.root, g.rel), data, { mode: 0o640 });
        })
        .catch((err: unknown) => {
          this.used = Math.max(0, this.used - data.length);
          this.failures += 1;
          if (this.failures === 1 || this.failures % 100 === 0) this.diag?.warn({ err, failures: this.failures }, 'PDU record write failed');
        })
        .finally(() => {
          this.pending -= data.length;
          const n = (this.inFlight.get(g.rel) ?? 1) - 1;
          if (n <= 0) this.inFlight.delete(g.rel);
          else this.inFlight.set(g.rel, n);
          const left = (this.chunkWrites.get(g.chunk) ?? 1) - 1;
          if (left > 0) this.chunkWrites.set(g.chunk, left);
          else {
            this.chunkWrites.delete(g.chunk);
            this.release(g.chunk);
          }
        });
      this.chunkWrites.set(g.chunk, (this.chunkWrites.get(g.chunk) ?? 0) + 1);
    }
  }

  private async scan(): Promise<void> {
    let total = 0;
    let days: string[];
    try {
      days = (await readdir(this.root)).filter((d) => RECORD_DAY_DIR.test(d));
    } catch {
      return; // no records yet
    }
    for (const day of days) {
      this.madeDays.add(day);
      for (const f of await readdir(join(this.root, day))) {
        try {
          total += (await stat(join(this.root, day, f))).size;
        } catch {
          // removed meanwhile
        }
      }
    }
    this.used += total;
    if (this.used > this.limits.maxBytesTotal * 0.9) this.prune();
  }

  /** Deletes the oldest files until the total is at most 75 % of the cap (one pass at a time). */
  private prune(): void {
    if (this.pruning) return;
    this.pruning = this.pruneOldest()
      .catch((err: unknown) => this.diag?.warn({ err }, 'PDU record pruning failed'))
      .finally(() => {
        this.pruning = null;
      });
  }

  private async pruneOldest(): Promise<void> {
    const target = this.limits.maxBytesTotal * 0.75;
    const days = (await readdir(this.root).catch(() => [] as string[])).filter((d) => RECORD_DAY_DIR.test(d)).sort();
    for (const day of days) {
      if (this.used <= target) return;
      const dir = join(this.root, day);
      const files = (await readdir(dir).catch(() => [] as string[])).sort();
      let left = files.length;
      for (const f of files) {
        if (this.used <= target) return;
        const rel = join(day, f);
        if (rel === this.current?.rel || this.inFlight.has(rel) || this.queue.some((q) => q.rel === rel)) continue;
        try {
          const size = (await stat(join(dir, f))).size;
          await unlink(join(dir, f));
          this.used = Math.max(0, this.used - size);
          left -= 1;
        } catch {
          // already gone
        }
      }
      if (left === 0 && day !== this.current?.day) {
        await rmdir(dir).catch(() => undefined);
        this.madeDays.delete(day);
      }
    }
  }
}
