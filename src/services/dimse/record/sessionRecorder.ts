/**
 * One session's part of the PDU record: every PDU received (as framed, before decoding, so an undecodable PDU
 * is kept too) and every PDU sent, in order, with direction and timestamp, as pcapng packets tagged with the
 * session id (pcapng.ts) and queued on the store. Cost on the protocol path: one copy of each PDU's bytes, into
 * the store's write buffer (no allocation per packet); the store writes in batches.
 *
 * Bounded: the per-session cap counts file bytes (pcapng framing included); the store adds the per-IP, total
 * and in-memory caps. The first PDU that does not fit is stored cut (captured < original length) and ends the
 * session's record; `truncated` says so in the `dicomhawk.session.closed` event.
 */
import { encodeSegmentInto, endpoints, SEGMENT_PAYLOAD, segmentFileBytes, TcpFlag, type Endpoint, type Endpoints, type Segment } from './pcapng.ts';
import type { PduRecordStore } from './recordStore.ts';

/** Summary for the `pdu_record` field of `dicomhawk.session.closed`. */
export interface PduRecordSummary {
  /** File (under DATA_DIR) holding the session's first packets; null when no byte could be recorded. */
  file: string | null;
  /** Every file holding packets of the session, in order (more than one when a file rotated meanwhile). */
  files: string[];
  bytes: number;
  pdus: number;
  truncated: boolean;
}

/** Smallest useful cut of a PDU: its 6-byte header. */
const MIN_CUT = 6;

export class SessionPduRecorder {
  private readonly ends: Endpoints;
  private readonly comment: Buffer;
  private readonly clientIp: string;
  private readonly files: string[] = [];
  private bytes = 0;
  private pdus = 0;
  private truncated = false;
  private stopped = false;
  private clientSeq = 1;
  private serverSeq = 1;

  constructor(
    private readonly store: PduRecordStore,
    session: string,
    client: Endpoint,
    server: Endpoint,
    startedAtMs: number,
    /** Prefix of the summary's file names: the store's root relative to DATA_DIR. */
    private readonly filePrefix = 'pdu',
  ) {
    this.ends = endpoints(client, server);
    this.comment = Buffer.from(session, 'utf8');
    this.clientIp = client.ip;
    // The synthetic handshake (SYN, SYN-ACK) tells tools, and the reader, which side is the client.
    const empty = new Uint8Array(0);
    const syn = segmentFileBytes(this.ends, 0, this.comment.length);
    if (2 * syn > store.limits.maxBytesPerSession || !store.reserve(client.ip, 2 * syn)) {
      this.truncated = true;
      this.stopped = true;
      return;
    }
    this.put({ fromClient: true, seq: 0, ack: 0, flags: TcpFlag.SYN, timeMs: startedAtMs, payload: empty }, syn);
    this.put({ fromClient: false, seq: 0, ack: 1, flags: TcpFlag.SYN | TcpFlag.ACK, timeMs: startedAtMs, payload: empty }, syn);
  }

  /** Records one PDU (`raw`: header and body as on the wire). */
  record(fromClient: boolean, raw: Uint8Array, timeMs: number): void {
    if (this.stopped) return;
    const total = raw.length;
    let off = 0;
    do {
      const payload = raw.subarray(off, Math.min(total, off + SEGMENT_PAYLOAD));
      let captured = payload.length;
      let need = segmentFileBytes(this.ends, captured, this.comment.length);
      const room = this.store.limits.maxBytesPerSession - this.bytes;
      if (need > room || !this.store.reserve(this.clientIp, need)) {
        // Store what still fits of this segment (at least the PDU header), then stop.
        const overhead = segmentFileBytes(this.ends, 0, this.comment.length);
        captured = Math.min(payload.length, (Math.min(room, need) - overhead) & ~3);
        need = segmentFileBytes(this.ends, captured, this.comment.length);
        this.truncated = true;
        this.stopped = true;
        if (captured < (off === 0 ? MIN_CUT : 1) || need > room || !this.store.reserve(this.clientIp, need)) {
          if (off > 0) this.pdus += 1; // its first segments are on record
          return;
        }
      }
      const seq = fromClient ? this.clientSeq : this.serverSeq;
      const ack = fromClient ? this.serverSeq : this.clientSeq;
      this.put({ fromClient, seq, ack, flags: TcpFlag.PSH | TcpFlag.ACK, timeMs, payload, captured }, need);
      if (fromClient) this.clientSeq = (this.clientSeq + payload.length) >>> 0;
      else this.serverSeq = (this.serverSeq + payload.length) >>> 0;
      off += payload.length;
    } while (off < total && !this.stopped);
    this.pdus += 1;
  }

  /** Queues one packet of `size` file bytes (segmentFileBytes), encoded straight into the store's buffer. */
  private put(segment: Segment, size: number): void {
    const rel = this.store.writeBlock(size, (buf, at) => encodeSegmentInto(buf, at, this.ends, segment, this.comment), segment.timeMs);
    if (this.files.at(-1) !== rel) this.files.push(rel);
    this.bytes += size;
  }

  /** Ends the session's record and says what it holds. */
  close(): PduRecordSummary {
    this.stopped = true;
    const files = this.files.map((f) => `${this.filePrefix}/${f}`);
    return { file: files[0] ?? null, files, bytes: this.bytes, pdus: this.pdus, truncated: this.truncated };
  }
}
