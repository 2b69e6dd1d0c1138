/**
 * One Danish identity and one date offset per source patient, for re-identifying imported data.
 *
 * Both are pure functions of (install secret, source patient key, the patient's source date span,
 * reference date): every file of a patient gets the same person, and every date of that patient moves by
 * the same number of days, so intervals between studies survive. The span is the earliest and latest
 * source study date the registry was told about with `noteStudy` (a first pass over the import); without
 * that pass the first date seen anchors the patient, which is stable for one import run.
 *
 * Placement: the patient's latest source study lands between 14 days and 3 years before the reference
 * date. The birth date is the shifted source birth date when there is one, otherwise derived from the
 * source PatientAge, otherwise an adult age; the CPR number is built from it.
 */
import type { Secret } from './rng.ts';
import { Rng, deriveKey } from './rng.ts';
import type { Sex } from './cpr.ts';
import type { PatientIdentity } from './identity.ts';
import { createPatient } from './identity.ts';
import type { Site } from './site.ts';
import { isValidDA, daToDays, daysToDA, ageStringToDays, parseDA } from './dicom/dates.ts';

export interface SourcePatientFacts {
  /** Source PatientID (or another stable key for the source patient). */
  readonly key: string;
  /** Source study date (DA) of the file being re-identified, if any. */
  readonly studyDate?: string;
  readonly birthDate?: string;
  /** Source PatientAge (AS). */
  readonly age?: string;
  readonly sex?: string;
}

export interface ResolvedPatient {
  readonly identity: PatientIdentity;
  /** Days added to every source date of this patient. */
  readonly dayOffset: number;
  /** Study date (DA) for files of this patient that carry no date at all. */
  readonly fallbackStudyDate: string;
}

const MIN_BIRTH = daToDays('18900101');

export class PatientRegistry {
  readonly #secret: Secret;
  readonly #site: Site;
  readonly #referenceDays: number;
  readonly #spans = new Map<string, { min: number; max: number }>();
  readonly #resolved = new Map<string, ResolvedPatient>();

  constructor(installSecret: Secret, site: Site, referenceDate: string) {
    this.#secret = installSecret;
    this.#site = site;
    this.#referenceDays = daToDays(referenceDate);
  }

  /** First pass: records a source study date of a patient (before any `resolve` of that patient). */
  noteStudy(key: string, studyDate: string): void {
    if (!isValidDA(studyDate)) return;
    const d = daToDays(studyDate);
    const span = this.#spans.get(key);
    if (span) {
      span.min = Math.min(span.min, d);
      span.max = Math.max(span.max, d);
    } else this.#spans.set(key, { min: d, max: d });
  }

  resolve(facts: SourcePatientFacts): ResolvedPatient {
    const known = this.#resolved.get(facts.key);
    if (known) return known;
    const rng = new Rng(deriveKey(this.#secret, 'dicomhawk/import-patient/v1', facts.key));
    const seen = facts.studyDate !== undefined && isValidDA(facts.studyDate) ? daToDays(facts.studyDate) : undefined;
    const span = this.#spans.get(facts.key) ?? (seen !== undefined ? { min: seen, max: seen } : undefined);
    const targetLatest = this.#referenceDays - rng.fork('placement').int(14, 3 * 365);
    const dayOffset = span ? targetLatest - span.max : 0;
    const anchorStudy = seen !== undefined ? seen + dayOffset : targetLatest;
    const earliestStudy = span ? span.min + dayOffset : anchorStudy;

    let birthDays: number | undefined;
    if (facts.birthDate !== undefined && isValidDA(facts.birthDate)) birthDays = daToDays(facts.birthDate) + dayOffset;
    else if (facts.age !== undefined) {
      const ageDays = ageStringToDays(facts.age);
      if (ageDays !== undefined) birthDays = anchorStudy - ageDays - rng.fork('birthday').int(0, /Y$/.test(facts.age.trim()) ? 364 : 6);
    }
    if (birthDays === undefined || birthDays >= earliestStudy) {
      birthDays = earliestStudy - rng.fork('age').int(30 * 365, 85 * 365);
    }
    birthDays = Math.max(birthDays, MIN_BIRTH);
    const birthDate = daysToDA(birthDays);
    if (!parseDA(birthDate)) throw new RangeError(`bad derived birth date for ${facts.key}`);

    const sex: Sex = facts.sex === 'M' || facts.sex === 'F' ? facts.sex : rng.fork('sex').chance(0.5) ? 'M' : 'F';
    const identity = createPatient(rng.fork('identity'), { region: this.#site.region, sex, birthDate });
    const resolved = { identity, dayOffset, fallbackStudyDate: daysToDA(targetLatest) };
    this.#resolved.set(facts.key, resolved);
    return resolved;
  }

  /** Patients resolved so far (source key → identity). */
  entries(): [string, ResolvedPatient][] {
    return [...this.#resolved.entries()];
  }
}
