/**
 * The Kibana saved objects (ndjson): a data view over the DICOMHawk data streams, the dashboard's visualizations
 * (aggregation-based: metric, pie, table, line, bar), two saved searches, and the dashboard. Every panel leaves out
 * the sensor's own loopback traffic (tag sensor_local: the container healthcheck). Field names are those of the
 * index template; the tests check each one exists there and can be aggregated.
 */

export const DATA_VIEW_ID = 'dicomhawk-events';
export const DASHBOARD_ID = 'dicomhawk-dashboard';
const BASE_QUERY = 'not tags:"sensor_local"';

interface Agg {
  id: string;
  type: string;
  schema: string;
  params: Record<string, unknown>;
}

interface Vis {
  id: string;
  title: string;
  type: 'metric' | 'pie' | 'table' | 'line' | 'horizontal_bar';
  query: string;
  aggs: Agg[];
  params?: Record<string, unknown>;
  grid: { x: number; y: number; w: number; h: number };
}

let aggSeq = 0;
function agg(type: string, schema: string, params: Record<string, unknown> = {}): Agg {
  aggSeq += 1;
  return { id: String(aggSeq), type, schema, params };
}

const count = (label?: string): Agg => agg('count', 'metric', label ? { customLabel: label } : {});
const max = (field: string, label: string): Agg => agg('max', 'metric', { field, customLabel: label });
const min = (field: string, label: string): Agg => agg('min', 'metric', { field, customLabel: label });
const unique = (field: string, label: string): Agg => agg('cardinality', 'metric', { field, customLabel: label });
const latest = (field: string, label: string, size = 1): Agg => agg('top_hits', 'metric', { field, aggregate: 'concat', size, sortField: '@timestamp', sortOrder: 'desc', customLabel: label });
const terms = (field: string, size: number, orderBy: string, schema = 'bucket', label?: string): Agg =>
  agg('terms', schema, { field, size, order: 'desc', orderBy, otherBucket: false, missingBucket: false, ...(label ? { customLabel: label } : {}) });
const filters = (schema: string, entries: Array<[string, string]>): Agg => agg('filters', schema, { filters: entries.map(([q, label]) => ({ input: { query: q, language: 'kuery' }, label })) });

const DIMSE = 'event.dataset:"dicomhawk.dimse"';
const WEB = 'event.dataset:"dicomhawk.web"';
/** A session's own events and the enrichment tied to it (scores, ISP, country). */
const SESSION_AND_INTEL = (family: string) => `(${family} or event.dataset:"dicomhawk.intel")`;

function sessionTable(id: string, title: string, family: string, requestField: string, clientField: string, grid: Vis['grid']): Vis {
  aggSeq = 0;
  const last = max('@timestamp', 'Last event');
  return {
    id,
    title,
    type: 'table',
    query: SESSION_AND_INTEL(family),
    grid,
    aggs: [
      last,
      latest('source.ip', 'IP'),
      latest('dicomhawk.isp', 'ISP'),
      latest('source.geo.country_iso_code', 'Country'),
      latest(requestField, 'Requests (latest first)', 10),
      max('dicomhawk.threat_score', 'Threat score'),
      max('dicomhawk.abuse_score', 'Abuse score'),
      max('dicomhawk.malicious_score', 'Malicious score'),
      latest(clientField, 'Client', 10),
      terms('dicomhawk.session', 50, last.id, 'bucket', 'Session'),
    ],
    params: { perPage: 20, showPartialRows: false, showMetricsAtAllLevels: false, showTotal: false },
  };
}

function uniqueIps(id: string, title: string, family: string, grid: Vis['grid']): Vis {
  aggSeq = 0;
  const sessions = unique('dicomhawk.session', 'Sessions');
  return {
    id,
    title,
    type: 'table',
    query: family,
    grid,
    aggs: [count('Events'), sessions, min('@timestamp', 'First seen'), max('@timestamp', 'Last seen'), latest('source.geo.country_iso_code', 'Country'), terms('source.ip', 100, sessions.id, 'bucket', 'IP')],
    params: { perPage: 20 },
  };
}

