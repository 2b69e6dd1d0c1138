/**
 * Presentation Context items: RQ 0x20 (PS3.8 §9.3.2.2, Table 9-13) with one Abstract Syntax sub-item
 * 0x30 (Table 9-14) and one or more Transfer Syntax sub-items 0x40 (Table 9-15); AC 0x21 (§9.3.3.2,
 * Table 9-18) with a Result/Reason and one Transfer Syntax sub-item (Table 9-19).
 *
 * Everything is kept in the order sent, IDs as sent (odd or even, duplicated, out of order); the
 * checks on them are anomalies for the caller to report, never silent fixes.
 */
import type { Writer } from '../../net/writer.ts';
import { noteTrailing, readItem, type ItemDecodeContext, type ItemRead } from './context.ts';
import { ItemType, itemBelongs } from './registry.ts';
import { hex2 } from './text.ts';
import { writeItem } from './write.ts';

export interface PresentationContextRq {
  readonly id: number;
  /** Offset of the item header from the first byte of the PDU. */
  readonly offset: number;
  /** The first abstract syntax sub-item, or null when there was none. */
  readonly abstractSyntax: string | null;
  /** Every abstract syntax sub-item, in order (more than one is an anomaly). */
  readonly abstractSyntaxes: readonly string[];
  readonly transferSyntaxes: readonly string[];
  /** Sub-item codes in the order sent. */
  readonly subItemOrder: readonly number[];
  /** The three reserved bytes after the ID (00H when conformant). */
  readonly reserved: readonly [number, number, number];
}

/** Result/Reason of a presentation context in an A-ASSOCIATE-AC, PS3.8 Table 9-18. */
export const PresentationContextResult = Object.freeze({
  ACCEPTANCE: 0,
  USER_REJECTION: 1,
  NO_REASON: 2,
  ABSTRACT_SYNTAX_NOT_SUPPORTED: 3,
  TRANSFER_SYNTAXES_NOT_SUPPORTED: 4,
} as const);
export type PresentationContextResultCode = (typeof PresentationContextResult)[keyof typeof PresentationContextResult];

export const PRESENTATION_CONTEXT_RESULT_NAMES: Readonly<Record<PresentationContextResultCode, string>> = Object.freeze({
  0: 'acceptance',
  1: 'user-rejection',
  2: 'no-reason',
  3: 'abstract-syntax-not-supported',
  4: 'transfer-syntaxes-not-supported',
});

export function presentationContextResultName(code: number): string {
  return Object.hasOwn(PRESENTATION_CONTEXT_RESULT_NAMES, code)
    ? PRESENTATION_CONTEXT_RESULT_NAMES[code as PresentationContextResultCode]
    : `reserved-${code}`;
}

export interface PresentationContextAc {
  readonly id: number;
  readonly offset: number;
  readonly result: number;
  /** The (first) transfer syntax sub-item; not significant unless the result is acceptance. */
  readonly transferSyntax: string | null;
  readonly transferSyntaxes: readonly string[];
}

function readReserved3(item: ItemRead): [number, number, number] {
  return [item.value.u8('presentation context reserved'), item.value.u8('presentation context reserved'), item.value.u8('presentation context reserved')];
}

/** Decode a 0x20 item's value. */
export function decodePresentationContextRq(item: ItemRead, ctx: ItemDecodeContext): PresentationContextRq {
  const c = item.value;
  c.need(4, 'presentation context item (RQ) fixed fields');
  const id = c.u8('presentation-context-id');
  const reserved = readReserved3(item);
  const abstractSyntaxes: string[] = [];
  const transferSyntaxes: string[] = [];
  const subItemOrder: number[] = [];
  for (let sub = readItem(c); sub !== null; sub = readItem(c)) {
    subItemOrder.push(sub.type);
    if (sub.reserved !== 0) ctx.anomalies.add(`presentation context ${id} sub-item ${hex2(sub.type)} reserved byte ${hex2(sub.reserved)}`);
    if (sub.type === ItemType.ABSTRACT_SYNTAX) {
      abstractSyntaxes.push(ctx.uid(sub.value.rest(), `abstract syntax, context ${id}`));
    } else if (sub.type === ItemType.TRANSFER_SYNTAX) {
      transferSyntaxes.push(ctx.uid(sub.value.rest(), `transfer syntax, context ${id}`));
    } else {
      ctx.anomalies.add(`unexpected sub-item ${hex2(sub.type)} in presentation context ${id} at offset ${sub.offset} (kept raw)`);
      ctx.keepUnknown(sub, 'presentation-context');
    }
  }
  noteTrailing(c, `presentation context ${id}`, ctx);
  if (reserved.some((b) => b !== 0)) ctx.anomalies.add(`presentation context ${id} reserved bytes ${Buffer.from(reserved).toString('hex')}`);
  if (abstractSyntaxes.length === 0) ctx.anomalies.add(`presentation context ${id} without abstract syntax`);
  if (abstractSyntaxes.length > 1) ctx.anomalies.add(`presentation context ${id} with ${abstractSyntaxes.length} abstract syntaxes`);
  if (transferSyntaxes.length === 0) ctx.anomalies.add(`presentation context ${id} without transfer syntax`);
  const firstAbstract = subItemOrder.indexOf(ItemType.ABSTRACT_SYNTAX);
  const firstTransfer = subItemOrder.indexOf(ItemType.TRANSFER_SYNTAX);
  if (firstAbstract > 0 && firstTransfer >= 0 && firstTransfer < firstAbstract) {
    ctx.anomalies.add(`presentation context ${id}: transfer syntax before abstract syntax`);
  }
  return {
    id,
    offset: item.offset,
    abstractSyntax: abstractSyntaxes[0] ?? null,
    abstractSyntaxes,
    transferSyntaxes,
    subItemOrder,
    reserved,
  };
}

