/** A-RELEASE-RP PDU, PS3.8 §9.3.7 (Table 9-25): type 06H, reserved, PDU-length 4, four reserved bytes. */
import { Writer } from '../net/writer.ts';
import { decodeReservedBody } from './releaseRq.ts';
import { PduType } from './types.ts';

export interface ReleaseRp {
  readonly pdu: 'A-RELEASE-RP';
  readonly reservedHex: string;
  readonly anomalies: readonly string[];
}

export function decodeReleaseRp(body: Buffer, headerReserved = 0): ReleaseRp {
  return { pdu: 'A-RELEASE-RP', ...decodeReservedBody('A-RELEASE-RP', body, headerReserved) };
}

export function encodeReleaseRp(): Buffer {
  const w = new Writer(16);
  const m = w.pduHeader(PduType.RELEASE_RP);
  w.zeros(4);
  w.endLength(m);
  return w.finish();
}