function scannerPie(id: string, title: string, family: string, grid: Vis['grid']): Vis {
  aggSeq = 0;
  return {
    id,
    title,
    type: 'pie',
    query: family,
    grid,
    aggs: [unique('source.ip', 'Hosts'), filters('segment', [['tags:"known_scanner"', 'Known scanners'], ['not tags:"known_scanner"', 'Other hosts']])],
    params: { type: 'pie', addTooltip: true, addLegend: true, legendPosition: 'right', isDonut: true, labels: { show: true, values: true, last_level: true, truncate: 100 } },
  };
}

function metric(id: string, title: string, query: string, m: Agg, grid: Vis['grid']): Vis {
  return { id, title, type: 'metric', query, grid, aggs: [m], params: { addTooltip: true, addLegend: false, type: 'metric', metric: { percentageMode: false, useRanges: false, colorSchema: 'Green to Red', metricColorMode: 'None', labels: { show: true }, style: { bgFill: '#000', bgColor: false, labelColor: false, subText: '', fontSize: 48 } } } };
}

function pie(id: string, title: string, query: string, field: string, size: number, grid: Vis['grid']): Vis {
  aggSeq = 0;
  const c = count();
  return { id, title, type: 'pie', query, grid, aggs: [c, terms(field, size, c.id, 'segment')], params: { type: 'pie', addTooltip: true, addLegend: true, legendPosition: 'right', isDonut: false, labels: { show: true, values: true, last_level: true, truncate: 100 } } };
}

function table(id: string, title: string, query: string, metrics: Agg[], bucket: Agg, grid: Vis['grid']): Vis {
  return { id, title, type: 'table', query, grid, aggs: [...metrics, bucket], params: { perPage: 20 } };
}

const XY_PARAMS = (type: 'line' | 'histogram', horizontal = false) => ({
  type,
  grid: { categoryLines: false },
  categoryAxes: [{ id: 'CategoryAxis-1', type: 'category', position: horizontal ? 'left' : 'bottom', show: true, scale: { type: 'linear' }, labels: { show: true, filter: true, truncate: 100 }, title: {} }],
  valueAxes: [{ id: 'ValueAxis-1', name: 'LeftAxis-1', type: 'value', position: horizontal ? 'bottom' : 'left', show: true, scale: { type: 'linear', mode: 'normal' }, labels: { show: true, rotate: 0, filter: false, truncate: 100 }, title: { text: 'Count' } }],
  seriesParams: [{ show: true, type, mode: 'normal', data: { label: 'Count', id: '1' }, valueAxis: 'ValueAxis-1', drawLinesBetweenPoints: true, showCircles: true, lineWidth: 2 }],
  addTooltip: true,
  addLegend: true,
  legendPosition: 'right',
  times: [],
  addTimeMarker: false,
});

