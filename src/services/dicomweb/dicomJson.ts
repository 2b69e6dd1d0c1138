/**
 * The DICOM JSON Model (PS3.18 Annex F.2): a data set is an object keyed by `GGGGEEEE`, each attribute
 * `{ vr, Value? | InlineBinary? | BulkDataURI? }`. Person names become `{ Alphabetic, Ideographic, Phonetic }`
 * objects (F.2.2), IS/DS and the binary numeric VRs JSON numbers, empty values within a multi-valued
 * attribute `null`, and an attribute without a value has no `Value` at all.
 */

export type JsonValue = string | number | null | { Alphabetic?: string; Ideographic?: string; Phonetic?: string } | JsonDataset;
export interface JsonAttribute {
  vr: string;
  Value?: JsonValue[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type JsonDataset = { [tag: string]: JsonAttribute };

const NUMBER_STRING_VRS = new Set(['IS', 'DS']);
const BINARY_NUMBER_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'UV', 'SV']);
/** VRs holding one value whatever backslashes they contain (PS3.5 §6.4). */
const SINGLE_VALUE_VRS = new Set(['LT', 'ST', 'UT', 'UR']);

function personName(v: string): JsonValue {
  const [alphabetic, ideographic, phonetic] = v.split('=');
  const out: { Alphabetic?: string; Ideographic?: string; Phonetic?: string } = {};
  if (alphabetic) out.Alphabetic = alphabetic;
  if (ideographic) out.Ideographic = ideographic;
  if (phonetic) out.Phonetic = phonetic;
  return out;
}

function one(vr: string, v: string): JsonValue {
  if (v === '') return null;
  if (vr === 'PN') return personName(v);
  if (NUMBER_STRING_VRS.has(vr) || BINARY_NUMBER_VRS.has(vr)) {
    const n = Number(v.trim());
    return Number.isFinite(n) && v.trim() !== '' ? n : v;
  }
  return v;
}

/** An attribute from its text as stored (multi-valued: backslash-separated; '' = no value). */
export function textAttribute(vr: string, text: string): JsonAttribute {
  if (text === '') return { vr };
  const parts = SINGLE_VALUE_VRS.has(vr) ? [text] : text.split('\\');
  return { vr, Value: parts.map((p) => one(vr, p)) };
}

export const DICOM_JSON = 'application/dicom+json';
