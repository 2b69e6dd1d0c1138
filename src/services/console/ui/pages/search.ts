/** Search: events by IP/CIDR, session, event id, time range, AE title and free text in query values; export as JSON lines or CSV. */
import { api } from '../api.ts';
import { card, fmtTime, h, searchLink, sessionLink, table } from '../dom.ts';

interface Found {
  events: Array<{ id: number; ts_ms: number; eventid: string; session: string; protocol: string; src_ip: string | null; message: string }>;
  next: string | null;
}

const FIELDS: Array<[string, string, string]> = [
  ['ip', 'IP or CIDR', '203.0.113.7 or 203.0.113.0/24'],
  ['session', 'Session', 'session id'],
  ['eventid', 'Event id', 'dicomhawk.dimse.find or dicomhawk.web.*'],
  ['since', 'Since', '2h, 7d or 2026-11-28T10:00Z'],
  ['until', 'Until', 'ISO 8601 or duration'],
  ['ae', 'AE title', 'calling or called AE'],
  ['text', 'Text in query values', 'e.g. Nielsen or *'],
];

const EVENT_HINTS = [
  'dicomhawk.session.*', 'dicomhawk.association.*', 'dicomhawk.dimse.*', 'dicomhawk.dimse.find', 'dicomhawk.dimse.store', 'dicomhawk.web.*',
  'dicomhawk.web.request', 'dicomhawk.dicomweb.*', 'dicomhawk.honeytoken.*', 'dicomhawk.intel.result', 'dicomhawk.score.update', 'dicomhawk.scanner.identified',
];

export async function renderSearch(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const filters = new URLSearchParams();
  for (const [k] of FIELDS) {
    const v = params.get(k);
    if (v) filters.set(k, v);
  }
  const inputs = FIELDS.map(([k, label, ph]) =>
    h('label', { class: 'field' }, h('span', {}, label), h('input', { name: k, value: params.get(k) ?? '', placeholder: ph, list: k === 'eventid' ? 'eventids' : undefined, autocomplete: 'off' })),
  );
  const form = h(
    'form',
    { class: 'search-form', id: 'search-form' },
    inputs,
    h('datalist', { id: 'eventids' }, EVENT_HINTS.map((id) => h('option', { value: id }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Search'), h('a', { href: '#/search', class: 'button ghost' }, 'Clear')),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams();
    for (const el of form.querySelectorAll('input')) if (el.value.trim()) q.set(el.name, el.value.trim());
    location.hash = `#/search?${q.toString()}`;
  });
  const exportQ = (format: string): string => {
    const q = new URLSearchParams(filters);
    q.set('format', format);
    return `/api/events/export?${q.toString()}`;
  };
  const results = h('div', { id: 'results' });
  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Search'), h('div', { class: 'spacer' }), h('a', { class: 'button ghost', href: exportQ('jsonl'), download: '' }, 'Export JSON lines'), h('a', { class: 'button ghost', href: exportQ('csv'), download: '' }, 'Export CSV')),
    card('Filters', form, h('p', { class: 'muted small' }, 'Newest first. An AE title finds every event of the sessions that used it; text finds C-FIND/C-GET/C-MOVE key values, QIDO-RS parameters and web paths (exports: up to 100 000 events).')),
    results,
  );

  const rowsOf = (f: Found): Array<Array<Node | string>> =>
    f.events.map((e) => [
      fmtTime(e.ts_ms),
      h('span', { class: 'eventid' }, e.eventid.replace(/^dicomhawk\./, '')),
      sessionLink(e.session),
      h('span', { class: `proto ${e.protocol}` }, e.protocol),
      e.src_ip ? searchLink({ ip: e.src_ip }, e.src_ip, 'mono') : '—',
      h('span', { class: 'msg' }, e.message),
    ]);

  const load = async (before: string | null, into: HTMLElement): Promise<void> => {
    const q = new URLSearchParams(filters);
    q.set('limit', '100');
    if (before) q.set('before', before);
    let f: Found;
    try {
      f = await api<Found>(`/api/events?${q.toString()}`);
    } catch (err) {
      into.append(h('p', { class: 'error', role: 'alert' }, (err as Error).message));
      return;
    }
    const tbl = table(['Time (UTC)', 'Event', 'Session', 'Protocol', 'IP', 'Message'], rowsOf(f), { empty: 'No events match.', cls: 'results' });
    into.append(tbl);
    if (f.next) {
      const more = h('button', { type: 'button', class: 'ghost more' }, 'Older events');
      more.addEventListener('click', () => {
        more.remove();
        void load(f.next, into);
      });
      into.append(more);
    }
  };
  await load(null, results);
}
