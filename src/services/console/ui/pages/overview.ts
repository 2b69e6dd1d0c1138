/** Overview: the numbers, the timeline, the pies and the top tables for a window of whole UTC days. */
import type { Overview } from '../../store/overview.ts';
import { api } from '../api.ts';
import { destroyCharts, doughnut, lineChart } from '../charts.ts';
import { card, clear, country, fmtNum, fmtTime, h, scoreBadge, searchLink, sessionLink, table } from '../dom.ts';

const RANGES: Array<[string, string]> = [
  ['today', 'Today'],
  ['7d', '7 days'],
  ['30d', '30 days'],
  ['all', 'All'],
];

let refresh: ReturnType<typeof setTimeout> | null = null;

function stat(key: string, label: string, value: number, note?: string | Node): HTMLElement {
  return h('div', { class: 'stat', 'data-stat': key }, h('div', { class: 'stat-label' }, label), h('div', { class: 'stat-value' }, fmtNum(value)), note ? h('div', { class: 'stat-note' }, note) : null);
}

function pie(title: string, slices: Array<{ key: string; n: number }>, id: string): HTMLElement {
  const canvas = h('canvas', { id, 'aria-label': title, role: 'img' });
  const total = slices.reduce((s, x) => s + x.n, 0);
  const c = card(title, slices.length ? h('div', { class: 'chart pie' }, canvas) : h('p', { class: 'empty' }, 'No data in this window.'));
  if (total > 0) queueMicrotask(() => doughnut(canvas, slices));
  return c;
}

function bucketLabel(ms: number, bucket: 'hour' | 'day', spanDays: number): string {
  const iso = new Date(ms).toISOString();
  if (bucket === 'day') return iso.slice(5, 10);
  return spanDays > 1 ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : `${iso.slice(11, 13)}:00`;
}

