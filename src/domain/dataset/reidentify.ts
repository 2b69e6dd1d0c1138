/**
 * Turns a public, de-identified dataset (TCIA and friends) into one that looks like it came from this
 * installation's Danish hospital. Input and output are dcmjs dict-form datasets (see dicom/dataset.ts):
 * the dict form keeps private tags and VRs, which the pipeline must see to remove and remap. The input is
 * not modified. The file meta group is not carried over (the writer builds ours).
 *
 * Steps:
 *  1. remove every rule-based tell (deidTells.ts: private blocks, clinical-trial and de-identification
 *     attributes, original/encrypted attributes, contributing de-identifying equipment …);
 *  2. walk every element, sequences included:
 *     - UI values → the install's UidRemapper (same source UID, same new UID, in every file), except
 *       well-known and class UIDs;
 *     - DA and DT → shifted by the patient's day offset (intervals preserved);
 *     - text that betrays de-identification or a public collection → replaced (StudyDescription) or emptied;
 *     - identity, staff, institution and numbering attributes → this installation's values;
 *  3. set the patient (one Danish identity per source patient: patientRegistry.ts), PatientAge from the
 *     new birth and study dates, accession number and StudyID (one per source study), institution,
 *     station and serial (consistent per source device), referring physician and operators.
 */
import type { Secret } from './rng.ts';
import { Rng, deriveKey } from './rng.ts';
import type { DicomDataset, DicomElement } from './dicom/dataset.ts';
import { cloneDataset, getString, put } from './dicom/dataset.ts';
import type { Charset } from './dicom/charset.ts';
import { DEFAULT_CHARSET } from './dicom/charset.ts';
import { addDaysDA, ageString, isValidDA, shiftDT } from './dicom/dates.ts';
import type { TellOptions } from './deidTells.ts';
import { isTellText, stripDeidTells } from './deidTells.ts';
import { PatientRegistry } from './patientRegistry.ts';
import type { Site, SiteHospital } from './site.ts';
import { accessionNumber, createSite, studyId } from './site.ts';
import { UidRemapper } from './uids.ts';
import { toPN, formatAddress } from './identity.ts';
import { hospitalAddress } from './hospitals.ts';
import { danishStudyDescription } from './descriptions.ts';

export interface ReidentifyContext {
  readonly installSecret: Secret;
  readonly site: Site;
  readonly remapper: UidRemapper;
  readonly patients: PatientRegistry;
  /** The archive's character set (the writer encodes with it). */
  readonly charset: Charset;
  readonly tells: TellOptions;
}

export interface ReidentifyContextOptions {
  readonly installSecret: Secret;
  /** Imported studies are placed before this date (DA); pass a fixed value for reproducible output. */
  readonly referenceDate: string;
  readonly site?: Site;
  readonly charset?: Charset;
  /** Extra words to treat as tells, e.g. the name of the collection being imported. */
  readonly extraTerms?: readonly string[];
}

export function createReidentifyContext(options: ReidentifyContextOptions): ReidentifyContext {
  const site = options.site ?? createSite(options.installSecret);
  return {
    installSecret: options.installSecret,
    site,
    remapper: new UidRemapper(options.installSecret),
    patients: new PatientRegistry(options.installSecret, site, options.referenceDate),
    charset: options.charset ?? DEFAULT_CHARSET,
    tells: { extraTerms: options.extraTerms ?? [] },
  };
}

/** The key that identifies a source patient (PatientID, else PatientName, else the study). */
export function sourcePatientKey(ds: DicomDataset): string {
  return getString(ds, 'PatientID').trim() || getString(ds, 'PatientName').trim() || `study:${getString(ds, 'StudyInstanceUID')}`;
}

/** The source file's study date (StudyDate, else the first series/acquisition/content date). */
export function sourceStudyDate(ds: DicomDataset): string | undefined {
  for (const k of ['StudyDate', 'SeriesDate', 'AcquisitionDate', 'ContentDate']) {
    const v = getString(ds, k).trim();
    if (isValidDA(v)) return v;
  }
  return undefined;
}

/** Optional first pass over an import: lets every patient's whole date span land before the reference date. */
export function noteSourceDataset(ctx: ReidentifyContext, ds: DicomDataset): void {
  const date = sourceStudyDate(ds);
  if (date) ctx.patients.noteStudy(sourcePatientKey(ds), date);
}