function visualizations(): Vis[] {
  const out: Vis[] = [];
  aggSeq = 0;
  out.push(metric('dicomhawk-total-dicom-sessions', 'DICOM sessions', 'event.action:"dicomhawk.session.connect"', count('DICOM sessions'), { x: 0, y: 0, w: 12, h: 7 }));
  aggSeq = 0;
  out.push(metric('dicomhawk-total-api-requests', 'API requests', 'event.action:"dicomhawk.web.request"', count('API requests'), { x: 12, y: 0, w: 12, h: 7 }));
  aggSeq = 0;
  out.push(metric('dicomhawk-unique-sources', 'Source IPs', 'source.ip:*', unique('source.ip', 'Source IPs'), { x: 24, y: 0, w: 12, h: 7 }));
  aggSeq = 0;
  out.push(metric('dicomhawk-honeytokens-triggered', 'Honeytokens triggered', 'event.action:"dicomhawk.honeytoken.triggered"', count('Honeytokens triggered'), { x: 36, y: 0, w: 12, h: 7 }));
  out.push(scannerPie('dicomhawk-scanners-dicom', 'Known scanners vs other hosts — DICOM', DIMSE, { x: 0, y: 7, w: 24, h: 12 }));
  out.push(scannerPie('dicomhawk-scanners-api', 'Known scanners vs other hosts — API', WEB, { x: 24, y: 7, w: 24, h: 12 }));
  {
    aggSeq = 0;
    const sessions = unique('dicomhawk.session', 'Sessions');
    out.push(
      table(
        'dicomhawk-ip-scores',
        'Source IPs: scores, ISP and sessions',
        'source.ip:*',
        [sessions, max('dicomhawk.threat_score', 'Threat score'), max('dicomhawk.malicious_score', 'Malicious score'), max('dicomhawk.abuse_score', 'Abuse score'), latest('dicomhawk.isp', 'ISP'), latest('source.geo.country_iso_code', 'Country')],
        terms('source.ip', 100, sessions.id, 'bucket', 'IP'),
        { x: 0, y: 19, w: 48, h: 15 },
      ),
    );
  }
  out.push(sessionTable('dicomhawk-live-dicom-sessions', 'Live DICOM sessions', DIMSE, 'dicomhawk.request_type', 'dicomhawk.client_guess', { x: 0, y: 34, w: 48, h: 15 }));
  out.push(sessionTable('dicomhawk-live-api-requests', 'Live API requests (by session)', WEB, 'url.path', 'user_agent.original.keyword', { x: 0, y: 49, w: 48, h: 15 }));
  out.push(uniqueIps('dicomhawk-unique-ips-dicom', 'Unique IPs — DICOM', DIMSE, { x: 0, y: 64, w: 24, h: 15 }));
  out.push(uniqueIps('dicomhawk-unique-ips-api', 'Unique IPs — API', WEB, { x: 24, y: 64, w: 24, h: 15 }));
  out.push(pie('dicomhawk-dicom-request-types', 'DICOM request types', DIMSE, 'dicomhawk.request_type', 10, { x: 0, y: 79, w: 24, h: 12 }));
  out.push(pie('dicomhawk-api-uris', 'API URIs', 'event.action:"dicomhawk.web.request"', 'url.path', 15, { x: 24, y: 79, w: 24, h: 12 }));
  {
    aggSeq = 0;
    const c = count();
    out.push({
      id: 'dicomhawk-dicom-vs-api',
      title: 'DICOM sessions vs API requests over time',
      type: 'line',
      query: '',
      grid: { x: 0, y: 91, w: 48, h: 12 },
      aggs: [c, agg('date_histogram', 'segment', { field: '@timestamp', interval: 'auto', min_doc_count: 1, extended_bounds: {} }), filters('group', [['event.action:"dicomhawk.session.connect"', 'DICOM sessions'], ['event.action:"dicomhawk.web.request"', 'API requests']])],
      params: XY_PARAMS('line'),
    });
  }
  {
    aggSeq = 0;
    const ips = unique('source.ip', 'Source IPs');
    out.push({ id: 'dicomhawk-countries', title: 'Source countries', type: 'horizontal_bar', query: 'source.geo.country_iso_code:*', grid: { x: 0, y: 103, w: 16, h: 15 }, aggs: [ips, terms('source.geo.country_iso_code', 20, ips.id, 'segment', 'Country')], params: XY_PARAMS('histogram', true) });
  }
  {
    aggSeq = 0;
    const c = count('Associations');
    out.push(
      table(
        'dicomhawk-fingerprints',
        'DICOM client fingerprints',
        'event.action:"dicomhawk.association.request"',
        [c, unique('source.ip', 'Source IPs'), latest('dicomhawk.client_guess', 'Looks like'), latest('dicomhawk.impl_version', 'Implementation version'), latest('dicomhawk.impl_class_uid', 'Implementation class UID'), min('@timestamp', 'First seen')],
        terms('dicomhawk.client_fp', 50, c.id, 'bucket', 'Fingerprint'),
        { x: 16, y: 103, w: 32, h: 15 },
      ),
    );
  }
  {
    aggSeq = 0;
    const c = count('Events');
    out.push(
      table(
        'dicomhawk-honeytokens',
        'Honeytokens issued and triggered',
        'event.dataset:"dicomhawk.honeytoken"',
        [c, latest('dicomhawk.kind', 'Kind'), unique('dicomhawk.session', 'Sessions'), latest('source.ip', 'Latest IP'), max('@timestamp', 'Last')],
        terms('dicomhawk.token', 50, c.id, 'bucket', 'Token'),
        { x: 0, y: 118, w: 32, h: 15 },
      ),
    );
    // Split each token by issued / triggered.
    const last = out[out.length - 1]!;
    last.aggs.push(terms('event.action', 2, c.id, 'bucket', 'Event'));
  }
  {
    aggSeq = 0;
    const c = count();
    out.push(
      table('dicomhawk-web-logins', 'Portal logins by credential kind', 'event.action:("dicomhawk.web.login.success" or "dicomhawk.web.login.failed")', [c, unique('source.ip', 'Source IPs')], terms('dicomhawk.credential_kind', 3, c.id, 'bucket', 'Credentials'), { x: 32, y: 118, w: 16, h: 15 }),
    );
    out[out.length - 1]!.aggs.push(terms('event.action', 2, c.id, 'bucket', 'Outcome'));
  }
  return out;
}

