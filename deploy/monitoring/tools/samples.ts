/**
 * One synthetic event per catalogue event id, built from the event's JSON Schema (every optional field present,
 * every array with one item, every nullable with a value), so that the index template covers fields no test
 * session happens to produce. Values are typed like the real ones (integers as integers, addresses as addresses);
 * they are never mistaken for evidence: the offline proof of the pipeline runs on real sessions' events.
 */
import { eventJsonSchema } from '../../../src/core/events/catalogue.ts';

type Schema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  pattern?: string;
  minimum?: number;
  maximum?: number;
};

const IP_FIELDS = new Set(['src_ip', 'dst_ip', 'requester_ip', 'ip']);

function sampleString(name: string, s: Schema): string {
  if (IP_FIELDS.has(name)) return name === 'dst_ip' ? '192.0.2.10' : '198.51.100.23';
  const p = s.pattern ?? '';
  if (p.includes('\\d{4}-\\d\\d-\\d\\dT')) return '2026-01-02T03:04:05.678Z';
  if (p.includes('{64}')) return 'ab'.repeat(32);
  if (p.includes('[0-9A-F]{8}')) return '00100010';
  if (p.includes('[0-9a-f]')) return '0a0b';
  return `sample-${name}`;
}

export function sampleOf(name: string, s: Schema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum && s.enum.length > 0) return s.enum[0];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    const nonNull = alternatives.find((a) => a.type !== 'null') ?? alternatives[0]!;
    return sampleOf(name, nonNull);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  switch (type) {
    case 'string':
      return sampleString(name, s);
    case 'integer':
      return Math.max(s.minimum ?? 0, Math.min(s.maximum ?? 7, 7));
    case 'number':
      return Math.max(s.minimum ?? 0, Math.min(s.maximum ?? 7.5, 7.5));
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array':
      return s.items ? [sampleOf(name, s.items)] : [];
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) out[k] = sampleOf(k, v);
      if (s.additionalProperties && typeof s.additionalProperties === 'object') out[`sample_${name}_key`] = sampleOf(name, s.additionalProperties);
      return out;
    }
    default:
      throw new Error(`no sample for field ${name}: schema ${JSON.stringify(s).slice(0, 120)}`);
  }
}

/** eventid → a synthetic event of that id, from the catalogue as it is now. */
export function catalogueSamples(): Map<string, Record<string, unknown>> {
  const root = eventJsonSchema() as Schema;
  const out = new Map<string, Record<string, unknown>>();
  for (const ev of root.oneOf ?? root.anyOf ?? []) {
    const id = ev.properties?.eventid?.const;
    if (typeof id !== 'string') throw new Error('an event schema without a constant eventid');
    const e = sampleOf('event', ev) as Record<string, unknown>;
    e.src_port = 40123;
    e.dst_port = 104;
    out.set(id, e);
  }
  return out;
}
