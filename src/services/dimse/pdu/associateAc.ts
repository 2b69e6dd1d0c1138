/**
 * A-ASSOCIATE-AC PDU, PS3.8 §9.3.3 (Table 9-17): the same fixed layout as the RQ (protocol version,
 * reserved, called/calling AE titles — reserved in the AC but "sent with a value identical to" the RQ
 * — and 32 reserved bytes), then one Application Context item, Presentation Context AC items (0x21,
 * Table 9-18) and one User Information item.
 *
 * The encoder builds what the persona decides (never library defaults); the decoder serves the
 * requestor side (tests, a future SCU) with the same record-everything posture as the RQ decoder.
 */
import { Writer } from '../net/writer.ts';
import { ASSOCIATE_FIXED_LENGTH } from './associateRq.ts';
import { Cursor } from './cursor.ts';
import { ItemDecodeContext, type UnknownItem } from './items/context.ts';
import {
  encodePresentationContextAc,
  type PresentationContextAc,
  type PresentationContextAcInit,
} from './items/presentationContext.ts';
import { aeTitleField, hex2, type AeTitleField } from './items/text.ts';
import { encodeUserInformation, type UserInformation, type UserInformationInit } from './items/userInfo.ts';
import { decodeVariableItems, encodeApplicationContext } from './items/variableItems.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

export interface AssociateAc {
  readonly pdu: 'A-ASSOCIATE-AC';
  readonly length: number;
  readonly headerReserved: number;
  readonly protocolVersion: number;
  readonly calledAe: AeTitleField;
  readonly callingAe: AeTitleField;
  readonly itemOrder: readonly number[];
  readonly appContext: string | null;
  readonly contexts: readonly PresentationContextAc[];
  readonly userInfo: UserInformation | null;
  readonly maxPdu: number | null;
  readonly implClassUid: string | null;
  readonly implVersionName: string | null;
  readonly unknownItems: readonly UnknownItem[];
  readonly anomalies: readonly string[];
}

/** Decode the body of an A-ASSOCIATE-AC. Throws `PduDecodeError` only. */
export function decodeAssociateAc(body: Buffer, headerReserved = 0): AssociateAc {
  const c = new Cursor(body, 0, body.length, PDU_HEADER_LENGTH);
  c.need(ASSOCIATE_FIXED_LENGTH, 'A-ASSOCIATE-AC fixed fields');
  const protocolVersion = c.u16('protocol-version');
  const reserved1 = c.u16('reserved');
  const calledAe = aeTitleField(c.bytes(16, 'called-AE-title'));
  const callingAe = aeTitleField(c.bytes(16, 'calling-AE-title'));
  const reserved2 = c.bytes(32, 'reserved');
  const ctx = new ItemDecodeContext('A-ASSOCIATE-AC');
  if (headerReserved !== 0) ctx.anomalies.add(`PDU header reserved byte ${hex2(headerReserved)}`);
  if (protocolVersion !== 1) ctx.anomalies.add(`protocol version 0x${protocolVersion.toString(16).padStart(4, '0')}`);
  if (reserved1 !== 0) ctx.anomalies.add(`reserved bytes 9-10 are 0x${reserved1.toString(16).padStart(4, '0')}`);
  if (reserved2.some((b) => b !== 0)) ctx.anomalies.add('reserved bytes 43-74 not zero');
  const items = decodeVariableItems(c, ctx);
  const ui = items.userInfo;
  return {
    pdu: 'A-ASSOCIATE-AC',
    length: body.length,
    headerReserved,
    protocolVersion,
    calledAe,
    callingAe,
    itemOrder: items.itemOrder,
    appContext: items.appContexts[0] ?? null,
    contexts: items.contextsAc,
    userInfo: ui,
    maxPdu: ui?.maxPdu ?? null,
    implClassUid: ui?.implClassUid ?? null,
    implVersionName: ui?.implVersionName ?? null,
    unknownItems: ctx.unknownItems,
    anomalies: ctx.anomalies.toArray(),
  };
}

export interface AssociateAcInit {
  /** Echo the RQ: pass its raw 16 bytes to reproduce them exactly, or text to space-pad. */
  readonly calledAe: string | Uint8Array;
  readonly callingAe: string | Uint8Array;
  readonly protocolVersion?: number;
  readonly applicationContext?: string;
  /** One result per proposed context, in the order to send. */
  readonly contexts: readonly PresentationContextAcInit[];
  /**
   * Maximum length, implementation class UID and version name (from the persona), plus optional
   * asynchronous operations window, role selections, extended negotiation and user identity response.
   */
  readonly userInfo: UserInformationInit & { readonly maxPdu: number; readonly implClassUid: string };
}

/** Encode a complete A-ASSOCIATE-AC PDU (header included). */
export function encodeAssociateAc(init: AssociateAcInit): Buffer {
  const w = new Writer(512);
  const m = w.pduHeader(PduType.ASSOCIATE_AC);
  w.u16be(init.protocolVersion ?? 1).u16be(0);
  w.asciiFixed(init.calledAe, 16);
  w.asciiFixed(init.callingAe, 16);
  w.zeros(32);
  encodeApplicationContext(w, init.applicationContext);
  for (const pc of init.contexts) encodePresentationContextAc(w, pc);
  encodeUserInformation(w, init.userInfo);
  w.endLength(m);
  return w.finish();
}
