/**
 * A compact data dictionary (PS3.6 §6, "Registry of DICOM Data Elements") covering what Query/Retrieve
 * identifiers use — PS3.4 Annex C.6 (Patient Root and Study Root key tables C.6-1 ff.) — plus the few
 * attributes a walker or a C-STORE summary needs. Tag → keyword and VR. Anything else is looked up as
 * unknown; group lengths (gggg,0000) are UL and private creators (odd group, 0010-00FF) are LO.
 */

export interface DictionaryEntry {
  readonly tag: number;
  readonly keyword: string;
  readonly vr: string;
}

/** [group, element, keyword, VR] rows, PS3.6 Table 6-1. */
const ROWS: readonly (readonly [number, number, string, string])[] = [
  [0x0002, 0x0010, 'TransferSyntaxUID', 'UI'],
  [0x0008, 0x0005, 'SpecificCharacterSet', 'CS'],
  [0x0008, 0x0008, 'ImageType', 'CS'],
  [0x0008, 0x0012, 'InstanceCreationDate', 'DA'],
  [0x0008, 0x0013, 'InstanceCreationTime', 'TM'],
  [0x0008, 0x0016, 'SOPClassUID', 'UI'],
  [0x0008, 0x0018, 'SOPInstanceUID', 'UI'],
  [0x0008, 0x0020, 'StudyDate', 'DA'],
  [0x0008, 0x0021, 'SeriesDate', 'DA'],
  [0x0008, 0x0022, 'AcquisitionDate', 'DA'],
  [0x0008, 0x0023, 'ContentDate', 'DA'],
  [0x0008, 0x0030, 'StudyTime', 'TM'],
  [0x0008, 0x0031, 'SeriesTime', 'TM'],
  [0x0008, 0x0032, 'AcquisitionTime', 'TM'],
  [0x0008, 0x0033, 'ContentTime', 'TM'],
  [0x0008, 0x0050, 'AccessionNumber', 'SH'],
  [0x0008, 0x0051, 'IssuerOfAccessionNumberSequence', 'SQ'],
  [0x0008, 0x0052, 'QueryRetrieveLevel', 'CS'],
  [0x0008, 0x0054, 'RetrieveAETitle', 'AE'],
  [0x0008, 0x0056, 'InstanceAvailability', 'CS'],
  [0x0008, 0x0060, 'Modality', 'CS'],
  [0x0008, 0x0061, 'ModalitiesInStudy', 'CS'],
  [0x0008, 0x0062, 'SOPClassesInStudy', 'UI'],
  [0x0008, 0x0064, 'ConversionType', 'CS'],
  [0x0008, 0x0070, 'Manufacturer', 'LO'],
  [0x0008, 0x0080, 'InstitutionName', 'LO'],
  [0x0008, 0x0090, 'ReferringPhysicianName', 'PN'],
  [0x0008, 0x0100, 'CodeValue', 'SH'],
  [0x0008, 0x0102, 'CodingSchemeDesignator', 'SH'],
  [0x0008, 0x0104, 'CodeMeaning', 'LO'],
  [0x0008, 0x0201, 'TimezoneOffsetFromUTC', 'SH'],
  [0x0008, 0x1010, 'StationName', 'SH'],
  [0x0008, 0x1030, 'StudyDescription', 'LO'],
  [0x0008, 0x1032, 'ProcedureCodeSequence', 'SQ'],
  [0x0008, 0x103e, 'SeriesDescription', 'LO'],
  [0x0008, 0x1040, 'InstitutionalDepartmentName', 'LO'],
  [0x0008, 0x1048, 'PhysiciansOfRecord', 'PN'],
  [0x0008, 0x1050, 'PerformingPhysicianName', 'PN'],
  [0x0008, 0x1060, 'NameOfPhysiciansReadingStudy', 'PN'],
  [0x0008, 0x1070, 'OperatorsName', 'PN'],
  [0x0008, 0x1080, 'AdmittingDiagnosesDescription', 'LO'],
  [0x0008, 0x1090, 'ManufacturerModelName', 'LO'],
  [0x0008, 0x1110, 'ReferencedStudySequence', 'SQ'],
  [0x0008, 0x1111, 'ReferencedPerformedProcedureStepSequence', 'SQ'],
  [0x0008, 0x1115, 'ReferencedSeriesSequence', 'SQ'],
  [0x0008, 0x1120, 'ReferencedPatientSequence', 'SQ'],
  [0x0008, 0x1150, 'ReferencedSOPClassUID', 'UI'],
  [0x0008, 0x1155, 'ReferencedSOPInstanceUID', 'UI'],
  [0x0008, 0x1199, 'ReferencedSOPSequence', 'SQ'],
  [0x0010, 0x0010, 'PatientName', 'PN'],
  [0x0010, 0x0020, 'PatientID', 'LO'],
  [0x0010, 0x0021, 'IssuerOfPatientID', 'LO'],
  [0x0010, 0x0030, 'PatientBirthDate', 'DA'],
  [0x0010, 0x0032, 'PatientBirthTime', 'TM'],
  [0x0010, 0x0040, 'PatientSex', 'CS'],
  [0x0010, 0x1000, 'OtherPatientIDs', 'LO'],
  [0x0010, 0x1001, 'OtherPatientNames', 'PN'],
  [0x0010, 0x1002, 'OtherPatientIDsSequence', 'SQ'],
  [0x0010, 0x1010, 'PatientAge', 'AS'],
  [0x0010, 0x1020, 'PatientSize', 'DS'],
  [0x0010, 0x1030, 'PatientWeight', 'DS'],
  [0x0010, 0x1040, 'PatientAddress', 'LO'],
  [0x0010, 0x2154, 'PatientTelephoneNumbers', 'SH'],
  [0x0010, 0x2160, 'EthnicGroup', 'SH'],
  [0x0010, 0x4000, 'PatientComments', 'LT'],
  [0x0018, 0x0015, 'BodyPartExamined', 'CS'],
  [0x0018, 0x0050, 'SliceThickness', 'DS'],
  [0x0018, 0x1030, 'ProtocolName', 'LO'],
  [0x0020, 0x000d, 'StudyInstanceUID', 'UI'],
  [0x0020, 0x000e, 'SeriesInstanceUID', 'UI'],
  [0x0020, 0x0010, 'StudyID', 'SH'],
  [0x0020, 0x0011, 'SeriesNumber', 'IS'],
  [0x0020, 0x0012, 'AcquisitionNumber', 'IS'],
  [0x0020, 0x0013, 'InstanceNumber', 'IS'],
  [0x0020, 0x1002, 'ImagesInAcquisition', 'IS'],
  [0x0020, 0x1200, 'NumberOfPatientRelatedStudies', 'IS'],
  [0x0020, 0x1202, 'NumberOfPatientRelatedSeries', 'IS'],
  [0x0020, 0x1204, 'NumberOfPatientRelatedInstances', 'IS'],
  [0x0020, 0x1206, 'NumberOfStudyRelatedSeries', 'IS'],
  [0x0020, 0x1208, 'NumberOfStudyRelatedInstances', 'IS'],
  [0x0020, 0x1209, 'NumberOfSeriesRelatedInstances', 'IS'],
  [0x0028, 0x0002, 'SamplesPerPixel', 'US'],
  [0x0028, 0x0004, 'PhotometricInterpretation', 'CS'],
  [0x0028, 0x0008, 'NumberOfFrames', 'IS'],
  [0x0028, 0x0010, 'Rows', 'US'],
  [0x0028, 0x0011, 'Columns', 'US'],
  [0x0028, 0x0100, 'BitsAllocated', 'US'],
  [0x0032, 0x1032, 'RequestingPhysician', 'PN'],
  [0x0032, 0x1060, 'RequestedProcedureDescription', 'LO'],
  [0x0040, 0x0244, 'PerformedProcedureStepStartDate', 'DA'],
  [0x0040, 0x0245, 'PerformedProcedureStepStartTime', 'TM'],
  [0x0040, 0x0275, 'RequestAttributesSequence', 'SQ'],
  [0x0088, 0x0130, 'StorageMediaFileSetID', 'SH'],
  [0x0088, 0x0140, 'StorageMediaFileSetUID', 'UI'],
  [0x7fe0, 0x0010, 'PixelData', 'OW'],
];

