/**
 * What a modality generator receives for one study, and what it yields: datasets in dict form, one per
 * instance, already carrying every module a viewer needs.
 */
import type { Rng } from '../rng.ts';
import type { UidFactory } from '../uids.ts';
import type { PatientIdentity } from '../identity.ts';
import type { Scanner, Site, SiteHospital } from '../site.ts';
import type { SynthModality } from '../equipment.ts';
import type { DicomDataset } from '../dicom/dataset.ts';

export interface StudyContext {
  /** Randomness for this study (forked from the archive's root by patient and study index). */
  readonly rng: Rng;
  /** Randomness tied to the patient (same body in every study of this patient). */
  readonly patientRng: Rng;
  readonly uids: UidFactory;
  /** Path prefix for this study's UIDs (patient and study index). */
  readonly uidPath: readonly (string | number)[];
  readonly site: Site;
  readonly hospital: SiteHospital;
  readonly scanner: Scanner;
  readonly patient: PatientIdentity;
  readonly modality: SynthModality;
  /** DA. */
  readonly studyDate: string;
  /** Seconds after midnight when the study starts. */
  readonly startSeconds: number;
  readonly studyUid: string;
  readonly accession: string;
  readonly studyId: string;
  /** PN strings. */
  readonly referring: string;
  readonly reader: string;
  readonly operator: string;
  /** Size factor of matrices and slice counts (1 = clinical size). */
  readonly scale: number;
}

export type StudyGenerator = (ctx: StudyContext) => Iterable<DicomDataset>;

/** Matrix size for a clinical size at the given scale (even, clamped). */
export function scaled(full: number, scale: number, min: number): number {
  const n = Math.round((full * scale) / 2) * 2;
  return Math.max(min, Math.min(full, n));
}

/** Count scaled by `scale`, at least `min`. */
export function scaledCount(full: number, scale: number, min: number): number {
  return Math.max(min, Math.min(full, Math.round(full * scale)));
}
