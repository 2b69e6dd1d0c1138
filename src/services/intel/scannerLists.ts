/**
 * Where the known-scanner list comes from: the vendored Maltrail list (`builtin`, data-files/maltrail, MIT), files the
 * operator names (SCANNER_LISTS) and URLs fetched over HTTP(S) (SCANNER_LIST_URL). A fetched list is kept in
 * DATA_DIR/scanners/ and only replaces the previous copy when it parses to at least one entry, so a captive portal
 * page or a truncated download never empties the list, and a restart without network uses the last good copy.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchLike } from '../../domain/intel/clients/http.ts';
import type { ScannerEntry } from '../../domain/scanners/list.ts';
import { MALTRAIL_FILES, parseMaltrail } from '../../domain/scanners/list.ts';

/** The vendored Maltrail mass-scanner list (see data-files/maltrail/README.md). */
export const BUILTIN_DIR = fileURLToPath(new URL('../../../data-files/maltrail/', import.meta.url));
export const BUILTIN_FILES: readonly string[] = MALTRAIL_FILES.map((f) => path.join(BUILTIN_DIR, f));
/** Largest list accepted from a URL (Maltrail's whole mass_scanner.txt is about 0.7 MB). */
export const MAX_LIST_BYTES = 32 * 1024 * 1024;

export interface LoadedLists {
  entries: ScannerEntry[];
  /** Lines that were not an address or network. */
  skipped: number;
  /** Identifies the set of entries: unchanged digest = nothing to re-apply. */
  digest: string;
  /** One line per source that could not be read (already safe to log). */
  problems: string[];
}

export interface ScannerListOptions {
  /** SCANNER_LISTS items: `builtin`, `none` or file paths. */
  items: readonly string[];
  urls: readonly string[];
  /** DATA_DIR/scanners: where fetched lists are kept. */
  cacheDir: string;
  fetch?: FetchLike;
  timeoutMs?: number;
}

/** SCANNER_LISTS items as file paths (`builtin` expanded, `none` dropped, duplicates removed). */
export function listFiles(items: readonly string[]): string[] {
  const files = items.flatMap((i) => (i.toLowerCase() === 'builtin' ? BUILTIN_FILES : i.toLowerCase() === 'none' ? [] : [path.resolve(i)]));
  return [...new Set(files)];
}

export function cacheFileFor(cacheDir: string, url: string): string {
  return path.join(cacheDir, `list-${createHash('sha256').update(url).digest('hex').slice(0, 16)}.txt`);
}

/** For log lines: the URL without credentials or query (a list URL may carry a token). */
export function showUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class ScannerLists {
  readonly #o: ScannerListOptions;

  constructor(opts: ScannerListOptions) {
    this.#o = opts;
  }

  /** Reads every file and the cached copy of every URL; with `fetchUrls`, fetches the URLs first. */
  async load(fetchUrls: boolean): Promise<LoadedLists> {
    const problems: string[] = [];
    if (fetchUrls) for (const url of this.#o.urls) await this.#fetch(url, problems);
    const sources: Array<{ file: string; label: string }> = [
      ...listFiles(this.#o.items).map((f) => ({ file: f, label: path.basename(f) })),
      ...this.#o.urls.map((u) => ({ file: cacheFileFor(this.#o.cacheDir, u), label: showUrl(u) })),
    ];
    const entries: ScannerEntry[] = [];
    let skipped = 0;
    for (const s of sources) {
      let text: string;
      try {
        text = await readFile(s.file, 'utf8');
      } catch (err) {
        const missingCache = s.file.startsWith(this.#o.cacheDir) && (err as NodeJS.ErrnoException).code === 'ENOENT';
        problems.push(missingCache ? `${s.label}: not fetched yet` : `${s.file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        continue;
      }
      const parsed = parseMaltrail(text, s.label);
      entries.push(...parsed.entries);
      skipped += parsed.skipped.length;
    }
    const digest = createHash('sha256')
      .update(entries.map((e) => `${e.entry}\t${e.name ?? ''}`).join('\n'))
      .digest('hex');
    return { entries, skipped, digest, problems };
  }

  async #fetch(url: string, problems: string[]): Promise<void> {
    const doFetch: FetchLike = this.#o.fetch ?? ((input, init) => fetch(input, init));
    try {
      const res = await doFetch(url, { method: 'GET', signal: AbortSignal.timeout(this.#o.timeoutMs ?? 30_000), headers: { Accept: 'text/plain' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const declared = Number(res.headers.get('content-length') ?? '0');
      if (declared > MAX_LIST_BYTES) throw new Error(`larger than ${MAX_LIST_BYTES} bytes`);
      const body = Buffer.from(await res.arrayBuffer());
      if (body.byteLength > MAX_LIST_BYTES) throw new Error(`larger than ${MAX_LIST_BYTES} bytes`);
      const text = body.toString('utf8');
      if (parseMaltrail(text, 'fetched').entries.length === 0) throw new Error('no address or network in the answer');
      mkdirSync(this.#o.cacheDir, { recursive: true, mode: 0o750 });
      const file = cacheFileFor(this.#o.cacheDir, url);
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      const kept = existsSync(cacheFileFor(this.#o.cacheDir, url)) ? 'keeping the last good copy' : 'no copy yet';
      const why = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 200) : 'failed';
      problems.push(`${showUrl(url)}: fetch failed (${why.replaceAll(url, showUrl(url))}); ${kept}`);
    }
  }
}
