/**
 * The in-memory dataset shape used across the dataset domain: dcmjs's *dict* form (what
 * `DicomMessage.readFile(...).dict` returns and `DicomDict.dict` writes), i.e. keys are 8 upper-case hex
 * digits ("00100010") and each element is `{ vr, Value }`:
 *
 * - text VRs: strings; PN: `{ Alphabetic, Ideographic?, Phonetic? }` objects (plain strings are accepted);
 * - DS/IS: numbers or strings; binary numeric VRs: numbers; AT: numbers (0xGGGGEEEE);
 * - OB/OW/OD/OF/OL/OV/UN: one ArrayBuffer/Uint8Array (several = frames of encapsulated pixel data);
 * - SQ: an array of nested datasets.
 *
 * The dict form keeps private tags and explicit VRs (the naturalized form loses or renames them), which is
 * what de-identification and UID remapping must see.
 */
import { dcmjs } from './dcmjs.ts';

export interface PNValue {
  Alphabetic?: string;
  Ideographic?: string;
  Phonetic?: string;
}

export interface DicomElement {
  vr: string;
  Value?: unknown[];
}

export type DicomDataset = Record<string, DicomElement>;

export type BinaryValue = ArrayBuffer | Uint8Array;

/** "(0010,0010)" or "0010,0010" or "00100010" → "00100010". */
export function normalizeTag(tag: string): string {
  const hex = tag.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  if (hex.length !== 8) throw new RangeError(`not a tag: ${tag}`);
  return hex;
}

export function tagGroup(tag: string): number {
  return parseInt(tag.slice(0, 4), 16);
}

export function tagElement(tag: string): number {
  return parseInt(tag.slice(4, 8), 16);
}

export function isPrivateTag(tag: string): boolean {
  return tagGroup(tag) % 2 === 1;
}

/** Tag and VR for a standard keyword, from dcmjs's dictionary. */
export function lookupKeyword(keyword: string): { tag: string; vr: string } {
  const entry = dcmjs.data.DicomMetaDictionary.nameMap[keyword];
  if (!entry) throw new RangeError(`unknown DICOM keyword ${keyword}`);
  return { tag: normalizeTag(entry.tag), vr: entry.vr };
}

/** Keyword for a tag, or undefined (private and unknown tags). */
export function keywordOf(tag: string): string | undefined {
  const t = normalizeTag(tag);
  const entry = dcmjs.data.DicomMetaDictionary.dictionary[`(${t.slice(0, 4)},${t.slice(4)})`];
  return entry?.name;
}

const AMBIGUOUS_VRS = new Set(['ox', 'xs', 'up', 'lt', 'na', 'xx', 'OB or OW', 'US or SS', 'US or OW']);

export type PutValue =
  | string
  | number
  | PNValue
  | BinaryValue
  | readonly (string | number)[]
  | readonly DicomDataset[]
  | null
  | undefined;

/**
 * Sets an element by keyword. `null`/`undefined`/`''` make an empty (type 2) element. Ambiguous dictionary
 * VRs (PixelData's "ox", "xs" …) must be given explicitly.
 */
export function put(ds: DicomDataset, keyword: string, value: PutValue, vr?: string): void {
  const entry = lookupKeyword(keyword);
  const useVr = vr ?? entry.vr;
  if (AMBIGUOUS_VRS.has(useVr)) throw new RangeError(`${keyword}: ambiguous VR ${useVr}, pass one explicitly`);
  ds[entry.tag] = makeElement(useVr, value);
}

/** Sets an element by tag (for private or unusual attributes). */
export function putTag(ds: DicomDataset, tag: string, vr: string, value: PutValue): void {
  ds[normalizeTag(tag)] = makeElement(vr, value);
}

function makeElement(vr: string, value: PutValue): DicomElement {
  if (value === null || value === undefined || value === '') return { vr, Value: [] };
  if (vr === 'SQ') return { vr, Value: [...(value as readonly DicomDataset[])] };
  if (value instanceof ArrayBuffer || value instanceof Uint8Array) return { vr, Value: [value] };
  const list = Array.isArray(value) ? [...(value as readonly unknown[])] : [value];
  if (vr === 'PN') return { vr, Value: list.map((v) => (typeof v === 'string' ? { Alphabetic: v } : v)) };
  return { vr, Value: list };
}

/** The first value of an element as a string ('' when absent); PN gives its alphabetic group. */
export function getString(ds: DicomDataset, keywordOrTag: string): string {
  const el = ds[resolveTag(keywordOrTag)];
  const v = el?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object' && !(v instanceof ArrayBuffer) && !(v instanceof Uint8Array)) {
    return (v as PNValue).Alphabetic ?? '';
  }
  return String(v);
}

/** All values of an element as strings. */
export function getStrings(ds: DicomDataset, keywordOrTag: string): string[] {
  const el = ds[resolveTag(keywordOrTag)];
  return (el?.Value ?? []).map((v) => (typeof v === 'object' && v !== null ? ((v as PNValue).Alphabetic ?? '') : String(v)));
}

export function has(ds: DicomDataset, keywordOrTag: string): boolean {
  return resolveTag(keywordOrTag) in ds;
}

export function remove(ds: DicomDataset, keywordOrTag: string): void {
  delete ds[resolveTag(keywordOrTag)];
}

function resolveTag(keywordOrTag: string): string {
  return /^[0-9A-Fa-f]{8}$/.test(keywordOrTag) ? keywordOrTag.toUpperCase() : lookupKeyword(keywordOrTag).tag;
}

/** Code Sequence item (Code Value, Coding Scheme Designator, Code Meaning). */
export function codeItem(value: string, scheme: string, meaning: string): DicomDataset {
  const item: DicomDataset = {};
  put(item, 'CodeValue', value);
  put(item, 'CodingSchemeDesignator', scheme);
  put(item, 'CodeMeaning', meaning);
  return item;
}

/** Deep copy of a dataset (binary values are shared, not copied). */
export function cloneDataset(ds: DicomDataset): DicomDataset {
  const out: DicomDataset = {};
  for (const [tag, el] of Object.entries(ds)) {
    const values = el.Value;
    if (values === undefined) {
      out[tag] = { vr: el.vr };
      continue;
    }
    out[tag] = {
      vr: el.vr,
      Value: el.vr === 'SQ' ? values.map((item) => cloneDataset(item as DicomDataset)) : values.map((v) => (isPlainObject(v) ? { ...(v as object) } : v)),
    };
  }
  return out;
}

function isPlainObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !(v instanceof ArrayBuffer) && !ArrayBuffer.isView(v);
}
