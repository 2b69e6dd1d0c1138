/**
 * Executes the filter section of a parsed pipeline (./parse.ts) on events, for the subset of Logstash that the
 * DICOMHawk pipeline uses — so that what the tests check is what Logstash is configured to do, not a second copy
 * of the mapping written in TypeScript:
 *
 * - conditions: selectors, string/number/array literals, ==, !=, <, >, <=, >=, =~, !~, in, not in, !, and/or/xor/nand;
 * - mutate, one operation per block: rename, copy, merge, add_field, add_tag, remove_field (with %{[field]} sprintf);
 * - date (ISO8601, UNIX, UNIX_MS), translate (exact dictionary lookup, fallback, override), geoip (through a
 *   resolver the caller supplies, since no GeoLite2 database is available offline);
 * - the json codec with `target` (decodeJsonLine), and `${VAR:default}` environment substitution in settings.
 *
 * Anything else throws, so the pipeline cannot grow a filter the tests silently skip. Semantics follow the
 * Logstash 8 plugin sources (mutate's rename/copy/merge skip absent fields, add_field appends to an existing
 * field, sprintf leaves an unresolved %{...} as written, `in` on a string field is a substring test).
 */
import { ENV_REF, type Condition, type PipelineConfig, type Plugin, type Rvalue, type Statement, type Value } from './parse.ts';

export type LsEvent = Record<string, unknown>;

/** What Logstash's geoip filter (ECS mode, City database) would put under its target, or null when the lookup fails. */
export type GeoResolver = (ip: string) => { geo: Record<string, unknown>; as?: Record<string, unknown> } | null;

export interface RunOptions {
  /** Environment for `${VAR}` substitution. */
  env?: Readonly<Record<string, string | undefined>>;
  geoip?: GeoResolver;
}

export class UnsupportedFilterError extends Error {}

/** The json codec with `target`: one event per line, the parsed object under `target`, or a parse failure. */
export function decodeJsonLine(line: string, target: string, now = new Date()): LsEvent {
  const base: LsEvent = { '@timestamp': now.toISOString(), '@version': '1' };
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      setField(base, fieldPath(target), parsed);
      return base;
    }
  } catch {
    // falls through to the parse-failure event
  }
  return { ...base, message: line, tags: ['_jsonparsefailure'] };
}

/** `[a][b]` → ['a', 'b']; a bare `a` → ['a']. */
export function fieldPath(ref: string): string[] {
  if (!ref.startsWith('[')) return [ref];
  const parts = [...ref.matchAll(/\[([^\][]+)\]/g)].map((m) => m[1]!);
  if (parts.join('').length + parts.length * 2 !== ref.length) throw new UnsupportedFilterError(`bad field reference ${ref}`);
  return parts;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function getField(e: LsEvent, path: readonly string[]): unknown {
  let cur: unknown = e;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function includes(e: LsEvent, path: readonly string[]): boolean {
  const parent = getField(e, path.slice(0, -1));
  return isObject(parent) && Object.prototype.hasOwnProperty.call(parent, path[path.length - 1]!);
}

export function setField(e: LsEvent, path: readonly string[], v: unknown): void {
  let cur: Record<string, unknown> = e;
  for (const p of path.slice(0, -1)) {
    if (!isObject(cur[p])) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = v;
}

function removeField(e: LsEvent, path: readonly string[]): unknown {
  const parent = getField(e, path.slice(0, -1));
  if (!isObject(parent)) return undefined;
  const key = path[path.length - 1]!;
  const v = parent[key];
  delete parent[key];
  return v;
}

function sprintfValue(v: unknown): string {
  if (Array.isArray(v)) return v.map((x) => (isObject(x) ? JSON.stringify(x) : String(x))).join(',');
  if (isObject(v)) return JSON.stringify(v);
  return String(v);
}

export function sprintf(e: LsEvent, template: string): string {
  return template.replace(/%\{([^}]+)\}/g, (whole, ref: string) => {
    if (ref.startsWith('+')) throw new UnsupportedFilterError(`date formats in sprintf (${whole}) are not interpreted`);
    const v = getField(e, fieldPath(ref));
    return v === undefined || v === null ? whole : sprintfValue(v);
  });
}

/** Logstash's `${VAR}` / `${VAR:default}` substitution in a setting's value. */
export function substituteEnv(s: string, env: Readonly<Record<string, string | undefined>>): string {
  return s.replace(ENV_REF, (_m, name: string, def: string | undefined) => {
    const v = env[name] ?? def;
    if (v === undefined) throw new UnsupportedFilterError(`Cannot evaluate \${${name}}: the environment variable is not set and has no default`);
    return v;
  });
}

function plain(v: Value, env: Readonly<Record<string, string | undefined>>): unknown {
  switch (v.kind) {
    case 'string':
      return substituteEnv(v.value, env);
    case 'number':
      return v.value;
    case 'bareword':
      return v.value;
    case 'array':
      return v.items.map((x) => plain(x, env));
    case 'hash':
      return v.entries.map((x) => [x.key, plain(x.value, env)] as const);
    case 'plugin':
      throw new UnsupportedFilterError(`a plugin as a setting value (${v.plugin.name}) is not interpreted in filters`);
  }
}

function settings(p: Plugin, env: Readonly<Record<string, string | undefined>>): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const a of p.attributes) {
    if (m.has(a.name)) throw new UnsupportedFilterError(`${p.name} (line ${p.line}) sets ${a.name} twice`);
    m.set(a.name, plain(a.value, env));
  }
  return m;
}

