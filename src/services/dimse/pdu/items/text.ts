/**
 * How the variable fields of association PDUs carry text, and how we keep it as evidence: raw bytes
 * beside decoded text. UIDs are ISO 646 strings of digits and dots, at most 64 bytes (PS3.5 §9.1,
 * PS3.8 Annex F; the upper layer does not pad them); AE titles are 16 bytes, leading and trailing
 * spaces not significant (PS3.8 Table 9-11).
 */

/** How a fixed-width or UID field was padded by the sender. */
export type PaddingStyle = 'none' | 'space' | 'nul' | 'mixed';

/** An AE title exactly as sent. */
export interface AeTitleField {
  /** The 16 bytes (copy). */
  readonly raw: Buffer;
  /** latin1 text with leading/trailing spaces and NULs removed. */
  readonly text: string;
  readonly hex: string;
  /** Trailing padding style ('none' when all 16 bytes are significant). */
  readonly padding: PaddingStyle;
  /** True when the significant text starts with spaces (PS3.8 says they are not significant). */
  readonly leadingSpaces: boolean;
}

/** A field that may hold binary data (user identity, extended negotiation). */
export interface BinaryField {
  /** The bytes (copy). */
  readonly raw: Buffer;
  /** latin1 view, one character per byte, so nothing is lost. */
  readonly text: string;
  readonly hex: string;
}

export function binaryField(bytes: Buffer): BinaryField {
  const raw = Buffer.from(bytes);
  return { raw, text: raw.toString('latin1'), hex: raw.toString('hex') };
}

function isPad(byte: number): boolean {
  return byte === 0x20 || byte === 0x00;
}

/** Classify the trailing padding of `bytes` (`none` when the last byte is significant or empty). */
export function trailingPadding(bytes: Buffer): PaddingStyle {
  let end = bytes.length;
  let spaces = 0;
  let nuls = 0;
  while (end > 0) {
    const b = bytes.readUInt8(end - 1);
    if (b === 0x20) spaces++;
    else if (b === 0x00) nuls++;
    else break;
    end--;
  }
  if (spaces === 0 && nuls === 0) return 'none';
  if (nuls === 0) return 'space';
  if (spaces === 0) return 'nul';
  return 'mixed';
}

export function aeTitleField(bytes: Buffer): AeTitleField {
  const raw = Buffer.from(bytes);
  let start = 0;
  let end = raw.length;
  while (end > 0 && isPad(raw.readUInt8(end - 1))) end--;
  while (start < end && isPad(raw.readUInt8(start))) start++;
  return {
    raw,
    text: raw.toString('latin1', start, end),
    hex: raw.toString('hex'),
    padding: trailingPadding(raw),
    leadingSpaces: start > 0 && end > start,
  };
}

/** A UID as sent: the value without trailing NUL/space padding, and the padding style seen. */
export interface UidText {
  readonly value: string;
  readonly padding: PaddingStyle;
  readonly length: number;
}

export function uidText(bytes: Buffer): UidText {
  let end = bytes.length;
  while (end > 0 && isPad(bytes.readUInt8(end - 1))) end--;
  return { value: bytes.toString('latin1', 0, end), padding: trailingPadding(bytes), length: bytes.length };
}

const UID_PATTERN = /^[0-9.]+$/;

/** Content checks on a UID (lenient: anomalies, never errors). */
export function uidAnomalies(uid: UidText, label: string): string[] {
  const out: string[] = [];
  if (uid.value.length === 0) out.push(`empty uid (${label})`);
  else if (!UID_PATTERN.test(uid.value)) out.push(`uid with characters other than digits and dots (${label})`);
  if (uid.length > 64) out.push(`uid over 64 bytes (${label}: ${uid.length})`);
  return out;
}

/** Running tally of UID padding styles across one PDU (a fingerprint trait). */
export class PaddingTally {
  private readonly seen = new Set<PaddingStyle>();

  add(style: PaddingStyle): void {
    this.seen.add(style);
  }

  /** 'n/a' when no UID was seen; otherwise the single style used, or 'mixed'. */
  summary(): PaddingStyle | 'n/a' {
    if (this.seen.size === 0) return 'n/a';
    if (this.seen.size === 1) return [...this.seen][0] as PaddingStyle;
    return 'mixed';
  }
}

export { AnomalyLog } from '../../../../domain/dicom/anomalies.ts';

export function hex2(code: number): string {
  return `0x${code.toString(16).padStart(2, '0')}`;
}
