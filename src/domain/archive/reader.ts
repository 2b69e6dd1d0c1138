/**
 * A bounded reader for DICOM files the archive indexes: Part-10 files (PS3.10 §7: 128-byte preamble,
 * "DICM", File Meta Information in Explicit VR Little Endian) and bare data sets whose transfer syntax
 * is known (quarantined C-STORE uploads are stored as received, without a meta header).
 *
 * It walks every element header of the data set, in any transfer syntax (implicit/explicit VR, little or
 * big endian, deflated, encapsulated pixel data), skipping values by their length and checking each
 * length against the bytes that remain — so a truncated or damaged file is reported with a reason
 * instead of being half-indexed — and keeps only the top-level values the index needs (READ_TAGS).
 * Pixel data is skipped, never read: on files above a small threshold the reader seeks through a file
 * descriptor with a block cache and reads only element headers and the wanted values.
 *
 * Safe for attacker-supplied bytes: no allocation follows a declared length beyond `maxValueBytes`,
 * nesting depth is capped, inflation is capped, every read is bounds-checked.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { inflateRawSync, inflateSync } from 'node:zlib';
import { decodeText } from './charset.ts';
import { attributeByTag, READ_TAGS, TEXT_BLOCK_VRS } from './dictionary.ts';

export const TS_IMPLICIT_LE = '1.2.840.10008.1.2';
export const TS_EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const TS_DEFLATED_LE = '1.2.840.10008.1.2.1.99';
export const TS_EXPLICIT_BE = '1.2.840.10008.1.2.2';

export interface DicomHeader {
  /** True when the file has a preamble, "DICM" and a File Meta Information group. */
  readonly part10: boolean;
  readonly transferSyntax: string;
  /** Byte offset of the first data set element (after the meta header; 0 for a bare data set). */
  readonly datasetOffset: number;
  /** File size in bytes. */
  readonly size: number;
  /** (0002,0002) and (0002,0003), '' when absent. */
  readonly mediaStorageSopClassUid: string;
  readonly mediaStorageSopInstanceUid: string;
  /** (0008,0005) as stored, trailing padding removed ('' when absent). */
  readonly specificCharacterSet: string;
  /** Decoded top-level values of READ_TAGS, keyed `GGGGEEEE`, insignificant padding removed. */
  readonly values: ReadonlyMap<string, string>;
}

export type ReadResult = { readonly ok: true; readonly header: DicomHeader } | { readonly ok: false; readonly reason: string };

export interface ReadOptions {
  /** Transfer syntax of a bare data set (no meta header). Without it, a file must be Part-10. */
  readonly transferSyntax?: string;
  /** Largest value kept for a wanted element (default 64 KiB); longer ones are skipped. */
  readonly maxValueBytes?: number;
  /** Cap on the inflated size of a deflated data set (default 1 GiB). */
  readonly maxInflatedBytes?: number;
  /** Maximum sequence nesting (default 32). */
  readonly maxDepth?: number;
  /** Top-level tags whose values to keep (default: what the index needs); 'all' keeps every text or US/SS/UL/SL value. */
  readonly tags?: ReadonlySet<string> | 'all';
}

class DamagedError extends Error {}

/** Random access to the bytes being parsed. */
interface Source {
  readonly size: number;
  /** `len` bytes at `pos`; throws DamagedError when they are not all there. */
  bytes(pos: number, len: number, what: string): Buffer;
}

class BufferSource implements Source {
  constructor(private readonly buf: Buffer) {}
  get size(): number {
    return this.buf.length;
  }
  bytes(pos: number, len: number, what: string): Buffer {
    if (pos + len > this.buf.length) throw truncated(what, pos, len, this.buf.length - pos);
    return this.buf.subarray(pos, pos + len);
  }
}

const BLOCK = 64 * 1024;

