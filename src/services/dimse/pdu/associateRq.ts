/**
 * A-ASSOCIATE-RQ PDU, PS3.8 §9.3.2 (Table 9-11):
 *
 * | bytes  | field                                   |
 * |--------|-----------------------------------------|
 * | 1      | PDU-type 01H                            |
 * | 2      | reserved                                |
 * | 3-6    | PDU-length                              |
 * | 7-8    | protocol-version (bit 0 = version 1)    |
 * | 9-10   | reserved                                |
 * | 11-26  | called-AE-title (16 bytes)              |
 * | 27-42  | calling-AE-title (16 bytes)             |
 * | 43-74  | reserved (32 bytes)                     |
 * | 75-xxx | variable items (§9.3.2.1–§9.3.2.3)      |
 *
 * The decoder records everything as sent — padding, reserved bytes, item order, context IDs as sent,
 * unknown items raw — and lists what is odd in `anomalies`. It never fills in a default: a missing
 * Maximum Length is `null`, a missing implementation class UID is `null`.
 */
import { Writer } from '../net/writer.ts';
import { Cursor } from './cursor.ts';
import { ItemDecodeContext, type UnknownItem } from './items/context.ts';
import { encodePresentationContextRq, type PresentationContextRq, type PresentationContextRqInit } from './items/presentationContext.ts';
import { aeTitleField, hex2, type AeTitleField, type PaddingStyle } from './items/text.ts';
import {
  encodeUserInformation,
  type AsyncOpsWindow,
  type CommonExtendedNegotiation,
  type ExtendedNegotiation,
  type RoleSelection,
  type UserIdentityRq,
  type UserInformation,
  type UserInformationInit,
} from './items/userInfo.ts';
import { decodeVariableItems, encodeApplicationContext } from './items/variableItems.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

/** Byte count of the fixed fields after the header (Table 9-11, bytes 7-74). */
export const ASSOCIATE_FIXED_LENGTH = 68;

export interface AssociateRq {
  readonly pdu: 'A-ASSOCIATE-RQ';
  /** PDU-length (bytes after the header). */
  readonly length: number;
  /** Byte 2 of the PDU header (00H when conformant). */
  readonly headerReserved: number;
  readonly protocolVersion: number;
  /** Bytes 9-10 as a big-endian number (0 when conformant). */
  readonly reserved1: number;
  readonly calledAe: AeTitleField;
  readonly callingAe: AeTitleField;
  /** Bytes 43-74, hex. */
  readonly reserved2Hex: string;
  /** Top-level item codes in the order sent. */
  readonly itemOrder: readonly number[];
  /** The first application context name, or null. */
  readonly appContext: string | null;
  readonly appContexts: readonly string[];
  /** Presentation contexts in the order sent, IDs as sent. */
  readonly contexts: readonly PresentationContextRq[];
  /** The user information item as decoded, or null when none was sent. */
  readonly userInfo: UserInformation | null;
  /** Maximum Length Received (0x51) as sent; null when missing — never a default. */
  readonly maxPdu: number | null;
  readonly implClassUid: string | null;
  /** Implementation version name exactly as sent (latin1, untrimmed). */
  readonly implVersionName: string | null;
  readonly asyncOps: AsyncOpsWindow | null;
  readonly roles: readonly RoleSelection[];
  readonly extNeg: readonly ExtendedNegotiation[];
  readonly commonExtNeg: readonly CommonExtendedNegotiation[];
  readonly userIdentity: UserIdentityRq | null;
  /** Unknown or misplaced items, raw (at most 64 kept; `unknownItemCount` is exact). */
  readonly unknownItems: readonly UnknownItem[];
  readonly unknownItemCount: number;
  /** How the sender padded UIDs (the upper layer does not pad them; some clients do). */
  readonly uidPadding: PaddingStyle | 'n/a';
  readonly anomalies: readonly string[];
}

const PRINTABLE_AE = /^[\x20-\x5b\x5d-\x7e]*$/;

function aeAnomalies(name: string, ae: AeTitleField): string[] {
  const out: string[] = [];
  if (ae.text.length === 0) out.push(`empty ${name} AE title`);
  if (!PRINTABLE_AE.test(ae.text)) out.push(`${name} AE title with control, backslash or non-ASCII bytes`);
  if (ae.padding === 'nul' || ae.padding === 'mixed') out.push(`${name} AE title padded with NUL bytes`);
  return out;
}

