/**
 * QIDO-RS query parameters (PS3.18 §8.3.4): `{attributeID}={value}` matching keys (keyword or tag),
 * `includefield` (repeatable, comma lists, `all`), `fuzzymatching`, `limit` and `offset`. Every
 * parameter is checked here and a bad one is a 400 with a sentence naming it; what survives is the list
 * of archive query keys (PS3.4 C.2.2.2 matching: wild cards, DA/TM/DT ranges, UID lists).
 */
import { LIMITS, clip } from '../../core/events/bounded.ts';
import { classifyKey, temporalKey, type QueryKey } from '../../domain/archive/matching.ts';
import { resolveAttribute, type NamedAttribute } from './dictionary.ts';
import { HttpError } from './httpError.ts';

export interface QidoParams {
  readonly keys: readonly QueryKey[];
  /** Matching keys as named (for answers and the event). */
  readonly matching: readonly NamedAttribute[];
  readonly includes: readonly NamedAttribute[] | 'all';
  readonly limit: number | null;
  readonly offset: number;
  readonly fuzzy: boolean;
  readonly eventParams: { name: string; value: string; value_truncated?: boolean }[];
  readonly eventKeys: { tag: string; keyword: string | null; value: string; match: string }[];
}

const MAX_PARAMS = 128;
const MAX_VALUE = 1024;
const LIST_VRS = new Set(['UI', 'CS', 'AE', 'SH', 'LO']);

/** The query string's parameters in order, as sent (names and values percent-decoded). */
export function rawParams(url: string): [string, string][] {
  const i = url.indexOf('?');
  if (i === -1) return [];
  const out: [string, string][] = [];
  for (const part of url.slice(i + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    const value = eq === -1 ? '' : part.slice(eq + 1);
    out.push([decode(name), decode(value)]);
  }
  return out;
}

function decode(s: string, lenient = false): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    if (lenient) return s;
    throw new HttpError(400, `malformed percent-encoding in the query string: ${JSON.stringify(s.slice(0, 80))}`);
  }
}

/** The parameters as sent, for the event (never throws: undecodable text is kept as sent). */
export function eventParamsOf(url: string): QidoParams['eventParams'] {
  const i = url.indexOf('?');
  if (i === -1) return [];
  return url
    .slice(i + 1)
    .split('&')
    .filter((part) => part !== '')
    .slice(0, MAX_PARAMS)
    .map((part) => {
      const eq = part.indexOf('=');
      const n = clip(decode(eq === -1 ? part : part.slice(0, eq), true), LIMITS.short);
      const v = clip(eq === -1 ? '' : decode(part.slice(eq + 1), true), LIMITS.medium);
      return { name: n.value, value: v.value, ...(n.truncated || v.truncated ? { value_truncated: true } : {}) };
    });
}

function checkTemporal(a: NamedAttribute, value: string): void {
  const bad = (): never => {
    throw new HttpError(400, `${a.keyword ?? a.tag} must be a ${a.vr === 'DA' ? 'date YYYYMMDD' : a.vr === 'TM' ? 'time HHMMSS' : 'date-time'} or a range of them: ${JSON.stringify(value.slice(0, 80))}`);
  };
  const dash = a.vr === 'DT' ? value.lastIndexOf('-') : value.indexOf('-');
  if (dash === -1) {
    if (temporalKey(a.vr, value) === null) bad();
    return;
  }
  const lo = value.slice(0, dash);
  const hi = value.slice(dash + 1);
  if ((lo === '' && hi === '') || (lo !== '' && temporalKey(a.vr, lo) === null) || (hi !== '' && temporalKey(a.vr, hi) === null)) {
    // A DT with a UTC offset carries its own hyphen: let the archive's range splitter decide those.
    if (a.vr !== 'DT') bad();
  }
}

function matchValue(a: NamedAttribute, raw: string, fuzzy: boolean): string {
  let value = raw;
  if (LIST_VRS.has(a.vr) && value.includes(',')) value = value.split(',').join('\\');
  if (a.vr === 'UI') {
    for (const uid of value.split('\\')) {
      if (!/^[0-9.*?]{1,64}$/.test(uid)) throw new HttpError(400, `${a.keyword ?? a.tag} is not a UID or a list of UIDs: ${JSON.stringify(raw.slice(0, 80))}`);
    }
  }
  if ((a.vr === 'DA' || a.vr === 'TM' || a.vr === 'DT') && value !== '' && !/^\*+$/.test(value)) checkTemporal(a, value);
  if (fuzzy && a.vr === 'PN' && value !== '' && !/[*?]/.test(value)) value = `${value}*`;
  return value;
}

export function parseQidoParams(url: string): QidoParams {
  const params = rawParams(url);
  if (params.length > MAX_PARAMS) throw new HttpError(400, `too many query parameters (${params.length}; at most ${MAX_PARAMS})`);
  const eventParams = eventParamsOf(url);
  let limit: number | null = null;
  let offset = 0;
  let fuzzy = false;
  let includes: NamedAttribute[] | 'all' = [];
  const matches: [NamedAttribute, string][] = [];
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (value.length > MAX_VALUE) throw new HttpError(400, `the value of ${JSON.stringify(name.slice(0, 64))} is longer than ${MAX_VALUE} characters`);
    const lower = name.toLowerCase();
    if (lower === 'limit' || lower === 'offset') {
      if (!/^\d{1,9}$/.test(value)) throw new HttpError(400, `${lower} must be a non-negative integer: ${JSON.stringify(value.slice(0, 80))}`);
      if (lower === 'limit') limit = Number(value);
      else offset = Number(value);
      continue;
    }
    if (lower === 'fuzzymatching') {
      if (!/^(true|false)$/i.test(value)) throw new HttpError(400, `fuzzymatching must be true or false: ${JSON.stringify(value.slice(0, 80))}`);
      fuzzy = value.toLowerCase() === 'true';
      continue;
    }
    if (lower === 'includefield') {
      for (const item of value.split(',')) {
        if (item === '') continue;
        if (item.toLowerCase() === 'all') {
          includes = 'all';
          continue;
        }
        const a = resolveAttribute(item);
        if (a === null) throw new HttpError(400, `includefield names an unknown attribute: ${JSON.stringify(item.slice(0, 80))}`);
        if (includes !== 'all') includes.push(a);
      }
      continue;
    }
    if (name.includes('.')) throw new HttpError(400, `matching on sequence attributes is not supported: ${JSON.stringify(name.slice(0, 80))}`);
    const a = resolveAttribute(name);
    if (a === null) throw new HttpError(400, `unknown query parameter ${JSON.stringify(name.slice(0, 80))} (expected an attribute keyword or tag, includefield, fuzzymatching, limit or offset)`);
    if (seen.has(a.tag)) throw new HttpError(400, `${a.keyword ?? a.tag} is given more than once`);
    seen.add(a.tag);
    if (a.vr === 'SQ') throw new HttpError(400, `${a.keyword ?? a.tag} is a sequence; matching on it is not supported`);
    matches.push([a, value]);
  }
  const keys: QueryKey[] = [];
  const eventKeys: QidoParams['eventKeys'] = [];
  for (const [a, raw] of matches) {
    const value = matchValue(a, raw, fuzzy);
    keys.push({ tag: a.tag, vr: a.vr, value });
    eventKeys.push({ tag: a.tag, keyword: a.keyword, value: clip(value, LIMITS.medium).value, match: classifyKey(a.tag, a.vr, value) });
  }
  return { keys, matching: matches.map(([a]) => a), includes, limit, offset, fuzzy, eventParams, eventKeys };
}
