/**
 * A-RELEASE-RQ PDU, PS3.8 §9.3.6 (Table 9-24): type 05H, reserved, PDU-length 4, four reserved bytes
 * ("sent with a value 00000000H but not tested to this value when received" — we record them).
 */
import { Writer } from '../net/writer.ts';
import { PduLengthError } from './errors.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

export interface ReleaseRq {
  readonly pdu: 'A-RELEASE-RQ';
  /** The four reserved bytes, hex. */
  readonly reservedHex: string;
  readonly anomalies: readonly string[];
}

/** Shared check of the 4-byte reserved body of A-RELEASE-RQ/RP. */
export function decodeReservedBody(name: string, body: Buffer, headerReserved: number): { reservedHex: string; anomalies: string[] } {
  if (body.length !== 4) throw new PduLengthError(name, PDU_HEADER_LENGTH, body.length, 4);
  const anomalies: string[] = [];
  if (headerReserved !== 0) anomalies.push(`PDU header reserved byte ${headerReserved}`);
  if (body.readUInt32BE(0) !== 0) anomalies.push(`reserved bytes ${body.toString('hex')}`);
  return { reservedHex: body.toString('hex'), anomalies };
}

export function decodeReleaseRq(body: Buffer, headerReserved = 0): ReleaseRq {
  return { pdu: 'A-RELEASE-RQ', ...decodeReservedBody('A-RELEASE-RQ', body, headerReserved) };
}

export function encodeReleaseRq(): Buffer {
  const w = new Writer(16);
  const m = w.pduHeader(PduType.RELEASE_RQ);
  w.zeros(4);
  w.endLength(m);
  return w.finish();
}
