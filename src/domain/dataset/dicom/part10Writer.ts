/**
 * Part-10 writer for datasets we own (PS3.10 §7, PS3.5 §7.1.2): 128-byte preamble, "DICM", a File Meta
 * group whose implementation identity the caller chooses, then the dataset in Explicit VR Little Endian
 * (encapsulated pixel data when a compressed transfer syntax is named).
 *
 * Why not dcmjs's writer: it always writes UTF-8 and relabels SpecificCharacterSet ISO_IR 192, and stamps
 * its own implementation class UID and version name. Here text is encoded in the installation's character
 * set and nothing of the library's identity reaches the file. Output is a pure function of the input.
 *
 * Group-length elements (gggg,0000) are dropped (they go stale on edit); group 0002 in the dataset is
 * ignored (the meta group is built from SOPClassUID/SOPInstanceUID and the options).
 */
import type { DicomDataset, DicomElement, PNValue } from './dataset.ts';
import type { Charset } from './charset.ts';
import { encodeText } from './charset.ts';

export interface Implementation {
  /** ImplementationClassUID (0002,0012). */
  readonly classUid: string;
  /** ImplementationVersionName (0002,0013), ≤ 16 characters. */
  readonly versionName: string;
}

/** Product-like default identity; the serve command passes the persona's instead. */
export const DEFAULT_IMPLEMENTATION: Implementation = {
  classUid: '2.25.126671425802288695180596138904604608034',
  versionName: 'IMGARCH_5_2_1',
};

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Native syntaxes are all written as Explicit VR Little Endian (dcmjs has already decoded them). */
const NATIVE_SYNTAXES = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99']);
const BIG_ENDIAN = '1.2.840.10008.1.2.2';

export interface WriteOptions {
  readonly charset: Charset;
  readonly implementation?: Implementation;
  /**
   * Transfer syntax of the source pixel data. Native syntaxes (implicit/explicit little endian, deflated)
   * are written and labelled as Explicit VR Little Endian; a compressed syntax keeps its label and the
   * pixel data is written encapsulated, one fragment per frame. Explicit VR Big Endian is refused.
   */
  readonly transferSyntaxUid?: string;
  /** SourceApplicationEntityTitle (0002,0016): the AE that sent the object. */
  readonly sourceAeTitle?: string;
  /** Check value lengths and formats (default true); imports of foreign data may turn it off. */
  readonly validate?: boolean;
}

export class DicomWriteError extends Error {
  constructor(
    readonly tag: string,
    message: string,
  ) {
    super(`(${tag.slice(0, 4)},${tag.slice(4)}): ${message}`);
    this.name = 'DicomWriteError';
  }
}

