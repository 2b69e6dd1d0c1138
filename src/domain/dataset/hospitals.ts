/**
 * Danish public hospitals with imaging departments (real names and street addresses, grouped by region;
 * each region runs one shared PACS for its hospitals). `code` is the accession-number prefix and the
 * start of station names.
 */
import type { RegionCode } from './danishPlaces.ts';

export interface Hospital {
  readonly code: string;
  readonly name: string;
  readonly department: string;
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
  readonly region: RegionCode;
  /** Relative size (university hospitals hold most of a region's studies). */
  readonly weight: number;
}

export const HOSPITALS: readonly Hospital[] = [
  { code: 'RH', name: 'Rigshospitalet', department: 'Radiologisk Klinik', street: 'Blegdamsvej 9', postcode: '2100', city: 'København Ø', region: 'H', weight: 5 },
  { code: 'HGH', name: 'Herlev og Gentofte Hospital', department: 'Radiologisk Afdeling', street: 'Borgmester Ib Juuls Vej 1', postcode: '2730', city: 'Herlev', region: 'H', weight: 4 },
  { code: 'HVH', name: 'Hvidovre Hospital', department: 'Radiologisk Afdeling', street: 'Kettegård Allé 30', postcode: '2650', city: 'Hvidovre', region: 'H', weight: 3 },
  { code: 'BBH', name: 'Bispebjerg Hospital', department: 'Radiologisk Afdeling', street: 'Bispebjerg Bakke 23', postcode: '2400', city: 'København NV', region: 'H', weight: 2 },
  { code: 'NOH', name: 'Nordsjællands Hospital', department: 'Billeddiagnostisk Afdeling', street: 'Dyrehavevej 29', postcode: '3400', city: 'Hillerød', region: 'H', weight: 2 },
  { code: 'SUH', name: 'Sjællands Universitetshospital Roskilde', department: 'Billeddiagnostisk Afdeling', street: 'Sygehusvej 10', postcode: '4000', city: 'Roskilde', region: 'SJ', weight: 4 },
  { code: 'HOL', name: 'Holbæk Sygehus', department: 'Radiologisk Afdeling', street: 'Smedelundsgade 60', postcode: '4300', city: 'Holbæk', region: 'SJ', weight: 2 },
  { code: 'NAE', name: 'Næstved Sygehus', department: 'Radiologisk Afdeling', street: 'Ringstedgade 61', postcode: '4700', city: 'Næstved', region: 'SJ', weight: 2 },
  { code: 'NYK', name: 'Nykøbing F. Sygehus', department: 'Radiologisk Afdeling', street: 'Fjordvej 15', postcode: '4800', city: 'Nykøbing F', region: 'SJ', weight: 1 },
  { code: 'OUH', name: 'Odense Universitetshospital', department: 'Radiologisk Afdeling', street: 'J. B. Winsløws Vej 4', postcode: '5000', city: 'Odense C', region: 'SD', weight: 5 },
  { code: 'SLB', name: 'Sygehus Lillebælt Vejle', department: 'Radiologisk Afdeling', street: 'Beriderbakken 4', postcode: '7100', city: 'Vejle', region: 'SD', weight: 3 },
  { code: 'SVS', name: 'Sydvestjysk Sygehus Esbjerg', department: 'Radiologisk Afdeling', street: 'Finsensgade 35', postcode: '6700', city: 'Esbjerg', region: 'SD', weight: 2 },
  { code: 'SHS', name: 'Sygehus Sønderjylland Aabenraa', department: 'Radiologisk Afdeling', street: 'Kresten Philipsens Vej 15', postcode: '6200', city: 'Aabenraa', region: 'SD', weight: 2 },
  { code: 'AUH', name: 'Aarhus Universitetshospital', department: 'Billeddiagnostisk Afdeling', street: 'Palle Juul-Jensens Boulevard 99', postcode: '8200', city: 'Aarhus N', region: 'MJ', weight: 5 },
  { code: 'RHV', name: 'Regionshospitalet Viborg', department: 'Billeddiagnostisk Afdeling', street: 'Heibergs Allé 4', postcode: '8800', city: 'Viborg', region: 'MJ', weight: 2 },
  { code: 'GOD', name: 'Regionshospitalet Gødstrup', department: 'Billeddiagnostisk Afdeling', street: 'Hospitalsparken 15', postcode: '7400', city: 'Herning', region: 'MJ', weight: 3 },
  { code: 'RHR', name: 'Regionshospitalet Randers', department: 'Billeddiagnostisk Afdeling', street: 'Skovlyvej 15', postcode: '8930', city: 'Randers NØ', region: 'MJ', weight: 2 },
  { code: 'RHH', name: 'Regionshospitalet Horsens', department: 'Billeddiagnostisk Afdeling', street: 'Sundvej 30', postcode: '8700', city: 'Horsens', region: 'MJ', weight: 2 },
  { code: 'AAUH', name: 'Aalborg Universitetshospital', department: 'Radiologisk Afdeling', street: 'Hobrovej 18-22', postcode: '9000', city: 'Aalborg', region: 'NJ', weight: 5 },
  { code: 'RHN', name: 'Regionshospital Nordjylland Hjørring', department: 'Radiologisk Afdeling', street: 'Bispensgade 37', postcode: '9800', city: 'Hjørring', region: 'NJ', weight: 2 },
  { code: 'THY', name: 'Sygehus Thy-Mors', department: 'Radiologisk Afdeling', street: 'Højtoftevej 2', postcode: '7700', city: 'Thisted', region: 'NJ', weight: 1 },
];

export function hospitalsInRegion(region: RegionCode): Hospital[] {
  return HOSPITALS.filter((h) => h.region === region);
}

export function hospitalByCode(code: string): Hospital | undefined {
  return HOSPITALS.find((h) => h.code === code.toUpperCase());
}

/** One line for InstitutionAddress, e.g. "Blegdamsvej 9, 2100 København Ø". */
export function hospitalAddress(h: Hospital): string {
  return `${h.street}, ${h.postcode} ${h.city}`;
}