export async function renderOverview(main: HTMLElement, params: URLSearchParams): Promise<void> {
  if (refresh) clearTimeout(refresh);
  const range = params.get('range') ?? '7d';
  const head = h(
    'div',
    { class: 'toolbar' },
    h('h1', {}, 'Overview'),
    h(
      'div',
      { class: 'segmented', role: 'group', 'aria-label': 'Window' },
      RANGES.map(([k, label]) => h('a', { href: `#/overview?range=${k}`, class: k === range ? 'active' : '' }, label)),
    ),
    h('div', { class: 'spacer' }),
    h('span', { class: 'muted', id: 'updated' }, 'loading…'),
  );
  const body = h('div', { class: 'stack' });
  main.append(head, body);
  let o: Overview;
  try {
    o = await api<Overview>(`/api/overview?range=${encodeURIComponent(range)}`);
  } catch (err) {
    body.append(h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  if (!main.contains(body)) return; // navigated away meanwhile
  const n = o.numbers;
  const since = o.range.since_ms ? `since ${fmtTime(o.range.since_ms)} UTC` : 'all time';
  const updated = document.getElementById('updated');
  if (updated) updated.textContent = `${since} · updated ${fmtTime(o.generated_ms, false)} UTC${o.fold.behind > 0 ? ` · indexing ${fmtNum(o.fold.behind)} new events…` : ''}`;

  const scannerShare = n.scanner_sessions + n.other_sessions > 0 ? Math.round((100 * n.scanner_sessions) / (n.scanner_sessions + n.other_sessions)) : 0;
  body.append(
    h(
      'div',
      { class: 'stats' },
      stat('sessions_today', 'Sessions today', n.sessions_today, 'UTC day'),
      stat('sessions_7d', 'Sessions, 7 days', n.sessions_7d),
      stat('dimse_sessions', 'DICOM sessions', n.dimse_sessions, `${fmtNum(n.dimse_requests)} DIMSE requests`),
      stat('web_requests', 'Web requests', n.web_requests, `${fmtNum(n.web_sessions)} web sessions`),
      stat('unique_ips', 'Unique IPs', n.unique_ips),
      stat('scanner_sessions', 'Known scanners', n.scanner_sessions, h('span', {}, `vs ${fmtNum(n.other_sessions)} others (${scannerShare}% scanners)`)),
      stat('honeytoken_triggers', 'Honeytoken triggers', n.honeytoken_triggers, n.honeytoken_triggers > 0 ? h('span', { class: 'alert-text' }, 'decoy data was used') : 'none'),
      stat('uploads', 'Uploads', n.uploads, `${fmtNum(n.logins)} login attempts`),
    ),
  );

  const spanDays = o.timeline.buckets.length > 0 ? (o.timeline.buckets[o.timeline.buckets.length - 1]! - o.timeline.buckets[0]!) / 86_400_000 : 0;
  const timeline = h('canvas', { id: 'timeline', 'aria-label': 'DICOM sessions and web requests over time', role: 'img' });
  body.append(card(`DICOM sessions vs web requests, per ${o.range.bucket}`, h('div', { class: 'chart wide' }, timeline)));
  lineChart(
    timeline,
    o.timeline.buckets.map((t) => bucketLabel(t, o.range.bucket, spanDays)),
    [
      { label: 'DICOM sessions', data: o.timeline.dimse_sessions },
      { label: 'Web requests', data: o.timeline.web_requests },
    ],
  );

  body.append(
    h(
      'div',
      { class: 'grid4' },
      pie('DICOM request types', o.pies.request_types, 'pie-types'),
      pie('Web URIs', o.pies.web_paths, 'pie-paths'),
      pie('Countries (sessions)', o.pies.countries, 'pie-countries'),
      pie('Client tools and fingerprints', o.pies.clients, 'pie-clients'),
    ),
  );

  body.append(
    card(
      'Top source addresses',
      table(
        ['IP', 'Sessions', 'Web requests', 'Threat', 'Abuse', 'Malicious', 'Country', 'ISP', 'Scanner', 'Last seen (UTC)'],
        o.tops.ips.map((r) => [
          searchLink({ ip: r.ip }, r.ip, 'mono'),
          fmtNum(r.sessions),
          fmtNum(r.web_requests),
          scoreBadge('threat', r.threat_score),
          scoreBadge('abuse', r.abuse_score),
          scoreBadge('malicious', r.malicious_score),
          country(r.country),
          r.isp ?? '—',
          r.scanner ? h('span', { class: 'tag' }, r.scanner) : '—',
          fmtTime(r.last_ms),
        ]),
        { cls: 'top-ips', empty: 'No sessions in this window.' },
      ),
    ),
  );

  const counted = (rows: Array<{ key: string; n: number }>, param: string, empty: string): HTMLElement =>
    table(['Value', 'Count'], rows.map((r) => [searchLink({ [param]: r.key }, r.key || '""', 'mono'), fmtNum(r.n)]), { empty });
  body.append(
    h(
      'div',
      { class: 'grid2' },
      card('Calling AE titles', counted(o.tops.calling_ae, 'ae', 'No associations in this window.')),
      card('Called AE titles', counted(o.tops.called_ae, 'ae', 'No associations in this window.')),
      card(
        'Queried keys and values',
        table(['Key', 'Value', 'Count'], o.tops.queries.map((r) => [r.key, searchLink({ text: r.value }, r.value, 'mono'), fmtNum(r.n)]), { empty: 'No queries in this window.' }),
      ),
      card(
        'Credentials tried',
        table(['Username', 'Password', 'Count'], o.tops.credentials.map((r) => [h('span', { class: 'mono' }, r.username || '""'), h('span', { class: 'mono' }, r.password || '""'), fmtNum(r.n)]), {
          empty: 'No login attempts in this window.',
        }),
      ),
    ),
  );

  body.append(
    card(
      'Latest sessions',
      table(
        ['Session', 'Started (UTC)', 'Protocol', 'IP', 'Client', 'Events', 'Threat', 'Abuse', 'Malicious', 'Country'],
        o.recent_sessions.map((s) => [
          sessionLink(s.session),
          fmtTime(s.first_seen_ms),
          h('span', { class: `proto ${s.protocol}` }, s.protocol),
          s.src_ip ? searchLink({ ip: s.src_ip }, s.src_ip, 'mono') : '—',
          s.client_guess ?? '—',
          fmtNum(s.event_count),
          scoreBadge('threat', s.threat_score),
          scoreBadge('abuse', s.abuse_score),
          scoreBadge('malicious', s.malicious_score),
          country(s.country),
        ]),
        { empty: 'No sessions recorded yet.' },
      ),
    ),
  );
  // Fresh numbers every 30 s while the page is open.
  refresh = setTimeout(() => {
    if (!main.contains(body)) return;
    destroyCharts();
    clear(main);
    void renderOverview(main, params);
  }, 30_000);
}