interface SavedSearch {
  id: string;
  title: string;
  query: string;
  columns: string[];
  grid: Vis['grid'];
}

const SEARCHES: SavedSearch[] = [
  { id: 'dicomhawk-search-dicom', title: 'DICOM requests', query: `${DIMSE} and dicomhawk.request_type:*`, columns: ['source.ip', 'source.geo.country_iso_code', 'dicomhawk.request_type', 'dicomhawk.calling_ae.text', 'dicomhawk.called_ae.text', 'dicomhawk.level', 'dicomhawk.status', 'dicomhawk.client_guess', 'dicomhawk.session'], grid: { x: 0, y: 133, w: 48, h: 15 } },
  { id: 'dicomhawk-search-api', title: 'API requests', query: 'event.action:"dicomhawk.web.request"', columns: ['source.ip', 'source.geo.country_iso_code', 'http.request.method', 'url.path', 'http.response.status_code', 'user_agent.original', 'dicomhawk.session'], grid: { x: 0, y: 148, w: 48, h: 15 } },
];

function searchSource(query: string): string {
  const q = query ? `(${query}) and ${BASE_QUERY}` : BASE_QUERY;
  return JSON.stringify({ query: { query: q, language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' });
}

const INDEX_REF = [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: DATA_VIEW_ID }];

export function savedObjects(): Array<Record<string, unknown>> {
  const vis = visualizations();
  const objects: Array<Record<string, unknown>> = [
    { id: DATA_VIEW_ID, type: 'index-pattern', attributes: { title: 'logs-dicomhawk.*', name: 'DICOMHawk events', timeFieldName: '@timestamp' }, references: [] },
  ];
  for (const v of vis) {
    objects.push({
      id: v.id,
      type: 'visualization',
      attributes: {
        title: v.title,
        description: '',
        visState: JSON.stringify({ title: v.title, type: v.type, aggs: v.aggs.map((a) => ({ ...a, enabled: true })), params: v.params ?? {} }),
        uiStateJSON: '{}',
        version: 1,
        kibanaSavedObjectMeta: { searchSourceJSON: searchSource(v.query) },
      },
      references: INDEX_REF,
    });
  }
  for (const s of SEARCHES) {
    objects.push({
      id: s.id,
      type: 'search',
      attributes: { title: s.title, description: '', columns: s.columns, sort: [['@timestamp', 'desc']], kibanaSavedObjectMeta: { searchSourceJSON: searchSource(s.query) } },
      references: INDEX_REF,
    });
  }
  const panels = [...vis.map((v) => ({ id: v.id, type: 'visualization', grid: v.grid })), ...SEARCHES.map((s) => ({ id: s.id, type: 'search', grid: s.grid }))];
  objects.push({
    id: DASHBOARD_ID,
    type: 'dashboard',
    attributes: {
      title: 'DICOMHawk',
      description: 'DICOM and web activity against the DICOMHawk sensors: sessions, requests, scores, scanners, fingerprints, honeytokens.',
      panelsJSON: JSON.stringify(panels.map((p, i) => ({ version: '8.0.0', type: p.type, gridData: { ...p.grid, i: String(i + 1) }, panelIndex: String(i + 1), embeddableConfig: {}, panelRefName: `panel_${i}` }))),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 30000 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }) },
    },
    references: panels.map((p, i) => ({ name: `panel_${i}`, type: p.type, id: p.id })),
  });
  return objects;
}

export function dashboardNdjson(): string {
  return `${savedObjects()
    .map((o) => JSON.stringify(o))
    .join('\n')}\n`;
}
