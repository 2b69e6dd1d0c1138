// Scanner matcher benchmark: lookups per second of ScannerMatcher (binary search over merged intervals) against a
// naive linear scan over the same entries, in the same run, on the same addresses. Both must agree on every
// sampled address, or the benchmark throws. The lead's `npm run bench` wires this in.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMaltrailDir } from '../src/domain/scanners/list.ts';
import type { ScannerEntry } from '../src/domain/scanners/list.ts';
import { ipToValue, valueToIp } from '../src/domain/scanners/ipnum.ts';
import { ScannerMatcher } from '../src/domain/scanners/matcher.ts';
import { mulberry32 } from '../test/helpers/mulberry32.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The full Maltrail list vendored with the product (what SCANNER_LISTS=builtin loads). */
export function maltrailDir(): string {
  return path.join(repoRoot, 'data-files', 'maltrail');
}

/** Half the addresses fall inside listed entries, half are random IPv4. */
function addresses(entries: readonly ScannerEntry[], n: number, rand: () => number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0 && entries.length) {
      const e = entries[Math.floor(rand() * entries.length)]!;
      const span = e.range.last - e.range.first;
      const off = span === 0n ? 0n : BigInt(Math.floor(rand() * Number(span > 65535n ? 65535n : span)));
      out.push(valueToIp(e.range.family, e.range.first + off));
    } else {
      out.push(valueToIp(4, BigInt(Math.floor(rand() * 4294967296))));
    }
  }
  return out;
}

function naiveScan(entries: readonly ScannerEntry[]): (ip: string) => boolean {
  const fam = entries.map((e) => e.range.family);
  const first = entries.map((e) => (e.range.family === 4 ? Number(e.range.first) : e.range.first));
  const last = entries.map((e) => (e.range.family === 4 ? Number(e.range.last) : e.range.last));
  return (ip) => {
    const v = ipToValue(ip);
    if (!v) return false;
    for (let i = 0; i < fam.length; i++) {
      if (fam[i] === v.family && first[i]! <= v.value && v.value <= last[i]!) return true;
    }
    return false;
  };
}

function rate(fn: (ip: string) => unknown, ips: readonly string[]): number {
  const t0 = process.hrtime.bigint();
  for (const ip of ips) fn(ip);
  const ns = Number(process.hrtime.bigint() - t0);
  return ips.length / (ns / 1e9);
}

export async function benchScanners(): Promise<Record<string, number>> {
  const list = await loadMaltrailDir(maltrailDir());
  const t0 = process.hrtime.bigint();
  const matcher = new ScannerMatcher(list.entries);
  const buildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const ips = addresses(list.entries, 200_000, mulberry32(42));
  const sample = ips.slice(0, 2_000);
  const naive = naiveScan(list.entries);
  for (const ip of sample) {
    if ((matcher.match(ip) !== null) !== naive(ip)) throw new Error(`matcher and naive scan disagree on ${ip}`);
  }
  rate((ip) => matcher.match(ip), ips.slice(0, 20_000)); // warm-up
  const fast = rate((ip) => matcher.match(ip), ips);
  const slow = rate(naive, sample);
  const s = matcher.stats;
  return {
    entries: s.entries,
    intervals_v4: s.intervalsV4,
    intervals_v6: s.intervalsV6,
    build_ms: Math.round(buildMs),
    matcher_lookups_per_s: Math.round(fast),
    naive_lookups_per_s: Math.round(slow),
    speedup: Math.round((fast / slow) * 10) / 10,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await benchScanners());
}
