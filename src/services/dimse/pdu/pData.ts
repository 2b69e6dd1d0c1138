/**
 * P-DATA-TF PDU, PS3.8 §9.3.5 (Table 9-22): one or more Presentation Data Value items, each
 * item-length (4, big endian; counts the context ID and the PDV), presentation-context-ID (1), then the
 * PDV: a message control header byte (PS3.8 Annex E.2: bit 0 = 1 command / 0 data set, bit 1 = last
 * fragment, bits 2-7 = 0) and the message fragment.
 *
 * Strict on lengths: an item overrunning the PDU, or shorter than its 2 fixed bytes, or a partial item
 * header at the end, throws `PduLengthError` (the DUL aborts). Fragments are views into the body.
 */
import { Writer } from '../net/writer.ts';
import { Cursor } from './cursor.ts';
import { PduLengthError } from './errors.ts';
import { AnomalyLog } from './items/text.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

/** Message control header bits, PS3.8 Annex E.2. */
export const MessageControl = Object.freeze({
  COMMAND: 0x01,
  LAST: 0x02,
} as const);

export interface Pdv {
  readonly contextId: number;
  /** Bit 0 of the message control header: command (true) or data set (false). */
  readonly command: boolean;
  /** Bit 1: last fragment of the command or data set. */
  readonly last: boolean;
  /** The whole control header byte as sent. */
  readonly controlHeader: number;
  /** The message fragment (view). */
  readonly data: Buffer;
  /** Offset of the PDV item from the first byte of the PDU. */
  readonly offset: number;
}

export interface PData {
  readonly pdu: 'P-DATA-TF';
  readonly pdvs: readonly Pdv[];
  readonly anomalies: readonly string[];
}

export function decodePData(body: Buffer, headerReserved = 0): PData {
  const c = new Cursor(body, 0, body.length, PDU_HEADER_LENGTH);
  const anomalies = new AnomalyLog();
  if (headerReserved !== 0) anomalies.add(`PDU header reserved byte ${headerReserved}`);
  const pdvs: Pdv[] = [];
  while (!c.atEnd) {
    const offset = c.offset;
    const length = c.u32('PDV item-length');
    if (length < 2) throw new PduLengthError('PDV item', offset, c.remaining, length, 2);
    const item = c.sub(length, 'PDV item');
    const contextId = item.u8('presentation-context-ID');
    const controlHeader = item.u8('message control header');
    const data = item.rest();
    if ((controlHeader & 0xfc) !== 0) anomalies.add(`PDV at offset ${offset}: message control header 0x${controlHeader.toString(16).padStart(2, '0')} has reserved bits set`);
    if (data.length === 0) anomalies.add(`PDV at offset ${offset}: empty fragment`);
    if (contextId % 2 === 0) anomalies.add(`PDV at offset ${offset}: even presentation context id ${contextId}`);
    pdvs.push({
      contextId,
      command: (controlHeader & MessageControl.COMMAND) !== 0,
      last: (controlHeader & MessageControl.LAST) !== 0,
      controlHeader,
      data,
      offset,
    });
  }
  if (pdvs.length === 0) throw new PduLengthError('P-DATA-TF', PDU_HEADER_LENGTH, body.length, body.length, 6);
  return { pdu: 'P-DATA-TF', pdvs, anomalies: anomalies.toArray() };
}

export interface PdvInit {
  readonly contextId: number;
  readonly command: boolean;
  readonly last: boolean;
  readonly data: Uint8Array;
}

/** Encode a P-DATA-TF PDU carrying the given PDVs (the caller respects the peer's maximum length). */
export function encodePData(pdvs: readonly PdvInit[]): Buffer {
  if (pdvs.length === 0) throw new RangeError('a P-DATA-TF needs at least one PDV');
  let total = 0;
  for (const p of pdvs) total += 6 + p.data.length;
  const w = new Writer(PDU_HEADER_LENGTH + total);
  const m = w.pduHeader(PduType.P_DATA_TF);
  for (const p of pdvs) {
    const item = w.beginLength('u32be');
    w.u8(p.contextId).u8((p.command ? MessageControl.COMMAND : 0) | (p.last ? MessageControl.LAST : 0));
    w.bytes(p.data);
    w.endLength(item);
  }
  w.endLength(m);
  return w.finish();
}