/** Decode the body (bytes after the 6-byte header) of an A-ASSOCIATE-RQ. Throws `PduDecodeError` only. */
export function decodeAssociateRq(body: Buffer, headerReserved = 0): AssociateRq {
  const c = new Cursor(body, 0, body.length, PDU_HEADER_LENGTH);
  c.need(ASSOCIATE_FIXED_LENGTH, 'A-ASSOCIATE-RQ fixed fields');
  const protocolVersion = c.u16('protocol-version');
  const reserved1 = c.u16('reserved');
  const calledAe = aeTitleField(c.bytes(16, 'called-AE-title'));
  const callingAe = aeTitleField(c.bytes(16, 'calling-AE-title'));
  const reserved2 = c.bytes(32, 'reserved');

  const ctx = new ItemDecodeContext('A-ASSOCIATE-RQ');
  if (headerReserved !== 0) ctx.anomalies.add(`PDU header reserved byte ${hex2(headerReserved)}`);
  if (protocolVersion !== 1) ctx.anomalies.add(`protocol version 0x${protocolVersion.toString(16).padStart(4, '0')}`);
  if (reserved1 !== 0) ctx.anomalies.add(`reserved bytes 9-10 are 0x${reserved1.toString(16).padStart(4, '0')}`);
  ctx.anomalies.addAll(aeAnomalies('called', calledAe));
  ctx.anomalies.addAll(aeAnomalies('calling', callingAe));
  if (reserved2.some((b) => b !== 0)) ctx.anomalies.add('reserved bytes 43-74 not zero');

  const items = decodeVariableItems(c, ctx);
  checkContexts(items.contextsRq, ctx);
  const ui = items.userInfo;
  return {
    pdu: 'A-ASSOCIATE-RQ',
    length: body.length,
    headerReserved,
    protocolVersion,
    reserved1,
    calledAe,
    callingAe,
    reserved2Hex: reserved2.toString('hex'),
    itemOrder: items.itemOrder,
    appContext: items.appContexts[0] ?? null,
    appContexts: items.appContexts,
    contexts: items.contextsRq,
    userInfo: ui,
    maxPdu: ui?.maxPdu ?? null,
    implClassUid: ui?.implClassUid ?? null,
    implVersionName: ui?.implVersionName ?? null,
    asyncOps: ui?.asyncOps ?? null,
    roles: ui?.roles ?? [],
    extNeg: ui?.extNeg ?? [],
    commonExtNeg: ui?.commonExtNeg ?? [],
    userIdentity: ui?.userIdentity ?? null,
    unknownItems: ctx.unknownItems,
    unknownItemCount: ctx.unknownItemCount,
    uidPadding: ctx.uidPadding.summary(),
    anomalies: withUserInfoChecks(ui, ctx),
  };
}

/** PS3.8 §9.3.2.2: IDs are odd integers 1-255, unique within the association, at most 128 contexts. */
function checkContexts(contexts: readonly PresentationContextRq[], ctx: ItemDecodeContext): void {
  const seen = new Set<number>();
  const reported = new Set<number>();
  let previous = -1;
  let outOfOrder = false;
  for (const pc of contexts) {
    if (pc.id % 2 === 0) ctx.anomalies.add(`even presentation context id ${pc.id}`);
    if (seen.has(pc.id) && !reported.has(pc.id)) {
      ctx.anomalies.add(`duplicate presentation context id ${pc.id}`);
      reported.add(pc.id);
    }
    if (pc.id < previous) outOfOrder = true;
    seen.add(pc.id);
    previous = pc.id;
  }
  if (outOfOrder) ctx.anomalies.add('presentation context ids not in ascending order');
  if (contexts.length > 128) ctx.anomalies.add(`${contexts.length} presentation contexts (at most 128)`);
}

function withUserInfoChecks(ui: UserInformation | null, ctx: ItemDecodeContext): string[] {
  if (ui !== null) {
    if (ui.maxPdu === null && !ui.subItemOrder.includes(0x51)) ctx.anomalies.add('missing maximum length sub-item');
    if (ui.implClassUid === null) ctx.anomalies.add('missing implementation class uid sub-item');
    const roleClasses = new Set<string>();
    for (const r of ui.roles) {
      if (roleClasses.has(r.sopClassUid)) ctx.anomalies.add(`duplicate role selection for ${r.sopClassUid.slice(0, 64)}`);
      roleClasses.add(r.sopClassUid);
    }
  }
  return ctx.anomalies.toArray();
}

export interface AssociateRqInit {
  /** Text (space-padded to 16) or up to 16 raw bytes (space-padded). */
  readonly calledAe: string | Uint8Array;
  readonly callingAe: string | Uint8Array;
  readonly protocolVersion?: number;
  readonly applicationContext?: string;
  readonly contexts: readonly PresentationContextRqInit[];
  readonly userInfo: UserInformationInit;
}

/** Encode a complete A-ASSOCIATE-RQ PDU (header included), items in the standard order. */
export function encodeAssociateRq(init: AssociateRqInit): Buffer {
  const w = new Writer(512);
  const m = w.pduHeader(PduType.ASSOCIATE_RQ);
  w.u16be(init.protocolVersion ?? 1).u16be(0);
  w.asciiFixed(init.calledAe, 16);
  w.asciiFixed(init.callingAe, 16);
  w.zeros(32);
  encodeApplicationContext(w, init.applicationContext);
  for (const pc of init.contexts) encodePresentationContextRq(w, pc);
  encodeUserInformation(w, init.userInfo);
  w.endLength(m);
  return w.finish();
}
