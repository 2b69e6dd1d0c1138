/**
 * Specific Character Set (0008,0005) handling for identifiers, PS3.5 §6.1 and PS3.3 C.12.1.1.2:
 * default repertoire (no value / ISO_IR 6), ISO_IR 100 (Latin-1), ISO_IR 192 (UTF-8), and the basics
 * of ISO 2022 code extensions (ISO 2022 IR 6 and ISO 2022 IR 100: G0 = ASCII via ESC ( B, G1 = Latin-1
 * right half via ESC - A). Anything else decodes as Latin-1 and is flagged — the charset the client
 * sent is logged as sent either way (ARCHITECTURE.md).
 */
import { TextDecoder } from 'node:util';
import { CHARSET_VRS } from './vr.ts';

export type CharsetDecoder = 'ascii' | 'latin1' | 'utf8' | 'iso2022';

export interface CharsetInfo {
  /** The value as sent (trailing padding removed), or null when absent. */
  readonly declared: string | null;
  /** The backslash-separated terms. */
  readonly terms: readonly string[];
  readonly decoder: CharsetDecoder;
  /** False when a term is not one we support (then decoded as Latin-1). */
  readonly known: boolean;
  readonly anomalies: readonly string[];
}

/** Defined terms we support, PS3.3 Tables C.12-2 to C.12-4 (normalised: upper case, no separators). */
const SUPPORTED: Readonly<Record<string, { canonical: string; decoder: CharsetDecoder }>> = {
  '': { canonical: '', decoder: 'ascii' },
  ISOIR6: { canonical: 'ISO_IR 6', decoder: 'ascii' },
  ISOIR100: { canonical: 'ISO_IR 100', decoder: 'latin1' },
  ISOIR192: { canonical: 'ISO_IR 192', decoder: 'utf8' },
  ISO2022IR6: { canonical: 'ISO 2022 IR 6', decoder: 'iso2022' },
  ISO2022IR100: { canonical: 'ISO 2022 IR 100', decoder: 'iso2022' },
};

function normalise(term: string): string {
  return term.toUpperCase().replace(/[\s_-]/g, '');
}

export const DEFAULT_CHARSET: CharsetInfo = Object.freeze({ declared: null, terms: [], decoder: 'ascii', known: true, anomalies: [] });

export function parseSpecificCharacterSet(value: string | null): CharsetInfo {
  if (value === null) return DEFAULT_CHARSET;
  const declared = value.replace(/[\0 ]+$/, '');
  const terms = declared.split('\\').map((t) => t.trim());
  const anomalies: string[] = [];
  const decoders: CharsetDecoder[] = [];
  for (const term of terms) {
    const hit = SUPPORTED[normalise(term)];
    if (hit === undefined) {
      anomalies.push(`unsupported SpecificCharacterSet term '${term.slice(0, 64)}' (decoded as latin1)`);
      continue;
    }
    if (hit.canonical !== term) anomalies.push(`non-standard SpecificCharacterSet spelling '${term.slice(0, 64)}'`);
    decoders.push(hit.decoder);
  }
  const known = decoders.length === terms.length;
  if (decoders.includes('utf8') && terms.length > 1) anomalies.push('ISO_IR 192 combined with other terms');
  if (terms.length > 1 && !decoders.includes('iso2022') && !decoders.includes('utf8')) {
    anomalies.push('several SpecificCharacterSet values without ISO 2022 code extensions');
  }
  let decoder: CharsetDecoder;
  if (!known) decoder = 'latin1';
  else if (decoders.includes('utf8')) decoder = 'utf8';
  else if (decoders.includes('iso2022') || terms.length > 1) decoder = 'iso2022';
  else decoder = decoders[0] ?? 'ascii';
  return { declared, terms, decoder, known, anomalies };
}

const UTF8 = new TextDecoder('utf-8', { fatal: false });

/** ESC sequences we understand in ISO 2022 mode: G0 ASCII (ESC ( B, IR 6) and G1 Latin-1 (ESC - A, IR 100). */
const KNOWN_ESCAPES = ['\x1b(B', '\x1b-A'];

/** Decode a text value. Charset-dependent only for SH, LO, ST, LT, PN, UC, UT; other VRs are ASCII. */
export function decodeText(bytes: Buffer, vr: string, cs: CharsetInfo, anomalies: string[]): string {
  const mode = CHARSET_VRS.has(vr) ? cs.decoder : 'ascii';
  switch (mode) {
    case 'utf8': {
      const text = UTF8.decode(bytes);
      if (text.includes('\ufffd') && !bytes.toString('latin1').includes('\xef\xbf\xbd')) anomalies.push(`invalid UTF-8 in ${vr} value`);
      return text;
    }
    case 'iso2022': {
      let text = bytes.toString('latin1');
      for (const esc of KNOWN_ESCAPES) text = text.split(esc).join('');
      if (text.includes('\x1b')) {
        anomalies.push(`unsupported ISO 2022 escape sequence in ${vr} value`);
        text = text.split('\x1b').join('');
      }
      return text;
    }
    case 'ascii':
      if (bytes.some((b) => b > 0x7f)) anomalies.push(`non-ASCII bytes in ${vr} value under the default repertoire`);
      return bytes.toString('latin1');
    default:
      return bytes.toString('latin1');
  }
}

/** Encoding for writing a charset-dependent value: UTF-8 under ISO_IR 192, Latin-1 otherwise. */
export function encodingForCharset(declared: string | null): 'utf8' | 'latin1' {
  return declared !== null && normalise(declared).includes('ISOIR192') ? 'utf8' : 'latin1';
}
