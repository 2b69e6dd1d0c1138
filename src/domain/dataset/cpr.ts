/**
 * Danish CPR numbers ("personnummer"): DDMMYY-SSSS.
 *
 * - DDMMYY is the birth date.
 * - The 7th digit (first of SSSS) fixes the century together with YY, per the CPR office's table:
 *
 *     7th digit | YY 00–36 | YY 37–57 | YY 58–99
 *     0–3       | 1900s    | 1900s    | 1900s
 *     4, 9      | 2000s    | 1900s    | 1900s
 *     5–8       | 2000s    | 2000s    | 1800s
 *
 * - The last digit is odd for men and even for women.
 * - Modulus 11 (weights 4 3 2 7 6 5 4 3 2 1, sum ≡ 0 mod 11) held for every number issued before
 *   1 October 2007; since then the CPR office also issues numbers that fail it.
 *
 * Generation choice: numbers for people born before 2007-10-01 satisfy modulus 11 (as nearly all real
 * numbers of that population do); later birth dates get numbers that may or may not satisfy it, as real
 * ones do. The validator therefore never requires modulus 11; it reports it.
 */
import type { Rng } from './rng.ts';
import { parseDA, formatDA, daToDays } from './dicom/dates.ts';

export type Sex = 'M' | 'F';

export interface CprInfo {
  /** Normalised form "DDMMYY-SSSS". */
  readonly cpr: string;
  /** Birth date as DICOM DA (YYYYMMDD). */
  readonly birthDate: string;
  readonly sex: Sex;
  /** Whether the number satisfies the (pre-2007) modulus-11 check. */
  readonly mod11: boolean;
}

const MOD11_WEIGHTS = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1] as const;
const MOD11_REQUIRED_BEFORE = daToDays('20071001');

/** The full year a CPR date belongs to, from its YY and 7th digit. */
export function cprYear(yy: number, seventhDigit: number): number {
  if (seventhDigit <= 3) return 1900 + yy;
  if (seventhDigit === 4 || seventhDigit === 9) return yy <= 36 ? 2000 + yy : 1900 + yy;
  if (yy <= 57) return 2000 + yy;
  return 1800 + yy;
}

/** The 7th digits that encode `year` (empty when the CPR system cannot express it). */
export function seventhDigitsFor(year: number): number[] {
  const yy = year % 100;
  return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((d) => cprYear(yy, d) === year);
}

export function satisfiesMod11(tenDigits: string): boolean {
  if (!/^\d{10}$/.test(tenDigits)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += Number(tenDigits[i]) * (MOD11_WEIGHTS[i] as number);
  return sum % 11 === 0;
}

/** Parses "DDMMYY-SSSS" or "DDMMYYSSSS"; undefined unless the date exists and the century rule resolves it. */
export function parseCpr(value: string): CprInfo | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})-?(\d{4})$/.exec(value.trim());
  if (!m) return undefined;
  const [, dd, mm, yy, seq] = m as unknown as [string, string, string, string, string];
  const year = cprYear(Number(yy), Number(seq[0]));
  const birthDate = `${year}${mm}${dd}`;
  if (!parseDA(birthDate)) return undefined;
  const digits = `${dd}${mm}${yy}${seq}`;
  return {
    cpr: `${dd}${mm}${yy}-${seq}`,
    birthDate,
    sex: Number(seq[3]) % 2 === 1 ? 'M' : 'F',
    mod11: satisfiesMod11(digits),
  };
}

export function isValidCpr(value: string): boolean {
  return parseCpr(value) !== undefined;
}

/** The ten digits without the hyphen, as Danish RIS/PACS store it in PatientID. */
export function cprDigits(cpr: string): string {
  return cpr.replace('-', '');
}

/**
 * A CPR number for the given birth date (DA) and sex. Deterministic for a given rng state.
 * Throws when the birth year is outside 1858–2057 (the range the century table can express).
 */
export function generateCpr(rng: Rng, birthDate: string, sex: Sex): string {
  const p = parseDA(birthDate);
  if (!p) throw new RangeError(`generateCpr: invalid birth date ${birthDate}`);
  const sevenths = seventhDigitsFor(p.year);
  if (sevenths.length === 0) throw new RangeError(`generateCpr: year ${p.year} cannot be expressed in a CPR number`);
  const date = `${pad2(p.day)}${pad2(p.month)}${pad2(p.year % 100)}`;
  const needMod11 = daToDays(formatDA(p)) < MOD11_REQUIRED_BEFORE;
  // Real 20th-century numbers overwhelmingly use 0–3; 4/9 occur for 1937–1999 but rarely.
  const preferred = p.year < 2000 ? sevenths.filter((d) => d <= 3) : sevenths;
  for (let attempt = 0; attempt < 1000; attempt++) {
    const pool = preferred.length > 0 && rng.chance(0.96) ? preferred : sevenths;
    const seventh = rng.pick(pool);
    const middle = `${seventh}${rng.digits(2)}`;
    if (needMod11) {
      const partial = `${date}${middle}`;
      let sum = 0;
      for (let i = 0; i < 9; i++) sum += Number(partial[i]) * (MOD11_WEIGHTS[i] as number);
      const check = (11 - (sum % 11)) % 11;
      if (check === 10 || check % 2 !== (sex === 'M' ? 1 : 0)) continue;
      return `${date}-${middle}${check}`;
    }
    const last = rng.int(0, 4) * 2 + (sex === 'M' ? 1 : 0);
    return `${date}-${middle}${last}`;
  }
  throw new Error('generateCpr: no sequence number found'); // unreachable in practice (~4/11 of draws succeed)
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
