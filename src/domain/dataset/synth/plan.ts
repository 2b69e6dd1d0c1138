/**
 * Who is scanned, where and when: patients (one Danish identity each, kept across all their studies),
 * their studies' dates and start times (working days, modality-typical hours, in the years before the
 * reference date), hospital, scanner, accession number, StudyID and staff. Pure function of the rng.
 */
import type { Rng } from '../rng.ts';
import type { PatientIdentity } from '../identity.ts';
import { createPatient, toPN } from '../identity.ts';
import type { Scanner, Site, SiteHospital } from '../site.ts';
import { accessionNumber, studyId } from '../site.ts';
import type { SynthModality } from '../equipment.ts';
import { daToDays, daysToDA, dayOfWeekDA } from '../dicom/dates.ts';

export interface PlannedStudy {
  readonly patientIndex: number;
  readonly studyIndex: number;
  readonly modality: SynthModality;
  readonly studyDate: string;
  readonly startSeconds: number;
  readonly hospital: SiteHospital;
  readonly scanner: Scanner;
  readonly accession: string;
  readonly studyId: string;
  readonly referring: string;
  readonly reader: string;
  readonly operator: string;
}

export interface PlannedPatient {
  readonly index: number;
  readonly identity: PatientIdentity;
  readonly studies: readonly PlannedStudy[];
}

export interface PlanOptions {
  readonly patients: number;
  readonly studiesPerPatient: number | readonly [number, number];
  readonly modalities: readonly SynthModality[];
  readonly referenceDate: string;
}

/** Opening hours per modality (seconds after midnight): elective imaging by day, CT into the evening. */
const HOURS: Readonly<Record<SynthModality, readonly [number, number]>> = {
  CT: [7.5 * 3600, 21 * 3600],
  MR: [7.5 * 3600, 19 * 3600],
  DX: [7.5 * 3600, 16 * 3600],
  CR: [7.5 * 3600, 16 * 3600],
  US: [8 * 3600, 15.5 * 3600],
};

export function planArchive(rng: Rng, site: Site, options: PlanOptions): PlannedPatient[] {
  if (options.modalities.length === 0) throw new RangeError('planArchive: no modalities');
  const reference = daToDays(options.referenceDate);
  const rotation = rng.fork('rotation').int(0, options.modalities.length - 1);
  const accessions = new Set<string>();
  const patients: PlannedPatient[] = [];
  let studyCounter = 0;
  for (let p = 0; p < options.patients; p++) {
    const prng = rng.fork('patient', p);
    const birthYear = prng.fork('age').weighted<readonly [number, number]>([
      [[1934, 1962], 55],
      [[1962, 1988], 35],
      [[1988, 2004], 10],
    ]);
    const birthDays = prng.fork('birth').int(daToDays(`${birthYear[0]}0101`), daToDays(`${birthYear[1]}1231`));
    const identity = createPatient(prng.fork('identity'), { region: site.region, birthDate: daysToDA(Math.min(birthDays, reference - 18 * 366)) });
    const spp = options.studiesPerPatient;
    const count = typeof spp === 'number' ? spp : prng.fork('count').int(spp[0], spp[1]);
    const home = prng.fork('home').weighted(site.hospitals.map((h) => [h, h.hospital.weight] as const));
    const dates = studyDates(prng.fork('dates'), reference, count);
    const studies: PlannedStudy[] = [];
    for (let s = 0; s < count; s++) {
      const srng = prng.fork('study', s);
      const modality = options.modalities[(studyCounter + rotation) % options.modalities.length] as SynthModality;
      studyCounter++;
      const hospital = srng.chance(0.8) ? home : srng.pick(site.hospitals);
      const scanner = srng.pick(hospital.scanners[modality]);
      const studyDate = dates[s] as string;
      const [open, close] = HOURS[modality];
      let accession = accessionNumber(hospital.hospital, studyDate, srng.fork('accession'));
      for (let i = 0; accessions.has(accession); i++) accession = accessionNumber(hospital.hospital, studyDate, srng.fork('accession', i));
      accessions.add(accession);
      studies.push({
        patientIndex: p,
        studyIndex: s,
        modality,
        studyDate,
        startSeconds: srng.int(open, close - 1800),
        hospital,
        scanner,
        accession,
        studyId: studyId(srng.fork('study-id')),
        referring: toPN(srng.pick(site.referringPhysicians)),
        reader: toPN(srng.pick(site.radiologists)),
        operator: toPN(srng.pick(site.radiographers)),
      });
    }
    patients.push({ index: p, identity, studies });
  }
  return patients;
}

/** `count` distinct working days in the four years before the reference date, ascending. */
function studyDates(rng: Rng, reference: number, count: number): string[] {
  const days = new Set<number>();
  for (let attempt = 0; days.size < count && attempt < count * 50; attempt++) {
    let d = reference - rng.int(1, 4 * 365);
    const dow = dayOfWeekDA(daysToDA(d));
    if (dow === 6 && rng.chance(0.9)) d -= 1; // Saturday → Friday
    if (dow === 0 && rng.chance(0.9)) d += 1; // Sunday → Monday
    if (d >= reference) d = reference - 1;
    days.add(d);
  }
  return [...days].sort((a, b) => a - b).map(daysToDA);
}
