/**
 * User Information item (0x50) and its sub-items: Maximum Length 0x51 (PS3.8 Annex D.1), Implementation
 * Class UID 0x52 and Version Name 0x55 (PS3.7 D.3.3.2), Asynchronous Operations Window 0x53 (D.3.3.3),
 * SCP/SCU Role Selection 0x54 (D.3.3.4), SOP Class Extended Negotiation 0x56 (D.3.3.5), SOP Class Common
 * Extended Negotiation 0x57 (D.3.3.6), User Identity RQ 0x58 / AC 0x59 (D.3.3.7).
 *
 * Decoding records what was sent and nothing else: a missing Maximum Length stays `null` (never a
 * default); a sub-item of the wrong length is an anomaly; a field overrunning its sub-item is a
 * `PduLengthError`. Sub-item decoders are a table keyed by code.
 */
import type { Writer } from '../../net/writer.ts';
import type { Cursor } from '../cursor.ts';
import { readItem, noteTrailing, type ItemDecodeContext, type ItemRead } from './context.ts';
import { ItemType, itemBelongs, itemLabel } from './registry.ts';
import { binaryField, hex2, type BinaryField } from './text.ts';
import { writeItem, writeLengthPrefixed } from './write.ts';

export interface AsyncOpsWindow {
  /** Maximum-number-operations-invoked (0 = unlimited). */
  readonly invoked: number;
  /** Maximum-number-operations-performed (0 = unlimited). */
  readonly performed: number;
}

/** SCP/SCU Role Selection (PS3.7 Table D.3-9); role bytes as sent (0 or 1 when conformant). */
export interface RoleSelection {
  readonly sopClassUid: string;
  readonly scu: number;
  readonly scp: number;
}

export interface ExtendedNegotiation {
  readonly sopClassUid: string;
  /** Service-class-application-information (opaque bytes). */
  readonly info: BinaryField;
}

export interface CommonExtendedNegotiation {
  /** Sub-item-version byte (0 in the current standard). */
  readonly version: number;
  readonly sopClassUid: string;
  readonly serviceClassUid: string;
  readonly relatedGeneralSopClasses: readonly string[];
}

/** User Identity RQ (PS3.7 Table D.3-14). Fields kept as bytes: binary identities are evidence. */
export interface UserIdentityRq {
  /** 1 username, 2 username+passcode, 3 Kerberos, 4 SAML, 5 JWT (anything else is kept as sent). */
  readonly type: number;
  readonly positiveResponseRequested: boolean;
  readonly positiveResponseRequestedRaw: number;
  readonly primary: BinaryField;
  /** Empty unless type 2 (or a non-conformant sender). */
  readonly secondary: BinaryField;
}

export interface UserIdentityAc {
  readonly serverResponse: BinaryField;
}

export interface UserInformation {
  /** Offset of the 0x50 item header from the first byte of the PDU. */
  readonly offset: number;
  /** Sub-item codes in the order sent (a fingerprint trait). */
  readonly subItemOrder: number[];
  maxPdu: number | null;
  implClassUid: string | null;
  implVersionName: string | null;
  asyncOps: AsyncOpsWindow | null;
  readonly roles: RoleSelection[];
  readonly extNeg: ExtendedNegotiation[];
  readonly commonExtNeg: CommonExtendedNegotiation[];
  userIdentity: UserIdentityRq | null;
  userIdentityAc: UserIdentityAc | null;
}

type SubItemDecoder = (item: ItemRead, info: UserInformation, ctx: ItemDecodeContext) => void;

function lengthAnomaly(item: ItemRead, expected: number): string {
  return `user-info sub-item ${hex2(item.type)} length ${item.length} (expected ${expected})`;
}

function duplicate(item: ItemRead, ctx: ItemDecodeContext): void {
  ctx.anomalies.add(`duplicate user-info sub-item ${hex2(item.type)} at offset ${item.offset} (first kept)`);
}

function leftover(c: Cursor, item: ItemRead, ctx: ItemDecodeContext): void {
  if (c.remaining > 0) ctx.anomalies.add(`${c.remaining} trailing bytes inside user-info sub-item ${hex2(item.type)}`);
}

function roleByte(value: number, name: string, ctx: ItemDecodeContext): number {
  if (value > 1) ctx.anomalies.add(`role selection ${name} value ${value} (expected 0 or 1)`);
  return value;
}

