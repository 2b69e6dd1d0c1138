/**
 * Builders for the DICOM modules every synthetic instance carries (PS3.3): Patient, General Study,
 * Patient Study, General Series, General Equipment, Frame of Reference, General Image, Image Plane,
 * Image Pixel, VOI LUT and SOP Common, plus the request attributes a RIS-fed modality worklist leaves.
 */
import type { DicomDataset } from '../dicom/dataset.ts';
import { put, codeItem } from '../dicom/dataset.ts';
import { ageString, danishUtcOffset, formatTM } from '../dicom/dates.ts';
import { toPN, formatAddress } from '../identity.ts';
import { hospitalAddress } from '../hospitals.ts';
import type { StudyContext } from './context.ts';
import { danishStudyDescription } from '../descriptions.ts';

export interface SeriesInfo {
  readonly uid: string;
  readonly number: number;
  readonly description: string;
  readonly protocolName: string;
  /** Seconds after midnight. */
  readonly startSeconds: number;
  readonly bodyPart: string;
  readonly patientPosition?: string;
}

export interface InstanceInfo {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number;
  /** Seconds after midnight of acquisition; content follows a little later. */
  readonly acquisitionSeconds: number;
  readonly contentSeconds: number;
  readonly acquisitionNumber?: number;
  readonly imageType: readonly string[];
}

/** Patient, General Study, Patient Study and request attributes (shared by every instance of a study). */
export function addStudyModules(ds: DicomDataset, ctx: StudyContext, studyDescription: string): void {
  const p = ctx.patient;
  put(ds, 'PatientName', toPN(p.name));
  put(ds, 'PatientID', p.patientId);
  put(ds, 'PatientBirthDate', p.birthDate);
  put(ds, 'PatientSex', p.sex);
  put(ds, 'PatientAge', ageString(p.birthDate, ctx.studyDate));
  put(ds, 'PatientSize', p.heightM);
  put(ds, 'PatientWeight', p.weightKg);
  put(ds, 'PatientAddress', formatAddress(p.address));
  put(ds, 'PatientTelephoneNumbers', p.phone);
  put(ds, 'StudyInstanceUID', ctx.studyUid);
  put(ds, 'StudyDate', ctx.studyDate);
  put(ds, 'StudyTime', formatTM(ctx.startSeconds, 0));
  put(ds, 'ReferringPhysicianName', ctx.referring);
  put(ds, 'StudyID', ctx.studyId);
  put(ds, 'AccessionNumber', ctx.accession);
  put(ds, 'StudyDescription', studyDescription);
  put(ds, 'NameOfPhysiciansReadingStudy', ctx.reader);
  put(ds, 'RequestingPhysician', ctx.referring);
  const request: DicomDataset = {};
  put(request, 'RequestedProcedureID', ctx.accession);
  put(request, 'ScheduledProcedureStepID', ctx.studyId);
  put(request, 'RequestedProcedureDescription', studyDescription);
  put(request, 'AccessionNumber', ctx.accession);
  put(ds, 'RequestAttributesSequence', [request]);
  put(ds, 'PerformedProcedureStepID', ctx.studyId);
  put(ds, 'PerformedProcedureStepStartDate', ctx.studyDate);
  put(ds, 'PerformedProcedureStepStartTime', formatTM(ctx.startSeconds, 0));
  put(ds, 'PerformedProcedureStepDescription', studyDescription);
  put(ds, 'PerformedStationAETitle', ctx.scanner.aeTitle);
}

/** General Series and General Equipment. */
export function addSeriesModules(ds: DicomDataset, ctx: StudyContext, s: SeriesInfo): void {
  const h = ctx.hospital.hospital;
  const m = ctx.scanner.model;
  put(ds, 'Modality', ctx.modality);
  put(ds, 'SeriesInstanceUID', s.uid);
  put(ds, 'SeriesNumber', s.number);
  put(ds, 'SeriesDate', ctx.studyDate);
  put(ds, 'SeriesTime', formatTM(s.startSeconds, 6));
  put(ds, 'SeriesDescription', s.description);
  put(ds, 'ProtocolName', s.protocolName);
  put(ds, 'BodyPartExamined', s.bodyPart);
  put(ds, 'OperatorsName', ctx.operator);
  if (s.patientPosition) put(ds, 'PatientPosition', s.patientPosition);
  put(ds, 'Manufacturer', m.manufacturer);
  put(ds, 'ManufacturerModelName', m.model);
  put(ds, 'SoftwareVersions', m.softwareVersions.split('\\'));
  put(ds, 'DeviceSerialNumber', ctx.scanner.serialNumber);
  put(ds, 'InstitutionName', h.name);
  put(ds, 'InstitutionAddress', hospitalAddress(h));
  put(ds, 'InstitutionalDepartmentName', h.department);
  put(ds, 'StationName', ctx.scanner.stationName);
}

