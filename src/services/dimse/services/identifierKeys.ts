/**
 * Turns a received C-FIND/C-GET/C-MOVE identifier into the archive's query keys and the event's `keys[]`
 * (tag, keyword, VR, value as sent in the client's character set, and how it matches), after the bounded
 * walker has checked it.
 */
import { LIMITS, clip } from '../../../core/events/bounded.ts';
import { classifyKey, type QueryKey } from '../../../domain/archive/matching.ts';
import { readIdentifier, type IdentifierElement } from '../dataset/identifier.ts';

export interface EventKey {
  tag: string;
  keyword: string | null;
  vr: string;
  value: string;
  value_truncated?: boolean;
  match: 'single' | 'universal' | 'wildcard' | 'range' | 'list' | 'sequence' | 'empty';
}

export type DecodedIdentifier =
  | { ok: true; keys: QueryKey[]; eventKeys: EventKey[]; level: string | null; charset: string | null }
  | { ok: false; reason: string; offset: number };

const QUERY_RETRIEVE_LEVEL = '00080052';
const SPECIFIC_CHARACTER_SET = '00080005';

function text(e: IdentifierElement): string {
  return e.value ?? (e.values ? e.values.join('\\') : '');
}

function toKey(e: IdentifierElement): QueryKey {
  return {
    tag: e.tag,
    vr: e.vr,
    value: e.vr === 'SQ' ? '' : text(e),
    ...(e.sequence ? { items: e.sequence.map((item) => item.map(toKey)) } : {}),
  };
}

export function decodeIdentifier(dataset: Buffer | null, transferSyntax: string): DecodedIdentifier {
  if (!dataset) return { ok: false, reason: 'no identifier', offset: 0 };
  const r = readIdentifier(dataset, transferSyntax);
  if (!r.ok) return { ok: false, reason: r.reason, offset: r.offset };
  const keys: QueryKey[] = [];
  const eventKeys: EventKey[] = [];
  let level: string | null = null;
  let charset: string | null = null;
  for (const e of r.elements) {
    const value = e.vr === 'SQ' ? '' : text(e);
    if (e.tag === QUERY_RETRIEVE_LEVEL) level = value.trim();
    if (e.tag === SPECIFIC_CHARACTER_SET) charset = value;
    keys.push(toKey(e));
    const c = clip(value, LIMITS.medium);
    eventKeys.push({
      tag: e.tag,
      keyword: e.keyword,
      vr: e.vr.slice(0, 2),
      value: c.value,
      ...(c.truncated ? { value_truncated: true } : {}),
      match: e.vr === 'SQ' ? 'sequence' : classifyKey(e.tag, e.vr, value),
    });
  }
  return { ok: true, keys, eventKeys: eventKeys.slice(0, 256), level, charset };
}