/** The sub-item decoders, keyed by code (PS3.8 Annex D, PS3.7 Annex D.3.3). */
const SUB_ITEM_DECODERS: Readonly<Record<number, SubItemDecoder>> = {
  [ItemType.MAXIMUM_LENGTH]: (item, info, ctx) => {
    if (info.maxPdu !== null) return duplicate(item, ctx);
    if (item.length !== 4) ctx.anomalies.add(lengthAnomaly(item, 4));
    if (item.length >= 4) info.maxPdu = item.value.u32(itemLabel(item.type));
  },
  [ItemType.IMPLEMENTATION_CLASS_UID]: (item, info, ctx) => {
    if (info.implClassUid !== null) return duplicate(item, ctx);
    info.implClassUid = ctx.uid(item.value.rest(), 'implementation class uid');
  },
  [ItemType.ASYNCHRONOUS_OPERATIONS_WINDOW]: (item, info, ctx) => {
    if (info.asyncOps !== null) return duplicate(item, ctx);
    if (item.length !== 4) ctx.anomalies.add(lengthAnomaly(item, 4));
    if (item.length >= 4) {
      const invoked = item.value.u16('maximum number operations invoked');
      const performed = item.value.u16('maximum number operations performed');
      info.asyncOps = { invoked, performed };
    }
  },
  [ItemType.SCP_SCU_ROLE_SELECTION]: (item, info, ctx) => {
    const c = item.value;
    const uidLength = c.u16('role selection uid-length');
    const sopClassUid = ctx.uid(c.bytes(uidLength, 'role selection sop class uid'), 'role selection sop class');
    const scu = roleByte(c.u8('role selection scu-role'), 'scu-role', ctx);
    const scp = roleByte(c.u8('role selection scp-role'), 'scp-role', ctx);
    leftover(c, item, ctx);
    info.roles.push({ sopClassUid, scu, scp });
  },
  [ItemType.IMPLEMENTATION_VERSION_NAME]: (item, info, ctx) => {
    if (info.implVersionName !== null) return duplicate(item, ctx);
    if (item.length === 0) ctx.anomalies.add('empty implementation version name');
    if (item.length > 16) ctx.anomalies.add(`implementation version name over 16 bytes (${item.length})`);
    info.implVersionName = item.value.rest().toString('latin1');
  },
  [ItemType.SOP_CLASS_EXTENDED_NEGOTIATION]: (item, info, ctx) => {
    const c = item.value;
    const uidLength = c.u16('extended negotiation sop-class-uid-length');
    const sopClassUid = ctx.uid(c.bytes(uidLength, 'extended negotiation sop class uid'), 'extended negotiation sop class');
    info.extNeg.push({ sopClassUid, info: binaryField(c.rest()) });
  },
  [ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION]: (item, info, ctx) => {
    const c = item.value;
    if (item.reserved !== 0) ctx.anomalies.add(`common extended negotiation sub-item-version ${item.reserved}`);
    const uidLength = c.u16('common extended negotiation sop-class-uid-length');
    const sopClassUid = ctx.uid(c.bytes(uidLength, 'common extended negotiation sop class uid'), 'common extended negotiation sop class');
    const svcLength = c.u16('common extended negotiation service-class-uid-length');
    const serviceClassUid = ctx.uid(c.bytes(svcLength, 'common extended negotiation service class uid'), 'common extended negotiation service class');
    const relLength = c.u16('related-general-sop-class-identification-length');
    const rel = c.sub(relLength, 'related general sop class identification');
    const related: string[] = [];
    while (!rel.atEnd) {
      const n = rel.u16('related-general-sop-class-uid-length');
      related.push(ctx.uid(rel.bytes(n, 'related general sop class uid'), 'related general sop class'));
    }
    leftover(c, item, ctx);
    info.commonExtNeg.push({ version: item.reserved, sopClassUid, serviceClassUid, relatedGeneralSopClasses: related });
  },
  [ItemType.USER_IDENTITY_RQ]: (item, info, ctx) => {
    if (info.userIdentity !== null) return duplicate(item, ctx);
    const c = item.value;
    const type = c.u8('user-identity-type');
    const prr = c.u8('positive-response-requested');
    const pLength = c.u16('primary-field-length');
    const primary = binaryField(c.bytes(pLength, 'user identity primary-field'));
    let secondary = binaryField(Buffer.alloc(0));
    if (c.atEnd) {
      ctx.anomalies.add('user identity without secondary-field-length');
    } else {
      const sLength = c.u16('secondary-field-length');
      secondary = binaryField(c.bytes(sLength, 'user identity secondary-field'));
    }
    leftover(c, item, ctx);
    if (type < 1 || type > 5) ctx.anomalies.add(`user identity type ${type} unknown`);
    if (prr > 1) ctx.anomalies.add(`user identity positive-response-requested ${prr} (expected 0 or 1)`);
    if (type !== 2 && secondary.raw.length > 0) ctx.anomalies.add(`user identity type ${type} with a secondary field`);
    if (pLength === 0) ctx.anomalies.add('user identity with empty primary field');
    info.userIdentity = { type, positiveResponseRequested: prr !== 0, positiveResponseRequestedRaw: prr, primary, secondary };
  },
  [ItemType.USER_IDENTITY_AC]: (item, info, ctx) => {
    if (info.userIdentityAc !== null) return duplicate(item, ctx);
    const c = item.value;
    const n = c.u16('server-response-length');
    info.userIdentityAc = { serverResponse: binaryField(c.bytes(n, 'user identity server-response')) };
    leftover(c, item, ctx);
  },
};

