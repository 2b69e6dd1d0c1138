/**
 * The installation's hospital: one Danish region's shared PACS with two or three of its hospitals, their
 * scanners, station names, staff, and one accession-number format. Everything here is derived from the
 * install secret alone, so re-seeding the archive keeps the same hospital while another installation
 * pretends to be somebody else.
 *
 * Numbering (one format for the whole installation):
 *   AccessionNumber = hospital code + 2-digit year + 6 digits, e.g. "RH24018342" (SH ≤ 16)
 *   StudyID         = 5 to 6 digits, as the modality's local counter, e.g. "48213"
 *   StationName     = hospital code + modality + 2 digits, e.g. "AUHCT02"; the AE title is the same.
 */
import type { Secret } from './rng.ts';
import { Rng, deriveKey } from './rng.ts';
import type { RegionCode } from './danishPlaces.ts';
import type { Hospital } from './hospitals.ts';
import { HOSPITALS, hospitalsInRegion, hospitalByCode } from './hospitals.ts';
import type { ScannerModel, SynthModality } from './equipment.ts';
import { modelsFor } from './equipment.ts';
import type { PersonName } from './identity.ts';
import { createPersonName } from './identity.ts';

export interface Scanner {
  readonly model: ScannerModel;
  readonly stationName: string;
  readonly aeTitle: string;
  readonly serialNumber: string;
}

export interface SiteHospital {
  readonly hospital: Hospital;
  readonly scanners: Readonly<Record<SynthModality, readonly Scanner[]>>;
}

export interface Site {
  readonly region: RegionCode;
  /** The hospitals sharing this PACS, the main one first. */
  readonly hospitals: readonly SiteHospital[];
  readonly referringPhysicians: readonly PersonName[];
  readonly radiologists: readonly PersonName[];
  readonly radiographers: readonly PersonName[];
}

export interface SiteOptions {
  /** Force the main hospital (its code, e.g. "AUH"); otherwise chosen from the install secret. */
  readonly hospitalCode?: string;
}

const REGION_WEIGHTS: readonly (readonly [RegionCode, number])[] = [['H', 32], ['MJ', 23], ['SD', 21], ['SJ', 14], ['NJ', 10]];
const MODALITIES: readonly SynthModality[] = ['CT', 'MR', 'DX', 'CR', 'US'];

export function createSite(installSecret: Secret, options: SiteOptions = {}): Site {
  const rng = new Rng(deriveKey(installSecret, 'dicomhawk/site/v1'));
  let main: Hospital;
  if (options.hospitalCode !== undefined) {
    const forced = hospitalByCode(options.hospitalCode);
    if (!forced) throw new RangeError(`unknown hospital code ${options.hospitalCode}; known: ${HOSPITALS.map((h) => h.code).join(', ')}`);
    main = forced;
  } else {
    const region = rng.fork('region').weighted(REGION_WEIGHTS);
    main = rng.fork('main').weighted(hospitalsInRegion(region).map((h) => [h, h.weight] as const));
  }
  const others = rng.fork('others').shuffle(hospitalsInRegion(main.region).filter((h) => h !== main));
  const count = rng.fork('count').int(1, 2);
  const hospitals = [main, ...others.slice(0, count)].map((h) => equipHospital(rng.fork('equipment', h.code), h));
  const staff = rng.fork('staff');
  const people = (label: string, n: number): PersonName[] =>
    Array.from({ length: n }, (_, i) => {
      const r = staff.fork(label, i);
      return createPersonName(r, r.chance(0.5) ? 'M' : 'F', r.int(1955, 1992));
    });
  return {
    region: main.region,
    hospitals,
    referringPhysicians: people('referring', 40),
    radiologists: people('radiologist', 10),
    radiographers: people('radiographer', 14),
  };
}

function equipHospital(rng: Rng, hospital: Hospital): SiteHospital {
  const scanners = {} as Record<SynthModality, Scanner[]>;
  for (const modality of MODALITIES) {
    const r = rng.fork(modality);
    const n = modality === 'CR' ? 1 : hospital.weight >= 4 ? r.int(2, 3) : r.int(1, 2);
    const models = modelsFor(modality);
    // A department tends to buy from one vendor: the first draw decides, the rest follow it half the time.
    const first = r.weighted(models.map((m) => [m, m.weight] as const));
    const list: Scanner[] = [];
    for (let i = 0; i < n; i++) {
      const sameVendor = models.filter((m) => m.manufacturer === first.manufacturer);
      const model = i === 0 ? first : r.chance(0.5) ? r.pick(sameVendor) : r.weighted(models.map((m) => [m, m.weight] as const));
      const station = `${hospital.code}${modality}${String(i + 1).padStart(2, '0')}`;
      list.push({ model, stationName: station, aeTitle: station, serialNumber: serialFor(r, model) });
    }
    scanners[modality] = list;
  }
  return { hospital, scanners };
}

function serialFor(rng: Rng, model: ScannerModel): string {
  switch (model.manufacturer) {
    case 'SIEMENS':
      return String(rng.int(10000, 99999));
    case 'GE MEDICAL SYSTEMS':
    case 'GE Healthcare':
      return String(rng.int(100000, 999999));
    default:
      return `${rng.digits(2)}${rng.int(1000, 9999)}`;
  }
}

/** Accession number in the installation's one format. `studyDate` is DA. */
export function accessionNumber(hospital: Hospital, studyDate: string, rng: Rng): string {
  return `${hospital.code}${studyDate.slice(2, 4)}${rng.digits(6)}`;
}

export function studyId(rng: Rng): string {
  return String(rng.int(10000, 999999));
}
