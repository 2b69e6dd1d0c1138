/**
 * The attributes the archive indexes and answers with: tag ↔ keyword ↔ VR ↔ Query/Retrieve level.
 *
 * Levels follow PS3.4 Annex C.6 (Patient Root, Tables C.6-1 to C.6-4; Study Root, Tables C.6-5 to C.6-8):
 * an attribute lives at the level of the entity that owns it. In the Study Root model the patient
 * attributes belong to the STUDY level (`levelIn`). Computed attributes (PS3.4 C.6.1.1.x: Number of …
 * Related …, Modalities/SOP Classes in Study, Retrieve AE Title, Instance Availability) are not read from
 * files: the index maintains the counts and lists, and the query fills in the per-response ones.
 *
 * Kept small and local on purpose: the services layer has its own dictionary for the wire; the domain does
 * not import it (ARCHITECTURE.md, layers point down).
 */

export type QrLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
export type QrModel = 'patient-root' | 'study-root' | 'patient-study-only';

export const LEVELS: readonly QrLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

/** Levels of each information model, top first (PS3.4 C.3.1–C.3.3). */
export const MODEL_LEVELS: Readonly<Record<QrModel, readonly QrLevel[]>> = {
  'patient-root': ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'],
  'study-root': ['STUDY', 'SERIES', 'IMAGE'],
  'patient-study-only': ['PATIENT', 'STUDY'],
};

/** How the index obtains a value. */
export type AttributeSource =
  /** Read from the file and stored in a column of the level's table. */
  | 'stored'
  /** Maintained by the index at build time (counts, modality and SOP class lists). */
  | 'computed'
  /** Filled in per response (level, charset, retrieve AE title, availability). */
  | 'response';

export interface ArchiveAttribute {
  /** `GGGGEEEE`, upper case. */
  readonly tag: string;
  readonly keyword: string;
  readonly vr: string;
  /** Owning level (Patient Root view); `null` for per-response attributes valid at any level. */
  readonly level: QrLevel | null;
  readonly source: AttributeSource;
  /** May hold several values (backslash-separated) in stored data; matched value by value. */
  readonly multi: boolean;
  /** The unique key of its level (PS3.4 C.6: "U"). */
  readonly unique: boolean;
}

type Row = readonly [tag: string, keyword: string, vr: string, level: QrLevel | null, source: AttributeSource, flags?: 'multi' | 'unique'];