/** Tags whose identifying sequences are dropped (person identification codes, institution codes). */
const DROPPED_TAGS = new Set([
  '00080096', '00081049', '00081052', '00081062', '00081072', '00400006', '00080092', '00080094', '00080082',
  '00380010', '00380300', '00400243', '00101050', '00102150', '00102152', '00101040', '00102154',
]);

export function reidentifyDataset(source: DicomDataset, ctx: ReidentifyContext): DicomDataset {
  const ds = cloneDataset(source);
  stripDeidTells(ds);
  for (const tag of DROPPED_TAGS) delete ds[tag];

  const key = sourcePatientKey(source);
  const srcStudyDate = sourceStudyDate(source);
  const { identity, dayOffset, fallbackStudyDate } = ctx.patients.resolve({
    key,
    ...(srcStudyDate !== undefined ? { studyDate: srcStudyDate } : {}),
    birthDate: getString(source, 'PatientBirthDate').trim(),
    age: getString(source, 'PatientAge').trim(),
    sex: getString(source, 'PatientSex').trim().toUpperCase(),
  });
  const studyDate = srcStudyDate !== undefined ? addDaysDA(srcStudyDate, dayOffset) : fallbackStudyDate;

  const studyKey = getString(source, 'StudyInstanceUID').trim() || `${key}/${srcStudyDate ?? ''}`;
  const studyRng = new Rng(deriveKey(ctx.installSecret, 'dicomhawk/import-study/v1', studyKey));
  const siteHospital = studyRng.fork('hospital').weighted(ctx.site.hospitals.map((h) => [h, h.hospital.weight] as const));
  const hospital = siteHospital.hospital;
  const modality = getString(source, 'Modality').trim().toUpperCase() || 'OT';
  const accession = accessionNumber(hospital, studyDate, studyRng.fork('accession'));
  const sid = studyId(studyRng.fork('study-id'));
  const referring = toPN(studyRng.fork('referring').pick(ctx.site.referringPhysicians));
  const reader = toPN(studyRng.fork('reader').pick(ctx.site.radiologists));
  const operator = toPN(studyRng.fork('operator').pick(ctx.site.radiographers));
  const device = deviceFor(ctx.installSecret, siteHospital, modality, source);
  const description = danishStudyDescription(modality, getString(source, 'BodyPartExamined'));

  const overrides: Record<string, unknown[]> = {
    '00100010': [{ Alphabetic: toPN(identity.name) }],
    '00100020': [identity.patientId],
    '00100030': [identity.birthDate],
    '00100040': [identity.sex],
    '00101010': [ageString(identity.birthDate, studyDate < identity.birthDate ? identity.birthDate : studyDate)],
    '00080050': [accession],
    '00200010': [sid],
    '00401001': [sid],
    '00400009': [sid],
    '00400253': [sid],
    '00080090': [{ Alphabetic: referring }],
    '00321032': [{ Alphabetic: referring }],
    '00081048': [{ Alphabetic: referring }],
    '00081060': [{ Alphabetic: reader }],
    '00081050': [{ Alphabetic: operator }],
    '00081070': [{ Alphabetic: operator }],
    '00080080': [hospital.name],
    '00080081': [hospitalAddress(hospital)],
    '00081040': [hospital.department],
    '00321033': [hospital.department],
    '00081010': [device.stationName],
    '00400241': [device.stationName],
    '00400242': [device.stationName],
    '00181000': [device.serialNumber],
  };

  transform(ds, ctx, dayOffset, overrides);

  // Attributes every clinical file of this archive carries.
  for (const [tag, values] of Object.entries(overrides)) {
    if (ALWAYS_PRESENT.has(tag)) ds[tag] = { vr: vrOfOverride(tag), Value: values };
  }
  put(ds, 'PatientAddress', formatAddress(identity.address));
  put(ds, 'PatientTelephoneNumbers', identity.phone);
  if (!getString(ds, 'PatientSize')) put(ds, 'PatientSize', identity.heightM);
  if (!getString(ds, 'PatientWeight')) put(ds, 'PatientWeight', identity.weightKg);
  if (!getString(ds, 'StudyDescription')) put(ds, 'StudyDescription', description);
  if (!isValidDA(getString(ds, 'StudyDate'))) put(ds, 'StudyDate', studyDate);
  if (!getString(ds, 'StudyTime')) put(ds, 'StudyTime', '091500');
  if (getString(ds, 'Manufacturer')) put(ds, 'DeviceSerialNumber', device.serialNumber);
  return ds;
}