class FileSource implements Source {
  private cache: Buffer = Buffer.alloc(0);
  private cacheStart = 0;
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}
  bytes(pos: number, len: number, what: string): Buffer {
    if (pos + len > this.size) throw truncated(what, pos, len, this.size - pos);
    if (pos >= this.cacheStart && pos + len <= this.cacheStart + this.cache.length) {
      return this.cache.subarray(pos - this.cacheStart, pos - this.cacheStart + len);
    }
    const want = Math.min(Math.max(len, BLOCK), this.size - pos);
    const buf = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const n = readSync(this.fd, buf, got, want - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    if (got < len) throw truncated(what, pos, len, got);
    this.cache = buf.subarray(0, got);
    this.cacheStart = pos;
    return this.cache.subarray(0, len);
  }
}

function truncated(what: string, pos: number, len: number, remaining: number): DamagedError {
  return new DamagedError(`truncated: ${what} at offset ${pos} needs ${len} bytes, ${Math.max(0, remaining)} remain`);
}

interface Encoding {
  readonly explicit: boolean;
  readonly littleEndian: boolean;
}

const IMPLICIT_LE: Encoding = { explicit: false, littleEndian: true };
const EXPLICIT_LE: Encoding = { explicit: true, littleEndian: true };
const EXPLICIT_BE: Encoding = { explicit: true, littleEndian: false };

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 Table 7.1-1). */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UR', 'UT', 'UN', 'SV', 'UV']);
const SHORT_VRS = new Set(['AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FL', 'FD', 'IS', 'LO', 'LT', 'PN', 'SH', 'SL', 'SS', 'ST', 'TM', 'UI', 'UL', 'US']);

/** VRs whose values `tags: 'all'` keeps (text and small binary integers). */
const KEPT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT', 'US', 'SS', 'UL', 'SL']);

const UNDEFINED = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const SPECIFIC_CHARACTER_SET = '00080005';

function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

function tagText(tag: number): string {
  const h = tagHex(tag);
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}

function encodingFor(ts: string): Encoding {
  if (ts === TS_IMPLICIT_LE) return IMPLICIT_LE;
  if (ts === TS_EXPLICIT_BE) return EXPLICIT_BE;
  return EXPLICIT_LE; // explicit VR little endian and every encapsulated (compressed) syntax
}

interface Header {
  readonly tag: number;
  readonly vr: string | null;
  readonly length: number;
  readonly headerLength: number;
}

class Walker {
  readonly raw = new Map<string, { vr: string; bytes: Buffer }>();

  constructor(
    private readonly src: Source,
    private readonly maxValueBytes: number,
    private readonly maxDepth: number,
    private readonly tags: ReadonlySet<string> | 'all',
  ) {}

  private header(pos: number, enc: Encoding): Header {
    const h = this.src.bytes(pos, 8, 'element header');
    const le = enc.littleEndian;
    const group = le ? h.readUInt16LE(0) : h.readUInt16BE(0);
    const element = le ? h.readUInt16LE(2) : h.readUInt16BE(2);
    const tag = ((group << 16) | element) >>> 0;
    // Items and delimiters carry no VR in any transfer syntax (PS3.5 §7.5).
    if (group === 0xfffe || !enc.explicit) {
      return { tag, vr: null, length: le ? h.readUInt32LE(4) : h.readUInt32BE(4), headerLength: 8 };
    }
    const vr = h.toString('latin1', 4, 6);
    if (LONG_VRS.has(vr)) {
      const l = this.src.bytes(pos + 8, 4, 'element length');
      return { tag, vr, length: le ? l.readUInt32LE(0) : l.readUInt32BE(0), headerLength: 12 };
    }
    if (SHORT_VRS.has(vr)) return { tag, vr, length: le ? h.readUInt16LE(6) : h.readUInt16BE(6), headerLength: 8 };
    throw new DamagedError(`damaged: invalid VR bytes ${JSON.stringify(vr)} for ${tagText(tag)} at offset ${pos}`);
  }

