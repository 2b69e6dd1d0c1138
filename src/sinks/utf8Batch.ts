/**
 * A batch's strings encoded as UTF-8 one after another into memory kept from batch to batch. Encoding into
 * memory already mapped costs about 0.1 µs per event here; into fresh memory (pages the kernel must zero on
 * first touch) or through a join of the strings first, several times that — on a busy sensor, more than the
 * rest of a sink's work.
 *
 * The kept memory is lent to one batch at a time, until that batch's consumer is done with it (the Redis sink:
 * Redis answered the push; the SQLite sink: the writer thread committed). A batch started while it is lent gets
 * memory of its own. Memory that grew past `keepBytes` for one large batch is not kept.
 */
export class Utf8Batches {
  private kept: Buffer | null = null;

  constructor(
    /** Allocates memory (Buffer.allocUnsafeSlow, or a Buffer over a SharedArrayBuffer for another thread). */
    private readonly alloc: (bytes: number) => Buffer,
    private readonly initialBytes: number,
    private readonly keepBytes: number,
  ) {}

  /** A writer for the next batch. */
  start(): Utf8Batch {
    const buf = this.kept ?? this.alloc(this.initialBytes);
    this.kept = null;
    return new Utf8Batch(buf, this.alloc, (b) => {
      if (b.length <= this.keepBytes) this.kept = b;
    });
  }
}

export class Utf8Batch {
  /** Bytes written so far. */
  length = 0;
  private released = false;

  constructor(
    private buf: Buffer,
    private readonly alloc: (bytes: number) => Buffer,
    private readonly giveBack: (buf: Buffer) => void,
  ) {}

  /** Appends `s` as UTF-8 and returns the length after it. */
  put(s: string): number {
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
    return this.length;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }

  /** The bytes written (a view of the batch's memory, valid until release()). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  /** The consumer is done with the bytes: the memory may serve the next batch. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack(this.buf);
  }

  /** Grows to twice the size, or enough for `n` more bytes; what is written so far moves along. */
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = this.alloc(Math.max(this.buf.length * 2, this.length + n + 1024));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }
}
