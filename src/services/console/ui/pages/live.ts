/** Live: sessions and web requests as they happen (Server-Sent Events from /api/live), newest on top. */
import type { LiveRow } from '../../live.ts';
import { clear, country, fmtTime, h, scoreBadge, searchLink, sessionLink } from '../dom.ts';

const MAX_ROWS = 500;
let source: EventSource | null = null;

export function stopLive(): void {
  source?.close();
  source = null;
}

function rowCells(r: LiveRow): HTMLTableRowElement {
  const flags: HTMLElement[] = [];
  if (r.scanner) flags.push(h('span', { class: 'tag', title: 'known scanner' }, r.scanner));
  if (r.honeytoken) flags.push(h('span', { class: 'tag alert' }, 'honeytoken'));
  if (r.closed) flags.push(h('span', { class: 'tag muted-tag' }, 'closed'));
  return h(
    'tr',
    { 'data-id': r.id, 'data-session': r.session, class: 'fresh' },
    h('td', { class: 'mono' }, fmtTime(r.ts, false)),
    h('td', {}, r.src_ip ? searchLink({ ip: r.src_ip }, r.src_ip, 'mono') : '—'),
    h('td', {}, country(r.country)),
    h('td', { class: 'clip' }, r.isp ?? '—'),
    h('td', {}, h('span', { class: `proto ${r.protocol}` }, r.protocol)),
    h('td', { class: 'what' }, sessionLink(r.session, r.what)),
    h('td', { class: 'clip' }, r.client ?? '—'),
    h('td', {}, scoreBadge('threat', r.threat_score)),
    h('td', {}, scoreBadge('abuse', r.abuse_score)),
    h('td', {}, scoreBadge('malicious', r.malicious_score)),
    h('td', {}, flags),
  );
}

export function renderLive(main: HTMLElement): void {
  stopLive();
  const status = h('span', { class: 'status connecting', id: 'live-status' }, 'connecting…');
  const count = h('span', { class: 'muted' }, '');
  let paused = false;
  const pause = h('button', { class: 'ghost', type: 'button' }, 'Pause');
  const tbody = h('tbody', { id: 'live-rows' });
  const emptyRow = h('tr', { class: 'empty-row' }, h('td', { colspan: '11' }, 'Waiting for the first session or request…'));
  tbody.append(emptyRow);
  const rows = new Map<string, HTMLTableRowElement>();
  const held: LiveRow[] = [];
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) apply(held.splice(0));
  });
  main.append(
    h('div', { class: 'toolbar' }, h('h1', {}, 'Live'), status, h('div', { class: 'spacer' }), count, pause),
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'live' },
          h('thead', {}, h('tr', {}, ['Time (UTC)', 'IP', 'Country', 'ISP', 'Protocol', 'What', 'Client', 'Threat', 'Abuse', 'Malicious', ''].map((t) => h('th', {}, t)))),
          tbody,
        ),
      ),
    ),
  );

  function apply(list: LiveRow[]): void {
    if (paused) {
      held.push(...list);
      return;
    }
    if (list.length > 0) emptyRow.remove();
    for (const r of list) {
      const tr = rowCells(r);
      const old = rows.get(r.id);
      if (old) {
        old.replaceWith(tr);
        tr.classList.remove('fresh');
      } else tbody.prepend(tr);
      rows.set(r.id, tr);
    }
    while (rows.size > MAX_ROWS) {
      const [id, tr] = rows.entries().next().value as [string, HTMLTableRowElement];
      tr.remove();
      rows.delete(id);
    }
    count.textContent = `${rows.size} rows`;
  }

  const es = new EventSource('/api/live');
  source = es;
  es.addEventListener('open', () => {
    status.textContent = 'live';
    status.className = 'status on';
  });
  es.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'status off';
  });
  es.addEventListener('snapshot', (ev) => {
    clear(tbody);
    rows.clear();
    tbody.append(emptyRow);
    apply(JSON.parse((ev as MessageEvent<string>).data) as LiveRow[]);
    for (const tr of rows.values()) tr.classList.remove('fresh');
  });
  es.addEventListener('rows', (ev) => apply(JSON.parse((ev as MessageEvent<string>).data) as LiveRow[]));
  es.addEventListener('busy', () => {
    status.textContent = 'too many live clients';
    status.className = 'status off';
    es.close();
  });
}
