/**
 * PDU framer: turns a byte stream into whole PDUs (PS3.8 §9.3.1: 1-byte type, 1 reserved byte, 4-byte
 * big-endian PDU-length, then PDU-length bytes). Pure: no socket, no config, no events — the DUL feeds
 * `push()` and receives `onPdu` / `onError` callbacks.
 *
 * Bound before you allocate (STYLE.md §5, house rule 4):
 * - the type and the declared length are checked the moment the 6-byte header is complete, against a
 *   per-type cap (fixed-size PDUs must declare exactly 4), so a hostile 4 GB length is refused after
 *   6 bytes;
 * - memory grows with bytes *received*, never bytes declared: one buffer with two cursors, amortised
 *   doubling, no re-concatenation per chunk (a PDU trickled byte by byte costs O(n), not O(n²));
 * - the total of buffered, unconsumed bytes is capped too.
 *
 * `body` and `raw` handed to `onPdu` are views. The framer never writes over bytes it has handed out
 * (it only appends past them or moves to a fresh buffer), so the views stay valid; they keep their
 * buffer alive, so copy what you keep for long. A pushed chunk may be adopted without a copy: do not
 * modify it afterwards (socket chunks are never reused, so the DUL has nothing to do).
 *
 * After an error the framer drops its buffer and ignores further input: the DUL aborts (Evt19).
 */
import { FIXED_LENGTH_PDU_TYPES, PDU_HEADER_LENGTH, PDU_MIN_LENGTH, PduType, isPduType, type PduTypeCode } from '../pdu/types.ts';

/** A complete PDU as received. */
export interface FramedPdu {
  readonly type: PduTypeCode;
  /** The PDU-length bytes after the header (view). */
  readonly body: Buffer;
  /** Header and body (view). */
  readonly raw: Buffer;
  /** Clock reading when the last byte of the PDU arrived. */
  readonly receivedAt: number;
  /** Stream offset of the PDU's first byte (bytes received on this connection before it). */
  readonly offset: number;
}

export type FramerErrorReason =
  | 'unknown-pdu-type'
  | 'pdu-too-long'
  | 'pdu-too-short'
  | 'bad-fixed-length'
  | 'buffer-limit';

/** Why the stream cannot be framed. Field names follow the `dicomhawk.pdu.malformed` event. */
export interface FramerError {
  readonly reason: FramerErrorReason;
  /** Stream offset of the offending PDU header. */
  readonly offset: number;
  /** Hex of the (up to) 6 header bytes. */
  readonly headHex: string;
  /** The type byte, or null when not even that arrived. */
  readonly pduType: number | null;
  readonly declaredLength: number | null;
  /** The cap (or exact length) that was violated, when there is one. */
  readonly limit: number | null;
  /** One line for diagnostics; built from the fields above only. */
  readonly message: string;
}

export interface FramerLimits {
  /** Max PDU-length of an A-ASSOCIATE-RQ (default 64 KiB, as DCMTK's `dcmAssociatePDUSizeLimit`). */
  readonly maxAssociateRqLength: number;
  /** Max PDU-length of an A-ASSOCIATE-AC (default 64 KiB; only a requestor receives one). */
  readonly maxAssociateAcLength: number;
  /** Max PDU-length of a P-DATA-TF: the Maximum Length we announced plus slack. */
  readonly maxPDataLength: number;
  /** Cap on bytes held while waiting for the rest of a PDU. */
  readonly maxBufferedBytes: number;
}

export interface FramerOptions extends Partial<FramerLimits> {
  onPdu(pdu: FramedPdu): void;
  onError(error: FramerError): void;
  /**
   * The Maximum Length Received we announce (PS3.8 Annex D.1); sets `maxPDataLength` to it plus
   * `pDataSlack` when `maxPDataLength` is not given. 0 (unlimited) falls back to `hardMaxPDataLength`.
   */
  readonly announcedMaxPdu?: number;
  /** Tolerance for peers that miscount (default 1 KiB). */
  readonly pDataSlack?: number;
  /** Ceiling when we announced 0 (default 4 MiB). */
  readonly hardMaxPDataLength?: number;
  /** Clock for `receivedAt` (default `Date.now`). */
  readonly now?: () => number;
}

