/**
 * Decoding stored text with the file's Specific Character Set (0008,0005), PS3.5 §6.1 and PS3.3
 * C.12.1.1.2. The index keeps text as JS strings together with the charset it was stored in, so the
 * network layer can encode an answer in that same charset (a Latin-1 archive answers in Latin-1).
 *
 * Single-byte repertoires map to WHATWG labels (node's ICU decoders); ISO 2022 code extensions are
 * handled for the common European case (G0 ASCII, G1 from the declared terms) by switching the decoder
 * on the escape sequences. Anything unknown decodes as Latin-1, which never fails.
 */
import { TextDecoder } from 'node:util';
import { CHARSET_VRS } from './dictionary.ts';

/** Defined terms (normalised: upper case, no spaces/underscores) → decoder label. PS3.3 Tables C.12-2 to C.12-5. */
const LABELS: Readonly<Record<string, string>> = {
  '': 'latin1',
  ISOIR6: 'latin1',
  ISOIR100: 'latin1',
  ISOIR101: 'iso-8859-2',
  ISOIR109: 'iso-8859-3',
  ISOIR110: 'iso-8859-4',
  ISOIR144: 'iso-8859-5',
  ISOIR127: 'iso-8859-6',
  ISOIR126: 'iso-8859-7',
  ISOIR138: 'iso-8859-8',
  ISOIR148: 'iso-8859-9',
  ISOIR203: 'iso-8859-15',
  ISOIR166: 'tis-620',
  ISOIR13: 'shift_jis',
  ISOIR192: 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** ISO 2022 designations (ESC sequence → the term it selects), PS3.3 Table C.12-3/C.12-4. */
const ESCAPES: Readonly<Record<string, string>> = {
  '\x1b(B': 'ISOIR6',
  '\x1b-A': 'ISOIR100',
  '\x1b-B': 'ISOIR101',
  '\x1b-C': 'ISOIR109',
  '\x1b-D': 'ISOIR110',
  '\x1b-L': 'ISOIR144',
  '\x1b-G': 'ISOIR127',
  '\x1b-F': 'ISOIR126',
  '\x1b-H': 'ISOIR138',
  '\x1b-M': 'ISOIR148',
  '\x1b-b': 'ISOIR203',
  '\x1b-T': 'ISOIR166',
  '\x1b)I': 'ISOIR13',
};

const decoders = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = label === 'latin1' ? null : new TextDecoder(label, { fatal: false });
    } catch {
      d = null;
    }
    decoders.set(label, d);
  }
  return d;
}

function normaliseTerm(term: string): string {
  return term.toUpperCase().replace(/[\s_-]/g, '').replace(/^ISO2022/, 'ISO');
}

function decodeWith(bytes: Uint8Array, label: string): string {
  const d = decoderFor(label);
  return d === null ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1') : d.decode(bytes);
}

/** The decoder label of the first term of a Specific Character Set value ('latin1' when unknown or empty). */
export function labelForCharset(specificCharacterSet: string): string {
  const first = specificCharacterSet.split('\\')[0] ?? '';
  return LABELS[normaliseTerm(first.trim())] ?? 'latin1';
}

/**
 * Decode a text value stored with `specificCharacterSet` (the raw (0008,0005) value, '' when absent).
 * Only SH, LO, ST, LT, PN, UC and UT depend on it; every other VR is ASCII (decoded as Latin-1).
 */
export function decodeText(bytes: Uint8Array, vr: string, specificCharacterSet: string): string {
  if (!CHARSET_VRS.has(vr) || specificCharacterSet === '') return decodeWith(bytes, 'latin1');
  const terms = specificCharacterSet.split('\\').map((t) => normaliseTerm(t.trim()));
  const base = LABELS[terms[0] ?? ''] ?? 'latin1';
  if (terms.length === 1 || !bytes.includes(0x1b)) return decodeWith(bytes, base);
  // ISO 2022: split on escape sequences and decode each run with the designated repertoire.
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  let out = '';
  let label = base;
  let i = 0;
  while (i < text.length) {
    const esc = text.indexOf('\x1b', i);
    const end = esc === -1 ? text.length : esc;
    if (end > i) out += decodeWith(Buffer.from(text.slice(i, end), 'latin1'), label);
    if (esc === -1) break;
    const seq = Object.keys(ESCAPES).find((s) => text.startsWith(s, esc));
    if (seq === undefined) {
      i = esc + 1; // unknown escape: drop the ESC byte, keep the rest as text
      continue;
    }
    label = LABELS[ESCAPES[seq] as string] ?? 'latin1';
    i = esc + seq.length;
  }
  return out;
}

function coverage(cs: string): number {
  const term = normaliseTerm(cs);
  if (term === '' || term === 'ISOIR6') return 0x7f;
  const label = labelForCharset(cs);
  if (label === 'utf-8' || label === 'gb18030') return 0x10ffff;
  if (label === 'latin1' && (term === 'ISOIR100' || term.endsWith('IR100'))) return 0xff;
  return -1; // not checked here
}

/**
 * The character set to declare for one response whose values come from rows stored in `stored` (the
 * query-level row first) and whose text is `texts`: the query-level row's charset when it can hold every
 * character, else Latin-1 when that suffices and one row was Latin-1, else ISO_IR 192. Repertoires whose
 * coverage is not known here are kept when every row shares them.
 */
export function responseCharset(stored: readonly string[], texts: Iterable<string>): string {
  let max = 0;
  for (const t of texts) {
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c > max) max = c;
    }
  }
  const preferred = stored[0] ?? '';
  const cover = coverage(preferred);
  if (cover === -1) return stored.every((c) => c === preferred) ? preferred : 'ISO_IR 192';
  if (max <= cover) return preferred;
  if (max <= 0xff) {
    const latin = stored.find((c) => coverage(c) === 0xff);
    if (latin !== undefined) return latin;
  }
  return 'ISO_IR 192';
}
