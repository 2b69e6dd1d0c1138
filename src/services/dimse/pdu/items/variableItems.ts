/**
 * The variable field of A-ASSOCIATE-RQ (PS3.8 §9.3.2, Table 9-11, bytes 75-xxx) and A-ASSOCIATE-AC
 * (§9.3.3, Table 9-17): one Application Context item, one or more Presentation Context items, one User
 * Information item. Decoding walks items by their lengths (an item overrunning the PDU is a
 * `PduLengthError`), dispatches known codes through a table, keeps unknown or misplaced items raw, and
 * checks presence and order afterwards as anomalies — the parser never loses its place.
 */
import type { Writer } from '../../net/writer.ts';
import type { Cursor } from '../cursor.ts';
import { noteTrailing, readItem, type ItemDecodeContext, type ItemRead } from './context.ts';
import {
  decodePresentationContextAc,
  decodePresentationContextRq,
  type PresentationContextAc,
  type PresentationContextRq,
} from './presentationContext.ts';
import { ItemType, itemBelongs } from './registry.ts';
import { hex2 } from './text.ts';
import { decodeUserInformation, type UserInformation } from './userInfo.ts';
import { writeItem } from './write.ts';

/** The DICOM Application Context Name, PS3.7 Annex A.2.1. */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

export interface VariableItems {
  /** Top-level item codes in the order sent. */
  readonly itemOrder: number[];
  /** Every application context name, in order (exactly one when conformant). */
  readonly appContexts: string[];
  readonly contextsRq: PresentationContextRq[];
  readonly contextsAc: PresentationContextAc[];
  /** The first user information item, or null when none was sent. */
  userInfo: UserInformation | null;
}

type TopLevelDecoder = (item: ItemRead, out: VariableItems, ctx: ItemDecodeContext) => void;

const TOP_LEVEL_DECODERS: Readonly<Record<number, TopLevelDecoder>> = {
  [ItemType.APPLICATION_CONTEXT]: (item, out, ctx) => {
    out.appContexts.push(ctx.uid(item.value.rest(), 'application context name'));
  },
  [ItemType.PRESENTATION_CONTEXT_RQ]: (item, out, ctx) => {
    out.contextsRq.push(decodePresentationContextRq(item, ctx));
  },
  [ItemType.PRESENTATION_CONTEXT_AC]: (item, out, ctx) => {
    out.contextsAc.push(decodePresentationContextAc(item, ctx));
  },
  [ItemType.USER_INFORMATION]: (item, out, ctx) => {
    const info = decodeUserInformation(item, ctx);
    if (out.userInfo === null) out.userInfo = info;
    else ctx.anomalies.add(`duplicate user information item at offset ${item.offset} (first kept)`);
  },
};

/** Walk the variable items from the cursor to its end. */
export function decodeVariableItems(c: Cursor, ctx: ItemDecodeContext): VariableItems {
  const out: VariableItems = { itemOrder: [], appContexts: [], contextsRq: [], contextsAc: [], userInfo: null };
  for (let item = readItem(c); item !== null; item = readItem(c)) {
    out.itemOrder.push(item.type);
    const decoder = TOP_LEVEL_DECODERS[item.type];
    if (decoder !== undefined && itemBelongs(item.type, 'pdu', ctx.kind)) {
      if (item.reserved !== 0) ctx.anomalies.add(`item ${hex2(item.type)} reserved byte ${hex2(item.reserved)} at offset ${item.offset}`);
      decoder(item, out, ctx);
    } else {
      ctx.anomalies.add(
        decoder !== undefined
          ? `item ${hex2(item.type)} not valid in ${ctx.kind} at offset ${item.offset} (kept raw)`
          : `unknown item ${hex2(item.type)} at offset ${item.offset}`,
      );
      ctx.keepUnknown(item, 'pdu');
    }
  }
  noteTrailing(c, ctx.kind, ctx);
  checkStructure(out, ctx);
  return out;
}

/** Presence and order checks of PS3.8 §9.3.2 / §9.3.3 (one app context first, contexts, one user info last). */
function checkStructure(out: VariableItems, ctx: ItemDecodeContext): void {
  const pcCode = ctx.kind === 'A-ASSOCIATE-RQ' ? ItemType.PRESENTATION_CONTEXT_RQ : ItemType.PRESENTATION_CONTEXT_AC;
  const known = out.itemOrder.filter((t) => t === ItemType.APPLICATION_CONTEXT || t === pcCode || t === ItemType.USER_INFORMATION);
  if (out.appContexts.length === 0) ctx.anomalies.add('missing application context item');
  else if (out.appContexts.length > 1) ctx.anomalies.add(`${out.appContexts.length} application context items`);
  else if (known[0] !== ItemType.APPLICATION_CONTEXT) ctx.anomalies.add('application context item not first');
  const contexts = ctx.kind === 'A-ASSOCIATE-RQ' ? out.contextsRq.length : out.contextsAc.length;
  if (contexts === 0) ctx.anomalies.add('no presentation context items');
  if (out.userInfo === null) ctx.anomalies.add('missing user information item');
  else if (known[known.length - 1] !== ItemType.USER_INFORMATION) ctx.anomalies.add('user information item not last');
  for (const name of out.appContexts) {
    if (name !== DICOM_APPLICATION_CONTEXT) ctx.anomalies.add(`application context name ${name.slice(0, 80)} is not the DICOM application context`);
  }
}

/** Encode an Application Context item (PS3.8 Table 9-12). */
export function encodeApplicationContext(w: Writer, name: string = DICOM_APPLICATION_CONTEXT): void {
  writeItem(w, ItemType.APPLICATION_CONTEXT, () => w.ascii(name));
}
