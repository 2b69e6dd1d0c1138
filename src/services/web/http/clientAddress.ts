/**
 * The client's address: the TCP peer, unless the peer is a configured trusted proxy, in which case the
 * right-most X-Forwarded-For entry not itself a trusted proxy. X-Forwarded-For from anyone else is only
 * evidence (logged as sent), never the source address.
 */
import ipaddr from 'ipaddr.js';
import { normaliseIp, type PeerAddress } from '../sessions/connectionLogs.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class ClientAddress {
  private readonly ranges: Range[];

  constructor(trusted: readonly string[]) {
    this.ranges = trusted.map((t) => (t.includes('/') ? ipaddr.parseCIDR(t) : ([ipaddr.parse(t), ipaddr.parse(t).kind() === 'ipv4' ? 32 : 128] as Range)));
  }

  private trusted(ip: string): boolean {
    if (this.ranges.length === 0 || !ipaddr.isValid(ip)) return false;
    let a = ipaddr.parse(ip);
    if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
    return this.ranges.some(([net, bits]) => net.kind() === a.kind() && a.match(net, bits));
  }

  resolve(remoteAddress: string | undefined, remotePort: number | undefined, forwardedFor: string | string[] | undefined): PeerAddress {
    const peer = normaliseIp(remoteAddress ?? null) ?? '0.0.0.0';
    const port = remotePort ?? null;
    if (!this.trusted(peer) || forwardedFor === undefined) return { ip: peer, port };
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normaliseIp(hops[i]!)!;
      if (!ipaddr.isValid(hop)) return { ip: peer, port };
      if (!this.trusted(hop)) return { ip: hop, port: null };
    }
    return { ip: peer, port };
  }
}
