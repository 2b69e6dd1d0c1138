/**
 * PDU type → decoder (PS3.8 §9.3.2–§9.3.8), one table for the DUL's receive path. `decodePdu` never
 * throws for hostile bytes: a `PduDecodeError` comes back as `{ ok: false }` (the DUL raises Evt19 and
 * aborts); anything else escaping a decoder is our bug and is rethrown.
 */
import { decodeAbort, type Abort } from './abort.ts';
import { decodeAssociateAc, type AssociateAc } from './associateAc.ts';
import { decodeAssociateRq, type AssociateRq } from './associateRq.ts';
import { decodeAssociateRj, type AssociateRj } from './associateRj.ts';
import { PduDecodeError, PduFormatError } from './errors.ts';
import { decodePData, type PData } from './pData.ts';
import { decodeReleaseRp, type ReleaseRp } from './releaseRp.ts';
import { decodeReleaseRq, type ReleaseRq } from './releaseRq.ts';
import { isPduType, PDU_HEADER_LENGTH, type PduTypeCode } from './types.ts';

/** Any decoded PDU, discriminated by its PS3.8 name. */
export type DecodedPdu = AssociateRq | AssociateAc | AssociateRj | PData | ReleaseRq | ReleaseRp | Abort;

type Decoder = (body: Buffer, headerReserved: number) => DecodedPdu;

export const PDU_DECODERS: Readonly<Record<PduTypeCode, Decoder>> = Object.freeze({
  0x01: decodeAssociateRq,
  0x02: decodeAssociateAc,
  0x03: decodeAssociateRj,
  0x04: decodePData,
  0x05: decodeReleaseRq,
  0x06: decodeReleaseRp,
  0x07: decodeAbort,
});

export type DecodePduResult = { readonly ok: true; readonly pdu: DecodedPdu } | { readonly ok: false; readonly error: PduDecodeError };

/** Decode a framed PDU (`raw` is header + body, as the framer delivers it). */
export function decodePdu(framed: { readonly type: number; readonly body: Buffer; readonly raw: Buffer }): DecodePduResult {
  try {
    if (!isPduType(framed.type)) {
      return { ok: false, error: new PduFormatError('PDU header', 0, `unknown PDU type 0x${framed.type.toString(16).padStart(2, '0')}`) };
    }
    const headerReserved = framed.raw.length >= PDU_HEADER_LENGTH ? framed.raw.readUInt8(1) : 0;
    return { ok: true, pdu: PDU_DECODERS[framed.type](framed.body, headerReserved) };
  } catch (err) {
    if (err instanceof PduDecodeError) return { ok: false, error: err };
    throw err;
  }
}
