/**
 * Query/Retrieve identifiers (PS3.4 Annex C.4: the C-FIND/C-GET/C-MOVE "Identifier" data set): a
 * small reader for the flat key lists attackers send, and a writer for the identifiers we answer with.
 *
 * `readIdentifier` walks the bytes with the bounded walker first, then decodes top-level elements and
 * the items of top-level sequences (one level; deeper sequences stay raw). Text is decoded with the
 * identifier's own Specific Character Set (an item's (0008,0005) overrides for that item); raw bytes
 * are kept beside every decoded value.
 *
 * `writeIdentifier` writes a data set sorted by tag with even-length values (PS3.5 §7.1: UI padded with
 * NUL, other text with space, binary with NUL), sequences and items of defined length.
 */
import { Writer } from '../net/writer.ts';
import { DEFAULT_CHARSET, decodeText, encodingForCharset, parseSpecificCharacterSet, type CharsetInfo } from '../../../domain/dicom/charset.ts';
import { lookupTag, parseTag, tagNumber, tagString } from '../../../domain/dicom/dictionary.ts';
import { encodingForTransferSyntax, type DatasetEncoding } from '../../../domain/dicom/transferSyntax.ts';
import { CHARSET_VRS, MULTI_VALUE_TEXT_VRS, NUMERIC_VR_SIZES, TEXT_VRS, isLongLengthVr, padByteFor } from '../../../domain/dicom/vr.ts';
import { walkDataset, type WalkElement, type WalkLimits } from '../../../domain/dicom/walker.ts';

export interface IdentifierElement {
  /** `GGGGEEEE`. */
  readonly tag: string;
  readonly keyword: string | null;
  /** VR as sent (explicit VR) or from the dictionary (implicit VR); `UN` when unknown. */
  readonly vr: string;
  readonly offset: number;
  /** The value bytes as sent (copy; for sequences, the encoded items). */
  readonly rawValue: Buffer;
  /** Decoded text (trailing padding removed), for text, numeric and AT values. */
  readonly value?: string;
  /** The backslash-separated values of a multi-valued VR. */
  readonly values?: readonly string[];
  /** Items of a top-level sequence, each a list of elements (nested sequences stay raw). */
  readonly sequence?: readonly (readonly IdentifierElement[])[];
}

export type ReadIdentifierResult =
  | {
      readonly ok: true;
      readonly elements: readonly IdentifierElement[];
      readonly charset: CharsetInfo;
      readonly anomalies: readonly string[];
    }
  | { readonly ok: false; readonly offset: number; readonly reason: string };

/** Identifier limits: identifiers are small (the walker defaults are for whole objects). */
export const IDENTIFIER_LIMITS: Required<WalkLimits> = Object.freeze({ maxDepth: 16, maxItems: 1000, maxElements: 5000 });

interface RawNode {
  readonly e: WalkElement;
  valueEnd: number;
  readonly items: RawNode[][];
}

const SPECIFIC_CHARACTER_SET = 0x00080005;

export function readIdentifier(buf: Buffer, transferSyntax: string, limits: WalkLimits = IDENTIFIER_LIMITS): ReadIdentifierResult {
  const enc = encodingForTransferSyntax(transferSyntax);
  if (enc === null) return { ok: false, offset: 0, reason: 'deflated transfer syntax: inflate before reading' };
  const top: RawNode[] = [];
  let deepSequences = 0;
  const stack: RawNode[][] = [top];
  const open: RawNode[] = [];
  const walked = walkDataset(buf, enc, limits, {
    element(e) {
      const node: RawNode = { e, valueEnd: e.valueOffset + (e.length ?? 0), items: [] };
      if (e.depth <= 1) (stack[stack.length - 1] as RawNode[]).push(node);
      if (e.kind === 'sequence' && e.depth === 1) deepSequences++;
      open.push(node);
    },
    elementEnd(_e, valueEnd) {
      const node = open.pop();
      if (node) node.valueEnd = valueEnd;
    },
    itemStart(depth) {
      if (depth !== 1) return;
      const parent = open[open.length - 1];
      const item: RawNode[] = [];
      parent?.items.push(item);
      stack.push(item);
    },
    itemEnd(depth) {
      if (depth === 1) stack.pop();
    },
  });
  if (!walked.ok) return { ok: false, offset: walked.offset, reason: walked.reason };

  const anomalies: string[] = [...walked.anomalies];
  if (deepSequences > 0) anomalies.push(`${deepSequences} sequence(s) nested deeper than one level kept raw`);
  const charset = charsetOf(top, buf, enc, DEFAULT_CHARSET, anomalies);
  anomalies.push(...charset.anomalies);
  const elements = top.map((n) => convert(n, buf, enc, charset, anomalies, true));
  return { ok: true, elements, charset, anomalies };
}

