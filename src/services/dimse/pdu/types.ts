/**
 * PDU type codes of the DICOM Upper Layer protocol, PS3.8 §9.3.1 (Table 9-1 lists the PDU structures,
 * §9.3.2–§9.3.8 define each). The first byte of every PDU is one of these; anything else is an
 * unrecognized PDU (Evt19).
 */

export const PduType = Object.freeze({
  /** A-ASSOCIATE-RQ, PS3.8 §9.3.2 (Table 9-11). */
  ASSOCIATE_RQ: 0x01,
  /** A-ASSOCIATE-AC, PS3.8 §9.3.3 (Table 9-17). */
  ASSOCIATE_AC: 0x02,
  /** A-ASSOCIATE-RJ, PS3.8 §9.3.4 (Table 9-21). */
  ASSOCIATE_RJ: 0x03,
  /** P-DATA-TF, PS3.8 §9.3.5 (Table 9-22). */
  P_DATA_TF: 0x04,
  /** A-RELEASE-RQ, PS3.8 §9.3.6 (Table 9-24). */
  RELEASE_RQ: 0x05,
  /** A-RELEASE-RP, PS3.8 §9.3.7 (Table 9-25). */
  RELEASE_RP: 0x06,
  /** A-ABORT, PS3.8 §9.3.8 (Table 9-26). */
  ABORT: 0x07,
} as const);
export type PduTypeCode = (typeof PduType)[keyof typeof PduType];

/** The standard's PDU names, keyed by type code. */
export const PDU_TYPE_NAMES: Readonly<Record<PduTypeCode, string>> = Object.freeze({
  0x01: 'A-ASSOCIATE-RQ',
  0x02: 'A-ASSOCIATE-AC',
  0x03: 'A-ASSOCIATE-RJ',
  0x04: 'P-DATA-TF',
  0x05: 'A-RELEASE-RQ',
  0x06: 'A-RELEASE-RP',
  0x07: 'A-ABORT',
});

/** Every PDU header is 6 bytes: type (1), reserved (1), PDU-length (4, big endian). PS3.8 §9.3.1. */
export const PDU_HEADER_LENGTH = 6;

/**
 * Smallest legal PDU-length per type: the fixed fields of A-ASSOCIATE-RQ/AC are 68 bytes (Tables 9-11,
 * 9-17); RJ, RELEASE-RQ/RP and ABORT carry exactly 4 (Tables 9-21, 9-24, 9-25, 9-26); a P-DATA-TF holds
 * at least one PDV item of 4 + 1 + 1 bytes (Table 9-22, §9.3.5.1).
 */
export const PDU_MIN_LENGTH: Readonly<Record<PduTypeCode, number>> = Object.freeze({
  0x01: 68,
  0x02: 68,
  0x03: 4,
  0x04: 6,
  0x05: 4,
  0x06: 4,
  0x07: 4,
});

/** Types whose PDU-length is fixed at exactly 4 (PS3.8 Tables 9-21, 9-24, 9-25, 9-26). */
export const FIXED_LENGTH_PDU_TYPES: ReadonlySet<number> = new Set([0x03, 0x05, 0x06, 0x07]);

export function isPduType(value: number): value is PduTypeCode {
  return Object.hasOwn(PDU_TYPE_NAMES, value);
}

/** The PS3.8 name of a PDU type, or `unknown-0xNN`. */
export function pduTypeName(value: number): string {
  return isPduType(value) ? PDU_TYPE_NAMES[value] : `unknown-0x${byteHex(value)}`;
}

function byteHex(value: number): string {
  return value.toString(16).padStart(2, '0');
}
