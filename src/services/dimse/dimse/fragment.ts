/**
 * Splitting a DIMSE message into P-DATA-TF PDUs (PS3.8 §9.3.5, Annex E; PS3.7 §8.1): command fragments
 * first (message control header bit 0 set), the last with bit 1 set; then, when there is one, the data
 * set's fragments (bit 0 clear), the last with bit 1 set. A command and a data set never share a PDV.
 *
 * The peer's Maximum Length Received (PS3.8 Annex D.1) bounds the variable field of each P-DATA-TF:
 * one PDV per PDU costs 4 (item-length) + 1 (context ID) + 1 (control header) = 6 bytes, so a fragment
 * carries at most `maxPdu - 6` bytes. 0 means "no limit". Fragments never exceed 1 MiB either way:
 * smaller PDUs are always allowed, and a peer announcing 4 GB must not make us build one 4 GB PDU.
 *
 * `pDataFragments` is a generator so a caller can write one PDU at a time and wait for the socket to
 * drain (backpressure) instead of materialising a large data set's PDUs all at once.
 */
import { MessageControl } from '../pdu/pData.ts';
import { PDU_HEADER_LENGTH, PduType } from '../pdu/types.ts';

/** PDV item overhead inside a P-DATA-TF variable field (item-length, context ID, control header). */
export const PDV_OVERHEAD = 6;
/** Largest fragment we send (and the size used when the peer announced 0, unlimited). */
export const MAX_FRAGMENT_SIZE = 1024 * 1024;

/** Bytes of message per PDV for a peer maximum length (0 = unlimited). */
export function fragmentSize(maxPdu: number): number {
  if (!Number.isInteger(maxPdu) || maxPdu < 0) throw new RangeError(`invalid maximum PDU length ${maxPdu}`);
  if (maxPdu === 0) return MAX_FRAGMENT_SIZE;
  if (maxPdu <= PDV_OVERHEAD) throw new RangeError(`maximum PDU length ${maxPdu} leaves no room for data`);
  return Math.min(maxPdu - PDV_OVERHEAD, MAX_FRAGMENT_SIZE);
}

/** One P-DATA-TF PDU with a single PDV. */
function pduWithOnePdv(contextId: number, control: number, data: Uint8Array, start: number, end: number): Buffer {
  const n = end - start;
  const pdu = Buffer.allocUnsafe(PDU_HEADER_LENGTH + PDV_OVERHEAD + n);
  pdu.writeUInt8(PduType.P_DATA_TF, 0);
  pdu.writeUInt8(0, 1);
  pdu.writeUInt32BE(PDV_OVERHEAD + n, 2);
  pdu.writeUInt32BE(2 + n, 6);
  pdu.writeUInt8(contextId, 10);
  pdu.writeUInt8(control, 11);
  pdu.set(data.subarray(start, end), 12);
  return pdu;
}

/** A whole command in one P-DATA-TF PDU (the caller checked that it fits the peer's maximum length). */
export function commandPdu(contextId: number, commandBytes: Uint8Array): Buffer {
  return pduWithOnePdv(contextId, MessageControl.COMMAND | MessageControl.LAST, commandBytes, 0, commandBytes.length);
}

function* split(contextId: number, command: boolean, data: Uint8Array, size: number): Generator<Buffer> {
  const base = command ? MessageControl.COMMAND : 0;
  if (data.length === 0) {
    yield pduWithOnePdv(contextId, base | MessageControl.LAST, data, 0, 0);
    return;
  }
  for (let start = 0; start < data.length; start += size) {
    const end = Math.min(start + size, data.length);
    yield pduWithOnePdv(contextId, base | (end === data.length ? MessageControl.LAST : 0), data, start, end);
  }
}

/** Yield the P-DATA-TF PDUs of one message, in order. */
export function* pDataFragments(
  commandBytes: Uint8Array,
  datasetBytes: Uint8Array | null,
  contextId: number,
  maxPdu: number,
): Generator<Buffer> {
  if (!Number.isInteger(contextId) || contextId < 1 || contextId > 255) throw new RangeError(`invalid presentation context id ${contextId}`);
  const size = fragmentSize(maxPdu);
  yield* split(contextId, true, commandBytes, size);
  if (datasetBytes !== null) yield* split(contextId, false, datasetBytes, size);
}

/** All P-DATA-TF PDUs of one message (use `pDataFragments` for large data sets). */
export function fragment(commandBytes: Uint8Array, datasetBytes: Uint8Array | null, contextId: number, maxPdu: number): Buffer[] {
  return [...pDataFragments(commandBytes, datasetBytes, contextId, maxPdu)];
}
