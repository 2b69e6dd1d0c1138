/**
 * What an uploaded file really is, from its bytes (never its name or declared type): `contentKind(bytes)`.
 *
 * - **kind**: the format at offset 0 — or `dicom` for a DICOM Part 10 file (128-byte preamble, then `DICM`, PS3.10
 *   §7.1), `dicom-dataset` for a bare data set as C-STORE carries it (it starts with an element header), `text`,
 *   `empty` or `unknown`. Executables: `pe` (Windows, `MZ`), `elf`, `macho` (thin and fat), `java-class`, `dex`
 *   (Android) and `script` (`#!` or `<?php`).
 * - **polyglot**: the bytes are two formats at once. A DICOM file whose preamble — 128 bytes the standard leaves to
 *   the application — starts with another format's magic: the PE/DICOM polyglot of CVE-2019-11687 (a Windows
 *   program that is also a valid DICOM image, so malware travels with patient data), an ELF or a script there, or a
 *   PDF, ZIP … Also any file (DICOM or not) that ends in a ZIP end-of-central-directory record covering exactly the
 *   end of the file while its start is another format (GIFAR-style ZIP appended to an image or program). `embedded`
 *   names the second format.
 * - **executable**: the kind, or the embedded format, is one of the executables above.
 *
 * Only the first 1 KiB and the last 64 KiB are read: the cost does not grow with the upload.
 */
import type { z } from 'zod';
import type { CONTENT_KINDS, contentInfo } from '../../core/events/schema/common.ts';

export type ContentKind = (typeof CONTENT_KINDS)[number];
export type ContentInfo = z.output<typeof contentInfo>;

export const EXECUTABLE_KINDS: ReadonlySet<ContentKind> = new Set<ContentKind>(['pe', 'elf', 'macho', 'java-class', 'dex', 'script']);

const PREAMBLE = 128;
const HEAD = 1024;
/** EOCD record: 22 bytes + a comment of at most 65 535 bytes. */
const EOCD_MIN = 22;
const EOCD_WINDOW = EOCD_MIN + 0xffff;

type Magic = { kind: ContentKind; at?: number; bytes: readonly number[] } | { kind: ContentKind; test: (b: Uint8Array) => boolean };

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

