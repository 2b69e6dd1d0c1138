/**
 * What gives a public, de-identified dataset away — the marks that PS3.15 Annex E tools (CTP, the TCIA
 * pipeline, dcm4che's deidentifier, pydicom scripts) leave behind — and how to find and remove them.
 *
 * Removed outright:
 *  - every private element (odd groups), so CTP's "(0013,0010) CTP" block and vendor blocks go too;
 *  - group 0012 (Clinical Trial Subject/Study/Series modules, PatientIdentityRemoved,
 *    DeidentificationMethod and its code sequence, ethics-committee and consent attributes);
 *  - group 0400 and (FFFA,FFFA) (Original/Modified/Encrypted Attributes, MACs, digital signatures);
 *  - ContributingEquipmentSequence (de-identifying equipment is recorded there), the Longitudinal
 *    Temporal Information Modified flag, other patient IDs/names, issuer-of-patient-ID attributes.
 * Flagged in text (SH/LO/ST/LT/UT/UC/PN anywhere, sequences included): "anonymized", "anonymous",
 * "de-identified", "removed", "TCIA", collection names (LIDC-IDRI, TCGA-…, CPTAC, ACRIN, QIN, RIDER, NLST,
 * NSCLC, HNSCC, CBIS-DDSM, MIDRC …) and collection-style subject IDs ("LIDC-IDRI-0001").
 */
import type { DicomDataset } from './dicom/dataset.ts';
import { isPrivateTag, tagGroup, keywordOf } from './dicom/dataset.ts';

export const REMOVED_GROUPS: ReadonlySet<number> = new Set([0x0012, 0x0400, 0xfffa]);

export const REMOVED_TAGS: ReadonlySet<string> = new Set([
  '0018A001', // ContributingEquipmentSequence
  '00280303', // LongitudinalTemporalInformationModified
  '00101000', // OtherPatientIDs
  '00101001', // OtherPatientNames
  '00101002', // OtherPatientIDsSequence
  '00100021', // IssuerOfPatientID
  '00100024', // IssuerOfPatientIDQualifiersSequence
  '00400032', // UniversalEntityID (issuer of patient ID, 0040,0032)
  '00400033', // UniversalEntityIDType
  '00081084', // AdmittingDiagnosesCodeSequence
  '00104000', // PatientComments (TCIA puts the project there)
  '00324000', // StudyComments
  '00102180', // Occupation
  '001021B0', // AdditionalPatientHistory
]);

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN']);

/** Words de-identification tools write. */
const TELL_WORDS =
  /(anonymi[sz](ed|ation|er)?|anonymous|\banon\b|de-?identifi(ed|cation)|deidentif|\bde-?id\b|\bremoved\b|\btcia\b|\bctp\b|clinical\s*trial|research\s*only|not\s*for\s*clinical|\bphi\b)/i;

/** Public collections (TCIA and others) whose names show up in descriptions and IDs. */
const COLLECTION_TERMS = [
  'lidc', 'idri', 'tcga', 'cptac', 'acrin', 'qin', 'rider', 'nlst', 'i-?spy', 'nsclc', 'hnscc', 'cbis', 'ddsm', 'midrc',
  'cmmd', 'crowds', 'covid-19-ar', 'pancreas-ct', 'ct\\s*colonography', 'prostatex', 'prostate-mri', 'brats', 'hcc-tace',
  'lung-pet-ct', 'head-neck', '4d-lung', 'upenn-gbm', 'rembrandt', 'ivygap', 'cc-radiomics', 'lctsc', 'spie-aapm',
  'lungct-diagnosis', 'anti-pd-1', 'c4kc', 'pseudo-phi', 'duke-breast', 'breast-diagnosis', 'soft-tissue-sarcoma',
];
/** A term counts only as a whole word (digits may follow: "ISPY2"), so "Beriderbakken" is not "RIDER". */
const COLLECTION_NAMES = new RegExp(`(^|[^a-z])(${COLLECTION_TERMS.join('|')})(?![a-z])`, 'i');

/** Collection-style subject IDs: "LIDC-IDRI-0001", "TCGA-02-0003", "QIN-HEADNECK-01-0003". */
const SUBJECT_ID = /^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*-\d{3,}$/;

export interface TellOptions {
  /** More terms to treat as tells (e.g. the collection being imported). */
  readonly extraTerms?: readonly string[];
}

export interface DeidTell {
  /** Where: "(0010,0010)" or "(0008,1140)[0](0008,1155)". */
  readonly path: string;
  readonly reason: string;
}

/** Whether a text value betrays de-identified or public data. */
export function isTellText(text: string, options: TellOptions = {}): boolean {
  const t = text.trim();
  if (t === '') return false;
  if (TELL_WORDS.test(t) || COLLECTION_NAMES.test(t) || SUBJECT_ID.test(t)) return true;
  const lower = t.toLowerCase();
  return (options.extraTerms ?? []).some((term) => term.trim() !== '' && lower.includes(term.trim().toLowerCase()));
}

/** Whether an element (by tag) is removed by rule, independent of its value. */
export function isRemovedByRule(tag: string): boolean {
  return isPrivateTag(tag) || REMOVED_GROUPS.has(tagGroup(tag)) || REMOVED_TAGS.has(tag);
}

/** Every tell in the dataset (sequences included). Empty means clean. */
export function findDeidTells(ds: DicomDataset, options: TellOptions = {}): DeidTell[] {
  const out: DeidTell[] = [];
  walk(ds, '', (tag, path, values, vr) => {
    if (isRemovedByRule(tag)) {
      out.push({ path, reason: isPrivateTag(tag) ? 'private element' : `${keywordOf(tag) ?? 'attribute'} present` });
      return false;
    }
    if (TEXT_VRS.has(vr)) {
      for (const v of values) {
        const text = typeof v === 'object' && v !== null ? Object.values(v as Record<string, string>).join('=') : String(v);
        if (isTellText(text, options)) out.push({ path, reason: `text ${JSON.stringify(text)}` });
      }
    }
    return true;
  });
  return out;
}

/** Removes the rule-based tells in place (sequences included). Text tells are the caller's to replace. */
export function stripDeidTells(ds: DicomDataset): number {
  let removed = 0;
  for (const tag of Object.keys(ds)) {
    const el = ds[tag];
    if (!el) continue;
    if (isRemovedByRule(tag.toUpperCase())) {
      delete ds[tag];
      removed++;
      continue;
    }
    if (el.vr === 'SQ') for (const item of el.Value ?? []) removed += stripDeidTells(item as DicomDataset);
  }
  return removed;
}

type Visitor = (tag: string, path: string, values: readonly unknown[], vr: string) => boolean;

/** Depth-first walk; the visitor returns false to skip an element's sequence items. */
function walk(ds: DicomDataset, prefix: string, visit: Visitor): void {
  for (const tag of Object.keys(ds).sort()) {
    const el = ds[tag];
    if (!el) continue;
    const T = tag.toUpperCase();
    const path = `${prefix}(${T.slice(0, 4)},${T.slice(4)})`;
    const values = el.Value ?? [];
    if (!visit(T, path, values, el.vr)) continue;
    if (el.vr === 'SQ') values.forEach((item, i) => walk(item as DicomDataset, `${path}[${i}]`, visit));
  }
}
