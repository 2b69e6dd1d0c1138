/**
 * JSON-lines sink: `logs/events.jsonl`, one event per line. Each batch is written with one call, so rotation
 * never splits an event; at the size limit the file is renamed to events.jsonl.1 (older ones shift up).
 */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Serialized, Sink } from './sink.ts';

export class JsonlSink implements Sink {
  readonly name = 'jsonl';
  private fd: number | null = null;
  private size = 0;

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

  write(batch: readonly Serialized[]): void {
    if (this.fd === null) throw new Error('jsonl sink not started');
    let lines: string[] = [];
    let bytes = 0;
    for (const { json } of batch) {
      const line = `${json}\n`;
      const n = Buffer.byteLength(line);
      if (this.size + bytes > 0 && this.size + bytes + n > this.maxBytes) {
        this.flushChunk(lines.join(''));
        lines = [];
        bytes = 0;
        this.rotate();
      }
      lines.push(line);
      bytes += n;
    }
    this.flushChunk(lines.join(''));
  }

  private flushChunk(chunk: string): void {
    if (chunk.length === 0 || this.fd === null) return;
    const buf = Buffer.from(chunk, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
    this.size += buf.length;
  }

  async stop(): Promise<void> {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
