/**
 * Bounded data set walker, run on every untrusted data set before any parser sees it (dcmjs trusts
 * element lengths; this does not). It checks the structure of PS3.5 §7:
 *
 * - element headers (§7.1.1–§7.1.3): explicit VR with 2- or 4-byte lengths (Table 7.1-1/7.1-2),
 *   implicit VR (Table 7.1-3), little or big endian;
 * - every value length within its enclosing item, sequence or buffer;
 * - sequences and items (§7.5, Tables 7.5-1 to 7.5-3): defined or undefined length, Item (FFFE,E000),
 *   Item Delimitation (FFFE,E00D) and Sequence Delimitation (FFFE,E0DD) items with zero length;
 * - encapsulated pixel data (Annex A.4): fragments of defined length ended by a sequence delimiter;
 * - undefined-length UN (§6.2.2): its content is Implicit VR Little Endian;
 * - limits on nesting depth, item count and element count.
 *
 * In implicit VR a defined-length value that begins with an Item tag is walked as a sequence: a
 * downstream parser with a fuller dictionary would read it as one, so it must be checked as one.
 * The walker allocates nothing per element; a visitor can observe the structure (the identifier
 * reader builds its tree that way).
 */
import { AnomalyLog } from './anomalies.ts';
import { encodingForTransferSyntax, IMPLICIT_LE, type DatasetEncoding } from './transferSyntax.ts';
import { KNOWN_VRS, isLongLengthVr } from './vr.ts';

export interface WalkLimits {
  /** Deepest sequence nesting accepted (default 16; top-level elements are depth 0). */
  readonly maxDepth?: number;
  /** Most sequence items and pixel fragments accepted (default 10 000). */
  readonly maxItems?: number;
  /** Most data elements accepted, all levels (default 100 000). */
  readonly maxElements?: number;
}

export const DEFAULT_WALK_LIMITS: Required<WalkLimits> = Object.freeze({ maxDepth: 16, maxItems: 10_000, maxElements: 100_000 });
/** Recursion guard whatever the caller asks for. */
const HARD_MAX_DEPTH = 256;
const UNDEFINED_LENGTH = 0xffffffff;
const ITEM = 0xfffee000;
const ITEM_DELIMITATION = 0xfffee00d;
const SEQUENCE_DELIMITATION = 0xfffee0dd;
const PIXEL_DATA = 0x7fe00010;

export type WalkKind = 'value' | 'sequence' | 'encapsulated';

export interface WalkElement {
  readonly tag: number;
  /** The VR as sent (explicit VR), or null (implicit VR). */
  readonly vr: string | null;
  readonly kind: WalkKind;
  /** Offset of the element header in the buffer. */
  readonly offset: number;
  readonly valueOffset: number;
  /** Declared value length, or null for undefined length. */
  readonly length: number | null;
  readonly depth: number;
  /** Encoding of this element's value (Implicit VR LE inside an undefined-length UN). */
  readonly encoding: DatasetEncoding;
}

export interface WalkVisitor {
  /** At each element's header, before its value is walked. */
  element?(e: WalkElement): void;
  /** After the element's value (for sequences: after the last item or the delimiter). */
  elementEnd?(e: WalkElement, valueEnd: number): void;
  itemStart?(depth: number, offset: number): void;
  itemEnd?(depth: number, end: number): void;
}

export type WalkResult =
  | { readonly ok: true; readonly elements: number; readonly items: number; readonly maxDepth: number; readonly anomalies: readonly string[] }
  | { readonly ok: false; readonly offset: number; readonly reason: string; readonly elements: number; readonly items: number };

class WalkFailure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function tagText(tag: number): string {
  const t = tag.toString(16).toUpperCase().padStart(8, '0');
  return `(${t.slice(0, 4)},${t.slice(4)})`;
}

class Walk {
  elements = 0;
  items = 0;
  deepest = 0;
  readonly anomalies = new AnomalyLog(50);

  constructor(
    private readonly buf: Buffer,
    private readonly limits: Required<WalkLimits>,
    private readonly visitor: WalkVisitor | undefined,
  ) {}

  private u16(pos: number, enc: DatasetEncoding): number {
    return enc.littleEndian ? this.buf.readUInt16LE(pos) : this.buf.readUInt16BE(pos);
  }

  private u32(pos: number, enc: DatasetEncoding): number {
    return enc.littleEndian ? this.buf.readUInt32LE(pos) : this.buf.readUInt32BE(pos);
  }

  private tagAt(pos: number, enc: DatasetEncoding): number {
    return ((this.u16(pos, enc) << 16) | this.u16(pos + 2, enc)) >>> 0;
  }