  /**
   * Walk elements from `pos` to `end` (a defined-length data set) or, for an undefined-length item
   * (`end` = null), up to its Item Delimitation Item. Returns the position after the last byte consumed.
   */
  walk(pos: number, end: number | null, enc: Encoding, depth: number): number {
    if (depth > this.maxDepth) throw new DamagedError(`damaged: sequences nested deeper than ${this.maxDepth}`);
    const limit = end ?? this.src.size;
    while (pos < limit) {
      if (end !== null && depth === 0 && limit - pos < 8) {
        // Fewer bytes than an element header at the end of the file: tolerated trailing padding only if zero.
        const rest = this.src.bytes(pos, limit - pos, 'trailing bytes');
        if (rest.every((b) => b === 0)) return limit;
        throw new DamagedError(`truncated: ${limit - pos} stray bytes at offset ${pos}`);
      }
      const h = this.header(pos, enc);
      if (h.tag === ITEM_DELIMITATION) {
        if (end === null) return pos + 8;
        throw new DamagedError(`damaged: unexpected item delimiter at offset ${pos}`);
      }
      if (h.tag === ITEM || h.tag === SEQUENCE_DELIMITATION) throw new DamagedError(`damaged: unexpected ${tagText(h.tag)} at offset ${pos}`);
      const valuePos = pos + h.headerLength;
      if (h.length === UNDEFINED) {
        const vr = h.vr ?? 'SQ';
        if (vr !== 'SQ' && vr !== 'UN' && vr !== 'OB' && vr !== 'OW') {
          throw new DamagedError(`damaged: undefined length on ${vr} element ${tagText(h.tag)} at offset ${pos}`);
        }
        // An undefined-length UN holds implicit VR little endian data (PS3.5 §6.2.2).
        pos = this.sequence(valuePos, vr === 'UN' ? IMPLICIT_LE : enc, depth + 1, h.tag);
        continue;
      }
      if (valuePos + h.length > limit) {
        throw truncated(`value of ${tagText(h.tag)}`, valuePos, h.length, limit - valuePos);
      }
      if (depth === 0) this.keep(h, valuePos);
      pos = valuePos + h.length;
    }
    if (end === null) throw new DamagedError('truncated: item without its delimiter');
    return pos;
  }

  /** Items of an undefined-length sequence (or encapsulated pixel data) up to its delimiter. */
  private sequence(pos: number, enc: Encoding, depth: number, owner: number): number {
    if (depth > this.maxDepth) throw new DamagedError(`damaged: sequences nested deeper than ${this.maxDepth}`);
    for (;;) {
      const h = this.header(pos, enc);
      if (h.tag === SEQUENCE_DELIMITATION) return pos + 8;
      if (h.tag !== ITEM) throw new DamagedError(`damaged: ${tagText(h.tag)} inside sequence ${tagText(owner)} at offset ${pos}`);
      if (h.length === UNDEFINED) {
        pos = this.walk(pos + 8, null, enc, depth);
        continue;
      }
      const next = pos + 8 + h.length;
      if (next > this.src.size) throw truncated(`item of ${tagText(owner)}`, pos + 8, h.length, this.src.size - pos - 8);
      pos = next;
    }
  }

  private keep(h: Header, valuePos: number): void {
    const key = tagHex(h.tag);
    if (h.length > this.maxValueBytes) return;
    if (this.tags === 'all' ? h.tag === 0x7fe00010 : !this.tags.has(key)) return;
    const dictVr = attributeByTag(key)?.vr ?? 'UN';
    const vr = h.vr === null || h.vr === 'UN' ? dictVr : h.vr;
    if (this.tags === 'all' && !KEPT_VRS.has(vr)) return;
    this.raw.set(key, { vr, bytes: Buffer.from(this.src.bytes(valuePos, h.length, `value of ${tagText(h.tag)}`)) });
  }
}

function trimValue(text: string, vr: string): string {
  if (vr === 'UI') return text.replace(/[\0 ]+$/, '');
  if (TEXT_BLOCK_VRS.has(vr)) return text.replace(/[\0 ]+$/, '');
  return text
    .split('\\')
    .map((v) => v.replace(/^[\0 ]+|[\0 ]+$/g, ''))
    .join('\\');
}