function asPairs(v: unknown, what: string): Array<readonly [string, unknown]> {
  if (!Array.isArray(v) || v.some((x) => !Array.isArray(x))) throw new UnsupportedFilterError(`${what} must be a hash`);
  return v as Array<readonly [string, unknown]>;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function addTags(e: LsEvent, tags: readonly string[]): void {
  const cur = e.tags;
  const list = Array.isArray(cur) ? (cur as unknown[]) : cur === undefined || cur === null ? [] : [cur];
  for (const t of tags) if (!list.includes(t)) list.push(t);
  e.tags = list;
}

const MUTATE_OPS = new Set(['rename', 'copy', 'merge', 'add_field', 'add_tag', 'remove_field']);

function mutate(p: Plugin, e: LsEvent, o: RunOptions): void {
  const s = settings(p, o.env ?? {});
  s.delete('id');
  const ops = [...s.keys()];
  if (ops.length !== 1 || !MUTATE_OPS.has(ops[0]!)) throw new UnsupportedFilterError(`mutate (line ${p.line}): exactly one of ${[...MUTATE_OPS].join(', ')} per block (got ${ops.join(', ') || 'none'})`);
  const op = ops[0]!;
  const v = s.get(op);
  switch (op) {
    case 'rename':
      for (const [from, to] of asPairs(v, 'rename')) {
        const src = fieldPath(sprintf(e, from));
        if (includes(e, src)) setField(e, fieldPath(sprintf(e, String(to))), removeField(e, src));
      }
      return;
    case 'copy':
      for (const [from, to] of asPairs(v, 'copy')) {
        const src = fieldPath(sprintf(e, from));
        if (includes(e, src)) setField(e, fieldPath(sprintf(e, String(to))), structuredClone(getField(e, src)));
      }
      return;
    case 'merge':
      for (const [dest, added] of asPairs(v, 'merge')) {
        const d = fieldPath(dest);
        for (const a of asList(added)) {
          const dv = getField(e, d);
          const av = getField(e, fieldPath(String(a)));
          if (isObject(dv) !== isObject(av)) continue; // Logstash logs "Not possible to merge an array and a hash"
          if (isObject(dv)) setField(e, d, { ...dv, ...(av as Record<string, unknown>) });
          else setField(e, d, [...asList(dv ?? []), ...asList(av ?? [])]);
        }
      }
      return;
    case 'add_field':
      for (const [k, val] of asPairs(v, 'add_field')) {
        const path = fieldPath(sprintf(e, k));
        const value = sprintf(e, String(val));
        const cur = getField(e, path);
        if (cur === undefined) setField(e, path, value);
        else setField(e, path, [...asList(cur), value]);
      }
      return;
    case 'add_tag':
      addTags(e, asList(v).map((t) => sprintf(e, String(t))));
      return;
    case 'remove_field':
      for (const f of asList(v)) removeField(e, fieldPath(sprintf(e, String(f))));
      return;
  }
}

const ISO8601 = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(Z|[+-]\d\d:?\d\d)?$/;

function parseDate(value: unknown, format: string): Date | null {
  if (format === 'ISO8601') {
    if (typeof value !== 'string' || !ISO8601.test(value)) return null;
    const d = new Date(value.replace(' ', 'T'));
    return Number.isNaN(d.getTime()) ? null : d;
  }
  if (format === 'UNIX' || format === 'UNIX_MS') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
    return Number.isFinite(n) ? new Date(format === 'UNIX' ? n * 1000 : n) : null;
  }
  throw new UnsupportedFilterError(`date format ${format} is not interpreted`);
}

function date(p: Plugin, e: LsEvent, o: RunOptions): void {
  const s = settings(p, o.env ?? {});
  const match = asList(s.get('match')).map(String);
  if (match.length < 2) throw new UnsupportedFilterError(`date (line ${p.line}) needs match => [field, format...]`);
  const value = getField(e, fieldPath(match[0]!));
  if (value === undefined || value === null) return;
  for (const fmt of match.slice(1)) {
    const d = parseDate(value, fmt);
    if (d) {
      setField(e, fieldPath(String(s.get('target') ?? '@timestamp')), d.toISOString());
      return;
    }
  }
  addTags(e, asList(s.get('tag_on_failure') ?? ['_dateparsefailure']).map(String));
}

