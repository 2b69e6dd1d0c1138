/**
 * PROXY protocol version 2 header (haproxy's proxy-protocol.txt §2.2), for sensors behind a load balancer:
 * the 16-byte header (12-byte signature, version/command, family/protocol, length) and the address block.
 */
import ipaddr from 'ipaddr.js';

export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const MAX_V2_LENGTH = 16 + 2048;

export type ProxyParse =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'header'; length: number; local: boolean; src: { ip: string; port: number } | null; dst: { ip: string; port: number } | null };

/**
 * An IPv6 address in RFC 5952 text (lower case, leading zeros dropped, the longest run of two or more zero
 * groups as `::`, the first on a tie); an IPv4-mapped address as plain IPv4, as the listener shows direct peers.
 */
function ipv6(b: Buffer): string {
  const a = ipaddr.fromByteArray([...b]) as ipaddr.IPv6;
  return a.isIPv4MappedAddress() ? a.toIPv4Address().toString() : a.toRFC5952String();
}

export function parseProxyV2(buf: Buffer): ProxyParse {
  const have = Math.min(buf.length, 12);
  if (!buf.subarray(0, have).equals(PROXY_V2_SIGNATURE.subarray(0, have))) return { kind: 'invalid', reason: 'no PROXY v2 signature' };
  if (buf.length < 16) return { kind: 'incomplete' };
  const verCmd = buf[12]!;
  if (verCmd >> 4 !== 2) return { kind: 'invalid', reason: `PROXY version ${verCmd >> 4}` };
  const cmd = verCmd & 0x0f;
  if (cmd > 1) return { kind: 'invalid', reason: `PROXY command ${cmd}` };
  const len = buf.readUInt16BE(14);
  if (16 + len > MAX_V2_LENGTH) return { kind: 'invalid', reason: `PROXY header of ${len} bytes` };
  if (buf.length < 16 + len) return { kind: 'incomplete' };
  const total = 16 + len;
  if (cmd === 0) return { kind: 'header', length: total, local: true, src: null, dst: null };
  const fam = buf[13]! >> 4;
  const body = buf.subarray(16, total);
  if (fam === 1 && len >= 12) {
    const ip = (o: number) => `${body[o]}.${body[o + 1]}.${body[o + 2]}.${body[o + 3]}`;
    return { kind: 'header', length: total, local: false, src: { ip: ip(0), port: body.readUInt16BE(8) }, dst: { ip: ip(4), port: body.readUInt16BE(10) } };
  }
  if (fam === 2 && len >= 36) {
    return {
      kind: 'header', length: total, local: false,
      src: { ip: ipv6(body.subarray(0, 16)), port: body.readUInt16BE(32) },
      dst: { ip: ipv6(body.subarray(16, 32)), port: body.readUInt16BE(34) },
    };
  }
  return { kind: 'header', length: total, local: false, src: null, dst: null };
}
