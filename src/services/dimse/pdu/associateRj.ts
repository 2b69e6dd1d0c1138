/**
 * A-ASSOCIATE-RJ PDU, PS3.8 §9.3.4 (Table 9-21): PDU-length 4; byte 7 reserved, byte 8 Result
 * (1 rejected-permanent, 2 rejected-transient), byte 9 Source (1 service-user, 2 service-provider ACSE,
 * 3 service-provider presentation), byte 10 Reason/Diag. (meaning depends on the source).
 */
import { Writer } from '../net/writer.ts';
import { Cursor } from './cursor.ts';
import { PduLengthError } from './errors.ts';
import { PDU_HEADER_LENGTH, PduType } from './types.ts';

export interface AssociateRj {
  readonly pdu: 'A-ASSOCIATE-RJ';
  readonly result: number;
  readonly source: number;
  readonly reason: number;
  readonly reasonName: string;
  readonly anomalies: readonly string[];
}

/** Reason/Diag. names per source, PS3.8 §9.3.4 (unlisted values are reserved). */
const REJECT_REASON_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = Object.freeze({
  1: { 1: 'no-reason-given', 2: 'application-context-name-not-supported', 3: 'calling-AE-title-not-recognized', 7: 'called-AE-title-not-recognized' },
  2: { 1: 'no-reason-given', 2: 'protocol-version-not-supported' },
  3: { 1: 'temporary-congestion', 2: 'local-limit-exceeded' },
});

export function rejectReasonName(source: number, reason: number): string {
  return REJECT_REASON_NAMES[source]?.[reason] ?? `reserved-${source}-${reason}`;
}

export function decodeAssociateRj(body: Buffer, headerReserved = 0): AssociateRj {
  if (body.length !== 4) throw new PduLengthError('A-ASSOCIATE-RJ', PDU_HEADER_LENGTH, body.length, 4);
  const c = new Cursor(body, 0, 4, PDU_HEADER_LENGTH);
  const reserved = c.u8('reserved');
  const result = c.u8('result');
  const source = c.u8('source');
  const reason = c.u8('reason/diag');
  const anomalies: string[] = [];
  if (headerReserved !== 0) anomalies.push(`PDU header reserved byte ${headerReserved}`);
  if (reserved !== 0) anomalies.push(`reserved byte 7 is ${reserved}`);
  if (result !== 1 && result !== 2) anomalies.push(`result ${result} undefined`);
  if (source < 1 || source > 3) anomalies.push(`source ${source} undefined`);
  return { pdu: 'A-ASSOCIATE-RJ', result, source, reason, reasonName: rejectReasonName(source, reason), anomalies };
}

export interface AssociateRjInit {
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

export function encodeAssociateRj(init: AssociateRjInit): Buffer {
  const w = new Writer(16);
  const m = w.pduHeader(PduType.ASSOCIATE_RJ);
  w.u8(0).u8(init.result).u8(init.source).u8(init.reason);
  w.endLength(m);
  return w.finish();
}
