/**
 * WADO-RS metadata (PS3.18 §10.4.1.1.2): a stored data set in the DICOM JSON Model, built from the stored
 * bytes by the bounded walker (never dcmjs: uploads an attacker stored are served back to them). Text is
 * decoded in the data set's Specific Character Set; binary values up to INLINE_MAX bytes are InlineBinary,
 * larger top-level ones a BulkDataURI (`…/bulkdata/GGGGEEEE`), and Pixel Data always a BulkDataURI.
 */
import { inflateRawSync } from 'node:zlib';
import { DEFAULT_CHARSET, decodeText, parseSpecificCharacterSet, type CharsetInfo } from '../../domain/dicom/charset.ts';
import { TransferSyntax } from '../../domain/dicom/transferSyntax.ts';
import { NUMERIC_VR_SIZES, TEXT_VRS } from '../../domain/dicom/vr.ts';
import { walkDataset, type WalkElement } from '../../domain/dicom/walker.ts';
import { registryVr } from './dictionary.ts';
import type { JsonAttribute, JsonDataset, JsonValue } from './dicomJson.ts';

/** Largest binary value written inline (base64) instead of as a BulkDataURI. */
export const INLINE_MAX = 1024;
/** Cap on an inflated (deflated transfer syntax) data set. */
const MAX_INFLATED = 256 * 1024 * 1024;
const TEXT_BLOCK_VRS = new Set(['LT', 'ST', 'UT', 'UR', 'UC']);
const SPECIFIC_CHARACTER_SET = 0x00080005;
const PIXEL_DATA = 0x7fe00010;

function hex8(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

function numbers(buf: Buffer, vr: string, littleEndian: boolean): number[] | null {
  const size = NUMERIC_VR_SIZES[vr];
  if (size === undefined || buf.length % size !== 0) return null;
  const out: number[] = [];
  for (let i = 0; i < buf.length; i += size) {
    switch (vr) {
      case 'US': out.push(littleEndian ? buf.readUInt16LE(i) : buf.readUInt16BE(i)); break;
      case 'SS': out.push(littleEndian ? buf.readInt16LE(i) : buf.readInt16BE(i)); break;
      case 'UL': out.push(littleEndian ? buf.readUInt32LE(i) : buf.readUInt32BE(i)); break;
      case 'SL': out.push(littleEndian ? buf.readInt32LE(i) : buf.readInt32BE(i)); break;
      case 'FL': out.push(littleEndian ? buf.readFloatLE(i) : buf.readFloatBE(i)); break;
      case 'FD': out.push(littleEndian ? buf.readDoubleLE(i) : buf.readDoubleBE(i)); break;
      case 'UV': out.push(Number(littleEndian ? buf.readBigUInt64LE(i) : buf.readBigUInt64BE(i))); break;
      default: out.push(Number(littleEndian ? buf.readBigInt64LE(i) : buf.readBigInt64BE(i)));
    }
  }
  return out.map((n) => (Number.isFinite(n) ? n : 0));
}

function textValues(vr: string, text: string): JsonValue[] {
  const trimmed = text.replace(/[\0 ]+$/, '');
  if (trimmed === '') return [];
  if (TEXT_BLOCK_VRS.has(vr)) return [trimmed];
  return trimmed.split('\\').map((v): JsonValue => {
    const t = v.replace(/^[ ]+|[\0 ]+$/g, '');
    if (t === '') return null;
    if (vr === 'PN') {
      const [a, i, p] = t.split('=');
      return { ...(a ? { Alphabetic: a } : {}), ...(i ? { Ideographic: i } : {}), ...(p ? { Phonetic: p } : {}) };
    }
    if (vr === 'IS' || vr === 'DS') {
      const n = Number(t);
      return Number.isFinite(n) ? n : t;
    }
    return t;
  });
}

export type MetadataResult = { ok: true; dataset: JsonDataset } | { ok: false; reason: string };

/**
 * The JSON model of a data set. `bytes` is the data set (after any Part-10 header) in `transferSyntax`;
 * `bulkBase` is the instance URL BulkDataURIs start with.
 */
export function datasetToJson(bytes: Buffer, transferSyntax: string, bulkBase: string): MetadataResult {
  let buf = bytes;
  let ts = transferSyntax;
  if (ts === TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN) {
    try {
      buf = inflateRawSync(bytes, { maxOutputLength: MAX_INFLATED });
    } catch (err) {
      return { ok: false, reason: `deflated data set does not inflate: ${(err as Error).message}` };
    }
    ts = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN;
  }
  const root: JsonDataset = {};
  const containers: JsonDataset[] = [root];
  const sequences: JsonAttribute[] = [];
  let charset: CharsetInfo = DEFAULT_CHARSET;
  const anomalies: string[] = [];
  const attribute = (e: WalkElement): JsonAttribute => {
    const vr = e.vr ?? (e.kind === 'sequence' ? 'SQ' : registryVr(hex8(e.tag)));
    if (e.kind === 'sequence') return { vr: 'SQ', Value: [] };
    const top = e.depth === 0;
    if (e.kind === 'encapsulated' || e.tag === PIXEL_DATA) return top ? { vr, BulkDataURI: `${bulkBase}/bulkdata/${hex8(e.tag)}` } : { vr };
    const value = buf.subarray(e.valueOffset, e.valueOffset + (e.length ?? 0));
    if (value.length === 0) return { vr };
    if (TEXT_VRS.has(vr)) {
      const text = decodeText(value, vr, charset, anomalies);
      if (e.tag === SPECIFIC_CHARACTER_SET && top) charset = parseSpecificCharacterSet(text.replace(/[\0 ]+$/, ''));
      const values = textValues(vr, text);
      return values.length === 0 ? { vr } : { vr, Value: values };
    }
    if (vr === 'AT' && value.length % 4 === 0) {
      const out: string[] = [];
      for (let i = 0; i < value.length; i += 4) {
        const g = e.encoding.littleEndian ? value.readUInt16LE(i) : value.readUInt16BE(i);
        const el = e.encoding.littleEndian ? value.readUInt16LE(i + 2) : value.readUInt16BE(i + 2);
        out.push(hex8(((g << 16) | el) >>> 0));
      }
      return { vr, Value: out };
    }
    if (value.length <= INLINE_MAX) {
      const n = numbers(value, vr, e.encoding.littleEndian);
      if (n !== null) return { vr, Value: n };
      return { vr, InlineBinary: value.toString('base64') };
    }
    return top ? { vr, BulkDataURI: `${bulkBase}/bulkdata/${hex8(e.tag)}` } : { vr };
  };
  const walked = walkDataset(buf, ts, {}, {
    element(e) {
      const a = attribute(e);
      const container = containers[containers.length - 1] as JsonDataset;
      container[hex8(e.tag)] = a;
      if (e.kind === 'sequence') sequences.push(a);
    },
    elementEnd(e) {
      if (e.kind !== 'sequence') return;
      const a = sequences.pop();
      if (a?.Value?.length === 0) delete a.Value;
    },
    itemStart() {
      const item: JsonDataset = {};
      sequences[sequences.length - 1]?.Value?.push(item);
      containers.push(item);
    },
    itemEnd() {
      containers.pop();
    },
  });
  if (!walked.ok) return { ok: false, reason: `${walked.reason} at offset ${walked.offset}` };
  return { ok: true, dataset: root };
}