function startsWith(b: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function u32be(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
}

/** CA FE BA BE is both a fat Mach-O (a small architecture count follows) and a Java class (a version ≥ 45 follows). */
function fatMachO(b: Uint8Array): boolean {
  return b.length >= 8 && (startsWith(b, [0xca, 0xfe, 0xba, 0xbe]) || startsWith(b, [0xca, 0xfe, 0xba, 0xbf])) && u32be(b, 4) > 0 && u32be(b, 4) < 45;
}

function javaClass(b: Uint8Array): boolean {
  return b.length >= 8 && startsWith(b, [0xca, 0xfe, 0xba, 0xbe]) && u32be(b, 4) >= 45;
}

/** `#!` or `<?php` (any case), after an optional UTF-8 byte order mark. */
function script(b: Uint8Array): boolean {
  const o = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  if (startsWith(b, ascii('#!'), o)) return true;
  return ascii('<?php').every((c, i) => b.length > o + i && (b[o + i]! | 0x20) === (c | 0x20));
}

/** `<!doctype html`, `<html` or `<script` after leading white space (any case). */
function html(b: Uint8Array): boolean {
  let o = startsWith(b, [0xef, 0xbb, 0xbf]) ? 3 : 0;
  while (o < b.length && o < 256 && (b[o] === 0x20 || b[o] === 0x09 || b[o] === 0x0a || b[o] === 0x0d)) o++;
  const lower = (at: number, s: string): boolean => ascii(s).every((c, i) => b.length > at + i && (b[at + i]! | 0x20) === c);
  return lower(o, '<!doctype html') || lower(o, '<html') || lower(o, '<script');
}

/** Formats recognised at offset 0, most specific first. */
const MAGIC: readonly Magic[] = [
  { kind: 'pe', bytes: ascii('MZ') },
  { kind: 'elf', bytes: [0x7f, ...ascii('ELF')] },
  { kind: 'macho', bytes: [0xfe, 0xed, 0xfa, 0xce] },
  { kind: 'macho', bytes: [0xfe, 0xed, 0xfa, 0xcf] },
  { kind: 'macho', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { kind: 'macho', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { kind: 'macho', test: fatMachO },
  { kind: 'java-class', test: javaClass },
  { kind: 'dex', bytes: ascii('dex\n') },
  { kind: 'script', test: script },
  { kind: 'zip', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'zip', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { kind: 'zip', bytes: [0x50, 0x4b, 0x07, 0x08] },
  { kind: 'gzip', bytes: [0x1f, 0x8b] },
  { kind: 'rar', bytes: ascii('Rar!\x1a\x07') },
  { kind: '7z', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'ole', bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { kind: 'pdf', bytes: ascii('%PDF-') },
  { kind: 'png', bytes: [0x89, ...ascii('PNG\r\n\x1a\n')] },
  { kind: 'jpeg', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'gif', bytes: ascii('GIF87a') },
  { kind: 'gif', bytes: ascii('GIF89a') },
  { kind: 'tiff', bytes: [0x49, 0x49, 0x2a, 0x00] },
  { kind: 'tiff', bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { kind: 'html', test: html },
];

/** The format whose magic is at offset 0 of `b`, or null. */
function magicAt0(b: Uint8Array): ContentKind | null {
  for (const m of MAGIC) if ('test' in m ? m.test(b) : startsWith(b, m.bytes, m.at ?? 0)) return m.kind;
  return null;
}

/** A DICOM element header at offset 0 of a bare data set: an even group, then an explicit VR or a length that fits. */
function datasetHeader(b: Uint8Array): boolean {
  if (b.length < 8) return false;
  const group = b[0]! | (b[1]! << 8);
  if (group % 2 !== 0 || group < 0x0002 || group > 0x7fe0) return false;
  const vr0 = b[4]!;
  const vr1 = b[5]!;
  if (vr0 >= 0x41 && vr0 <= 0x5a && vr1 >= 0x41 && vr1 <= 0x5a) return true;
  const len = (b[4]! | (b[5]! << 8) | (b[6]! << 16)) + b[7]! * 0x1000000;
  return len === 0xffffffff || len <= b.length - 8;
}

/** Printable text (ASCII or UTF-8, with tabs and line breaks) in the first 1 KiB. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, HEAD);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c !== 0x7f)) continue;
    return false;
  }
  return true;
}

/** True when the file ends in a ZIP end-of-central-directory record whose comment reaches exactly the end. */
function zipTrailer(b: Uint8Array): boolean {
  if (b.length < EOCD_MIN) return false;
  const from = Math.max(0, b.length - EOCD_WINDOW);
  for (let i = b.length - EOCD_MIN; i >= from; i--) {
    if (b[i] === 0x50 && b[i + 1] === 0x4b && b[i + 2] === 0x05 && b[i + 3] === 0x06) {
      const comment = b[i + 20]! | (b[i + 21]! << 8);
      if (i + EOCD_MIN + comment === b.length) return true;
    }
  }
  return false;
}

function info(kind: ContentKind, embedded: ContentKind | null): ContentInfo {
  return { kind, polyglot: embedded !== null, embedded, executable: EXECUTABLE_KINDS.has(kind) || (embedded !== null && EXECUTABLE_KINDS.has(embedded)) };
}

/** What `bytes` are (see the module comment). Never throws; reads at most the first 1 KiB and the last 64 KiB. */
export function contentKind(bytes: Uint8Array): ContentInfo {
  if (bytes.length === 0) return info('empty', null);
  if (startsWith(bytes, ascii('DICM'), PREAMBLE)) {
    // A preamble of zeros (or of 0xFF, as some writers fill it) is the normal case; another format's magic is not.
    const inPreamble = magicAt0(bytes.subarray(0, PREAMBLE));
    return info('dicom', inPreamble ?? (zipTrailer(bytes) ? 'zip' : null));
  }
  const kind = magicAt0(bytes) ?? (datasetHeader(bytes) ? 'dicom-dataset' : looksLikeText(bytes) ? 'text' : 'unknown');
  return info(kind, kind !== 'zip' && zipTrailer(bytes) ? 'zip' : null);
}

/** Counts toward the threat score's "executable or polyglot uploaded". */
export function isExecutableOrPolyglot(c: ContentInfo): boolean {
  return c.executable || c.polyglot;
}
