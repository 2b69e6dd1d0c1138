/**
 * Accept header negotiation (RFC 9110 §12.5.1 with the DICOMweb media types of PS3.18 §8.7): media
 * ranges with their parameters (`type`, `transfer-syntax`) and q-values, best first.
 */

export interface MediaRange {
  /** `type/subtype`, lower case (`*` allowed). */
  readonly type: string;
  readonly params: ReadonlyMap<string, string>;
  readonly q: number;
}

const MAX_RANGES = 32;

/** Splits on `sep` outside double quotes. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function parseMediaType(text: string): { type: string; params: Map<string, string> } {
  const [head = '', ...rest] = splitOutsideQuotes(text, ';');
  const params = new Map<string, string>();
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq === -1) continue;
    const k = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
    params.set(k, v);
  }
  return { type: head.trim().toLowerCase(), params };
}

/** The ranges of an Accept header, highest q first (none sent: `*\/*`). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (header === undefined || header.trim() === '') return [{ type: '*/*', params: new Map(), q: 1 }];
  const ranges = splitOutsideQuotes(header, ',')
    .slice(0, MAX_RANGES)
    .map((r) => {
      const { type, params } = parseMediaType(r);
      const qText = params.get('q');
      params.delete('q');
      const q = qText !== undefined && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(qText) ? Number(qText) : 1;
      return { type, params, q };
    })
    .filter((r) => r.type !== '' && r.q > 0);
  return ranges.sort((a, b) => b.q - a.q);
}

/** True when `range` (e.g. `application/*`) covers `type` (e.g. `application/dicom+json`). */
export function covers(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  const [rMain, rSub] = range.split('/');
  return rSub === '*' && type.split('/')[0] === rMain;
}

/** The first range that accepts one of `types` as a whole document (no multipart), or null. */
export function acceptsAny(ranges: readonly MediaRange[], types: readonly string[]): boolean {
  return ranges.some((r) => types.some((t) => covers(r.type, t)));
}
