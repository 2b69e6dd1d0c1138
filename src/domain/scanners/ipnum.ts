// Addresses as integers for interval lookups: IPv4 as a number (0 … 2^32-1), IPv6 as a bigint (0 … 2^128-1).
// IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack socket reports) counts as the IPv4 address.
import ipaddr from 'ipaddr.js';

export type IpValue = { family: 4; value: number } | { family: 6; value: bigint };

/** Fast path for canonical dotted quads ("1.2.3.4", no leading zeros); -1 when `s` is not one. */
function dottedQuad(s: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
}

function fromParsed(addr: ipaddr.IPv4 | ipaddr.IPv6): IpValue {
  if (addr.kind() === 'ipv4') {
    const o = (addr as ipaddr.IPv4).octets;
    return { family: 4, value: ((o[0]! * 256 + o[1]!) * 256 + o[2]!) * 256 + o[3]! };
  }
  const v6 = addr as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return fromParsed(v6.toIPv4Address());
  let v = 0n;
  for (const p of v6.parts) v = (v << 16n) | BigInt(p);
  return { family: 6, value: v };
}

/** Parses an address (strict IPv4 four-part decimal, or IPv6 without zone id). Null when invalid. */
export function ipToValue(text: string): IpValue | null {
  const q = dottedQuad(text);
  if (q >= 0) return { family: 4, value: q };
  if (text.includes(':')) {
    if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
    return fromParsed(ipaddr.IPv6.parse(text));
  }
  return ipaddr.IPv4.isValidFourPartDecimal(text) ? fromParsed(ipaddr.IPv4.parse(text)) : null;
}

export interface IpRange {
  family: 4 | 6;
  /** Inclusive bounds, as bigint for both families (the matcher narrows IPv4 to numbers). */
  first: bigint;
  last: bigint;
}

/** Parses "a.b.c.d", "a.b.c.d/nn", an IPv6 address or prefix. Host bits under the mask are ignored. Null when invalid. */
export function parseRange(text: string): IpRange | null {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const v = ipToValue(addrText);
  if (!v) return null;
  const bits = v.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    // "::ffff:1.2.3.0/120" names an IPv4 /24.
    if (v.family === 4 && addrText.includes(':')) prefix -= 96;
    if (prefix < 0 || prefix > bits) return null;
  }
  const value = BigInt(v.value);
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  const last = first | ((1n << hostBits) - 1n);
  return { family: v.family, first, last };
}

export function valueToIp(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    const n = Number(value);
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return new ipaddr.IPv6(parts).toString();
}
