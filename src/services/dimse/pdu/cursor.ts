/**
 * A bounded big-endian reader over a slice of a PDU (PS3.8 §9.3: every multi-byte PDU field is big
 * endian). Every read first checks what is left and throws a `PduLengthError` naming the structure,
 * the bytes available and the bytes declared; it never reads past its own end, and sub-cursors are
 * confined to their item, so an item can never read its neighbour's bytes.
 */
import { PduLengthError } from './errors.ts';

export { PduLengthError } from './errors.ts';

export class Cursor {
  private pos: number;

  /**
   * @param buf   the bytes (usually a PDU body)
   * @param start first readable index in `buf`
   * @param end   one past the last readable index
   * @param base  offset of `buf[0]` from the start of the PDU, used only to report offsets
   */
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end: number = buf.length,
    readonly base = 0,
  ) {
    if (start < 0 || end > buf.length || start > end) throw new RangeError('cursor bounds outside buffer');
    this.pos = start;
  }

  /** Offset of the next byte from the start of the PDU. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Index of the next byte within `buf`. */
  get index(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Throws unless `n` more bytes are available for `item`. */
  need(n: number, item: string): void {
    if (n > this.end - this.pos) throw new PduLengthError(item, this.offset, this.end - this.pos, n);
  }

  u8(item: string): number {
    this.need(1, item);
    const v = this.buf.readUInt8(this.pos);
    this.pos += 1;
    return v;
  }

  u16(item: string): number {
    this.need(2, item);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(item: string): number {
    this.need(4, item);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** The next `n` bytes as a view (no copy). */
  bytes(n: number, item: string): Buffer {
    this.need(n, item);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, item: string): void {
    this.need(n, item);
    this.pos += n;
  }

  /** A cursor confined to the next `n` bytes; this cursor moves past them. */
  sub(n: number, item: string): Cursor {
    this.need(n, item);
    const child = new Cursor(this.buf, this.pos, this.pos + n, this.base);
    this.pos += n;
    return child;
  }

  /** Everything left, as a view; the cursor ends up at its end. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }
}