function translate(p: Plugin, e: LsEvent, o: RunOptions): void {
  const s = settings(p, o.env ?? {});
  const source = s.get('source');
  const target = s.get('target');
  if (typeof source !== 'string' || typeof target !== 'string') throw new UnsupportedFilterError(`translate (line ${p.line}) needs source and target`);
  const dict = new Map(asPairs(s.get('dictionary') ?? [], 'dictionary').map(([k, v]) => [k, String(v)]));
  const tpath = fieldPath(target);
  if (getField(e, tpath) !== undefined && String(s.get('override') ?? 'false') !== 'true') return;
  const v = getField(e, fieldPath(source));
  const hit = typeof v === 'string' || typeof v === 'number' ? dict.get(String(v)) : undefined;
  if (hit !== undefined) setField(e, tpath, hit);
  else if (s.has('fallback')) setField(e, tpath, sprintf(e, String(s.get('fallback'))));
}

function geoip(p: Plugin, e: LsEvent, o: RunOptions): void {
  const s = settings(p, o.env ?? {});
  const source = String(s.get('source') ?? '');
  const target = s.get('target');
  if (typeof target !== 'string') throw new UnsupportedFilterError(`geoip (line ${p.line}): ECS mode needs a target`);
  const ip = getField(e, fieldPath(source));
  const hit = typeof ip === 'string' && o.geoip ? o.geoip(ip) : null;
  if (!hit) {
    addTags(e, asList(s.get('tag_on_failure') ?? ['_geoip_lookup_failure']).map(String));
    return;
  }
  const base = fieldPath(target);
  setField(e, [...base, 'geo'], hit.geo);
  if (hit.as) setField(e, [...base, 'as'], hit.as);
}

const FILTERS: Record<string, (p: Plugin, e: LsEvent, o: RunOptions) => void> = { mutate, date, translate, geoip };

function rvalue(e: LsEvent, r: Rvalue): unknown {
  switch (r.kind) {
    case 'string':
    case 'number':
      return r.value;
    case 'selector':
      return getField(e, r.path);
    case 'array':
      return r.items.map((x) => rvalue(e, x));
    case 'regexp':
      return r.source;
  }
}

function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false;
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (op === '==') return JSON.stringify(a) === JSON.stringify(b);
  if (op === '!=') return JSON.stringify(a) !== JSON.stringify(b);
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
}

export function evaluate(e: LsEvent, c: Condition): boolean {
  switch (c.kind) {
    case 'bool': {
      const l = evaluate(e, c.left);
      const r = evaluate(e, c.right);
      return c.op === 'and' ? l && r : c.op === 'or' ? l || r : c.op === 'xor' ? l !== r : !(l && r);
    }
    case 'not':
      return !evaluate(e, c.operand);
    case 'truthy':
      return truthy(rvalue(e, c.value));
    case 'compare':
      return compare(c.op, rvalue(e, c.left), rvalue(e, c.right));
    case 'match': {
      const v = rvalue(e, c.left);
      const hit = typeof v === 'string' && new RegExp(c.pattern).test(v);
      return c.negate ? !hit : hit;
    }
    case 'in': {
      const l = rvalue(e, c.left);
      const r = rvalue(e, c.right);
      let hit = false;
      if (Array.isArray(r)) hit = r.some((x) => JSON.stringify(x) === JSON.stringify(l));
      else if (typeof r === 'string' && typeof l === 'string') hit = r.includes(l);
      return c.negate ? !hit : hit;
    }
  }
}

function execute(body: readonly Statement[], e: LsEvent, o: RunOptions): void {
  for (const s of body) {
    if (s.kind === 'branch') {
      const taken = s.cases.find((c) => c.condition === null || evaluate(e, c.condition));
      if (taken) execute(taken.body, e, o);
      continue;
    }
    const f = FILTERS[s.name];
    if (!f) throw new UnsupportedFilterError(`filter ${s.name} (line ${s.line}) is not interpreted offline`);
    f(s, e, o);
  }
}

/** Runs every filter section of the pipeline on one event (in place) and returns it. */
export function runFilters(cfg: PipelineConfig, e: LsEvent, o: RunOptions = {}): LsEvent {
  for (const section of cfg.sections) if (section.type === 'filter') execute(section.body, e, o);
  return e;
}

/** What the elasticsearch output sends: the event without [@metadata], and the data stream it is routed to. */
export function toDocument(e: LsEvent): { index: string; doc: LsEvent } {
  const doc = structuredClone(e);
  delete doc['@metadata'];
  const ds = (doc.data_stream ?? {}) as Record<string, unknown>;
  return { index: `${String(ds.type ?? 'logs')}-${String(ds.dataset ?? 'generic')}-${String(ds.namespace ?? 'default')}`, doc };
}