const BY_TAG: ReadonlyMap<number, DictionaryEntry> = new Map(
  ROWS.map(([g, e, keyword, vr]) => {
    const tag = ((g << 16) | e) >>> 0;
    return [tag, Object.freeze({ tag, keyword, vr })];
  }),
);
const BY_KEYWORD: ReadonlyMap<string, DictionaryEntry> = new Map([...BY_TAG.values()].map((e) => [e.keyword, e]));

/** Every entry, ascending by tag. */
export const DICTIONARY: readonly DictionaryEntry[] = Object.freeze([...BY_TAG.values()].sort((a, b) => a.tag - b.tag));

export function tagNumber(group: number, element: number): number {
  return ((group << 16) | element) >>> 0;
}

/** `GGGGEEEE`, upper-case hex. */
export function tagString(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

/** Accepts `GGGGEEEE`, `(gggg,eeee)` or `gggg,eeee`; null when not a tag. */
export function parseTag(text: string): number | null {
  const m = /^\(?([0-9a-fA-F]{4}),?([0-9a-fA-F]{4})\)?$/.exec(text.trim());
  if (m === null) return null;
  return tagNumber(parseInt(m[1] as string, 16), parseInt(m[2] as string, 16));
}

export function lookupTag(tag: number): DictionaryEntry | undefined {
  const hit = BY_TAG.get(tag);
  if (hit !== undefined) return hit;
  const group = tag >>> 16;
  const element = tag & 0xffff;
  if (element === 0x0000) return { tag, keyword: 'GroupLength', vr: 'UL' };
  if (group % 2 === 1 && element >= 0x0010 && element <= 0x00ff) return { tag, keyword: 'PrivateCreator', vr: 'LO' };
  return undefined;
}

export function lookupKeyword(keyword: string): DictionaryEntry | undefined {
  return BY_KEYWORD.get(keyword);
}
