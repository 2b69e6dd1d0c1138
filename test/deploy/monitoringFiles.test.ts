/**
 * The monitoring files as code: the Logstash pipeline parses and has the structure Logstash needs (redis list input
 * with our key and a json codec, only the filters the offline proof interprets, elasticsearch output to data
 * streams); the generated index template and dashboard are up to date; the template takes every catalogue event;
 * the Kibana ndjson parses and every visualization names fields the template maps (aggregatable where aggregated).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { SETTINGS } from '../../src/core/config/settings.ts';
import { ConfigSyntaxError, ENV_REF, attr, parsePipeline, plugins, type Value } from '../../deploy/monitoring/tools/logstash/parse.ts';
import { decodeJsonLine, runFilters, toDocument } from '../../deploy/monitoring/tools/logstash/run.ts';
import { catalogueSamples } from '../../deploy/monitoring/tools/samples.ts';
import { sampleGeo } from '../../deploy/monitoring/tools/template.ts';
import { generated, ILM_FILE, MONITORING_DIR, NDJSON_FILE, PIPELINE_FILE, TEMPLATE_FILE } from '../../deploy/monitoring/tools/write.ts';
import { aggregatable, mappedFields, mappingProblems, type Properties } from './lib/esMapping.ts';

const pipelineText = readFileSync(PIPELINE_FILE, 'utf8');
const template = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as { index_patterns: string[]; priority: number; data_stream: object; template: { settings: Record<string, unknown>; mappings: { dynamic: string; properties: Properties } } };
const fields = mappedFields(template.template.mappings.properties);

function str(v: Value | undefined): string | undefined {
  return v?.kind === 'string' ? v.value : v?.kind === 'bareword' ? v.value : undefined;
}

describe('Logstash pipeline', () => {
  const cfg = parsePipeline(pipelineText);

  test('parses into input, filter and output sections', () => {
    assert.deepEqual(
      cfg.sections.map((s) => s.type),
      ['input', 'filter', 'output'],
    );
  });

  test('input: redis, data_type list, the key the sensor pushes to (REDIS_KEY default), json codec into [dicomhawk]', () => {
    const inputs = plugins(cfg.sections[0]!.body);
    assert.deepEqual(
      inputs.map((p) => p.name),
      ['redis'],
    );
    const redis = inputs[0]!;
    assert.equal(str(attr(redis, 'data_type')), 'list');
    const key = str(attr(redis, 'key'))!;
    const m = /^\$\{REDIS_KEY:([^}]+)\}$/.exec(key);
    assert.ok(m, `key is \${REDIS_KEY:<default>}: ${key}`);
    assert.equal(m[1], SETTINGS.redisKey.default, "the default key is the Redis sink's default");
    assert.equal(str(attr(redis, 'password')), '${REDIS_PASSWORD}', 'the password is required (no default)');
    const codec = attr(redis, 'codec');
    assert.ok(codec?.kind === 'plugin' && codec.plugin.name === 'json');
    assert.equal(str(attr(codec.plugin, 'target')), '[dicomhawk]');
  });

  test('filters: only the plugins the offline proof interprets; mutate blocks hold one operation each', () => {
    const filters = plugins(cfg.sections[1]!.body);
    for (const p of filters) assert.ok(['mutate', 'date', 'translate', 'geoip'].includes(p.name), `${p.name} (line ${p.line}) is interpreted by the tests`);
    for (const p of filters.filter((x) => x.name === 'mutate')) assert.equal(p.attributes.filter((a) => a.name !== 'id').length, 1, `mutate at line ${p.line}`);
    // Executing the whole filter section on every catalogue sample raises no "not interpreted" error.
    for (const [, sample] of catalogueSamples()) runFilters(cfg, decodeJsonLine(JSON.stringify(sample), '[dicomhawk]'), { env: { ELASTICSEARCH_PASSWORD: 'x' }, geoip: sampleGeo });
  });

  test('output: elasticsearch into data streams (auto-routed by data_stream.*), credentials from the environment', () => {
    const outputs = plugins(cfg.sections[2]!.body);
    assert.deepEqual(
      outputs.map((p) => p.name),
      ['elasticsearch'],
    );
    const es = outputs[0]!;
    assert.equal(str(attr(es, 'data_stream')), 'true');
    assert.equal(str(attr(es, 'data_stream_auto_routing')), 'true');
    assert.equal(str(attr(es, 'password')), '${ELASTICSEARCH_PASSWORD}');
  });

  test('every ${VAR} the pipeline needs without a default is set for the logstash service in the monitoring compose file', () => {
    const compose = readFileSync(`${MONITORING_DIR}docker-compose.yml`, 'utf8');
    const logstash = compose.slice(compose.indexOf('  logstash:'));
    const required = [...pipelineText.matchAll(ENV_REF)].filter((m) => m[2] === undefined).map((m) => m[1]!);
    assert.ok(required.length >= 2);
    for (const v of new Set(required)) assert.match(logstash, new RegExp(`\\n\\s+${v}:`), `${v} is in the logstash service's environment`);
  });

  test('the structural check rejects broken configurations with a line and column', () => {
    const bad: Array<[string, RegExp]> = [
      ['filter { mutate { add_field => { "a" => "b" } }', /line 1, column \d+: expected "}"/],
      ['filter {\n  mutate { add_tag "x" }\n}', /line 2, column \d+: expected "=>"/],
      ['filter { mutate { add_tag => ["x] } }', /unterminated string/],
      ['filter { if [a] == "x" and [b] or [c] { } }', /mixing "and" and "or" without parentheses/],
      ['filter { if [a] =~ /abc { } }', /unterminated regexp/],
      ['filter { if [a][] { } }', /bad field reference/],
      ['pipeline { }', /expected a section: input, filter or output/],
      ['filter { else { } }', /"else" without a preceding "if"/],
    ];
    for (const [text, want] of bad) assert.throws(() => parsePipeline(text), (e: unknown) => e instanceof ConfigSyntaxError && want.test(e.message), text);
    // And accepts Logstash's own syntax variety: comments, single quotes, barewords, numbers, nested hashes, else-if chains.
    const ok = parsePipeline("# c\ninput { stdin { codec => json } }\nfilter {\n if ![a] { drop { } } else if [b] in ['x', 'y'] and [c] { mutate { id => 'm' add_field => { 'k' => 1 } } } else { x { y => [1, 2.5, z] } }\n}\noutput { stdout { } }");
    assert.equal(ok.sections.length, 3);
  });
});

describe('generated files', () => {
  test('the index template and the Kibana ndjson are what tools/write.ts generates from the catalogue and the pipeline now', () => {
    for (const g of generated()) assert.equal(readFileSync(g.file, 'utf8'), g.text, `${g.file} is out of date: run npx tsx deploy/monitoring/tools/write.ts`);
  });
});

describe('index template and ILM policy', () => {
  test('data streams logs-dicomhawk.*-*, above the built-in logs template, strict mapping, no coercion, the dicomhawk ILM policy', () => {
    assert.deepEqual(template.index_patterns, ['logs-dicomhawk.*-*']);
    assert.ok(template.priority > 100);
    assert.deepEqual(template.data_stream, {});
    assert.equal(template.template.mappings.dynamic, 'strict');
    assert.equal(template.template.settings['index.mapping.coerce'], false);
    assert.equal(template.template.settings['index.lifecycle.name'], 'dicomhawk');
    const ilm = JSON.parse(readFileSync(ILM_FILE, 'utf8')) as { policy: { phases: Record<string, { actions: Record<string, unknown> }> } };
    assert.ok(ilm.policy.phases.hot?.actions.rollover, 'hot phase rolls over');
    assert.ok(ilm.policy.phases.delete?.actions.delete, 'a delete phase ends retention');
  });

  test('field types: addresses ip, ports integer, scores numbers, AE titles and paths keyword, free text text+keyword, geo geo_point, times date', () => {
    const type = (f: string) => fields.get(f)?.type;
    for (const f of ['source.ip', 'destination.ip', 'dicomhawk.requester_ip']) assert.equal(type(f), 'ip', f);
    for (const f of ['source.port', 'destination.port']) assert.equal(type(f), 'integer', f);
    for (const f of ['dicomhawk.threat_score', 'dicomhawk.abuse_score', 'dicomhawk.malicious_score']) assert.equal(type(f), 'float', f);
    for (const f of ['dicomhawk.called_ae.text', 'dicomhawk.calling_ae.text', 'dicomhawk.destination_ae.text', 'url.path', 'dicomhawk.path']) assert.equal(type(f), 'keyword', f);
    for (const f of ['message', 'user_agent.original', 'dicomhawk.reason']) {
      assert.equal(type(f), 'text', f);
      assert.equal(type(`${f}.keyword`), 'keyword', `${f}.keyword`);
    }
    assert.equal(type('source.geo.location'), 'geo_point');
    for (const f of ['@timestamp', 'event.created']) assert.equal(type(f), 'date', f);
    assert.equal(type('dicomhawk.session'), 'keyword');
    assert.equal(type('dicomhawk.summary'), 'flattened');
  });

  test('every catalogue event (a sample built from its schema), through the pipeline, is accepted by the template', () => {
    const cfg = parsePipeline(pipelineText);
    const problems: string[] = [];
    for (const [id, sample] of catalogueSamples()) {
      const { doc } = toDocument(runFilters(cfg, decodeJsonLine(JSON.stringify(sample), '[dicomhawk]'), { env: { ELASTICSEARCH_PASSWORD: 'x' }, geoip: sampleGeo }));
      for (const p of mappingProblems(doc, template.template.mappings.properties)) problems.push(`${id}: ${p}`);
    }
    assert.deepEqual(problems, []);
  });

  test('the validator refuses what Elasticsearch would refuse: unmapped field, string in a long, fraction in an integer, bad ip, object for a keyword', () => {
    const props = template.template.mappings.properties;
    const base = { '@timestamp': '2026-01-01T00:00:00.000Z' };
    assert.match(mappingProblems({ ...base, surprise: 1 }, props)[0] ?? '', /surprise: not in the mapping/);
    assert.match(mappingProblems({ ...base, dicomhawk: { bytes: '12' } }, props)[0] ?? '', /not an integer/);
    assert.match(mappingProblems({ ...base, source: { port: 1.5 } }, props)[0] ?? '', /not an integer/);
    assert.match(mappingProblems({ ...base, source: { ip: 'not-an-ip' } }, props)[0] ?? '', /not an IP/);
    assert.match(mappingProblems({ ...base, dicomhawk: { session: { a: 1 } } }, props)[0] ?? '', /object given/);
    assert.match(mappingProblems({ ...base, source: 'x' }, props)[0] ?? '', /concrete value/);
    assert.match(mappingProblems({ '@timestamp': 'yesterday' }, props)[0] ?? '', /not a date/);
  });
});

interface SavedObject {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: Array<{ name: string; type: string; id: string }>;
}

describe('Kibana saved objects', () => {
  const objects = readFileSync(NDJSON_FILE, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SavedObject);

  test('the ndjson parses; every reference resolves to an object in the file', () => {
    const ids = new Set(objects.map((o) => `${o.type}:${o.id}`));
    assert.equal(ids.size, objects.length, 'ids are unique per type');
    for (const o of objects) for (const r of o.references) assert.ok(ids.has(`${r.type}:${r.id}`), `${o.id} → ${r.type}:${r.id}`);
    const dash = objects.find((o) => o.type === 'dashboard')!;
    const panels = JSON.parse(dash.attributes.panelsJSON as string) as Array<{ panelRefName: string }>;
    assert.equal(panels.length, dash.references.length);
    for (const p of panels) assert.ok(dash.references.some((r) => r.name === p.panelRefName));
    const view = objects.find((o) => o.type === 'index-pattern')!;
    assert.equal(view.attributes.timeFieldName, '@timestamp');
    assert.ok(template.index_patterns.every((p) => p.startsWith(String(view.attributes.title).replace(/\*$/, ''))));
  });

  test('the dashboard has the panels the issue lists', () => {
    const titles = objects.filter((o) => o.type !== 'dashboard').map((o) => String(o.attributes.title));
    for (const want of ['DICOM sessions', 'API requests', 'Known scanners vs other hosts — DICOM', 'Known scanners vs other hosts — API', 'Source IPs: scores, ISP and sessions', 'Live DICOM sessions', 'Live API requests (by session)', 'Unique IPs — DICOM', 'Unique IPs — API', 'DICOM request types', 'API URIs', 'DICOM sessions vs API requests over time', 'Source countries', 'DICOM client fingerprints', 'Honeytokens issued and triggered'])
      assert.ok(titles.includes(want), want);
  });

  test('every field a visualization or search names exists in the template, and every aggregated field can be aggregated', () => {
    const problems: string[] = [];
    const check = (where: string, field: string, agg: boolean) => {
      const m = fields.get(field);
      if (!m) problems.push(`${where}: ${field} is not in the index template`);
      else if (agg && !aggregatable(m)) problems.push(`${where}: ${field} (${m.type}) cannot be aggregated`);
    };
    const kqlFields = (q: string) => [...q.matchAll(/([A-Za-z_@][\w.@]*)\s*:/g)].map((m) => m[1]!);
    for (const o of objects) {
      const ss = (o.attributes.kibanaSavedObjectMeta as { searchSourceJSON?: string } | undefined)?.searchSourceJSON;
      if (ss) for (const f of kqlFields((JSON.parse(ss) as { query: { query: string } }).query.query)) check(`${o.id} query`, f, false);
      if (o.type === 'visualization') {
        const vis = JSON.parse(o.attributes.visState as string) as { aggs: Array<{ type: string; params: { field?: string; sortField?: string; filters?: Array<{ input: { query: string } }> } }> };
        assert.ok(vis.aggs.length > 0, o.id);
        for (const a of vis.aggs) {
          if (a.params.field) check(`${o.id} ${a.type}`, a.params.field, a.type !== 'top_hits');
          if (a.params.sortField) check(`${o.id} ${a.type} sort`, a.params.sortField, true);
          for (const f of a.params.filters ?? []) for (const k of kqlFields(f.input.query)) check(`${o.id} filter`, k, false);
        }
      }
      if (o.type === 'search') for (const c of o.attributes.columns as string[]) check(`${o.id} column`, c, false);
    }
    assert.deepEqual(problems, []);
  });
});
