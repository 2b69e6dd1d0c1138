/**
 * Shared machinery for walking item lists (PS3.8 §9.3.2: every item and sub-item is type (1),
 * reserved (1), item-length (2, big endian), value). `readItem` confines each item to its declared
 * length — an item overrunning its parent throws `PduLengthError` with the item's offset — and
 * `ItemDecodeContext` collects what the decoders found odd, the unknown items kept raw, and the UID
 * padding style seen.
 */
import type { Cursor } from '../cursor.ts';
import { PduLengthError } from '../errors.ts';
import { itemLabel, type AssociatePduKind, type ItemLevel } from './registry.ts';
import { AnomalyLog, PaddingTally, uidAnomalies, uidText } from './text.ts';

/** An item we did not decode (unknown code, or a known code where it does not belong), kept raw. */
export interface UnknownItem {
  readonly type: number;
  /** Offset of the item header from the first byte of the PDU. */
  readonly offset: number;
  readonly level: ItemLevel;
  /** The whole item, header included (copy). */
  readonly raw: Buffer;
}

/** One item header and a cursor confined to its value. */
export interface ItemRead {
  readonly type: number;
  readonly reserved: number;
  readonly length: number;
  /** Offset of the item header from the first byte of the PDU. */
  readonly offset: number;
  readonly value: Cursor;
  /** The whole item (view). */
  readonly raw: Buffer;
}

const MAX_UNKNOWN_ITEMS_KEPT = 64;

export class ItemDecodeContext {
  readonly anomalies = new AnomalyLog();
  readonly unknownItems: UnknownItem[] = [];
  unknownItemCount = 0;
  readonly uidPadding = new PaddingTally();

  constructor(readonly kind: AssociatePduKind) {}

  /** Decode a UID field: trailing padding removed and tallied, content checked. */
  uid(bytes: Buffer, label: string): string {
    const u = uidText(bytes);
    this.uidPadding.add(u.padding);
    this.anomalies.addAll(uidAnomalies(u, label));
    return u.value;
  }

  /** Keep an item raw (bounded list; the count is exact). */
  keepUnknown(item: ItemRead, level: ItemLevel): void {
    this.unknownItemCount++;
    if (this.unknownItems.length < MAX_UNKNOWN_ITEMS_KEPT) {
      this.unknownItems.push({ type: item.type, offset: item.offset, level, raw: Buffer.from(item.raw) });
    }
  }
}

/**
 * Read the next item header and confine a cursor to its value. Returns null when fewer than 4 bytes
 * remain (the caller records them as trailing bytes); throws `PduLengthError` when the declared
 * length overruns the parent.
 */
export function readItem(c: Cursor): ItemRead | null {
  if (c.remaining < 4) return null;
  const startIndex = c.index;
  const offset = c.offset;
  const type = c.u8('item type');
  const reserved = c.u8('item reserved byte');
  const length = c.u16('item length');
  // Report an overrun at the item header, where the bad length was declared.
  if (length > c.remaining) throw new PduLengthError(itemLabel(type), offset, c.remaining, length);
  const value = c.sub(length, itemLabel(type));
  return { type, reserved, length, offset, value, raw: c.buf.subarray(startIndex, value.end) };
}

/** Record (and skip) 1–3 bytes too short to be an item header. */
export function noteTrailing(c: Cursor, where: string, ctx: ItemDecodeContext): void {
  if (c.remaining > 0) {
    ctx.anomalies.add(`${c.remaining} trailing bytes after last item in ${where} at offset ${c.offset}`);
    c.rest();
  }
}