export const DEFAULT_MAX_ASSOCIATE_LENGTH = 64 * 1024;
export const DEFAULT_ANNOUNCED_MAX_PDU = 16384;
export const DEFAULT_PDATA_SLACK = 1024;
export const DEFAULT_HARD_MAX_PDATA_LENGTH = 4 * 1024 * 1024;

/** Resolve the caps from options: announced max PDU + slack, unlimited → hard ceiling. */
export function resolveFramerLimits(opts: Partial<FramerLimits> & Pick<FramerOptions, 'announcedMaxPdu' | 'pDataSlack' | 'hardMaxPDataLength'> = {}): FramerLimits {
  const announced = opts.announcedMaxPdu ?? DEFAULT_ANNOUNCED_MAX_PDU;
  const maxPDataLength =
    opts.maxPDataLength ??
    (announced === 0 ? (opts.hardMaxPDataLength ?? DEFAULT_HARD_MAX_PDATA_LENGTH) : announced + (opts.pDataSlack ?? DEFAULT_PDATA_SLACK));
  const maxAssociateRqLength = opts.maxAssociateRqLength ?? DEFAULT_MAX_ASSOCIATE_LENGTH;
  const maxAssociateAcLength = opts.maxAssociateAcLength ?? DEFAULT_MAX_ASSOCIATE_LENGTH;
  const largest = Math.max(maxPDataLength, maxAssociateRqLength, maxAssociateAcLength);
  return {
    maxAssociateRqLength,
    maxAssociateAcLength,
    maxPDataLength,
    maxBufferedBytes: opts.maxBufferedBytes ?? largest + PDU_HEADER_LENGTH,
  };
}

export class PduFramer {
  private buf: Buffer | null = null;
  /** First unconsumed byte in `buf`. */
  private start = 0;
  /** One past the last received byte in `buf`. */
  private end = 0;
  /** True when `buf` is ours (its tail beyond `end` may be written). */
  private owned = false;
  /** Stream offset of `buf[start]`. */
  private streamOffset = 0;
  private failed = false;
  private stopped = false;
  private dispatching = false;
  private limits: FramerLimits;
  private readonly maxBody: Record<PduTypeCode, number>;
  private readonly onPdu: (pdu: FramedPdu) => void;
  private readonly onError: (error: FramerError) => void;
  private readonly now: () => number;

  constructor(options: FramerOptions) {
    this.onPdu = options.onPdu;
    this.onError = options.onError;
    this.now = options.now ?? Date.now;
    this.limits = resolveFramerLimits(options);
    this.maxBody = {
      [PduType.ASSOCIATE_RQ]: this.limits.maxAssociateRqLength,
      [PduType.ASSOCIATE_AC]: this.limits.maxAssociateAcLength,
      [PduType.ASSOCIATE_RJ]: 4,
      [PduType.P_DATA_TF]: this.limits.maxPDataLength,
      [PduType.RELEASE_RQ]: 4,
      [PduType.RELEASE_RP]: 4,
      [PduType.ABORT]: 4,
    };
  }

  /** Bytes received but not yet delivered as a PDU. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  /** Capacity currently allocated by the framer (0 when idle or when holding a caller's chunk). */
  get allocatedBytes(): number {
    return this.owned && this.buf ? this.buf.length : 0;
  }

  /** True once an error was reported; all further input is ignored. */
  get hasFailed(): boolean {
    return this.failed;
  }

  /** The caps in force. */
  get currentLimits(): FramerLimits {
    return { ...this.limits };
  }

  /**
   * Change the P-DATA-TF cap, e.g. once the association is negotiated. Applies to headers not yet
   * complete; a PDU whose header was already accepted keeps the cap it was checked against.
   */
  setMaxPDataLength(maxPDataLength: number): void {
    this.limits = { ...this.limits, maxPDataLength };
    this.maxBody[PduType.P_DATA_TF] = maxPDataLength;
  }

  /** Stop delivering (e.g. after the DUL aborted); drops the buffer. */
  stop(): void {
    this.stopped = true;
    this.release();
  }