/** General Image, SOP Common and acquisition/content timing. */
export function addInstanceModules(ds: DicomDataset, ctx: StudyContext, i: InstanceInfo): void {
  put(ds, 'SOPClassUID', i.sopClassUid);
  put(ds, 'SOPInstanceUID', i.sopInstanceUid);
  put(ds, 'InstanceNumber', i.instanceNumber);
  put(ds, 'ImageType', i.imageType);
  put(ds, 'AcquisitionNumber', i.acquisitionNumber ?? 1);
  put(ds, 'AcquisitionDate', ctx.studyDate);
  put(ds, 'AcquisitionTime', formatTM(i.acquisitionSeconds, 6));
  put(ds, 'ContentDate', ctx.studyDate);
  put(ds, 'ContentTime', formatTM(i.contentSeconds, 6));
  put(ds, 'InstanceCreationDate', ctx.studyDate);
  put(ds, 'InstanceCreationTime', formatTM(i.contentSeconds + 1.5, 6));
  put(ds, 'TimezoneOffsetFromUTC', danishUtcOffset(ctx.studyDate));
  put(ds, 'BurnedInAnnotation', 'NO');
  put(ds, 'LossyImageCompression', '00');
}

export interface PixelInfo {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: 8 | 16;
  readonly bitsStored: number;
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';
  readonly pixels: Uint8Array | Uint16Array;
  readonly frames?: number;
}

/** Image Pixel module (unsigned, one sample per pixel). */
export function addImagePixel(ds: DicomDataset, p: PixelInfo): void {
  put(ds, 'SamplesPerPixel', 1);
  put(ds, 'PhotometricInterpretation', p.photometric);
  put(ds, 'Rows', p.rows);
  put(ds, 'Columns', p.columns);
  put(ds, 'BitsAllocated', p.bitsAllocated);
  put(ds, 'BitsStored', p.bitsStored);
  put(ds, 'HighBit', p.bitsStored - 1);
  put(ds, 'PixelRepresentation', 0, 'US');
  if (p.frames !== undefined) put(ds, 'NumberOfFrames', p.frames);
  const bytes = new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength);
  put(ds, 'PixelData', bytes, p.bitsAllocated === 8 ? 'OB' : 'OW');
}

/** Image Plane module for an axial or other plane. */
export function addImagePlane(
  ds: DicomDataset,
  plane: { spacing: readonly [number, number]; orientation: readonly number[]; position: readonly number[]; thickness: number; location?: number },
): void {
  put(ds, 'PixelSpacing', plane.spacing.map(round6));
  put(ds, 'ImageOrientationPatient', plane.orientation.map(round6));
  put(ds, 'ImagePositionPatient', plane.position.map(round6));
  put(ds, 'SliceThickness', round6(plane.thickness));
  if (plane.location !== undefined) put(ds, 'SliceLocation', round6(plane.location));
}

export function addFrameOfReference(ds: DicomDataset, uid: string): void {
  put(ds, 'FrameOfReferenceUID', uid);
  put(ds, 'PositionReferenceIndicator', '');
}

export function addWindow(ds: DicomDataset, centers: readonly number[], widths: readonly number[], explanation: readonly string[]): void {
  put(ds, 'WindowCenter', centers.map(Math.round));
  put(ds, 'WindowWidth', widths.map(Math.round));
  put(ds, 'WindowCenterWidthExplanation', explanation);
}

/** Anatomic region code item (SNOMED CT). */
export function anatomicRegion(ds: DicomDataset, code: string, meaning: string): void {
  put(ds, 'AnatomicRegionSequence', [codeItem(code, 'SCT', meaning)]);
}

/** Danish description for a study of this modality and body part. */
export function studyDescriptionFor(ctx: StudyContext, bodyPart: string, suffix = ''): string {
  return `${danishStudyDescription(ctx.modality, bodyPart)}${suffix}`;
}

export function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Window centre/width from the 1st and 99th percentiles of stored values (rescaled). */
export function autoWindow(pixels: ArrayLike<number>, slope = 1, intercept = 0): { center: number; width: number } {
  const all: number[] = [];
  const step = Math.max(1, Math.floor(pixels.length / 20000));
  for (let i = 0; i < pixels.length; i += step) all.push(pixels[i] as number);
  all.sort((x, y) => x - y);
  // Ignore the background (air, noise): keep values above a tenth of the bright end.
  const floor = (all[Math.floor(all.length * 0.995)] ?? 0) * 0.1;
  const sample = all.filter((v) => v > floor);
  const lo = sample[Math.floor(sample.length * 0.02)] ?? 0;
  const hi = sample[Math.floor(sample.length * 0.99)] ?? 1;
  const center = ((lo + hi) / 2) * slope + intercept;
  return { center, width: Math.max(1, (hi - lo) * slope) };
}
