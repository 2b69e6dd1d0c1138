/**
 * A-ABORT PDU, PS3.8 §9.3.8 (Table 9-26): type 07H, reserved, PDU-length 4; bytes 7-8 reserved,
 * byte 9 Source (0 service-user, 1 reserved, 2 service-provider), byte 10 Reason/Diag. (significant
 * only for source 2: 0 reason-not-specified, 1 unrecognized-PDU, 2 unexpected-PDU, 3 reserved,
 * 4 unrecognized-PDU-parameter, 5 unexpected-PDU-parameter, 6 invalid-PDU-parameter-value).
 */
import { Writer } from '../net/writer.ts';
import { PduLengthError } from './errors.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

export interface Abort {
  readonly pdu: 'A-ABORT';
  readonly source: number;
  readonly reason: number;
  readonly reasonName: string;
  readonly anomalies: readonly string[];
}

const ABORT_REASON_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'reason-not-specified',
  1: 'unrecognized-PDU',
  2: 'unexpected-PDU',
  4: 'unrecognized-PDU-parameter',
  5: 'unexpected-PDU-parameter',
  6: 'invalid-PDU-parameter-value',
});

/** The PS3.8 name of an abort reason (service-provider source), or `reserved-N`. */
export function abortReasonName(source: number, reason: number): string {
  if (source !== 2) return reason === 0 ? 'not-significant' : `not-significant-${reason}`;
  return ABORT_REASON_NAMES[reason] ?? `reserved-${reason}`;
}

export function decodeAbort(body: Buffer, headerReserved = 0): Abort {
  if (body.length !== 4) throw new PduLengthError('A-ABORT', PDU_HEADER_LENGTH, body.length, 4);
  const r1 = body.readUInt8(0);
  const r2 = body.readUInt8(1);
  const source = body.readUInt8(2);
  const reason = body.readUInt8(3);
  const anomalies: string[] = [];
  if (headerReserved !== 0) anomalies.push(`PDU header reserved byte ${headerReserved}`);
  if (r1 !== 0 || r2 !== 0) anomalies.push(`reserved bytes ${body.subarray(0, 2).toString('hex')}`);
  if (source !== 0 && source !== 2) anomalies.push(`source ${source} reserved`);
  if (source === 2 && !Object.hasOwn(ABORT_REASON_NAMES, reason)) anomalies.push(`reason ${reason} reserved`);
  return { pdu: 'A-ABORT', source, reason, reasonName: abortReasonName(source, reason), anomalies };
}

export interface AbortInit {
  readonly source: number;
  readonly reason: number;
}

export function encodeAbort(init: AbortInit): Buffer {
  const w = new Writer(16);
  const m = w.pduHeader(PduType.ABORT);
  w.u8(0).u8(0).u8(init.source).u8(init.reason);
  w.endLength(m);
  return w.finish();
}
