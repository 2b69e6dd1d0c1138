/**
 * Public surface of the decoy-dataset domain: deterministic randomness, Danish identities, installation
 * UIDs, re-identification of public data, the synthetic archive generator, and Part-10 I/O for datasets
 * we own.
 */
export type { Secret } from './rng.ts';
export { Rng, createRng, deriveKey } from './rng.ts';
export type { CprInfo, Sex } from './cpr.ts';
export { generateCpr, parseCpr, isValidCpr, satisfiesMod11, cprDigits } from './cpr.ts';
export type { PatientIdentity, PersonName, DanishAddress } from './identity.ts';
export { createPatient, createPersonName, toPN, formatAddress } from './identity.ts';
export type { Site, SiteHospital, Scanner, SiteOptions } from './site.ts';
export { createSite } from './site.ts';
export { HOSPITALS } from './hospitals.ts';
export { UidFactory, UidRemapper, installUidRoot, isValidUid, uuidDerivedUid, isStandardUid } from './uids.ts';
export type { DeidTell, TellOptions } from './deidTells.ts';
export { findDeidTells, stripDeidTells, isTellText } from './deidTells.ts';
export type { ReidentifyContext, ReidentifyContextOptions } from './reidentify.ts';
export { createReidentifyContext, reidentifyDataset, noteSourceDataset, sourcePatientKey } from './reidentify.ts';
export { PatientRegistry } from './patientRegistry.ts';
export type { DicomDataset, DicomElement, PNValue } from './dicom/dataset.ts';
export { getString, getStrings, put, putTag } from './dicom/dataset.ts';
export type { Charset } from './dicom/charset.ts';
export { CHARSETS, DEFAULT_CHARSET, isCharset } from './dicom/charset.ts';
export type { Implementation, WriteOptions } from './dicom/part10Writer.ts';
export { DEFAULT_IMPLEMENTATION, writePart10, DicomWriteError } from './dicom/part10Writer.ts';
export type { Part10File } from './dicom/part10Reader.ts';
export { readPart10 } from './dicom/part10Reader.ts';
export type { GenerateArchiveOptions, ArchiveSummary, ArchiveFile, ArchiveProgress } from './synth/archive.ts';
export { generateArchive } from './synth/archive.ts';
export { SUPPORTED_SYNTH_MODALITIES, UnsupportedModalityError } from './synth/generators.ts';