/** PS3.6 Table 6-1 rows for what we index. Order within a level = column order. */
const ROWS: readonly Row[] = [
  // PATIENT (Patient Root Table C.6-1; Study Root puts these at STUDY)
  ['00100010', 'PatientName', 'PN', 'PATIENT', 'stored'],
  ['00100020', 'PatientID', 'LO', 'PATIENT', 'stored', 'unique'],
  ['00100021', 'IssuerOfPatientID', 'LO', 'PATIENT', 'stored'],
  ['00100030', 'PatientBirthDate', 'DA', 'PATIENT', 'stored'],
  ['00100032', 'PatientBirthTime', 'TM', 'PATIENT', 'stored'],
  ['00100040', 'PatientSex', 'CS', 'PATIENT', 'stored'],
  ['00101000', 'OtherPatientIDs', 'LO', 'PATIENT', 'stored', 'multi'],
  ['00101001', 'OtherPatientNames', 'PN', 'PATIENT', 'stored', 'multi'],
  ['00102160', 'EthnicGroup', 'SH', 'PATIENT', 'stored'],
  ['00104000', 'PatientComments', 'LT', 'PATIENT', 'stored'],
  ['00201200', 'NumberOfPatientRelatedStudies', 'IS', 'PATIENT', 'computed'],
  ['00201202', 'NumberOfPatientRelatedSeries', 'IS', 'PATIENT', 'computed'],
  ['00201204', 'NumberOfPatientRelatedInstances', 'IS', 'PATIENT', 'computed'],
  // STUDY (Table C.6-2 / C.6-5)
  ['00080020', 'StudyDate', 'DA', 'STUDY', 'stored'],
  ['00080030', 'StudyTime', 'TM', 'STUDY', 'stored'],
  ['00080050', 'AccessionNumber', 'SH', 'STUDY', 'stored'],
  ['00200010', 'StudyID', 'SH', 'STUDY', 'stored'],
  ['0020000D', 'StudyInstanceUID', 'UI', 'STUDY', 'stored', 'unique'],
  ['00080090', 'ReferringPhysicianName', 'PN', 'STUDY', 'stored'],
  ['00081030', 'StudyDescription', 'LO', 'STUDY', 'stored'],
  ['00081060', 'NameOfPhysiciansReadingStudy', 'PN', 'STUDY', 'stored', 'multi'],
  ['00081080', 'AdmittingDiagnosesDescription', 'LO', 'STUDY', 'stored', 'multi'],
  ['00080080', 'InstitutionName', 'LO', 'STUDY', 'stored'],
  ['00101010', 'PatientAge', 'AS', 'STUDY', 'stored'],
  ['00101020', 'PatientSize', 'DS', 'STUDY', 'stored'],
  ['00101030', 'PatientWeight', 'DS', 'STUDY', 'stored'],
  ['00102180', 'Occupation', 'SH', 'STUDY', 'stored'],
  ['001021B0', 'AdditionalPatientHistory', 'LT', 'STUDY', 'stored'],
  ['00201070', 'OtherStudyNumbers', 'IS', 'STUDY', 'stored', 'multi'],
  ['00080061', 'ModalitiesInStudy', 'CS', 'STUDY', 'computed', 'multi'],
  ['00080062', 'SOPClassesInStudy', 'UI', 'STUDY', 'computed', 'multi'],
  ['00201206', 'NumberOfStudyRelatedSeries', 'IS', 'STUDY', 'computed'],
  ['00201208', 'NumberOfStudyRelatedInstances', 'IS', 'STUDY', 'computed'],
  // SERIES (Table C.6-3 / C.6-6)
  ['00080060', 'Modality', 'CS', 'SERIES', 'stored'],
  ['00200011', 'SeriesNumber', 'IS', 'SERIES', 'stored'],
  ['0020000E', 'SeriesInstanceUID', 'UI', 'SERIES', 'stored', 'unique'],
  ['0008103E', 'SeriesDescription', 'LO', 'SERIES', 'stored'],
  ['00180015', 'BodyPartExamined', 'CS', 'SERIES', 'stored'],
  ['00080021', 'SeriesDate', 'DA', 'SERIES', 'stored'],
  ['00080031', 'SeriesTime', 'TM', 'SERIES', 'stored'],
  ['00181030', 'ProtocolName', 'LO', 'SERIES', 'stored'],
  ['00200060', 'Laterality', 'CS', 'SERIES', 'stored'],
  ['00400244', 'PerformedProcedureStepStartDate', 'DA', 'SERIES', 'stored'],
  ['00400245', 'PerformedProcedureStepStartTime', 'TM', 'SERIES', 'stored'],
  ['00081010', 'StationName', 'SH', 'SERIES', 'stored'],
  ['00080070', 'Manufacturer', 'LO', 'SERIES', 'stored'],
  ['00081090', 'ManufacturerModelName', 'LO', 'SERIES', 'stored'],
  ['00081050', 'PerformingPhysicianName', 'PN', 'SERIES', 'stored', 'multi'],
  ['00081070', 'OperatorsName', 'PN', 'SERIES', 'stored', 'multi'],
  ['00201209', 'NumberOfSeriesRelatedInstances', 'IS', 'SERIES', 'computed'],
  // IMAGE (Table C.6-4 / C.6-7)
  ['00200013', 'InstanceNumber', 'IS', 'IMAGE', 'stored'],
  ['00080018', 'SOPInstanceUID', 'UI', 'IMAGE', 'stored', 'unique'],
  ['00080016', 'SOPClassUID', 'UI', 'IMAGE', 'stored'],
  ['00080008', 'ImageType', 'CS', 'IMAGE', 'stored', 'multi'],
  ['00080023', 'ContentDate', 'DA', 'IMAGE', 'stored'],
  ['00080033', 'ContentTime', 'TM', 'IMAGE', 'stored'],
  ['00080022', 'AcquisitionDate', 'DA', 'IMAGE', 'stored'],
  ['00080032', 'AcquisitionTime', 'TM', 'IMAGE', 'stored'],
  ['0008002A', 'AcquisitionDateTime', 'DT', 'IMAGE', 'stored'],
  ['00200012', 'AcquisitionNumber', 'IS', 'IMAGE', 'stored'],
  ['00280008', 'NumberOfFrames', 'IS', 'IMAGE', 'stored'],
  ['00280010', 'Rows', 'US', 'IMAGE', 'stored'],
  ['00280011', 'Columns', 'US', 'IMAGE', 'stored'],
  ['00083002', 'AvailableTransferSyntaxUID', 'UI', 'IMAGE', 'computed'],
  // Any level, per response (PS3.4 C.4.1.1.3.2, C.6.1.1.5)
  ['00080005', 'SpecificCharacterSet', 'CS', null, 'response', 'multi'],
  ['00080052', 'QueryRetrieveLevel', 'CS', null, 'response'],
  ['00080054', 'RetrieveAETitle', 'AE', null, 'response', 'multi'],
  ['00080056', 'InstanceAvailability', 'CS', null, 'response'],
];

