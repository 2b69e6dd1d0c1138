// Fast "is this peer a known mass scanner?" over Maltrail-style lists: entries become disjoint, sorted intervals
// (one table for IPv4 as numbers, one for IPv6 as bigints) and a lookup is a binary search.
//
// Overlaps: list entries are CIDR blocks, so two of them are either disjoint or nested. Where they nest (a single
// address listed inside a listed /24) the most specific entry that carries a name is reported (an unnamed inner
// entry yields to a named outer one); where the same block is listed twice the first named one is kept.
// Adjacent pieces of the same entry are merged back into one interval.
import type { ScannerEntry } from './list.ts';
import type { RdnsOptions } from './rdns.ts';
import { ipToValue } from './ipnum.ts';
import { matchRdns } from './rdns.ts';

export interface ScannerMatch {
  /** The list entry ("1.2.3.0/24") or rDNS pattern ("*.shodan.io") that matched. */
  entry: string;
  /** Scanner name (list comment, or the rDNS suffix's name); null when the list gives none. */
  name: string | null;
  how: 'list' | 'rdns';
  /** List file of the entry, or "rdns". */
  source: string;
  reference: string | null;
  /** For how = 'rdns': the PTR name that matched. */
  hostname?: string;
}

interface Seg<T> {
  first: T;
  last: T;
  idx: number;
}

/**
 * Disjoint, sorted segments of a laminar family of ranges (CIDR blocks: any two are disjoint or nested). Each segment
 * is labelled by its innermost range that `named(idx)`, or by its innermost range when none is named.
 */
function segmentsOf(ranges: Seg<bigint>[], named: (idx: number) => boolean): Seg<bigint>[] {
  const sorted = [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.last > b.last ? -1 : a.last < b.last ? 1 : a.idx - b.idx));
  const out: Seg<bigint>[] = [];
  const emit = (first: bigint, last: bigint, idx: number): void => {
    if (first > last) return;
    const prev = out[out.length - 1];
    if (prev && prev.idx === idx && prev.last + 1n === first) prev.last = last;
    else out.push({ first, last, idx });
  };
  // Each stack item carries `idx` = the label its interior gets (itself, or a named ancestor when it has no name).
  const stack: Seg<bigint>[] = [];
  let cursor = 0n;
  for (const r of sorted) {
    const top0 = stack[stack.length - 1];
    if (top0 && r.first === top0.first && r.last === top0.last) continue; // duplicate block: the first (named) wins
    while (stack.length && stack[stack.length - 1]!.last < r.first) {
      const top = stack.pop()!;
      emit(cursor, top.last, top.idx);
      cursor = top.last + 1n;
    }
    const top = stack[stack.length - 1];
    if (top) emit(cursor, r.first - 1n, top.idx);
    stack.push({ first: r.first, last: r.last, idx: named(r.idx) || !top || !named(top.idx) ? r.idx : top.idx });
    cursor = r.first;
  }
  while (stack.length) {
    const top = stack.pop()!;
    emit(cursor, top.last, top.idx);
    cursor = top.last + 1n;
  }
  return out;
}

export class ScannerMatcher {
  readonly #entries: ScannerEntry[];
  readonly #v4Start: Float64Array;
  readonly #v4End: Float64Array;
  readonly #v4Idx: Int32Array;
  readonly #v6Start: bigint[];
  readonly #v6End: bigint[];
  readonly #v6Idx: number[];

  constructor(entries: readonly ScannerEntry[]) {
    // Named entries first among duplicates: sort is stable on idx, so order named ones before unnamed.
    this.#entries = [...entries].sort((a, b) => Number(a.name === null) - Number(b.name === null));
    const v4: Seg<bigint>[] = [];
    const v6: Seg<bigint>[] = [];
    this.#entries.forEach((e, idx) => (e.range.family === 4 ? v4 : v6).push({ first: e.range.first, last: e.range.last, idx }));
    const named = (idx: number): boolean => this.#entries[idx]!.name !== null;
    const s4 = segmentsOf(v4, named);
    this.#v4Start = Float64Array.from(s4, (s) => Number(s.first));
    this.#v4End = Float64Array.from(s4, (s) => Number(s.last));
    this.#v4Idx = Int32Array.from(s4, (s) => s.idx);
    const s6 = segmentsOf(v6, named);
    this.#v6Start = s6.map((s) => s.first);
    this.#v6End = s6.map((s) => s.last);
    this.#v6Idx = s6.map((s) => s.idx);
  }

  /** Entries loaded, and disjoint intervals per family after merging. */
  get stats(): { entries: number; intervalsV4: number; intervalsV6: number } {
    return { entries: this.#entries.length, intervalsV4: this.#v4Idx.length, intervalsV6: this.#v6Idx.length };
  }

  /** List lookup (synchronous). Null for no match or an invalid address. */
  match(ip: string): ScannerMatch | null {
    const v = ipToValue(ip);
    if (!v) return null;
    const idx = v.family === 4 ? search4(this.#v4Start, this.#v4End, this.#v4Idx, v.value) : search6(this.#v6Start, this.#v6End, this.#v6Idx, v.value);
    if (idx < 0) return null;
    const e = this.#entries[idx]!;
    return { entry: e.entry, name: e.name, how: 'list', source: e.source, reference: e.reference };
  }

  /** List first; when the list has no match and `rdns` is given, reverse DNS against known scanner domains. */
  async identify(ip: string, rdns?: RdnsOptions): Promise<ScannerMatch | null> {
    const hit = this.match(ip);
    if (hit || !rdns) return hit;
    const r = await matchRdns(ip, rdns);
    return r ? { entry: r.entry, name: r.name, how: 'rdns', source: 'rdns', reference: null, hostname: r.hostname } : null;
  }
}

/** Index label of the IPv4 interval containing `x`, or -1. (Kept apart from search6 so each stays monomorphic.) */
function search4(starts: Float64Array, ends: Float64Array, idx: Int32Array, x: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid - 1;
  }
  // hi = the last interval starting at or before x
  return hi >= 0 && x <= ends[hi]! ? idx[hi]! : -1;
}

function search6(starts: bigint[], ends: bigint[], idx: number[], x: bigint): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= x) lo = mid + 1;
    else hi = mid - 1;
  }
  return hi >= 0 && x <= ends[hi]! ? idx[hi]! : -1;
}
