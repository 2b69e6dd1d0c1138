/**
 * Transfer syntaxes as the walker needs them: VR explicit or implicit, byte order (PS3.5 §10 and
 * Annex A). Implicit VR Little Endian (A.1), Explicit VR Little Endian (A.2), Explicit VR Big Endian
 * (A.3, retired); every encapsulated (compressed) syntax (A.4) uses Explicit VR Little Endian for the
 * data set. Deflate (A.5) needs inflating first and is not walked here.
 */

export const TransferSyntax = Object.freeze({
  IMPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2',
  EXPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2.1',
  DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN: '1.2.840.10008.1.2.1.99',
  EXPLICIT_VR_BIG_ENDIAN: '1.2.840.10008.1.2.2',
} as const);

export interface DatasetEncoding {
  readonly explicitVr: boolean;
  readonly littleEndian: boolean;
}

export const IMPLICIT_LE: DatasetEncoding = Object.freeze({ explicitVr: false, littleEndian: true });
export const EXPLICIT_LE: DatasetEncoding = Object.freeze({ explicitVr: true, littleEndian: true });
export const EXPLICIT_BE: DatasetEncoding = Object.freeze({ explicitVr: true, littleEndian: false });

/** Encoding of a transfer syntax UID; null for deflate (compressed stream, not walkable as is). */
export function encodingForTransferSyntax(uid: string): DatasetEncoding | null {
  const ts = uid.replace(/[\0 ]+$/, '');
  switch (ts) {
    case TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN:
      return IMPLICIT_LE;
    case TransferSyntax.EXPLICIT_VR_BIG_ENDIAN:
      return EXPLICIT_BE;
    case TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN:
    case '1.2.840.10008.1.2.4.95': // JPIP Referenced Deflate
      return null;
    default:
      return EXPLICIT_LE;
  }
}