const ALWAYS_PRESENT = new Set([
  '00100010', '00100020', '00100030', '00100040', '00101010', '00080050', '00200010', '00080090', '00080080',
  '00080081', '00081040', '00081010', '00081070',
]);

const OVERRIDE_VRS: Readonly<Record<string, string>> = {
  '00100010': 'PN', '00100020': 'LO', '00100030': 'DA', '00100040': 'CS', '00101010': 'AS', '00080050': 'SH',
  '00200010': 'SH', '00080090': 'PN', '00080080': 'LO', '00080081': 'ST', '00081040': 'LO', '00081010': 'SH',
  '00081070': 'PN',
};

function vrOfOverride(tag: string): string {
  return OVERRIDE_VRS[tag] ?? 'LO';
}

const TEXT_VRS = new Set(['SH', 'LO', 'ST', 'LT', 'UT', 'UC', 'PN']);

/** Recursive element rewrite: overrides, UIDs, dates, text tells. */
function transform(ds: DicomDataset, ctx: ReidentifyContext, dayOffset: number, overrides: Record<string, unknown[]>): void {
  for (const tag of Object.keys(ds)) {
    const el = ds[tag] as DicomElement;
    const T = tag.toUpperCase();
    const values = el.Value ?? [];
    const override = overrides[T];
    if (override !== undefined) {
      el.Value = override.slice();
      continue;
    }
    switch (el.vr) {
      case 'SQ':
        for (const item of values) transform(item as DicomDataset, ctx, dayOffset, overrides);
        break;
      case 'UI':
        el.Value = values.map((v) => ctx.remapper.map(String(v), T));
        break;
      case 'DA':
        el.Value = values.map((v) => String(v).trim()).map((v) => (isValidDA(v) ? addDaysDA(v, dayOffset) : ''));
        break;
      case 'DT':
        el.Value = values.map((v) => shiftDT(String(v), dayOffset));
        break;
      default:
        if (TEXT_VRS.has(el.vr) && values.some((v) => isTellText(textOf(v), ctx.tells))) {
          const replacement = T === '0008103E' ? seriesDescriptionFor(ds) : undefined;
          if (replacement) el.Value = [replacement];
          else delete ds[tag]; // StudyDescription is refilled by the caller; other text is optional
        }
    }
  }
}

/** A plain series description in the style scanners write ("Thorax 2.5 STANDARD", "MR"). */
function seriesDescriptionFor(ds: DicomDataset): string {
  const part = getString(ds, 'BodyPartExamined').trim();
  const thickness = getString(ds, 'SliceThickness').trim();
  const kernel = getString(ds, 'ConvolutionKernel').trim();
  const words = [part ? part.charAt(0) + part.slice(1).toLowerCase() : getString(ds, 'Modality').trim(), thickness, kernel];
  return words.filter((w) => w !== '').join(' ').slice(0, 64);
}

function textOf(v: unknown): string {
  if (typeof v === 'object' && v !== null) return Object.values(v as Record<string, unknown>).map(String).join('=');
  return String(v);
}

interface Device {
  readonly stationName: string;
  readonly serialNumber: string;
}

/**
 * Station name and serial for the source device: one per (hospital, modality, manufacturer, model, source
 * serial), numbered 11–29 so it never collides with the synthetic scanners' 01–03.
 */
function deviceFor(secret: Secret, siteHospital: SiteHospital, modality: string, source: DicomDataset): Device {
  const manufacturer = getString(source, 'Manufacturer').trim();
  const model = getString(source, 'ManufacturerModelName').trim();
  const serial = getString(source, 'DeviceSerialNumber').trim();
  const rng = new Rng(deriveKey(secret, 'dicomhawk/import-device/v1', siteHospital.hospital.code, modality, manufacturer, model, serial));
  const mod = modality.replace(/[^A-Z]/g, '').slice(0, 2) || 'OT';
  return {
    stationName: `${siteHospital.hospital.code}${mod}${rng.int(11, 29)}`,
    serialNumber: String(rng.int(10000, 999999)),
  };
}
