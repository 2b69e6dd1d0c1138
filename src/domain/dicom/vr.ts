/**
 * Value representations, PS3.5 §6.2 (Table 6.2-1) and §7.1.2: which VRs carry a 4-byte length in
 * explicit VR encodings, which are text, which are affected by the Specific Character Set, and how
 * each is padded to even length.
 */

export const KNOWN_VRS: ReadonlySet<string> = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

/** Explicit VR elements of these VRs have 2 reserved bytes and a 4-byte length (PS3.5 Table 7.1-1). */
export const LONG_LENGTH_VRS: ReadonlySet<string> = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Character string VRs (PS3.5 Table 6.2-1). */
export const TEXT_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

/** VRs whose characters follow (0008,0005) Specific Character Set (PS3.5 §6.1.2.3). */
export const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);

/** VRs that hold several values separated by a backslash (all text VRs except LT, ST, UT, UR). */
export const MULTI_VALUE_TEXT_VRS: ReadonlySet<string> = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'PN', 'SH', 'TM', 'UC', 'UI']);

/** Binary numeric VRs and their value sizes. */
export const NUMERIC_VR_SIZES: Readonly<Record<string, number>> = Object.freeze({ US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, UV: 8, SV: 8 });

/** Padding byte to reach even length: NUL for UI and binary VRs, space for text (PS3.5 §6.2). */
export function padByteFor(vr: string): number {
  return TEXT_VRS.has(vr) && vr !== 'UI' ? 0x20 : 0x00;
}

export function isLongLengthVr(vr: string): boolean {
  return LONG_LENGTH_VRS.has(vr);
}
