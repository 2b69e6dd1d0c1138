/**
 * Typed decode failures of the PDU codecs. Strict on lengths, lenient on content (STYLE.md §2): a
 * length that overruns its parent (or is below a structure's minimum) is a `PduLengthError`; an odd
 * value inside a well-bounded field is only an anomaly. Decoders throw nothing else for hostile bytes,
 * so the DUL can turn any `PduDecodeError` into Evt19 (A-ABORT) without guessing.
 */

/** Base class of every typed PDU decode failure. */
export class PduDecodeError extends Error {
  override readonly name: string = 'PduDecodeError';
  constructor(
    message: string,
    /** Offset of the offending structure from the first byte of the PDU (header included). */
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * A declared length that does not fit: `declared` bytes claimed where only `available` remain in the
 * enclosing structure, or fewer than `minimum` bytes where the structure needs that many.
 */
export class PduLengthError extends PduDecodeError {
  override readonly name = 'PduLengthError';
  constructor(
    /** The structure being read, e.g. `presentation context item (0x20)`. */
    readonly item: string,
    offset: number,
    readonly available: number,
    readonly declared: number,
    readonly minimum?: number,
  ) {
    super(
      minimum !== undefined && declared < minimum
        ? `${item} at offset ${offset}: length ${declared} below minimum ${minimum}`
        : `${item} at offset ${offset}: needs ${declared} bytes, ${available} available`,
      offset,
    );
  }
}

/** A structure that is well-bounded but cannot be interpreted at all (e.g. the wrong PDU type). */
export class PduFormatError extends PduDecodeError {
  override readonly name = 'PduFormatError';
  constructor(
    readonly item: string,
    offset: number,
    readonly reason: string,
  ) {
    super(`${item} at offset ${offset}: ${reason}`, offset);
  }
}
