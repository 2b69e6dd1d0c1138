/**
 * JSON-lines sink: `logs/events.jsonl`, one event per line. Each batch is encoded into one reused buffer and
 * written with as few calls as possible (on libuv's thread pool, one write at a time), so rotation never splits
 * an event; at the size limit the file is renamed to events.jsonl.1 (older ones shift up).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, write as fsWrite } from 'node:fs';
import { dirname } from 'node:path';
import type { Serialized, Sink } from './sink.ts';

/** Initial size of the output buffer; it grows to the largest batch seen (encoded UTF-8 never exceeds 3 bytes per UTF-16 unit). */
const INITIAL_BUFFER = 256 * 1024;
/** A batch is written out in pieces of at most this size (so one huge batch does not grow the buffer without bound). */
const MAX_BUFFER = 8 * 1024 * 1024;

export class JsonlSink implements Sink {
  readonly name = 'jsonl';
  /** A backlog is written in large batches (written out in MAX_BUFFER pieces). */
  readonly maxBatch = 8192;
  private fd: number | null = null;
  private size = 0;
  /** Reused for every batch: a fresh multi-megabyte Buffer per batch costs page faults on every write. */
  private buf: Buffer = Buffer.allocUnsafeSlow(INITIAL_BUFFER);
  private inflight: Promise<void> | null = null;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.keep === 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i -= 1) if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      renameSync(this.path, `${this.path}.1`);
    }
    this.open();
  }

  write(batch: readonly Serialized[]): Promise<void> {
    if (this.fd === null) throw new Error('jsonl sink not started');
    const p = this.writeBatch(batch);
    this.inflight = p;
    return p;
  }

  private async writeBatch(batch: readonly Serialized[]): Promise<void> {
    let off = 0;
    for (const { json } of batch) {
      const room = json.length * 3 + 1;
      if (off + room > this.buf.length) {
        if (off > 0 && off + room > MAX_BUFFER) {
          await this.flushChunk(off);
          off = 0;
        }
        if (off + room > this.buf.length) this.grow(off + room);
      }
      let n = this.buf.write(json, off, 'utf8');
      this.buf[off + n] = 0x0a;
      n += 1;
      if (this.size + off > 0 && this.size + off + n > this.maxBytes) {
        // This line would cross the limit: what precedes it goes to the current file, the line starts the next one.
        if (off > 0) await this.flushChunk(off);
        this.rotate();
        this.buf.copyWithin(0, off, off + n);
        off = 0;
      }
      off += n;
    }
    if (off > 0) await this.flushChunk(off);
  }

  private grow(min: number): void {
    let size = this.buf.length;
    while (size < min) size *= 2;
    const next = Buffer.allocUnsafeSlow(size);
    this.buf.copy(next, 0, 0, this.buf.length);
    this.buf = next;
  }

  /** Writes buf[0, length) at the end of the file. */
  private async flushChunk(length: number): Promise<void> {
    const fd = this.fd;
    if (fd === null) throw new Error('jsonl sink stopped');
    let off = 0;
    while (off < length) {
      off += await new Promise<number>((resolve, reject) => {
        fsWrite(fd, this.buf, off, length - off, null, (err, written) => (err ? reject(err) : resolve(written)));
      });
    }
    this.size += length;
  }

  async stop(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