const LONG_HEADER_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const CHARSET_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UC', 'UT', 'PN']);
const ASCII_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'TM', 'UI', 'UR']);
const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);
const NUMBER_SIZES: Readonly<Record<string, number>> = { US: 2, SS: 2, UL: 4, SL: 4, FL: 4, FD: 8, SV: 8, UV: 8, AT: 4 };
/** Maximum characters per value (PS3.5 Table 6.2-1). */
const MAX_CHARS: Readonly<Record<string, number>> = {
  AE: 16, AS: 4, CS: 16, DA: 8, DS: 16, DT: 26, IS: 12, LO: 64, SH: 16, TM: 14, UI: 64, ST: 1024, LT: 10240,
};
const FORMATS: Readonly<Record<string, RegExp>> = {
  AS: /^\d{3}[DWMY]$/,
  CS: /^[A-Z0-9_ ]*$/,
  DA: /^\d{8}$/,
  TM: /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/,
  UI: /^(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/,
  IS: /^ *[+-]?\d+ *$/,
  DS: /^ *[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)? *$/,
};

/** Writes a complete Part-10 file. */
export function writePart10(ds: DicomDataset, options: WriteOptions): Buffer {
  const sourceSyntax = options.transferSyntaxUid ?? EXPLICIT_VR_LITTLE_ENDIAN;
  if (sourceSyntax === BIG_ENDIAN) throw new DicomWriteError('00020010', 'Explicit VR Big Endian (retired) is not supported');
  const transferSyntax = NATIVE_SYNTAXES.has(sourceSyntax) ? EXPLICIT_VR_LITTLE_ENDIAN : sourceSyntax;
  const implementation = options.implementation ?? DEFAULT_IMPLEMENTATION;
  const validate = options.validate ?? true;
  const sopClass = firstString(ds['00080016']);
  const sopInstance = firstString(ds['00080018']);
  if (!sopClass || !sopInstance) throw new DicomWriteError('00080016', 'SOPClassUID and SOPInstanceUID are required');

  const meta: DicomDataset = {
    '00020001': { vr: 'OB', Value: [Uint8Array.of(0, 1)] },
    '00020002': { vr: 'UI', Value: [sopClass] },
    '00020003': { vr: 'UI', Value: [sopInstance] },
    '00020010': { vr: 'UI', Value: [transferSyntax] },
    '00020012': { vr: 'UI', Value: [implementation.classUid] },
    '00020013': { vr: 'SH', Value: [implementation.versionName] },
  };
  if (options.sourceAeTitle) meta['00020016'] = { vr: 'AE', Value: [options.sourceAeTitle] };
  const ctx: EncodeContext = { charset: options.charset, validate, encapsulated: !NATIVE_SYNTAXES.has(transferSyntax) };
  const metaBody = encodeDataset(meta, { ...ctx, encapsulated: false }, true);
  const groupLength = encodeElement('00020000', { vr: 'UL', Value: [metaBody.length] }, ctx);

  const body: DicomDataset = { ...ds, '00080005': { vr: 'CS', Value: [options.charset] } };
  const dataset = encodeDataset(body, ctx, false);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM', 'latin1'), groupLength, metaBody, dataset]);
}

interface EncodeContext {
  readonly charset: Charset;
  readonly validate: boolean;
  readonly encapsulated: boolean;
}

/** Encodes a dataset (or sequence item) in Explicit VR Little Endian, tags ascending. */
export function encodeDataset(ds: DicomDataset, ctx: EncodeContext, metaGroup = false): Buffer {
  const tags = Object.keys(ds)
    .map((t) => t.toUpperCase())
    .filter((t) => /^[0-9A-F]{8}$/.test(t))
    .filter((t) => t.slice(4) !== '0000' && (metaGroup ? t.startsWith('0002') : !t.startsWith('0002')))
    .sort();
  const parts: Buffer[] = [];
  for (const tag of tags) {
    const el = ds[tag] ?? ds[tag.toLowerCase()];
    if (el) parts.push(encodeElement(tag, el, ctx));
  }
  return Buffer.concat(parts);
}

function encodeElement(tag: string, el: DicomElement, ctx: EncodeContext): Buffer {
  const vr = el.vr;
  if (vr === 'SQ') return header(tag, vr, encodeSequence(el.Value ?? [], ctx), true);
  if (tag === '7FE00010' && ctx.encapsulated) return encodeEncapsulated(el, ctx);
  let value: Buffer;
  if (CHARSET_VRS.has(vr) || ASCII_VRS.has(vr)) value = encodeStrings(tag, vr, el.Value ?? [], ctx);
  else if (vr in NUMBER_SIZES) value = encodeNumbers(tag, vr, el.Value ?? []);
  else if (BINARY_VRS.has(vr)) value = encodeBinary(el.Value ?? []);
  else throw new DicomWriteError(tag, `cannot write VR ${JSON.stringify(vr)}`);
  return header(tag, vr, value, false);
}

function header(tag: string, vr: string, value: Buffer, isSequence: boolean): Buffer {
  const group = parseInt(tag.slice(0, 4), 16);
  const element = parseInt(tag.slice(4), 16);
  const long = LONG_HEADER_VRS.has(vr) || isSequence;
  if (!long && value.length > 0xfffe) throw new DicomWriteError(tag, `${vr} value of ${value.length} bytes exceeds 65534`);
  const h = Buffer.alloc(long ? 12 : 8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.write(vr, 4, 'latin1');
  if (long) h.writeUInt32LE(value.length, 8);
  else h.writeUInt16LE(value.length, 6);
  return Buffer.concat([h, value]);
}

function encodeSequence(items: readonly unknown[], ctx: EncodeContext): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) {
    const body = encodeDataset(item as DicomDataset, ctx, false);
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0xfffe, 0);
    h.writeUInt16LE(0xe000, 2);
    h.writeUInt32LE(body.length, 4);
    parts.push(h, body);
  }
  return Buffer.concat(parts);
}

/** Encapsulated pixel data (PS3.5 §A.4): undefined length, empty Basic Offset Table, one fragment per frame. */
function encodeEncapsulated(el: DicomElement, _ctx: EncodeContext): Buffer {
  const item = (bytes: Buffer): Buffer => {
    const padded = bytes.length % 2 === 1 ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0xfffe, 0);
    h.writeUInt16LE(0xe000, 2);
    h.writeUInt32LE(padded.length, 4);
    return Buffer.concat([h, padded]);
  };
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(0x0010, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(0xffffffff, 8);
  const delimiter = Buffer.alloc(8);
  delimiter.writeUInt16LE(0xfffe, 0);
  delimiter.writeUInt16LE(0xe0dd, 2);
  const frames = (el.Value ?? []).map((v) => toBuffer(v));
  return Buffer.concat([head, item(Buffer.alloc(0)), ...frames.map(item), delimiter]);
}

