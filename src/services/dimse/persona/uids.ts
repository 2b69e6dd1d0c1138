/** Well-known UIDs the personas and services refer to (PS3.6 Annex A). */
export const AppContext = { DICOM: '1.2.840.10008.3.1.1.1' } as const;

export const TS = {
  ImplicitLE: '1.2.840.10008.1.2',
  ExplicitLE: '1.2.840.10008.1.2.1',
  DeflatedExplicitLE: '1.2.840.10008.1.2.1.99',
  ExplicitBE: '1.2.840.10008.1.2.2',
  JpegBaseline: '1.2.840.10008.1.2.4.50',
  JpegExtended: '1.2.840.10008.1.2.4.51',
  JpegLossless: '1.2.840.10008.1.2.4.57',
  JpegLosslessSV1: '1.2.840.10008.1.2.4.70',
  JpegLsLossless: '1.2.840.10008.1.2.4.80',
  JpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  Jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  Jpeg2000: '1.2.840.10008.1.2.4.91',
  Rle: '1.2.840.10008.1.2.5',
} as const;

export const SopClass = {
  Verification: '1.2.840.10008.1.1',
  PatientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  PatientRootMove: '1.2.840.10008.5.1.4.1.2.1.2',
  PatientRootGet: '1.2.840.10008.5.1.4.1.2.1.3',
  StudyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  StudyRootMove: '1.2.840.10008.5.1.4.1.2.2.2',
  StudyRootGet: '1.2.840.10008.5.1.4.1.2.2.3',
  PatientStudyOnlyFind: '1.2.840.10008.5.1.4.1.2.3.1',
  PatientStudyOnlyMove: '1.2.840.10008.5.1.4.1.2.3.2',
  PatientStudyOnlyGet: '1.2.840.10008.5.1.4.1.2.3.3',
} as const;

/** Query/Retrieve information models by SOP class (for the services and the events' `model`). */
export const QR_MODELS: Readonly<Record<string, { model: 'patient-root' | 'study-root' | 'patient-study-only'; op: 'find' | 'move' | 'get' }>> = {
  [SopClass.PatientRootFind]: { model: 'patient-root', op: 'find' },
  [SopClass.PatientRootMove]: { model: 'patient-root', op: 'move' },
  [SopClass.PatientRootGet]: { model: 'patient-root', op: 'get' },
  [SopClass.StudyRootFind]: { model: 'study-root', op: 'find' },
  [SopClass.StudyRootMove]: { model: 'study-root', op: 'move' },
  [SopClass.StudyRootGet]: { model: 'study-root', op: 'get' },
  [SopClass.PatientStudyOnlyFind]: { model: 'patient-study-only', op: 'find' },
  [SopClass.PatientStudyOnlyMove]: { model: 'patient-study-only', op: 'move' },
  [SopClass.PatientStudyOnlyGet]: { model: 'patient-study-only', op: 'get' },
};