function charsetOf(nodes: readonly RawNode[], buf: Buffer, enc: DatasetEncoding, inherited: CharsetInfo, anomalies: string[]): CharsetInfo {
  const node = nodes.find((n) => n.e.tag === SPECIFIC_CHARACTER_SET);
  if (node === undefined) return inherited;
  const text = decodeText(buf.subarray(node.e.valueOffset, node.valueEnd), 'CS', DEFAULT_CHARSET, anomalies);
  return parseSpecificCharacterSet(text);
}

function trimPadding(text: string, vr: string): string {
  return vr === 'UI' ? text.replace(/[\0 ]+$/, '') : text.replace(/[ \0]+$/, '');
}

function convert(node: RawNode, buf: Buffer, enc: DatasetEncoding, cs: CharsetInfo, anomalies: string[], topLevel: boolean): IdentifierElement {
  const { e } = node;
  const dict = lookupTag(e.tag);
  const vr = e.vr ?? (e.kind === 'sequence' ? 'SQ' : (dict?.vr ?? 'UN'));
  const raw = buf.subarray(e.valueOffset, node.valueEnd);
  const base = { tag: tagString(e.tag), keyword: dict?.keyword ?? null, vr, offset: e.offset, rawValue: Buffer.from(raw) };
  if (e.kind === 'sequence') {
    if (!topLevel) return base;
    const items = node.items.map((item) => {
      const itemCs = charsetOf(item, buf, e.encoding, cs, anomalies);
      return item.map((child) => convert(child, buf, e.encoding, itemCs, anomalies, false));
    });
    return { ...base, sequence: items };
  }
  if (e.kind === 'encapsulated') return base;
  if (vr === 'SQ') {
    // Implicit VR: the dictionary says SQ but no item tag started the value; only empty is a sequence.
    if (raw.length === 0) return { ...base, sequence: [] };
    anomalies.push(`${tagString(e.tag)} is SQ in the dictionary but its value is not a sequence`);
    return base;
  }
  if (TEXT_VRS.has(vr)) {
    const value = trimPadding(decodeText(raw, vr, cs, anomalies), vr);
    return MULTI_VALUE_TEXT_VRS.has(vr) ? { ...base, value, values: value.split('\\') } : { ...base, value };
  }
  const size = NUMERIC_VR_SIZES[vr];
  if (size !== undefined) {
    if (raw.length % size !== 0) {
      anomalies.push(`${tagString(e.tag)} ${vr} length ${raw.length} not a multiple of ${size}`);
      return base;
    }
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += size) values.push(readNumber(raw, i, vr, enc.littleEndian));
    return { ...base, value: values.join('\\'), values };
  }
  if (vr === 'AT' && raw.length % 4 === 0) {
    const values: string[] = [];
    for (let i = 0; i < raw.length; i += 4) {
      const g = enc.littleEndian ? raw.readUInt16LE(i) : raw.readUInt16BE(i);
      const el = enc.littleEndian ? raw.readUInt16LE(i + 2) : raw.readUInt16BE(i + 2);
      values.push(tagString(tagNumber(g, el)));
    }
    return { ...base, value: values.join('\\'), values };
  }
  return base;
}

function readNumber(b: Buffer, i: number, vr: string, le: boolean): string {
  switch (vr) {
    case 'US':
      return String(le ? b.readUInt16LE(i) : b.readUInt16BE(i));
    case 'SS':
      return String(le ? b.readInt16LE(i) : b.readInt16BE(i));
    case 'UL':
      return String(le ? b.readUInt32LE(i) : b.readUInt32BE(i));
    case 'SL':
      return String(le ? b.readInt32LE(i) : b.readInt32BE(i));
    case 'FL':
      return String(le ? b.readFloatLE(i) : b.readFloatBE(i));
    case 'FD':
      return String(le ? b.readDoubleLE(i) : b.readDoubleBE(i));
    case 'UV':
      return String(le ? b.readBigUInt64LE(i) : b.readBigUInt64BE(i));
    default:
      return String(le ? b.readBigInt64LE(i) : b.readBigInt64BE(i));
  }
}

/** An element to write. `tag` is a number or `GGGGEEEE` / `(gggg,eeee)`. */
export interface IdentifierInput {
  readonly tag: number | string;
  /** Defaults to the dictionary VR, `SQ` when `items` is given, else `UN`. */
  readonly vr?: string;
  /** Text (or several values), numbers for binary numeric VRs, tags for AT, bytes for OB/OW/UN; absent = empty. */
  readonly value?: string | readonly string[] | number | readonly number[] | Uint8Array | null;
  /** Items of a sequence. */
  readonly items?: readonly (readonly IdentifierInput[])[];
}

export interface WriteIdentifierOptions {
  /** Encoding of charset-dependent values; default from a (0008,0005) element (ISO_IR 192 → utf8), else latin1. */
  readonly charset?: 'latin1' | 'utf8';
}