  push(chunk: Buffer): void {
    if (this.failed || this.stopped || chunk.length === 0) return;
    if (this.dispatching) throw new Error('PduFramer.push() called from inside onPdu');
    this.append(chunk);
    this.drain();
  }

  private append(chunk: Buffer): void {
    const pending = this.end - this.start;
    if (pending === 0 || this.buf === null) {
      // Nothing left over: adopt the chunk without copying.
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.buf.length - this.end >= chunk.length) {
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
      return;
    }
    // Move the leftover and the chunk to a fresh buffer with room to double. Never slide within the
    // old buffer: bytes before `start` may be views held by the consumer.
    const needed = pending + chunk.length;
    const ceiling = this.limits.maxBufferedBytes + PDU_HEADER_LENGTH;
    const capacity = Math.max(needed, Math.min(needed * 2, ceiling));
    const next = Buffer.allocUnsafe(capacity);
    this.buf.copy(next, 0, this.start, this.end);
    chunk.copy(next, pending);
    this.buf = next;
    this.owned = true;
    this.start = 0;
    this.end = needed;
  }

  private drain(): void {
    const buf = this.buf;
    if (buf === null) return;
    while (this.end - this.start >= PDU_HEADER_LENGTH) {
      const type = buf.readUInt8(this.start);
      const length = buf.readUInt32BE(this.start + 2);
      const refusal = this.checkHeader(type, length);
      if (refusal !== null) {
        this.fail(refusal, buf.subarray(this.start, this.start + PDU_HEADER_LENGTH), type, length);
        return;
      }
      const total = PDU_HEADER_LENGTH + length;
      if (this.end - this.start < total) break;
      const raw = buf.subarray(this.start, this.start + total);
      const offset = this.streamOffset;
      this.start += total;
      this.streamOffset += total;
      this.dispatching = true;
      try {
        this.onPdu({ type: type as PduTypeCode, body: raw.subarray(PDU_HEADER_LENGTH), raw, receivedAt: this.now(), offset });
      } finally {
        this.dispatching = false;
      }
      if (this.failed || this.stopped || this.buf !== buf) return;
    }
    if (this.start === this.end) {
      this.release();
    } else if (this.end - this.start > this.limits.maxBufferedBytes) {
      const head = buf.subarray(this.start, Math.min(this.end, this.start + PDU_HEADER_LENGTH));
      this.fail({ reason: 'buffer-limit', limit: this.limits.maxBufferedBytes }, head, head.length > 0 ? buf.readUInt8(this.start) : null, null);
    }
  }

  /** The PS3.8 §9.3 header checks; null when the header is acceptable. */
  private checkHeader(type: number, length: number): { reason: FramerErrorReason; limit: number | null } | null {
    if (!isPduType(type)) return { reason: 'unknown-pdu-type', limit: null };
    if (FIXED_LENGTH_PDU_TYPES.has(type)) return length === 4 ? null : { reason: 'bad-fixed-length', limit: 4 };
    if (length < PDU_MIN_LENGTH[type]) return { reason: 'pdu-too-short', limit: PDU_MIN_LENGTH[type] };
    if (length > this.maxBody[type]) return { reason: 'pdu-too-long', limit: this.maxBody[type] };
    return null;
  }

  private fail(
    refusal: { reason: FramerErrorReason; limit: number | null },
    head: Buffer,
    pduType: number | null,
    declaredLength: number | null,
  ): void {
    const offset = this.streamOffset;
    const headHex = head.toString('hex');
    this.failed = true;
    this.release();
    const typeText = pduType === null ? 'none' : `0x${pduType.toString(16).padStart(2, '0')}`;
    this.onError({
      reason: refusal.reason,
      offset,
      headHex,
      pduType,
      declaredLength,
      limit: refusal.limit,
      message: `${refusal.reason} at stream offset ${offset}: type ${typeText}, declared ${declaredLength ?? 'n/a'}, limit ${refusal.limit ?? 'n/a'}`,
    });
  }

  private release(): void {
    this.buf = null;
    this.start = 0;
    this.end = 0;
    this.owned = false;
  }
}
