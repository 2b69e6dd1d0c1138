/**
 * A canary document for the decoy archive: an Encapsulated PDF Storage instance (PS3.3 A.45.1) holding a
 * Danish referral letter whose link (and, optionally, open action) points at a canary URL. Anyone who
 * pulls the study and opens the PDF calls home. The PDF comes from a caller's template buffer or, by
 * default, from the hand-written generator in minimalPdf.ts; its bytes are stored unchanged (even length),
 * so `dcm2pdf` gives back exactly the template.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put, codeItem } from '../dicom/dataset.ts';
import { ageString, danishUtcOffset, formatTM } from '../dicom/dates.ts';
import type { PatientIdentity } from '../identity.ts';
import { formatAddress, toPN } from '../identity.ts';
import type { Hospital } from '../hospitals.ts';
import { hospitalAddress } from '../hospitals.ts';
import { buildMinimalPdf } from './minimalPdf.ts';

export const ENCAPSULATED_PDF_STORAGE = '1.2.840.10008.5.1.4.1.1.104.1';

export interface CanaryPdfOptions {
  readonly patient: PatientIdentity;
  readonly hospital: Hospital;
  readonly studyInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly sopInstanceUid: string;
  /** DA, and seconds after midnight. */
  readonly studyDate: string;
  readonly studySeconds: number;
  readonly accession: string;
  readonly studyId: string;
  /** PN of the referring physician. */
  readonly referring: string;
  readonly studyDescription: string;
  /** DocumentTitle; default "Henvisning". */
  readonly title?: string;
  /** PDF template; default: a generated referral letter linking to `canaryUrl`. */
  readonly pdf?: Buffer;
  readonly canaryUrl?: string;
  readonly seriesNumber?: number;
}

/** The default referral letter (Danish), with the canary link on its last line. */
export function defaultCanaryPdf(o: CanaryPdfOptions): Buffer {
  const d = o.studyDate;
  const referring = o.referring.split('^').reverse().join(' ').trim();
  return buildMinimalPdf({
    title: `${o.title ?? 'Henvisning'} - ${o.hospital.name}`,
    lines: [
      `${o.hospital.department}, ${hospitalAddress(o.hospital)}`,
      '',
      `Patient: ${o.patient.name.given} ${o.patient.name.family}`,
      `CPR-nr.: ${o.patient.cpr}`,
      `Adresse: ${formatAddress(o.patient.address)}`,
      `Telefon: ${o.patient.phone}`,
      '',
      `Undersøgelse: ${o.studyDescription}`,
      `Accessionsnummer: ${o.accession}    Dato: ${d.slice(6, 8)}.${d.slice(4, 6)}.${d.slice(0, 4)}`,
      `Henvisende læge: ${referring}`,
      '',
      'Kliniske oplysninger og tidligere billeder findes i den elektroniske journal.',
      o.canaryUrl ? `Se tidligere undersøgelser: ${o.canaryUrl}` : 'Se tidligere undersøgelser i PACS.',
    ],
    ...(o.canaryUrl !== undefined ? { canaryUrl: o.canaryUrl, openActionUri: true } : {}),
    author: referring,
    creationDate: `D:${d}${formatTM(o.studySeconds, 0)}${danishUtcOffset(d).replace(/(\d\d)(\d\d)$/, "$1'$2'")}`,
  });
}

/** Builds the Encapsulated PDF Storage dataset (dict form) around the PDF bytes. */
export function buildCanaryPdfDataset(o: CanaryPdfOptions): DicomDataset {
  let pdf = o.pdf ?? defaultCanaryPdf(o);
  if (pdf.length % 2 === 1) pdf = Buffer.concat([pdf, Buffer.from('\n', 'latin1')]);
  const ds: DicomDataset = {};
  const p = o.patient;
  const time = formatTM(o.studySeconds, 0);
  const created = formatTM(o.studySeconds + 30, 6);
  // Patient, General Study.
  put(ds, 'PatientName', toPN(p.name));
  put(ds, 'PatientID', p.patientId);
  put(ds, 'PatientBirthDate', p.birthDate);
  put(ds, 'PatientSex', p.sex);
  put(ds, 'PatientAge', ageString(p.birthDate, o.studyDate));
  put(ds, 'StudyInstanceUID', o.studyInstanceUid);
  put(ds, 'StudyDate', o.studyDate);
  put(ds, 'StudyTime', time);
  put(ds, 'ReferringPhysicianName', o.referring);
  put(ds, 'StudyID', o.studyId);
  put(ds, 'AccessionNumber', o.accession);
  put(ds, 'StudyDescription', o.studyDescription);
  // Encapsulated Document Series, General Equipment, SC Equipment.
  put(ds, 'Modality', 'DOC');
  put(ds, 'SeriesInstanceUID', o.seriesInstanceUid);
  put(ds, 'SeriesNumber', o.seriesNumber ?? 99);
  put(ds, 'SeriesDescription', o.title ?? 'Henvisning');
  put(ds, 'InstitutionName', o.hospital.name);
  put(ds, 'InstitutionAddress', hospitalAddress(o.hospital));
  put(ds, 'InstitutionalDepartmentName', o.hospital.department);
  put(ds, 'ConversionType', 'WSD');
  // Encapsulated Document.
  put(ds, 'InstanceNumber', 1);
  put(ds, 'ContentDate', o.studyDate);
  put(ds, 'ContentTime', created);
  put(ds, 'AcquisitionDateTime', `${o.studyDate}${created}`);
  put(ds, 'BurnedInAnnotation', 'YES');
  put(ds, 'DocumentTitle', o.title ?? 'Henvisning');
  put(ds, 'ConceptNameCodeSequence', [codeItem('18748-4', 'LN', 'Diagnostic imaging report')]);
  put(ds, 'MIMETypeOfEncapsulatedDocument', 'application/pdf');
  put(ds, 'EncapsulatedDocument', pdf, 'OB');
  put(ds, 'EncapsulatedDocumentLength', pdf.length);
  // SOP Common.
  put(ds, 'SOPClassUID', ENCAPSULATED_PDF_STORAGE);
  put(ds, 'SOPInstanceUID', o.sopInstanceUid);
  put(ds, 'InstanceCreationDate', o.studyDate);
  put(ds, 'InstanceCreationTime', created);
  put(ds, 'TimezoneOffsetFromUTC', danishUtcOffset(o.studyDate));
  return ds;
}