  private startsWithItem(pos: number, end: number, enc: DatasetEncoding): boolean {
    return end - pos >= 8 && this.tagAt(pos, enc) === ITEM;
  }

  /** Elements from `pos` to `end` (or to an Item Delimitation when `untilDelimiter`). Returns the end position. */
  elementsAt(pos: number, end: number, depth: number, enc: DatasetEncoding, untilDelimiter: boolean): number {
    let lastTag = -1;
    for (;;) {
      if (pos >= end) {
        if (untilDelimiter) throw new WalkFailure(pos, 'item of undefined length without item delimitation');
        return pos;
      }
      if (end - pos < 8) throw new WalkFailure(pos, `truncated element header (${end - pos} bytes left)`);
      const tag = this.tagAt(pos, enc);
      if (tag >>> 16 === 0xfffe) {
        if (tag === ITEM_DELIMITATION && untilDelimiter) {
          if (this.u32(pos + 4, enc) !== 0) throw new WalkFailure(pos, 'item delimitation item with non-zero length');
          return pos + 8;
        }
        throw new WalkFailure(pos, `unexpected ${tagText(tag)} in data set`);
      }
      this.elements++;
      if (this.elements > this.limits.maxElements) throw new WalkFailure(pos, `more than ${this.limits.maxElements} elements`);
      if (tag <= lastTag) this.anomalies.add(`${tagText(tag)} at offset ${pos} not in ascending order`);
      lastTag = tag;
      pos = this.element(pos, end, depth, enc, tag);
    }
  }

  private element(pos: number, end: number, depth: number, enc: DatasetEncoding, tag: number): number {
    let vr: string | null = null;
    let length: number;
    let valueOffset: number;
    if (enc.explicitVr) {
      vr = this.buf.toString('latin1', pos + 4, pos + 6);
      if (!KNOWN_VRS.has(vr)) throw new WalkFailure(pos, `invalid VR 0x${this.buf.toString('hex', pos + 4, pos + 6)} for ${tagText(tag)}`);
      if (isLongLengthVr(vr)) {
        if (end - pos < 12) throw new WalkFailure(pos, `truncated element header (${end - pos} bytes left)`);
        if (this.u16(pos + 6, enc) !== 0) this.anomalies.add(`${tagText(tag)} reserved bytes not zero`);
        length = this.u32(pos + 8, enc);
        valueOffset = pos + 12;
      } else {
        length = this.u16(pos + 6, enc);
        valueOffset = pos + 8;
      }
    } else {
      length = this.u32(pos + 4, enc);
      valueOffset = pos + 8;
    }

    if (length === UNDEFINED_LENGTH) {
      let kind: WalkKind;
      let inner = enc;
      if (tag === PIXEL_DATA || vr === 'OB' || vr === 'OW') kind = 'encapsulated';
      else if (vr === null || vr === 'SQ') kind = 'sequence';
      else if (vr === 'UN') {
        kind = 'sequence';
        inner = IMPLICIT_LE;
      } else throw new WalkFailure(pos, `undefined length on ${tagText(tag)} with VR ${vr}`);
      const e: WalkElement = { tag, vr, kind, offset: pos, valueOffset, length: null, depth, encoding: inner };
      this.visitor?.element?.(e);
      const valueEnd = kind === 'encapsulated' ? this.fragments(valueOffset, end, enc) : this.sequence(valueOffset, end, depth, inner, true);
      this.visitor?.elementEnd?.(e, valueEnd);
      return valueEnd;
    }

    if (length > end - valueOffset) {
      throw new WalkFailure(pos, `${tagText(tag)} length ${length} exceeds the ${end - valueOffset} bytes remaining`);
    }
    if (length % 2 !== 0) this.anomalies.add(`${tagText(tag)} odd length ${length}`);
    const valueEnd = valueOffset + length;
    let kind: WalkKind = 'value';
    let inner = enc;
    if (vr === 'SQ') kind = 'sequence';
    else if (vr === null && this.startsWithItem(valueOffset, valueEnd, enc)) kind = 'sequence';
    else if (vr === 'UN' && this.startsWithItem(valueOffset, valueEnd, IMPLICIT_LE)) {
      kind = 'sequence';
      inner = IMPLICIT_LE;
    }
    const e: WalkElement = { tag, vr, kind, offset: pos, valueOffset, length, depth, encoding: inner };
    this.visitor?.element?.(e);
    if (kind === 'sequence') this.sequence(valueOffset, valueEnd, depth, inner, false);
    this.visitor?.elementEnd?.(e, valueEnd);
    return valueEnd;
  }

