/**
 * Builds the Elasticsearch index template of the DICOMHawk data streams from what the pipeline makes of every
 * catalogue event (./samples.ts → logstash/pipeline/dicomhawk.conf, interpreted by ./logstash/run.ts), plus the
 * fields Logstash's geoip filter adds. Types follow the values (integers → long, fractions → float, booleans →
 * boolean, strings → keyword) except where a field is named below: addresses are `ip`, ports `integer`, times
 * `date`, free text `text` with a `keyword` sub-field, service summaries `flattened`, hex dumps unindexed keywords,
 * the location `geo_point`. A field with two types across events is an error: the pipeline must rename one.
 * `dynamic: strict` and `index.mapping.coerce: false` make Elasticsearch refuse what the template does not foresee.
 */
import { catalogueSamples } from './samples.ts';
import { decodeJsonLine, runFilters, toDocument, type GeoResolver } from './logstash/run.ts';
import type { PipelineConfig } from './logstash/parse.ts';

export type EsType = 'keyword' | 'text' | 'long' | 'integer' | 'float' | 'boolean' | 'date' | 'ip' | 'geo_point' | 'flattened' | 'constant_keyword' | 'hex';

const BY_PATH: Record<string, EsType> = {
  '@timestamp': 'date',
  'event.created': 'date',
  'source.ip': 'ip',
  'destination.ip': 'ip',
  'dicomhawk.requester_ip': 'ip',
  'dicomhawk.ip': 'ip',
  'source.port': 'integer',
  'destination.port': 'integer',
  'dicomhawk.listener_port': 'integer',
  'http.response.status_code': 'integer',
  'dicomhawk.abuse_score': 'float',
  'dicomhawk.malicious_score': 'float',
  'dicomhawk.threat_score': 'float',
  'dicomhawk.summary': 'flattened',
  'data_stream.type': 'constant_keyword',
  'data_stream.dataset': 'constant_keyword',
  'data_stream.namespace': 'constant_keyword',
  message: 'text',
  'user_agent.original': 'text',
};

/** Free text by leaf name (anywhere): searchable as words, aggregatable through `.keyword`. */
const TEXT_LEAVES = new Set(['error', 'reason', 'detail', 'anomalies', 'client_guess_reason', 'title', 'description']);
/** Hex dumps by leaf name: kept in _source, not indexed (a long dump would be an immense term). */
const HEX_LEAVES = new Set(['hex', 'head_hex', 'info_hex']);

/** What Logstash's geoip filter (ECS v8, GeoLite2 City and ASN) adds under `source`. */
const GEOIP_FIELDS: Record<string, EsType> = {
  'source.geo.city_name': 'keyword',
  'source.geo.continent_code': 'keyword',
  'source.geo.country_iso_code': 'keyword',
  'source.geo.country_name': 'keyword',
  'source.geo.location': 'geo_point',
  'source.geo.postal_code': 'keyword',
  'source.geo.region_iso_code': 'keyword',
  'source.geo.region_name': 'keyword',
  'source.geo.timezone': 'keyword',
  'source.as.number': 'long',
  'source.as.organization.name': 'keyword',
};

/** A geoip answer shaped as Logstash's ECS output, for public addresses (documentation ranges count as public here). */
export const sampleGeo: GeoResolver = (ip) =>
  /^(127\.|10\.|192\.168\.|::1$|::ffff:127\.)/.test(ip)
    ? null
    : {
        geo: { city_name: 'Copenhagen', continent_code: 'EU', country_iso_code: 'DK', country_name: 'Denmark', location: { lat: 55.6759, lon: 12.5655 }, postal_code: '1050', region_iso_code: 'DK-84', region_name: 'Capital Region', timezone: 'Europe/Copenhagen' },
        as: { number: 64500, organization: { name: 'Example Net' } },
      };

function infer(path: string, leaf: string, v: unknown): EsType {
  const fixed = BY_PATH[path];
  if (fixed) return fixed;
  if (HEX_LEAVES.has(leaf)) return 'hex';
  if (typeof v === 'string') return TEXT_LEAVES.has(leaf) ? 'text' : 'keyword';
  if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'float';
  if (typeof v === 'boolean') return 'boolean';
  throw new Error(`cannot type ${path} = ${JSON.stringify(v)}`);
}

/** Leaf paths and their types in one document (arrays are transparent, as in Elasticsearch). */
export function leafTypes(doc: Record<string, unknown>, prefix = ''): Map<string, EsType> {
  const out = new Map<string, EsType>();
  const walk = (v: unknown, path: string, leaf: string): void => {
    if (v === null || v === undefined) return;
    if (BY_PATH[path] === 'flattened' || BY_PATH[path] === 'geo_point' || GEOIP_FIELDS[path] === 'geo_point') {
      out.set(path, BY_PATH[path] ?? GEOIP_FIELDS[path]!);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, path, leaf);
      return;
    }
    if (typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(x, path ? `${path}.${k}` : k, k);
      return;
    }
    out.set(path, infer(path, leaf, v));
  };
  walk(doc, prefix, '');
  return out;
}

