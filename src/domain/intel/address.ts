// Which source addresses are worth asking a reputation service about.
import ipaddr from 'ipaddr.js';

export interface NormalizedIp {
  /** Canonical text: dotted quad, or compressed lower-case IPv6; IPv4-mapped IPv6 becomes IPv4. */
  ip: string;
  kind: 'ipv4' | 'ipv6';
  /** ipaddr.js range name: 'unicast' for public addresses, else 'private', 'loopback', 'linkLocal', 'carrierGradeNat' ... */
  range: string;
}

/** Parses a peer address strictly (four-part decimal IPv4 or IPv6, zone ids refused). Null when invalid. */
export function normalizeIp(text: string): NormalizedIp | null {
  const t = text.trim();
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  if (ipaddr.IPv4.isValidFourPartDecimal(t)) addr = ipaddr.IPv4.parse(t);
  else if (t.includes(':') && !t.includes('%') && ipaddr.IPv6.isValid(t)) addr = ipaddr.process(t);
  else return null;
  return { ip: addr.toString(), kind: addr.kind(), range: addr.range() };
}

/** True for globally routable unicast addresses; private, loopback, link-local, CGNAT, multicast, reserved ... are not. */
export function isPublicUnicast(n: NormalizedIp): boolean {
  return n.range === 'unicast';
}
