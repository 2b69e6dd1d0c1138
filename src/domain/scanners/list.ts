// Mass-scanner lists in Maltrail's static-trail format (trails/static/mass_scanner*.txt):
//
//   # Reference: https://…            ← comment lines; the latest "Reference:" URL is kept as context
//   129.82.138.12 # pinger1a.netsec…  ← address, then an optional "# name" (usually the scanner's rDNS or brand)
//   5.63.151.0/24 # scanners.labs…    ← CIDR networks (mass_scanner_cidr.txt)
//   2400:6180:0:d0::1008:2001         ← IPv6 too; an entry without a comment has name null
//
// Lines that are not an address or network (Maltrail also lists URL paths, e.g. "/w00tw00t…", and the odd typo)
// are skipped and reported, never guessed at.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { IpRange } from './ipnum.ts';
import { parseRange } from './ipnum.ts';

export interface ScannerEntry {
  /** The entry as written in the list ("1.2.3.4", "5.63.151.0/24"). */
  entry: string;
  /** The inline comment (scanner hostname or brand), or null. */
  name: string | null;
  /** The most recent "# Reference: <url>" above the entry, or null. */
  reference: string | null;
  /** File name (or label) the entry came from, and its 1-based line. */
  source: string;
  line: number;
  range: IpRange;
}

export interface SkippedLine {
  source: string;
  line: number;
  text: string;
  reason: string;
}

export interface ScannerList {
  entries: ScannerEntry[];
  skipped: SkippedLine[];
}

export const MALTRAIL_FILES = ['mass_scanner.txt', 'mass_scanner_cidr.txt'] as const;
const MAX_NAME = 200;

export function parseMaltrail(text: string, source = 'inline'): ScannerList {
  const entries: ScannerEntry[] = [];
  const skipped: SkippedLine[] = [];
  let reference: string | null = null;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*Reference:?\s+(\S+)/i.exec(line);
      if (m) reference = m[1]!;
      continue;
    }
    const hash = line.indexOf('#');
    const head = (hash < 0 ? line : line.slice(0, hash)).trim();
    const comment = hash < 0 ? '' : line.slice(hash + 1).replace(/\s+/g, ' ').trim();
    const tokens = head.split(/\s+/);
    const range = tokens.length === 1 ? parseRange(tokens[0]!) : null;
    if (!range) {
      skipped.push({ source, line: i + 1, text: line.slice(0, MAX_NAME), reason: tokens.length === 1 ? 'not an IP address or network' : 'more than one token' });
      continue;
    }
    entries.push({ entry: tokens[0]!, name: comment ? comment.slice(0, MAX_NAME) : null, reference, source, line: i + 1, range });
  }
  return { entries, skipped };
}

/** Reads and parses several list files; entries keep their file of origin. */
export async function loadMaltrailFiles(paths: readonly string[]): Promise<ScannerList> {
  const out: ScannerList = { entries: [], skipped: [] };
  for (const p of paths) {
    const parsed = parseMaltrail(await readFile(p, 'utf8'), path.basename(p));
    out.entries.push(...parsed.entries);
    out.skipped.push(...parsed.skipped);
  }
  return out;
}

/** mass_scanner.txt + mass_scanner_cidr.txt from one folder. */
export function loadMaltrailDir(dir: string): Promise<ScannerList> {
  return loadMaltrailFiles(MALTRAIL_FILES.map((f) => path.join(dir, f)));
}