function merge(a: EsType, b: EsType): EsType | null {
  if (a === b) return a;
  if ((a === 'long' && b === 'float') || (a === 'float' && b === 'long')) return 'float';
  return null;
}

/** Every field of every catalogue event after the pipeline, with its type. Throws on a conflict. */
export function fieldTypes(pipeline: PipelineConfig): Map<string, EsType> {
  const types = new Map<string, { type: EsType; from: string }>(Object.entries(GEOIP_FIELDS).map(([p, t]) => [p, { type: t, from: 'geoip' }]));
  const env = { REDIS_PASSWORD: 'x', ELASTIC_PASSWORD: 'x' };
  const docs: Array<[string, Record<string, unknown>]> = [];
  const samples = [...catalogueSamples()];
  // The pipeline lifts ISP and country out of each service's summary (field names as the services spell them).
  const intel = samples.find(([id]) => id === 'dicomhawk.intel.result');
  if (intel) {
    for (const summary of [{ isp: 'x', countryCode: 'DK' }, { ISP: 'x', country_code: 'DK' }, { as_org: 'x', asn: 64500 }, { as_owner: 'x', country: 'DK' }]) {
      samples.push([`dicomhawk.intel.result (${Object.keys(summary).join(', ')})`, { ...intel[1], summary }]);
    }
  }
  for (const [id, sample] of samples) {
    const e = runFilters(pipeline, decodeJsonLine(JSON.stringify(sample), '[dicomhawk]'), { env, geoip: sampleGeo });
    docs.push([id, toDocument(e).doc]);
  }
  // A line that is not JSON at all.
  docs.push(['(not json)', toDocument(runFilters(pipeline, decodeJsonLine('not json', '[dicomhawk]'), { env, geoip: sampleGeo })).doc]);
  const conflicts: string[] = [];
  for (const [id, doc] of docs) {
    for (const [path, t] of leafTypes(doc)) {
      const prev = types.get(path);
      if (!prev) {
        types.set(path, { type: t, from: id });
        continue;
      }
      const m = merge(prev.type, t);
      if (!m) conflicts.push(`${path} is ${prev.type} in ${prev.from} but ${t} in ${id}`);
      else types.set(path, { type: m, from: prev.from });
    }
  }
  // Objects and leaves on the same path (a.b is a value in one event, a.b.c in another) are conflicts too.
  for (const p of types.keys()) {
    const parent = p.split('.').slice(0, -1);
    for (let i = 1; i <= parent.length; i++) {
      const q = parent.slice(0, i).join('.');
      if (types.has(q)) conflicts.push(`${q} is a ${types.get(q)!.type} in ${types.get(q)!.from} but an object in ${types.get(p)!.from}`);
    }
  }
  if (conflicts.length > 0) throw new FieldConflictError(conflicts);
  return new Map([...types].map(([p, v]) => [p, v.type]));
}

export class FieldConflictError extends Error {
  constructor(readonly conflicts: string[]) {
    super(`fields with two types across events (rename one of each pair in logstash/pipeline/dicomhawk.conf):\n  ${conflicts.join('\n  ')}`);
  }
}

type Mapping = Record<string, unknown>;

function mappingOf(t: EsType): Mapping {
  switch (t) {
    case 'keyword':
      return { type: 'keyword', ignore_above: 1024 };
    case 'text':
      return { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 1024 } } };
    case 'hex':
      return { type: 'keyword', index: false, doc_values: false };
    case 'flattened':
      return { type: 'flattened', ignore_above: 1024 };
    default:
      return { type: t };
  }
}

export function mappings(types: Map<string, EsType>): Mapping {
  const root: Mapping = {};
  for (const path of [...types.keys()].sort()) {
    const parts = path.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      const child = (node[p] ??= { properties: {} }) as Mapping;
      if (!child.properties) throw new Error(`${path}: ${p} is both a field and an object`);
      node = child.properties as Mapping;
    }
    const leaf = parts[parts.length - 1]!;
    if (node[leaf]) throw new Error(`${path} is both a field and an object`);
    node[leaf] = mappingOf(types.get(path)!);
  }
  return root;
}

export const ILM_POLICY = 'dicomhawk';
export const INDEX_PATTERN = 'logs-dicomhawk.*-*';

export function indexTemplate(pipeline: PipelineConfig): Mapping {
  return {
    index_patterns: [INDEX_PATTERN],
    data_stream: {},
    // Above the built-in logs-*-* template (priority 100), so these data streams get this mapping.
    priority: 200,
    _meta: { description: 'DICOMHawk events (ECS + dicomhawk.*). Generated by deploy/monitoring/tools/write.ts from the event catalogue and the Logstash pipeline; do not edit by hand.' },
    template: {
      settings: {
        'index.lifecycle.name': ILM_POLICY,
        'index.mapping.coerce': false,
        'index.codec': 'best_compression',
      },
      mappings: { dynamic: 'strict', date_detection: false, numeric_detection: false, properties: mappings(fieldTypes(pipeline)) },
    },
  };
}
