/**
 * Calendar helpers for DICOM DA (YYYYMMDD), TM (HHMMSS.FFFFFF), DT and AS (age string) values.
 * All arithmetic is in whole UTC days, so no local time zone ever leaks into the dataset.
 */

const MS_PER_DAY = 86_400_000;

export interface DateParts {
  readonly year: number;
  readonly month: number; // 1–12
  readonly day: number; // 1–31
}

/** Parses a DICOM DA; returns undefined unless it is a real calendar date. */
export function parseDA(da: string): DateParts | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const t = Date.UTC(year, month - 1, day);
  const d = new Date(t);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

export function isValidDA(da: string): boolean {
  return parseDA(da) !== undefined;
}

export function formatDA(parts: DateParts): string {
  return `${String(parts.year).padStart(4, '0')}${pad2(parts.month)}${pad2(parts.day)}`;
}

/** Days since 1970-01-01 (UTC). Throws on an invalid date. */
export function daToDays(da: string): number {
  const p = parseDA(da);
  if (!p) throw new RangeError(`not a DICOM date: ${JSON.stringify(da)}`);
  return Math.round(Date.UTC(p.year, p.month - 1, p.day) / MS_PER_DAY);
}

export function daysToDA(days: number): string {
  const d = new Date(days * MS_PER_DAY);
  return formatDA({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

export function addDaysDA(da: string, days: number): string {
  return daysToDA(daToDays(da) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeekDA(da: string): number {
  return new Date(daToDays(da) * MS_PER_DAY).getUTCDay();
}

/** Today's UTC date as DA. */
export function todayDA(now: Date = new Date()): string {
  return formatDA({ year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() });
}

/** TM from seconds after midnight, e.g. 30600.25 → "083000.250000" (fractionDigits 0 gives "083000"). */
export function formatTM(secondsOfDay: number, fractionDigits = 6): string {
  const clamped = Math.min(Math.max(secondsOfDay, 0), 86_399.999_999);
  const whole = Math.floor(clamped);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = whole % 60;
  const base = `${pad2(h)}${pad2(m)}${pad2(s)}`;
  if (fractionDigits <= 0) return base;
  const frac = Math.floor((clamped - whole) * 10 ** fractionDigits);
  return `${base}.${String(frac).padStart(fractionDigits, '0')}`;
}

/**
 * Shifts the date part of a DICOM DT (YYYYMMDDHHMMSS.FFFFFF&ZZXX, any trailing precision) by whole days,
 * keeping time and offset. Values shorter than a full date (YYYY or YYYYMM) are returned unchanged.
 */
export function shiftDT(dt: string, days: number): string {
  const trimmed = dt.trim();
  if (trimmed.length < 8 || !isValidDA(trimmed.slice(0, 8))) return trimmed;
  return addDaysDA(trimmed.slice(0, 8), days) + trimmed.slice(8);
}

/** Whole years between two dates (birthday arithmetic). */
export function yearsBetween(birth: string, at: string): number {
  const b = parseDA(birth);
  const a = parseDA(at);
  if (!b || !a) throw new RangeError('yearsBetween: invalid date');
  let years = a.year - b.year;
  if (a.month < b.month || (a.month === b.month && a.day < b.day)) years -= 1;
  return years;
}

/** Whole months between two dates. */
function monthsBetween(birth: string, at: string): number {
  const b = parseDA(birth) as DateParts;
  const a = parseDA(at) as DateParts;
  let months = (a.year - b.year) * 12 + (a.month - b.month);
  if (a.day < b.day) months -= 1;
  return months;
}

/**
 * DICOM AS for the age at `at`: years from age 2 ("045Y"), months under 2 years ("018M"),
 * weeks under 2 months ("006W"), days under 2 weeks ("009D").
 */
export function ageString(birth: string, at: string): string {
  const days = daToDays(at) - daToDays(birth);
  if (days < 0) throw new RangeError(`ageString: ${at} is before birth ${birth}`);
  const years = yearsBetween(birth, at);
  if (years >= 2) return `${String(Math.min(years, 999)).padStart(3, '0')}Y`;
  const months = monthsBetween(birth, at);
  if (months >= 2) return `${String(months).padStart(3, '0')}M`;
  if (days >= 14) return `${String(Math.floor(days / 7)).padStart(3, '0')}W`;
  return `${String(days).padStart(3, '0')}D`;
}

/** Parses an AS ("045Y", "018M", "006W", "009D") to an approximate number of days. */
export function ageStringToDays(as: string): number | undefined {
  const m = /^(\d{3})([DWMY])$/.exec(as.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'D':
      return n;
    case 'W':
      return n * 7;
    case 'M':
      return Math.round(n * 30.44);
    default:
      return Math.round(n * 365.25);
  }
}

/**
 * Central European offset for a UTC date, as DICOM's TimezoneOffsetFromUTC wants it: "+0200" between the
 * last Sunday of March and the last Sunday of October, otherwise "+0100".
 */
export function danishUtcOffset(da: string): string {
  const p = parseDA(da);
  if (!p) throw new RangeError(`danishUtcOffset: invalid date ${da}`);
  const lastSunday = (month: number): number => {
    const last = new Date(Date.UTC(p.year, month, 0)); // day 0 of next month = last day of `month`
    return last.getUTCDate() - last.getUTCDay();
  };
  const afterStart = p.month > 3 || (p.month === 3 && p.day >= lastSunday(3));
  const beforeEnd = p.month < 10 || (p.month === 10 && p.day < lastSunday(10));
  return afterStart && beforeEnd ? '+0200' : '+0100';
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
