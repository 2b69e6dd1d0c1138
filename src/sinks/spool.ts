/**
 * A disk FIFO of events for a sink whose target is down: append-only JSON-lines segments in `spool/`, read back
 * oldest first. The reader's position (byte offset, and the batch sequence number in flight) is saved beside
 * each segment before and after every batch, so a crash mid-replay neither loses nor repeats a batch.
 */
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolPosition {
  offset: number;
  /** Sequence number of the batch starting at `offset`, once it was assigned (for idempotent replay). */
  seq: number | null;
  /** Identity of the writer that assigned `seq`. */
  writer: string | null;
}

export interface SpoolBatch {
  segment: string;
  lines: string[];
  start: number;
  end: number;
  position: SpoolPosition;
}

const SEGMENT_BYTES = 8 * 1024 * 1024;

export class Spool {
  private active: string | null = null;
  private activeBytes = 0;
  private counter = 0;

  constructor(
    private readonly dir: string,
    private readonly prefix: string,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o750 });
  }

  /** Segments in order, oldest first. */
  segments(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.startsWith(`${this.prefix}-`) && f.endsWith('.jsonl'))
      .sort();
  }

  isEmpty(): boolean {
    return this.segments().length === 0;
  }

  /** Appends events (already serialised) in one write. */
  append(lines: readonly string[]): void {
    if (lines.length === 0) return;
    if (this.active === null || this.activeBytes > SEGMENT_BYTES) this.openSegment();
    const text = lines.map((l) => `${l}\n`).join('');
    appendFileSync(join(this.dir, this.active!), text, { mode: 0o640 });
    this.activeBytes += Buffer.byteLength(text);
  }

  /** A new segment name; names sort in the order they were reserved (time + counter), across restarts too. */
  reserveName(): string {
    this.counter += 1;
    return `${this.prefix}-${Date.now().toString().padStart(15, '0')}-${String(this.counter).padStart(9, '0')}.jsonl`;
  }

  private openSegment(): void {
    this.active = this.reserveName();
    this.activeBytes = 0;
  }

  /** Writes lines as a whole segment of their own under a name reserved earlier, with its position. */
  writeSegment(name: string, lines: readonly string[], pos: SpoolPosition): void {
    writeFileSync(join(this.dir, name), lines.map((l) => `${l}\n`).join(''), { mode: 0o640 });
    this.savePosition(name, pos);
  }

  /** Stops appending to the current segment so that a reader may take it whole. */
  seal(): void {
    this.active = null;
  }

  private posPath(segment: string): string {
    return join(this.dir, `${segment}.pos`);
  }

  position(segment: string): SpoolPosition {
    const p = this.posPath(segment);
    if (!existsSync(p)) return { offset: 0, seq: null, writer: null };
    try {
      const v = JSON.parse(readFileSync(p, 'utf8')) as SpoolPosition;
      return { offset: v.offset ?? 0, seq: v.seq ?? null, writer: v.writer ?? null };
    } catch {
      return { offset: 0, seq: null, writer: null };
    }
  }

  savePosition(segment: string, pos: SpoolPosition): void {
    const p = this.posPath(segment);
    writeFileSync(`${p}.tmp`, JSON.stringify(pos));
    renameSync(`${p}.tmp`, p);
  }

  /**
   * The next batch of up to `max` lines from the oldest segment, or null when the spool is empty.
   * The active segment is sealed first when it is the only one left.
   */
  next(max: number): SpoolBatch | null {
    const segs = this.segments();
    const segment = segs[0];
    if (segment === undefined) return null;
    if (segment === this.active) this.seal();
    const position = this.position(segment);
    const path = join(this.dir, segment);
    const size = statSync(path).size;
    if (position.offset >= size) {
      this.remove(segment);
      return this.next(max);
    }
    const fd = openSync(path, 'r');
    try {
      let want = 1 << 20;
      for (;;) {
        const len = Math.min(want, size - position.offset);
        const buf = Buffer.alloc(len);
        const n = readSync(fd, buf, 0, len, position.offset);
        const lines: string[] = [];
        let from = 0;
        while (lines.length < max) {
          const nl = buf.indexOf(10, from);
          if (nl < 0 || nl >= n) break;
          if (nl > from) lines.push(buf.toString('utf8', from, nl));
          from = nl + 1;
        }
        if (lines.length > 0) return { segment, lines, start: position.offset, end: position.offset + from, position };
        if (from > 0) {
          // only empty lines: skip them
          this.savePosition(segment, { offset: position.offset + from, seq: null, writer: null });
          return this.next(max);
        }
        if (len < want || position.offset + len >= size) {
          // A torn last line without its newline (crash while appending): nothing more to read here.
          this.remove(segment);
          return this.next(max);
        }
        want *= 4;
      }
    } finally {
      closeSync(fd);
    }
  }

  remove(segment: string): void {
    rmSync(join(this.dir, segment), { force: true });
    rmSync(this.posPath(segment), { force: true });
    if (segment === this.active) this.active = null;
  }
}
