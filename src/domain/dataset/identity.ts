/**
 * Danish people for the decoy archive: patients (CPR, name, birth date, sex, address, phone) and staff
 * (referring physicians, radiologists, radiographers).
 *
 * DICOM Person Name choice: `Family^Given` where "Given" carries every given name and the Danish middle
 * name (mellemnavn) in the order Danes write them, e.g. `Jensen^Anne Marie Bach` — the way the CPR
 * register and Danish RIS hand names to a PACS. Staff names are plain `Family^Given` (Danish RIS does not
 * add a title component).
 */
import type { Rng } from './rng.ts';
import type { Sex } from './cpr.ts';
import { generateCpr, cprDigits } from './cpr.ts';
import type { RegionCode } from './danishPlaces.ts';
import { POSTCODES, STREET_NAMES, PHONE_PREFIXES_MOBILE, PHONE_PREFIXES_LANDLINE } from './danishPlaces.ts';
import {
  COMMON_SURNAMES, SURNAMES, MODERN_MALE, MODERN_FEMALE, CLASSIC_MALE, CLASSIC_FEMALE, SECOND_GIVEN_MALE,
  SECOND_GIVEN_FEMALE, MIDDLE_NAMES,
} from './danishNames.ts';
import { parseDA, formatDA, daToDays, daysToDA } from './dicom/dates.ts';

export interface PersonName {
  readonly family: string;
  /** Given names and, Danish style, the middle name: "Anne Marie Bach". */
  readonly given: string;
}

export interface DanishAddress {
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
}

export interface PatientIdentity {
  /** "DDMMYY-SSSS". */
  readonly cpr: string;
  /** The CPR's ten digits, as Danish PACS store PatientID. */
  readonly patientId: string;
  readonly name: PersonName;
  readonly sex: Sex;
  /** DICOM DA. */
  readonly birthDate: string;
  readonly address: DanishAddress;
  /** "+45 12345678". */
  readonly phone: string;
  /** Height in metres and weight in kilograms (Patient Study module). */
  readonly heightM: number;
  readonly weightKg: number;
}

export interface PatientOptions {
  readonly region: RegionCode;
  readonly sex?: Sex;
  /** Exact birth date (DA); otherwise drawn from `birthYears`. */
  readonly birthDate?: string;
  /** Inclusive range of birth years; default 1932–2004. */
  readonly birthYears?: readonly [number, number];
}

/** DICOM PN for a person: "Family^Given" (trailing empty components dropped). */
export function toPN(name: PersonName): string {
  return `${name.family}^${name.given}`.replace(/\^+$/, '');
}

export function createPersonName(rng: Rng, sex: Sex, birthYear = 1975): PersonName {
  const classic = birthYear < 1965 ? 0.7 : birthYear < 1985 ? 0.35 : 0.1;
  const pool = rng.chance(classic) ? (sex === 'M' ? CLASSIC_MALE : CLASSIC_FEMALE) : sex === 'M' ? MODERN_MALE : MODERN_FEMALE;
  const givenNames = [rng.pick(pool)];
  if (rng.chance(0.25)) {
    const second = rng.pick(sex === 'M' ? SECOND_GIVEN_MALE : SECOND_GIVEN_FEMALE);
    if (second !== givenNames[0]) givenNames.push(second);
  }
  let family = rng.chance(0.5) ? rng.pick(COMMON_SURNAMES) : rng.pick(SURNAMES);
  if (rng.chance(0.04)) {
    const other = rng.pick(SURNAMES);
    if (other !== family) family = `${family}-${other}`;
  }
  if (rng.chance(0.3)) {
    const middle = rng.pick(MIDDLE_NAMES);
    if (middle !== family) givenNames.push(middle);
  }
  return { family, given: givenNames.join(' ') };
}

export function createAddress(rng: Rng, region: RegionCode): DanishAddress {
  const [postcode, city] = rng.pick(POSTCODES[region]);
  const number = rng.weighted<string>([
    [String(rng.int(1, 60)), 6],
    [`${rng.int(1, 40)}${rng.pick(['A', 'B', 'C'])}`, 1],
  ]);
  const floor = rng.chance(0.4) ? `, ${rng.pick(['st.', '1.', '2.', '3.', '4.'])} ${rng.pick(['tv.', 'th.', 'mf.'])}` : '';
  return { street: `${rng.pick(STREET_NAMES)} ${number}${floor}`, postcode, city };
}

/** PatientAddress (LO, ≤ 64 characters): "Egevej 12, 2. th., 8000 Aarhus C". */
export function formatAddress(a: DanishAddress): string {
  return `${a.street}, ${a.postcode} ${a.city}`.slice(0, 64);
}

export function createPhone(rng: Rng, region: RegionCode): string {
  const prefix = rng.chance(0.75) ? rng.pick(PHONE_PREFIXES_MOBILE) : rng.pick(PHONE_PREFIXES_LANDLINE[region]);
  return `+45 ${prefix}${rng.digits(6)}`;
}

export function createPatient(rng: Rng, options: PatientOptions): PatientIdentity {
  const sex: Sex = options.sex ?? (rng.chance(0.5) ? 'M' : 'F');
  let birthDate = options.birthDate;
  if (birthDate === undefined) {
    const [from, to] = options.birthYears ?? [1932, 2004];
    const start = daToDays(`${from}0101`);
    const end = daToDays(`${to}1231`);
    birthDate = daysToDA(rng.int(start, end));
  }
  const parts = parseDA(birthDate);
  if (!parts) throw new RangeError(`createPatient: invalid birth date ${birthDate}`);
  const cpr = generateCpr(rng.fork('cpr'), formatDA(parts), sex);
  const name = createPersonName(rng.fork('name'), sex, parts.year);
  const body = rng.fork('body');
  const heightM = round2(sex === 'M' ? body.normal(1.8, 0.07) : body.normal(1.67, 0.06));
  const bmi = Math.min(Math.max(body.normal(26, 4), 17), 42);
  return {
    cpr,
    patientId: cprDigits(cpr),
    name,
    sex,
    birthDate: formatDA(parts),
    address: createAddress(rng.fork('address'), options.region),
    phone: createPhone(rng.fork('phone'), options.region),
    heightM,
    weightKg: Math.round(bmi * heightM * heightM),
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