function resolveTag(tag: number | string): number {
  const t = typeof tag === 'number' ? tag : parseTag(tag);
  if (t === null || !Number.isInteger(t) || t < 0 || t > 0xffffffff) throw new RangeError(`invalid tag ${String(tag)}`);
  return t >>> 0;
}

/** Write a data set (identifier) in the given transfer syntax. Throws RangeError on unencodable input. */
export function writeIdentifier(elements: readonly IdentifierInput[], transferSyntax: string, options: WriteIdentifierOptions = {}): Buffer {
  const enc = encodingForTransferSyntax(transferSyntax);
  if (enc === null) throw new RangeError('cannot write a deflated transfer syntax');
  const cs = elements.find((e) => resolveTag(e.tag) === SPECIFIC_CHARACTER_SET)?.value;
  const charset = options.charset ?? encodingForCharset(typeof cs === 'string' ? cs : Array.isArray(cs) ? cs.join('\\') : null);
  const w = new Writer(1024);
  writeElements(w, elements, enc, charset);
  return w.finish();
}

function writeElements(w: Writer, elements: readonly IdentifierInput[], enc: DatasetEncoding, charset: 'latin1' | 'utf8'): void {
  const sorted = elements.map((e) => ({ e, tag: resolveTag(e.tag) })).sort((a, b) => a.tag - b.tag);
  for (const { e, tag } of sorted) {
    const vr = e.vr ?? (e.items !== undefined ? 'SQ' : (lookupTag(tag)?.vr ?? 'UN'));
    w.u16(tag >>> 16, enc.littleEndian).u16(tag & 0xffff, enc.littleEndian);
    const lengthKind = enc.explicitVr && !isLongLengthVr(vr) ? 'u16' : 'u32';
    if (enc.explicitVr) {
      w.ascii(vr);
      if (lengthKind === 'u32') w.zeros(2);
    }
    const mark = w.beginLength(`${lengthKind}${enc.littleEndian ? 'le' : 'be'}`);
    if (vr === 'SQ') {
      for (const item of e.items ?? []) {
        w.u16(0xfffe, enc.littleEndian).u16(0xe000, enc.littleEndian);
        const itemMark = w.beginLength(enc.littleEndian ? 'u32le' : 'u32be');
        writeElements(w, item, enc, charset);
        w.endLength(itemMark);
      }
    } else {
      const value = encodeValue(vr, e.value ?? null, enc, charset);
      w.bytes(value);
      if (value.length % 2 !== 0) w.u8(padByteFor(vr));
    }
    w.endLength(mark);
  }
}

function encodeValue(vr: string, value: IdentifierInput['value'], enc: DatasetEncoding, charset: 'latin1' | 'utf8'): Uint8Array {
  if (value === null || value === undefined) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  const list: readonly (string | number)[] = Array.isArray(value) ? (value as readonly (string | number)[]) : [value as string | number];
  const size = NUMERIC_VR_SIZES[vr];
  if (size !== undefined) {
    const out = Buffer.alloc(list.length * size);
    list.forEach((v, i) => writeNumber(out, i * size, vr, Number(v), enc.littleEndian));
    return out;
  }
  if (vr === 'AT') {
    const out = Buffer.alloc(list.length * 4);
    list.forEach((v, i) => {
      const t = resolveTag(v);
      out[enc.littleEndian ? 'writeUInt16LE' : 'writeUInt16BE'](t >>> 16, i * 4);
      out[enc.littleEndian ? 'writeUInt16LE' : 'writeUInt16BE'](t & 0xffff, i * 4 + 2);
    });
    return out;
  }
  const text = list.map(String).join('\\');
  return Buffer.from(text, CHARSET_VRS.has(vr) ? charset : 'latin1');
}

function writeNumber(b: Buffer, i: number, vr: string, v: number, le: boolean): void {
  switch (vr) {
    case 'US':
      b[le ? 'writeUInt16LE' : 'writeUInt16BE'](v, i);
      return;
    case 'SS':
      b[le ? 'writeInt16LE' : 'writeInt16BE'](v, i);
      return;
    case 'UL':
      b[le ? 'writeUInt32LE' : 'writeUInt32BE'](v, i);
      return;
    case 'SL':
      b[le ? 'writeInt32LE' : 'writeInt32BE'](v, i);
      return;
    case 'FL':
      b[le ? 'writeFloatLE' : 'writeFloatBE'](v, i);
      return;
    case 'FD':
      b[le ? 'writeDoubleLE' : 'writeDoubleBE'](v, i);
      return;
    case 'UV':
      b[le ? 'writeBigUInt64LE' : 'writeBigUInt64BE'](BigInt(v), i);
      return;
    default:
      b[le ? 'writeBigInt64LE' : 'writeBigInt64BE'](BigInt(v), i);
  }
}
