/**
 * Attribute names for DICOMweb: QIDO-RS query parameters and `includefield` name attributes by keyword
 * (`PatientName`) or tag (`00100010`) (PS3.18 §8.3.4.1). The archive's own dictionary (what the index can
 * match) is asked first; the full PS3.6 registry that ships with dcmjs answers for everything else. Only
 * dcmjs's dictionary tables are used here, never its parser.
 */
import { attributeByKeyword, attributeByTag, normaliseTag, type ArchiveAttribute } from '../../domain/archive/dictionary.ts';
import { dcmjs } from '../../domain/dataset/dicom/dcmjs.ts';

export interface NamedAttribute {
  /** `GGGGEEEE`, upper case. */
  readonly tag: string;
  readonly keyword: string | null;
  readonly vr: string;
  /** What the archive index knows of it (matching and answers); undefined: answered empty, matched universally. */
  readonly archive: ArchiveAttribute | undefined;
}

function registryByTag(tag: string): { keyword: string; vr: string } | undefined {
  const e = dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
  return e === undefined ? undefined : { keyword: e.name, vr: e.vr.split('|')[0] ?? 'UN' };
}

/** A keyword or tag as a client writes it; null when it names nothing. */
export function resolveAttribute(name: string): NamedAttribute | null {
  const tag = /^[0-9A-Fa-f]{8}$/.test(name) ? normaliseTag(name) : null;
  if (tag !== null) {
    const archive = attributeByTag(tag);
    if (archive !== undefined) return { tag, keyword: archive.keyword, vr: archive.vr, archive };
    const reg = registryByTag(tag);
    return { tag, keyword: reg?.keyword ?? null, vr: reg?.vr ?? 'UN', archive: undefined };
  }
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) return null;
  const archive = attributeByKeyword(name);
  if (archive !== undefined) return { tag: archive.tag, keyword: archive.keyword, vr: archive.vr, archive };
  const e = dcmjs.data.DicomMetaDictionary.nameMap[name];
  if (e === undefined || !/^\([0-9A-F]{4},[0-9A-F]{4}\)$/i.test(e.tag)) return null;
  const t = e.tag.replace(/[(),]/g, '').toUpperCase();
  return { tag: t, keyword: e.name, vr: e.vr.split('|')[0] ?? 'UN', archive: undefined };
}

/** VR of a tag from the registry (for data sets in implicit VR); `UN` when unknown. */
export function registryVr(tag: string): string {
  if (tag.endsWith('0000')) return 'UL';
  return registryByTag(tag)?.vr ?? 'UN';
}
