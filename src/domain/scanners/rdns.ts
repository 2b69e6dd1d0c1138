// Reverse-DNS identification of research scanners (*.shodan.io, *.censys-scanner.com, …).
// A PTR record is chosen by whoever holds the address block, so a PTR alone proves nothing: by default the name must
// also resolve forward to the same address (forward-confirmed rDNS) before we call the peer a known scanner.
import { Resolver } from 'node:dns/promises';
import { ipToValue } from './ipnum.ts';

export interface RdnsResolver {
  /** PTR names of an address. */
  reverse(ip: string): Promise<string[]>;
  /** A and AAAA addresses of a name. */
  resolve(hostname: string): Promise<string[]>;
}

export interface RdnsSuffix {
  /** Domain whose subdomains (and itself) are the scanner's, e.g. "shodan.io". */
  suffix: string;
  /** Human name of the scanner. */
  name: string;
}

export const DEFAULT_RDNS_SUFFIXES: readonly RdnsSuffix[] = [
  { suffix: 'shodan.io', name: 'Shodan' },
  { suffix: 'censys-scanner.com', name: 'Censys' },
  { suffix: 'shadowserver.org', name: 'Shadowserver' },
  { suffix: 'binaryedge.ninja', name: 'BinaryEdge' },
  { suffix: 'internet-measurement.com', name: 'Driftnet (internet-measurement.com)' },
  { suffix: 'stretchoid.com', name: 'Stretchoid' },
  { suffix: 'probe.onyphe.net', name: 'Onyphe' },
  { suffix: 'labs.rapid7.com', name: 'Rapid7 Project Sonar' },
  { suffix: 'security.criminalip.com', name: 'Criminal IP' },
  { suffix: 'internettl.org', name: 'InternetTL' },
  { suffix: 'scanner.modat.io', name: 'Modat' },
  { suffix: 'alphastrike.io', name: 'AlphaStrike' },
  { suffix: 'netsystemsresearch.com', name: 'Net Systems Research' },
  { suffix: 'ipip.net', name: 'IPIP.net' },
];

export interface RdnsOptions {
  resolver: RdnsResolver;
  suffixes?: readonly RdnsSuffix[];
  /** Require the PTR name to resolve back to the address. Default true. */
  forwardConfirm?: boolean;
  /** Budget for each DNS step; default 2000 ms. */
  timeoutMs?: number;
}

export interface RdnsMatch {
  /** The pattern that matched, as "*.shodan.io". */
  entry: string;
  name: string;
  hostname: string;
  forwardConfirmed: boolean;
}

/** Lower-case, no trailing dot. */
function canonicalHost(h: string): string {
  return h.trim().toLowerCase().replace(/\.$/, '');
}

export function suffixFor(hostname: string, suffixes: readonly RdnsSuffix[]): RdnsSuffix | null {
  const h = canonicalHost(hostname);
  for (const s of suffixes) {
    const suf = canonicalHost(s.suffix);
    if (h === suf || h.endsWith(`.${suf}`)) return s;
  }
  return null;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  return new Promise((resolve) => {
    // Not unref'd: a caller awaiting this answer must not see the process exit under it.
    const t = setTimeout(() => resolve(null), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(null);
      },
    );
  });
}

function sameAddress(a: string, b: string): boolean {
  const x = ipToValue(a);
  const y = ipToValue(b);
  return x !== null && y !== null && x.family === y.family && x.value === y.value;
}

/** The first PTR name of `ip` under a known scanner suffix (forward-confirmed unless disabled), or null. Never throws. */
export async function matchRdns(ip: string, opts: RdnsOptions): Promise<RdnsMatch | null> {
  if (!ipToValue(ip)) return null;
  const suffixes = opts.suffixes ?? DEFAULT_RDNS_SUFFIXES;
  const timeoutMs = opts.timeoutMs ?? 2000;
  const confirm = opts.forwardConfirm ?? true;
  const names = (await withTimeout(opts.resolver.reverse(ip), timeoutMs)) ?? [];
  for (const hostname of names.slice(0, 8)) {
    const s = suffixFor(hostname, suffixes);
    if (!s) continue;
    const host = canonicalHost(hostname);
    if (confirm) {
      const addrs = (await withTimeout(opts.resolver.resolve(host), timeoutMs)) ?? [];
      if (!addrs.some((a) => sameAddress(a, ip))) continue;
    }
    return { entry: `*.${canonicalHost(s.suffix)}`, name: s.name, hostname: host, forwardConfirmed: confirm };
  }
  return null;
}

/** Production resolver: the system's DNS servers, one try per query, with a per-query timeout. */
export function systemRdnsResolver(timeoutMs = 2000): RdnsResolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  return {
    reverse: (ip) => r.reverse(ip),
    resolve: async (hostname) => {
      const [v4, v6] = await Promise.allSettled([r.resolve4(hostname), r.resolve6(hostname)]);
      return [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    },
  };
}