  /** Items of a sequence whose element is at `depth`. */
  private sequence(pos: number, end: number, depth: number, enc: DatasetEncoding, undefinedLength: boolean): number {
    const itemDepth = depth + 1;
    if (itemDepth > this.limits.maxDepth) throw new WalkFailure(pos, `sequence nesting deeper than ${this.limits.maxDepth}`);
    this.deepest = Math.max(this.deepest, itemDepth);
    for (;;) {
      if (pos >= end) {
        if (undefinedLength) throw new WalkFailure(pos, 'sequence of undefined length without sequence delimitation');
        return pos;
      }
      if (end - pos < 8) throw new WalkFailure(pos, `truncated item header (${end - pos} bytes left)`);
      const tag = this.tagAt(pos, enc);
      const length = this.u32(pos + 4, enc);
      if (tag === SEQUENCE_DELIMITATION) {
        if (!undefinedLength) throw new WalkFailure(pos, 'sequence delimitation inside a sequence of defined length');
        if (length !== 0) throw new WalkFailure(pos, 'sequence delimitation item with non-zero length');
        return pos + 8;
      }
      if (tag !== ITEM) throw new WalkFailure(pos, `${tagText(tag)} where a sequence item was expected`);
      this.items++;
      if (this.items > this.limits.maxItems) throw new WalkFailure(pos, `more than ${this.limits.maxItems} items`);
      this.visitor?.itemStart?.(itemDepth, pos);
      if (length === UNDEFINED_LENGTH) {
        pos = this.elementsAt(pos + 8, end, itemDepth, enc, true);
      } else {
        if (length > end - pos - 8) throw new WalkFailure(pos, `item length ${length} exceeds the ${end - pos - 8} bytes remaining`);
        this.elementsAt(pos + 8, pos + 8 + length, itemDepth, enc, false);
        pos = pos + 8 + length;
      }
      this.visitor?.itemEnd?.(itemDepth, pos);
    }
  }

  /** Encapsulated pixel data fragments (PS3.5 A.4): defined-length items, then a sequence delimiter. */
  private fragments(pos: number, end: number, enc: DatasetEncoding): number {
    for (;;) {
      if (end - pos < 8) throw new WalkFailure(pos, 'encapsulated pixel data without sequence delimitation');
      const tag = this.tagAt(pos, enc);
      const length = this.u32(pos + 4, enc);
      if (tag === SEQUENCE_DELIMITATION) {
        if (length !== 0) throw new WalkFailure(pos, 'sequence delimitation item with non-zero length');
        return pos + 8;
      }
      if (tag !== ITEM) throw new WalkFailure(pos, `${tagText(tag)} where a pixel data fragment was expected`);
      if (length === UNDEFINED_LENGTH) throw new WalkFailure(pos, 'pixel data fragment of undefined length');
      if (length > end - pos - 8) throw new WalkFailure(pos, `fragment length ${length} exceeds the ${end - pos - 8} bytes remaining`);
      this.items++;
      if (this.items > this.limits.maxItems) throw new WalkFailure(pos, `more than ${this.limits.maxItems} items`);
      pos += 8 + length;
    }
  }
}

/**
 * Walk a data set. `transferSyntax` is a UID or an explicit encoding. Never throws for hostile bytes
 * (visitor exceptions propagate).
 */
export function walkDataset(buf: Buffer, transferSyntax: string | DatasetEncoding, limits: WalkLimits = {}, visitor?: WalkVisitor): WalkResult {
  const enc = typeof transferSyntax === 'string' ? encodingForTransferSyntax(transferSyntax) : transferSyntax;
  if (enc === null) return { ok: false, offset: 0, reason: `transfer syntax ${String(transferSyntax).slice(0, 64)} is deflated; inflate before walking`, elements: 0, items: 0 };
  const resolved: Required<WalkLimits> = {
    maxDepth: Math.min(limits.maxDepth ?? DEFAULT_WALK_LIMITS.maxDepth, HARD_MAX_DEPTH),
    maxItems: limits.maxItems ?? DEFAULT_WALK_LIMITS.maxItems,
    maxElements: limits.maxElements ?? DEFAULT_WALK_LIMITS.maxElements,
  };
  const walk = new Walk(buf, resolved, visitor);
  try {
    walk.elementsAt(0, buf.length, 0, enc, false);
    return { ok: true, elements: walk.elements, items: walk.items, maxDepth: walk.deepest, anomalies: walk.anomalies.toArray() };
  } catch (err) {
    if (err instanceof WalkFailure) return { ok: false, offset: err.offset, reason: err.reason, elements: walk.elements, items: walk.items };
    throw err;
  }
}