function decodeValue(vr: string, bytes: Buffer, charset: string, littleEndian: boolean): string {
  const numeric: Record<string, [number, (b: Buffer, i: number) => number]> = {
    US: [2, (b, i) => (littleEndian ? b.readUInt16LE(i) : b.readUInt16BE(i))],
    SS: [2, (b, i) => (littleEndian ? b.readInt16LE(i) : b.readInt16BE(i))],
    UL: [4, (b, i) => (littleEndian ? b.readUInt32LE(i) : b.readUInt32BE(i))],
    SL: [4, (b, i) => (littleEndian ? b.readInt32LE(i) : b.readInt32BE(i))],
  };
  const num = numeric[vr];
  if (num !== undefined) {
    const [size, read] = num;
    const out: number[] = [];
    for (let i = 0; i + size <= bytes.length; i += size) out.push(read(bytes, i));
    return out.join('\\');
  }
  return trimValue(decodeText(bytes, vr, charset), vr);
}

interface Meta {
  readonly transferSyntax: string;
  readonly sopClass: string;
  readonly sopInstance: string;
  readonly end: number;
}

const MAX_META_BYTES = 64 * 1024;

function readMeta(src: Source): Meta {
  let pos = 132;
  const strings = new Map<number, string>();
  while (pos < src.size) {
    const tagBytes = src.bytes(pos, 4, 'meta element');
    if (tagBytes.readUInt16LE(0) !== 0x0002) break;
    if (pos - 132 > MAX_META_BYTES) throw new DamagedError('damaged: File Meta Information larger than 64 KiB');
    const h = src.bytes(pos, 8, 'meta element header');
    const tag = ((h.readUInt16LE(0) << 16) | h.readUInt16LE(2)) >>> 0;
    const vr = h.toString('latin1', 4, 6);
    let length: number;
    let headerLength: number;
    if (LONG_VRS.has(vr)) {
      length = src.bytes(pos + 8, 4, 'meta element length').readUInt32LE(0);
      headerLength = 12;
    } else if (SHORT_VRS.has(vr)) {
      length = h.readUInt16LE(6);
      headerLength = 8;
    } else {
      throw new DamagedError(`damaged: File Meta Information is not explicit VR (bytes ${JSON.stringify(vr)} at offset ${pos})`);
    }
    if (length === UNDEFINED || length > MAX_META_BYTES) throw new DamagedError(`damaged: meta element ${tagText(tag)} length ${length}`);
    const value = src.bytes(pos + headerLength, length, `value of ${tagText(tag)}`);
    if (vr === 'UI') strings.set(tag, value.toString('latin1').replace(/[\0 ]+$/, ''));
    pos += headerLength + length;
  }
  const ts = strings.get(0x00020010);
  if (ts === undefined || ts === '') throw new DamagedError('damaged: File Meta Information without TransferSyntaxUID (0002,0010)');
  return { transferSyntax: ts, sopClass: strings.get(0x00020002) ?? '', sopInstance: strings.get(0x00020003) ?? '', end: pos };
}

