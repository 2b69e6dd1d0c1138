/**
 * Attacker-controlled text is data: bounded in length, with truncation recorded rather than silent.
 */
export const LIMITS = {
  /** AE titles, usernames, short identifiers. */
  short: 256,
  /** Query values, paths, user agents, header values. */
  medium: 2048,
  /** Free text, bodies rendered as text. */
  long: 16384,
} as const;

export interface Clipped {
  value: string;
  truncated: boolean;
}

export function clip(value: string, max: number): Clipped {
  if (value.length <= max) return { value, truncated: false };
  // Do not cut a surrogate pair in half.
  let end = max;
  const code = value.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return { value: value.slice(0, end), truncated: true };
}

/** Hex of the first bytes of a buffer (evidence for malformed input). */
export function headHex(buf: Uint8Array, max = 64): string {
  return Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, max)).toString('hex');
}