export const ATTRIBUTES: readonly ArchiveAttribute[] = Object.freeze(
  ROWS.map(([tag, keyword, vr, level, source, flag]) =>
    Object.freeze({ tag, keyword, vr, level, source, multi: flag === 'multi', unique: flag === 'unique' }),
  ),
);

const BY_TAG = new Map(ATTRIBUTES.map((a) => [a.tag, a]));
const BY_KEYWORD = new Map(ATTRIBUTES.map((a) => [a.keyword, a]));

/** `GGGGEEEE` (any case) or `(gggg,eeee)` → `GGGGEEEE`; null when not a tag. */
export function normaliseTag(tag: string): string | null {
  const hex = tag.replace(/[(),\s]/g, '').toUpperCase();
  return /^[0-9A-F]{8}$/.test(hex) ? hex : null;
}

export function attributeByTag(tag: string): ArchiveAttribute | undefined {
  const t = normaliseTag(tag);
  return t === null ? undefined : BY_TAG.get(t);
}

export function attributeByKeyword(keyword: string): ArchiveAttribute | undefined {
  return BY_KEYWORD.get(keyword);
}

/** Like `attributeByKeyword` but throws: for the module's own constant look-ups. */
export function attr(keyword: string): ArchiveAttribute {
  const a = BY_KEYWORD.get(keyword);
  if (a === undefined) throw new RangeError(`not an archive attribute: ${keyword}`);
  return a;
}

/** The level an attribute belongs to in a model (Study Root folds PATIENT into STUDY). */
export function levelIn(model: QrModel, a: ArchiveAttribute): QrLevel | null {
  if (a.level === 'PATIENT' && model === 'study-root') return 'STUDY';
  return a.level;
}

/** Unique key of each level (PS3.4 C.6.1.1 / C.6.2.1). */
export const UNIQUE_KEY: Readonly<Record<QrLevel, ArchiveAttribute>> = {
  PATIENT: attr('PatientID'),
  STUDY: attr('StudyInstanceUID'),
  SERIES: attr('SeriesInstanceUID'),
  IMAGE: attr('SOPInstanceUID'),
};

export function levelRank(level: QrLevel): number {
  return LEVELS.indexOf(level);
}

/** Attributes stored in a level's table, in column order. */
export function storedAttributes(level: QrLevel): readonly ArchiveAttribute[] {
  return ATTRIBUTES.filter((a) => a.level === level && a.source === 'stored');
}

/** Tags the file reader must collect: every stored attribute plus the character set. */
export const READ_TAGS: ReadonlySet<string> = new Set([...ATTRIBUTES.filter((a) => a.source === 'stored').map((a) => a.tag), '00080005']);

/** VRs whose text depends on the Specific Character Set (PS3.5 §6.1.2.3). */
export const CHARSET_VRS: ReadonlySet<string> = new Set(['SH', 'LO', 'ST', 'LT', 'PN', 'UC', 'UT']);

/** VRs where leading spaces are significant and only trailing padding is removed (PS3.5 Table 6.2-1). */
export const TEXT_BLOCK_VRS: ReadonlySet<string> = new Set(['ST', 'LT', 'UT', 'UC', 'UR']);