function parse(src: Source, opts: ReadOptions): DicomHeader {
  const maxValueBytes = opts.maxValueBytes ?? 64 * 1024;
  const maxDepth = opts.maxDepth ?? 32;
  let part10 = false;
  let transferSyntax: string;
  let datasetOffset = 0;
  let sopClass = '';
  let sopInstance = '';
  if (src.size === 0) throw new DamagedError('empty file');
  const isPart10 = src.size >= 132 && src.bytes(128, 4, 'prefix').toString('latin1') === 'DICM';
  if (isPart10) {
    const meta = readMeta(src);
    part10 = true;
    transferSyntax = meta.transferSyntax;
    datasetOffset = meta.end;
    sopClass = meta.sopClass;
    sopInstance = meta.sopInstance;
  } else if (opts.transferSyntax !== undefined) {
    transferSyntax = opts.transferSyntax;
  } else {
    throw new DamagedError(src.size < 132 ? `not a DICOM Part-10 file (${src.size} bytes, no preamble)` : "not a DICOM Part-10 file (no 'DICM' prefix at offset 128)");
  }

  let body: Source = src;
  let start = datasetOffset;
  if (transferSyntax === TS_DEFLATED_LE) {
    const compressed = src.bytes(datasetOffset, src.size - datasetOffset, 'deflated data set');
    const maxOutputLength = opts.maxInflatedBytes ?? 1024 * 1024 * 1024;
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(compressed, { maxOutputLength });
    } catch {
      try {
        inflated = inflateSync(compressed, { maxOutputLength }); // a zlib wrapper some writers add
      } catch (err) {
        throw new DamagedError(`damaged: deflated data set does not inflate (${(err as Error).message})`);
      }
    }
    body = new BufferSource(inflated);
    start = 0;
  }
  const enc = encodingFor(transferSyntax);
  const walker = new Walker(body, maxValueBytes, maxDepth, opts.tags ?? READ_TAGS);
  walker.walk(start, body.size, enc, 0);

  const csRaw = walker.raw.get(SPECIFIC_CHARACTER_SET);
  const specificCharacterSet = csRaw === undefined ? '' : trimValue(csRaw.bytes.toString('latin1'), 'CS');
  const values = new Map<string, string>();
  for (const [tag, { vr, bytes }] of walker.raw) values.set(tag, decodeValue(vr, bytes, specificCharacterSet, enc.littleEndian));
  return {
    part10,
    transferSyntax,
    datasetOffset,
    size: src.size,
    mediaStorageSopClassUid: sopClass,
    mediaStorageSopInstanceUid: sopInstance,
    specificCharacterSet,
    values,
  };
}

function run(src: Source, opts: ReadOptions): ReadResult {
  try {
    return { ok: true, header: parse(src, opts) };
  } catch (err) {
    if (err instanceof DamagedError) return { ok: false, reason: err.message };
    if (err instanceof RangeError) return { ok: false, reason: `damaged: ${err.message}` };
    throw err;
  }
}

/** Parse a whole file held in memory. */
export function readDicomBuffer(buf: Buffer, opts: ReadOptions = {}): ReadResult {
  return run(new BufferSource(buf), opts);
}

/** Files up to this size are read in one call (and hashed from the same buffer). */
const WHOLE_FILE_BYTES = 1024 * 1024;

export interface FileReadResult {
  readonly result: ReadResult;
  /** SHA-256 of the whole file (hex), when requested and the file could be read. */
  readonly sha256: string | null;
}

/**
 * Read a file's header (and optionally hash it). I/O errors (unreadable, vanished) are reported as a
 * failed result, not thrown.
 */
export function readDicomFile(path: string, opts: ReadOptions & { readonly hash?: boolean } = {}): FileReadResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    return { result: { ok: false, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }, sha256: null };
  }
  try {
    const size = fstatSync(fd).size;
    if (size <= WHOLE_FILE_BYTES) {
      const buf = Buffer.allocUnsafe(size);
      let got = 0;
      while (got < size) {
        const n = readSync(fd, buf, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      const whole = buf.subarray(0, got);
      return {
        result: run(new BufferSource(whole), opts),
        sha256: opts.hash ? createHash('sha256').update(whole).digest('hex') : null,
      };
    }
    const result = run(new FileSource(fd, size), opts);
    return { result, sha256: opts.hash ? hashFd(fd, size) : null };
  } catch (err) {
    return { result: { ok: false, reason: `unreadable: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` }, sha256: null };
  } finally {
    closeSync(fd);
  }
}

function hashFd(fd: number, size: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let pos = 0;
  while (pos < size) {
    const n = readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) break;
    h.update(buf.subarray(0, n));
    pos += n;
  }
  return h.digest('hex');
}
