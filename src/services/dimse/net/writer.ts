/**
 * A growable byte writer with back-patched length fields, used by every encoder (PDUs and items are
 * big endian, PS3.8 §9.3; DIMSE command sets and datasets are little or big endian, PS3.5 §7.3).
 * Lengths are computed from what was written, never stored by hand: open a length field, write the
 * content, close it, and the writer patches the byte count in. Out-of-range values throw
 * `RangeError` — they are our own encoding bugs, never attacker input.
 */

export type LengthFieldKind = 'u16be' | 'u32be' | 'u16le' | 'u32le';

/** An open length field: where it sits and how wide it is. */
export interface LengthMark {
  readonly pos: number;
  readonly kind: LengthFieldKind;
}

const WIDTH: Readonly<Record<LengthFieldKind, number>> = { u16be: 2, u32be: 4, u16le: 2, u32le: 4 };
const MAX: Readonly<Record<LengthFieldKind, number>> = { u16be: 0xffff, u32be: 0xffffffff, u16le: 0xffff, u32le: 0xffffffff };

export class Writer {
  private buf: Buffer;
  private len = 0;
  private open = 0;
  private finished = false;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.alloc(Math.max(16, initialCapacity));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.finished) throw new Error('writer already finished');
    const needed = this.len + n;
    if (needed <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < needed) cap *= 2;
    const next = Buffer.alloc(cap);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): this {
    checkRange(v, 0xff);
    this.ensure(1);
    this.buf.writeUInt8(v, this.len);
    this.len += 1;
    return this;
  }

  u16be(v: number): this {
    checkRange(v, 0xffff);
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.len);
    this.len += 2;
    return this;
  }

  u32be(v: number): this {
    checkRange(v, 0xffffffff);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.len);
    this.len += 4;
    return this;
  }

  u16le(v: number): this {
    checkRange(v, 0xffff);
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
    return this;
  }

  u32le(v: number): this {
    checkRange(v, 0xffffffff);
    this.ensure(4);
    this.buf.writeUInt32LE(v, this.len);
    this.len += 4;
    return this;
  }

  /** A 16-bit unsigned value in the given byte order. */
  u16(v: number, littleEndian: boolean): this {
    return littleEndian ? this.u16le(v) : this.u16be(v);
  }

  /** A 32-bit unsigned value in the given byte order. */
  u32(v: number, littleEndian: boolean): this {
    return littleEndian ? this.u32le(v) : this.u32be(v);
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Text as latin1 bytes (one byte per code unit; callers pass ASCII/latin1 only). */
  ascii(text: string): this {
    return this.bytes(Buffer.from(text, 'latin1'));
  }

  /** Exactly `width` bytes: the text, then `pad` bytes (space by default). Longer text is a RangeError. */
  asciiFixed(text: string | Uint8Array, width: number, pad = 0x20): this {
    const b = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    if (b.length > width) throw new RangeError(`value of ${b.length} bytes exceeds fixed width ${width}`);
    this.bytes(b);
    this.ensure(width - b.length);
    this.buf.fill(pad, this.len, this.len + width - b.length);
    this.len += width - b.length;
    return this;
  }

  /** Reserve a length field; close it with `endLength` once the content is written. */
  beginLength(kind: LengthFieldKind): LengthMark {
    const pos = this.len;
    this.zeros(WIDTH[kind]);
    this.open += 1;
    return { pos, kind };
  }

  /** Patch the byte count written since `mark` into its field; returns that count. */
  endLength(mark: LengthMark): number {
    const width = WIDTH[mark.kind];
    const value = this.len - mark.pos - width;
    if (value > MAX[mark.kind]) throw new RangeError(`content of ${value} bytes overflows a ${mark.kind} length field`);
    switch (mark.kind) {
      case 'u16be':
        this.buf.writeUInt16BE(value, mark.pos);
        break;
      case 'u32be':
        this.buf.writeUInt32BE(value, mark.pos);
        break;
      case 'u16le':
        this.buf.writeUInt16LE(value, mark.pos);
        break;
      case 'u32le':
        this.buf.writeUInt32LE(value, mark.pos);
        break;
    }
    this.open -= 1;
    return value;
  }

  /** PDU header (PS3.8 §9.3.1): type, reserved 00H, and an open 4-byte big-endian PDU-length. */
  pduHeader(type: number): LengthMark {
    this.u8(type).u8(0);
    return this.beginLength('u32be');
  }

  /** The finished bytes (exact length). Every length field must have been closed. */
  finish(): Buffer {
    if (this.open !== 0) throw new Error(`${this.open} length field(s) still open`);
    this.finished = true;
    return this.buf.subarray(0, this.len);
  }
}

function checkRange(v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`value ${v} outside 0..${max}`);
}