function encodeStrings(tag: string, vr: string, values: readonly unknown[], ctx: EncodeContext): Buffer {
  const texts = values.map((v) => valueToText(tag, vr, v));
  if (ctx.validate) for (const t of texts) validateText(tag, vr, t);
  const joined = texts.join('\\');
  let bytes: Buffer;
  if (CHARSET_VRS.has(vr)) bytes = encodeText(joined, ctx.charset);
  else {
    if (ctx.validate && /[^\x20-\x7e]/.test(joined)) throw new DicomWriteError(tag, `${vr} value must be ASCII: ${JSON.stringify(joined)}`);
    bytes = Buffer.from(joined.replace(/[^\x20-\x7e]/g, '?'), 'latin1');
  }
  if (bytes.length % 2 === 1) bytes = Buffer.concat([bytes, Buffer.from(vr === 'UI' ? [0] : [0x20])]);
  return bytes;
}

function valueToText(tag: string, vr: string, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (vr === 'PN') {
    if (typeof v === 'string') return v;
    const pn = v as PNValue;
    return [pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''].join('=').replace(/=+$/, '');
  }
  if (typeof v === 'number') {
    if (vr === 'DS') return formatDS(v, tag);
    if (vr === 'IS') {
      if (!Number.isInteger(v)) throw new DicomWriteError(tag, `IS value ${v} is not an integer`);
      return String(v);
    }
    return String(v);
  }
  if (typeof v === 'string') return vr === 'UI' ? v.replace(/\0+$/, '').trim() : v;
  throw new DicomWriteError(tag, `unexpected ${vr} value ${String(v)}`);
}

/** A decimal string of at most 16 characters for a finite number. */
export function formatDS(n: number, tag = '00000000'): string {
  if (!Number.isFinite(n)) throw new DicomWriteError(tag, `DS value ${n} is not finite`);
  const plain = String(n);
  if (plain.length <= 16) return plain;
  for (let precision = 15; precision >= 1; precision--) {
    let s = n.toPrecision(precision);
    if (s.includes('e')) s = s.replace(/\.?0+e/, 'e');
    else if (s.includes('.')) s = s.replace(/\.?0+$/, '');
    if (s.length <= 16) return s;
  }
  throw new DicomWriteError(tag, `DS value ${n} cannot be written in 16 characters`);
}

function validateText(tag: string, vr: string, text: string): void {
  const max = MAX_CHARS[vr];
  if (vr === 'PN') {
    for (const group of text.split('=')) {
      if ([...group].length > 64) throw new DicomWriteError(tag, `PN component group longer than 64: ${JSON.stringify(group)}`);
      if (group.split('^').length > 5) throw new DicomWriteError(tag, `PN with more than 5 components: ${JSON.stringify(group)}`);
    }
  } else if (max !== undefined && [...text].length > max) {
    throw new DicomWriteError(tag, `${vr} value longer than ${max}: ${JSON.stringify(text)}`);
  }
  if (/[\\]/.test(text) && !['ST', 'LT', 'UT', 'UR'].includes(vr)) {
    throw new DicomWriteError(tag, `${vr} value contains a backslash: ${JSON.stringify(text)}`);
  }
  const format = FORMATS[vr];
  if (format && text !== '' && !format.test(text)) throw new DicomWriteError(tag, `bad ${vr} value ${JSON.stringify(text)}`);
}

function encodeNumbers(tag: string, vr: string, values: readonly unknown[]): Buffer {
  const size = NUMBER_SIZES[vr] as number;
  const out = Buffer.alloc(size * values.length);
  values.forEach((raw, i) => {
    const o = i * size;
    if (vr === 'SV' || vr === 'UV') {
      const big = typeof raw === 'bigint' ? raw : BigInt(Math.trunc(Number(raw)));
      if (vr === 'SV') out.writeBigInt64LE(big, o);
      else out.writeBigUInt64LE(big, o);
      return;
    }
    const n = typeof raw === 'string' && vr === 'AT' ? parseInt(raw.replace(/[^0-9a-fA-F]/g, ''), 16) : Number(raw);
    if (!Number.isFinite(n)) throw new DicomWriteError(tag, `${vr} value ${String(raw)} is not a number`);
    switch (vr) {
      case 'US':
        out.writeUInt16LE(n, o);
        break;
      case 'SS':
        out.writeInt16LE(n, o);
        break;
      case 'UL':
        out.writeUInt32LE(n, o);
        break;
      case 'SL':
        out.writeInt32LE(n, o);
        break;
      case 'FL':
        out.writeFloatLE(n, o);
        break;
      case 'FD':
        out.writeDoubleLE(n, o);
        break;
      case 'AT':
        out.writeUInt16LE((n >>> 16) & 0xffff, o);
        out.writeUInt16LE(n & 0xffff, o + 2);
        break;
    }
  });
  return out;
}

function encodeBinary(values: readonly unknown[]): Buffer {
  const bytes = Buffer.concat(values.map((v) => toBuffer(v)));
  return bytes.length % 2 === 1 ? Buffer.concat([bytes, Buffer.alloc(1)]) : bytes;
}

function toBuffer(v: unknown): Buffer {
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (ArrayBuffer.isView(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError('binary value must be an ArrayBuffer or a typed array');
}

function firstString(el: DicomElement | undefined): string {
  const v = el?.Value?.[0];
  return typeof v === 'string' ? v.replace(/\0+$/, '').trim() : '';
}
