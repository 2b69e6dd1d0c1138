/**
 * Checks a document against an Elasticsearch mapping the way Elasticsearch would index it with
 * `dynamic: strict` and `index.mapping.coerce: false`: every field must be mapped, objects must meet object
 * mappings and values leaf mappings, and each value must parse as its type (no string-to-number coercion, no
 * fractions in integer fields, addresses that parse as IPs, dates that parse as dates, points in range).
 * Stricter than Elasticsearch in one way, on purpose: keyword fields take strings only (Elasticsearch would also
 * turn a number or boolean into a keyword, which is always a sign of a mapping mistake here).
 */
import { isIP } from 'node:net';

export type Properties = Record<string, FieldMapping>;
export interface FieldMapping {
  type?: string;
  properties?: Properties;
  fields?: Properties;
  index?: boolean;
  doc_values?: boolean;
  ignore_above?: number;
}

const INT_RANGES: Record<string, [number, number]> = {
  byte: [-128, 127],
  short: [-32768, 32767],
  integer: [-(2 ** 31), 2 ** 31 - 1],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const ISO_DATE = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d)?)?$/;

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function leafProblem(path: string, m: FieldMapping, v: unknown): string | null {
  const t = m.type!;
  const show = JSON.stringify(v)?.slice(0, 80);
  if (t === 'flattened') return null;
  if (t === 'geo_point') {
    if (isObject(v) && typeof v.lat === 'number' && typeof v.lon === 'number') return Math.abs(v.lat) <= 90 && Math.abs(v.lon) <= 180 ? null : `${path}: point ${show} out of range`;
    if (typeof v === 'string' && /^-?\d+(\.\d+)?,\s*-?\d+(\.\d+)?$/.test(v)) return null;
    return `${path}: ${show} is not a geo_point`;
  }
  if (isObject(v)) return `${path}: object given to a ${t} field`;
  switch (t) {
    case 'keyword':
    case 'constant_keyword':
    case 'text':
    case 'wildcard':
      return typeof v === 'string' ? null : `${path}: ${show} is not a string (${t})`;
    case 'boolean':
      return typeof v === 'boolean' ? null : `${path}: ${show} is not a boolean`;
    case 'float':
    case 'double':
    case 'half_float':
    case 'scaled_float':
      return typeof v === 'number' && Number.isFinite(v) ? null : `${path}: ${show} is not a number (${t}, coerce off)`;
    case 'byte':
    case 'short':
    case 'integer':
    case 'long': {
      const [lo, hi] = INT_RANGES[t]!;
      if (typeof v !== 'number' || !Number.isInteger(v)) return `${path}: ${show} is not an integer (${t}, coerce off)`;
      return v >= lo && v <= hi ? null : `${path}: ${show} out of ${t} range`;
    }
    case 'date':
      if (typeof v === 'number' && Number.isInteger(v)) return null;
      return typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v)) ? null : `${path}: ${show} is not a date`;
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0 ? null : `${path}: ${show} is not an IP address`;
    default:
      return `${path}: unknown mapping type ${t}`;
  }
}

/** Problems Elasticsearch would refuse the document for (empty: it would be indexed as mapped). */
export function mappingProblems(doc: Record<string, unknown>, properties: Properties): string[] {
  const problems: string[] = [];
  const visit = (v: unknown, m: FieldMapping, path: string): void => {
    if (v === null || v === undefined) return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, m, path);
      return;
    }
    if (m.properties && !m.type) {
      if (!isObject(v)) {
        problems.push(`${path}: a concrete value ${JSON.stringify(v)?.slice(0, 60)} where the mapping has an object`);
        return;
      }
      walk(v, m.properties, path);
      return;
    }
    const p = leafProblem(path, m, v);
    if (p) problems.push(p);
  };
  const walk = (obj: Record<string, unknown>, props: Properties, prefix: string): void => {
    for (const [k, v] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${k}` : k;
      const m = props[k];
      if (!m) {
        problems.push(`${path}: not in the mapping (dynamic: strict refuses the document)`);
        continue;
      }
      visit(v, m, path);
    }
  };
  walk(doc, properties, '');
  return problems;
}

/** Leaf fields of a mapping (with multi-fields as `field.keyword`), path → mapping. */
export function mappedFields(properties: Properties, prefix = ''): Map<string, FieldMapping> {
  const out = new Map<string, FieldMapping>();
  for (const [k, m] of Object.entries(properties)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (m.properties && !m.type) {
      for (const [p, x] of mappedFields(m.properties, path)) out.set(p, x);
      continue;
    }
    out.set(path, m);
    for (const [sub, sm] of Object.entries(m.fields ?? {})) out.set(`${path}.${sub}`, sm);
  }
  return out;
}

/** Whether Kibana can aggregate on the field (terms, max, cardinality, top_hits sorting …). */
export function aggregatable(m: FieldMapping): boolean {
  if (m.type === 'text' || m.type === 'flattened') return false;
  return m.doc_values !== false && m.index !== false;
}