export function emptyUserInformation(offset: number): UserInformation {
  return {
    offset,
    subItemOrder: [],
    maxPdu: null,
    implClassUid: null,
    implVersionName: null,
    asyncOps: null,
    roles: [],
    extNeg: [],
    commonExtNeg: [],
    userIdentity: null,
    userIdentityAc: null,
  };
}

/** Decode the value of a 0x50 item. */
export function decodeUserInformation(item: ItemRead, ctx: ItemDecodeContext): UserInformation {
  const info = emptyUserInformation(item.offset);
  const c = item.value;
  for (let sub = readItem(c); sub !== null; sub = readItem(c)) {
    info.subItemOrder.push(sub.type);
    const decoder = SUB_ITEM_DECODERS[sub.type];
    if (decoder !== undefined && itemBelongs(sub.type, 'user-information', ctx.kind)) {
      if (sub.reserved !== 0 && sub.type !== ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION) {
        ctx.anomalies.add(`user-info sub-item ${hex2(sub.type)} reserved byte ${hex2(sub.reserved)}`);
      }
      decoder(sub, info, ctx);
    } else {
      ctx.anomalies.add(
        decoder !== undefined
          ? `user-info sub-item ${hex2(sub.type)} not valid in ${ctx.kind} (kept raw)`
          : `unknown user-info sub-item ${hex2(sub.type)} at offset ${sub.offset}`,
      );
      ctx.keepUnknown(sub, 'user-information');
    }
  }
  noteTrailing(c, 'user information item', ctx);
  return info;
}

/** What an encoder may put in a user information item (order as PS3.7 Annex D.3.3 lists them). */
export interface UserInformationInit {
  /** Maximum Length Received; omit only to build a deliberately non-conformant PDU. */
  readonly maxPdu?: number;
  readonly implClassUid?: string;
  readonly asyncOps?: AsyncOpsWindow;
  readonly roles?: readonly RoleSelection[];
  readonly implVersionName?: string;
  readonly extNeg?: readonly { readonly sopClassUid: string; readonly info: Uint8Array }[];
  readonly commonExtNeg?: readonly Omit<CommonExtendedNegotiation, 'version'>[];
  readonly userIdentity?: {
    readonly type: number;
    readonly positiveResponseRequested: boolean;
    readonly primary: Uint8Array | string;
    readonly secondary?: Uint8Array | string;
  };
  /** User Identity AC server response (A-ASSOCIATE-AC only). */
  readonly userIdentityServerResponse?: Uint8Array;
}

function bytesOf(v: Uint8Array | string): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** Encode a 0x50 item with its sub-items in the conventional order (0x51, 0x52, 0x53, 0x54, 0x55, …). */
export function encodeUserInformation(w: Writer, init: UserInformationInit): void {
  writeItem(w, ItemType.USER_INFORMATION, () => {
    if (init.maxPdu !== undefined) writeItem(w, ItemType.MAXIMUM_LENGTH, () => w.u32be(init.maxPdu as number));
    if (init.implClassUid !== undefined) writeItem(w, ItemType.IMPLEMENTATION_CLASS_UID, () => w.ascii(init.implClassUid as string));
    if (init.asyncOps !== undefined) {
      const a = init.asyncOps;
      writeItem(w, ItemType.ASYNCHRONOUS_OPERATIONS_WINDOW, () => w.u16be(a.invoked).u16be(a.performed));
    }
    for (const r of init.roles ?? []) {
      writeItem(w, ItemType.SCP_SCU_ROLE_SELECTION, () => {
        writeLengthPrefixed(w, r.sopClassUid);
        w.u8(r.scu).u8(r.scp);
      });
    }
    if (init.implVersionName !== undefined) writeItem(w, ItemType.IMPLEMENTATION_VERSION_NAME, () => w.ascii(init.implVersionName as string));
    for (const e of init.extNeg ?? []) {
      writeItem(w, ItemType.SOP_CLASS_EXTENDED_NEGOTIATION, () => {
        writeLengthPrefixed(w, e.sopClassUid);
        w.bytes(e.info);
      });
    }
    for (const e of init.commonExtNeg ?? []) {
      writeItem(w, ItemType.SOP_CLASS_COMMON_EXTENDED_NEGOTIATION, () => {
        writeLengthPrefixed(w, e.sopClassUid);
        writeLengthPrefixed(w, e.serviceClassUid);
        const m = w.beginLength('u16be');
        for (const uid of e.relatedGeneralSopClasses) writeLengthPrefixed(w, uid);
        w.endLength(m);
      });
    }
    if (init.userIdentity !== undefined) {
      const u = init.userIdentity;
      writeItem(w, ItemType.USER_IDENTITY_RQ, () => {
        w.u8(u.type).u8(u.positiveResponseRequested ? 1 : 0);
        writeLengthPrefixed(w, bytesOf(u.primary));
        writeLengthPrefixed(w, bytesOf(u.secondary ?? ''));
      });
    }
    if (init.userIdentityServerResponse !== undefined) {
      const r = init.userIdentityServerResponse;
      writeItem(w, ItemType.USER_IDENTITY_AC, () => writeLengthPrefixed(w, r));
    }
  });
}