/** Decode a 0x21 item's value. */
export function decodePresentationContextAc(item: ItemRead, ctx: ItemDecodeContext): PresentationContextAc {
  const c = item.value;
  c.need(4, 'presentation context item (AC) fixed fields');
  const id = c.u8('presentation-context-id');
  const r1 = c.u8('presentation context reserved');
  const result = c.u8('result/reason');
  const r2 = c.u8('presentation context reserved');
  if (r1 !== 0 || r2 !== 0) ctx.anomalies.add(`presentation context ${id} reserved bytes ${hex2(r1)} ${hex2(r2)}`);
  if (result > 4) ctx.anomalies.add(`presentation context ${id} result/reason ${result} reserved`);
  const transferSyntaxes: string[] = [];
  for (let sub = readItem(c); sub !== null; sub = readItem(c)) {
    if (sub.type === ItemType.TRANSFER_SYNTAX && itemBelongs(sub.type, 'presentation-context', ctx.kind)) {
      transferSyntaxes.push(ctx.uid(sub.value.rest(), `transfer syntax, context ${id}`));
    } else {
      ctx.anomalies.add(`unexpected sub-item ${hex2(sub.type)} in presentation context ${id} at offset ${sub.offset} (kept raw)`);
      ctx.keepUnknown(sub, 'presentation-context');
    }
  }
  noteTrailing(c, `presentation context ${id}`, ctx);
  if (transferSyntaxes.length > 1) ctx.anomalies.add(`presentation context ${id} with ${transferSyntaxes.length} transfer syntaxes`);
  if (transferSyntaxes.length === 0 && result === 0) ctx.anomalies.add(`accepted presentation context ${id} without transfer syntax`);
  return { id, offset: item.offset, result, transferSyntax: transferSyntaxes[0] ?? null, transferSyntaxes };
}

export interface PresentationContextRqInit {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntaxes: readonly string[];
}

export function encodePresentationContextRq(w: Writer, pc: PresentationContextRqInit): void {
  writeItem(w, ItemType.PRESENTATION_CONTEXT_RQ, () => {
    w.u8(pc.id).u8(0).u8(0).u8(0);
    writeItem(w, ItemType.ABSTRACT_SYNTAX, () => w.ascii(pc.abstractSyntax));
    for (const ts of pc.transferSyntaxes) writeItem(w, ItemType.TRANSFER_SYNTAX, () => w.ascii(ts));
  });
}

export interface PresentationContextAcInit {
  readonly id: number;
  /** 0 acceptance, 1 user-rejection, 2 no-reason, 3 abstract-syntax-not-supported, 4 transfer-syntaxes-not-supported. */
  readonly result: PresentationContextResultCode;
  /**
   * The chosen transfer syntax. For a rejection PS3.8 says the field is not significant; pass the
   * value your persona sends ('' for an empty sub-item), or null to omit the sub-item.
   */
  readonly transferSyntax: string | null;
}

export function encodePresentationContextAc(w: Writer, pc: PresentationContextAcInit): void {
  writeItem(w, ItemType.PRESENTATION_CONTEXT_AC, () => {
    w.u8(pc.id).u8(0).u8(pc.result).u8(0);
    if (pc.transferSyntax !== null) writeItem(w, ItemType.TRANSFER_SYNTAX, () => w.ascii(pc.transferSyntax as string));
  });
}
