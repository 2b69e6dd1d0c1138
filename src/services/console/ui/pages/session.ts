/** Session detail: the whole story of one session in order, with every field an analyst needs to read it. */
import type { SessionStory, StoryEvent } from '../../store/sessionStory.ts';
import { api } from '../api.ts';
import { card, country, fmtBytes, fmtDuration, fmtNum, fmtTime, h, scoreBadge, searchLink, sessionLink, table } from '../dom.ts';

type E = Record<string, unknown>;
type Row = [string, Node | string];

const ENVELOPE = new Set(['eventid', 'timestamp', 'session', 'sensor', 'protocol', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'schema_version', 'message', 'tags', 'late']);

const str = (v: unknown): string => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));
const mono = (v: unknown): HTMLElement => h('span', { class: 'mono' }, str(v));
const raw = (v: unknown): string => {
  const r = v as { text?: string; hex?: string } | null;
  return r ? `${JSON.stringify(r.text ?? '')}${r.hex ? `  (hex ${r.hex})` : ''}` : '—';
};
const hexStatus = (s: unknown): string => (typeof s === 'number' ? `0x${s.toString(16).toUpperCase().padStart(4, '0')}` : '—');

function kv(rows: Row[]): HTMLElement {
  return h('dl', { class: 'kv' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function keysTable(keys: unknown): HTMLElement {
  const list = Array.isArray(keys) ? (keys as E[]) : [];
  return table(
    ['Tag', 'Keyword', 'VR', 'Value', 'Match'],
    list.map((k) => [mono(k.tag), str(k.keyword), str(k.vr), k.value ? searchLink({ text: String(k.value) }, String(k.value), 'mono') : h('span', { class: 'muted' }, '(return key)'), str(k.match)]),
    { empty: 'No keys.' },
  );
}

function quarantineLink(sha: unknown): Node {
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) return document.createTextNode('—');
  return h('span', {}, h('span', { class: 'mono hash' }, sha), ' ', h('a', { href: `/api/quarantine/${sha}`, target: '_blank', rel: 'noopener' }, 'record'), ' · ', h('a', { href: `/api/quarantine/${sha}/download` }, 'download'));
}

/** The fields worth reading for each kind of event; anything else falls back to a generic list. */
function details(e: E): Node | null {
  switch (e.eventid) {
    case 'dicomhawk.session.connect':
      return kv([['Listener port', str(e.listener_port)], ...(e.tls ? ([['TLS', str(e.tls)]] as Row[]) : []), ...(e.proxied ? ([['Proxied', 'PROXY protocol']] as Row[]) : [])]);
    case 'dicomhawk.association.request': {
      const ctx = Array.isArray(e.contexts) ? (e.contexts as E[]) : [];
      const ui = e.user_identity as E | null;
      return h(
        'div',
        {},
        kv([
          ['Calling AE', mono(raw(e.calling_ae))],
          ['Called AE', mono(raw(e.called_ae))],
          ['Client guess', `${str(e.client_guess)}${e.client_guess_reason ? ` — ${str(e.client_guess_reason)}` : ''}`],
          ['Client fingerprint', mono(e.client_fp)],
          ['Implementation', `${str(e.impl_class_uid)} / ${str(e.impl_version)}`],
          ['Application context', mono(e.app_context)],
          ['Protocol version', str(e.protocol_version)],
          ['Max PDU', fmtNum(e.max_pdu as number | null)],
          ['Async ops', str(e.async_ops)],
          ['User identity', ui ? mono(`type ${str(ui.type)}: ${raw(ui.primary)}${ui.secondary ? ` / ${raw(ui.secondary)}` : ''}`) : '—'],
          ['Roles', str((e.roles as unknown[] | undefined)?.length ? e.roles : '—')],
          ['Extended negotiation', str((e.ext_neg as unknown[] | undefined)?.length ? e.ext_neg : '—')],
          ['Unknown items', str((e.unknown_items as unknown[] | undefined)?.length ? e.unknown_items : '—')],
          ['Anomalies', (e.anomalies as string[] | undefined)?.length ? h('span', { class: 'alert-text' }, (e.anomalies as string[]).join('; ')) : '—'],
        ]),
        table(['ID', 'Abstract syntax', 'Transfer syntaxes'], ctx.map((c) => [str(c.id), mono(c.abstract_syntax), mono((c.transfer_syntaxes as string[] | undefined)?.join(', '))]), {
          empty: 'No presentation contexts.',
        }),
      );
    }
    case 'dicomhawk.association.accept':
      return kv([['Max PDU', fmtNum(e.max_pdu as number)], ['Contexts', ((e.contexts as E[] | undefined) ?? []).map((c) => `${str(c.id)}: ${str(c.result_name)}`).join(', ')]]);
    case 'dicomhawk.dimse.find':
      return h('div', {}, kv([['Model / level', `${str(e.model)} / ${str(e.level)}`], ['Charset', str(e.charset)], ['Matches', fmtNum(e.matches as number)], ['Status', hexStatus(e.status)]]), keysTable(e.keys));
    case 'dicomhawk.dimse.get':
    case 'dicomhawk.dimse.move':
      return h(
        'div',
        {},
        kv([
          ['Model / level', `${str(e.model)} / ${str(e.level)}`],
          ...(e.eventid === 'dicomhawk.dimse.move' ? ([['Destination AE', mono(raw(e.destination_ae))]] as Row[]) : []),
          ['Sent', `${fmtNum(e.completed as number)} completed, ${fmtNum(e.failed as number)} failed, ${fmtNum(e.warning as number)} warning · ${fmtBytes(e.bytes as number)}`],
          ['Instances', mono(((e.instances as string[] | undefined) ?? []).slice(0, 20).join('\n') || '—')],
          ['Status', hexStatus(e.status)],
        ]),
        keysTable(e.keys),
      );
    case 'dicomhawk.dimse.store':
      return kv([
        ['SOP class', mono(e.sop_class)],
        ['SOP instance', mono(e.sop_instance)],
        ['Transfer syntax', mono(e.transfer_syntax)],
        ['Size', fmtBytes(e.size as number)],
        ['SHA-256 / quarantine', quarantineLink(e.sha256)],
        ['Status', hexStatus(e.status)],
      ]);
    case 'dicomhawk.web.request': {
      const headers = Array.isArray(e.headers) ? (e.headers as E[]) : [];
      return h(
        'div',
        {},
        kv([
          ['Request', mono(`${str(e.method)} ${str(e.path)}${e.query ? `?${str(e.query)}` : ''}`)],
          ['Status', str(e.status)],
          ['User-Agent', mono(e.user_agent)],
          ['Body', `${fmtBytes(e.body_size as number)}${e.body_sha256 ? ` · SHA-256 ${str(e.body_sha256)}` : ''}`],
          ['Duration', fmtDuration(e.duration_ms as number)],
          ['Web session', mono(e.web_session)],
        ]),
        table(['Header', 'Value'], headers.map((x) => [mono(x.name), mono(x.value)]), { empty: 'No headers recorded.' }),
      );
    }
    case 'dicomhawk.web.login.success':
    case 'dicomhawk.web.login.failed':
      return kv([['Username', mono(e.username)], ['Password', mono(e.password)], ['Credential', str(e.credential_kind)], ...(e.reason ? ([['Reason', str(e.reason)]] as Row[]) : [])]);
    case 'dicomhawk.web.upload':
      return table(['File', 'Size', 'Accepted', 'SHA-256 / quarantine'], ((e.files as E[] | undefined) ?? []).map((f) => [mono(f.name), fmtBytes(f.size as number), f.accepted ? 'yes' : `no (${str(f.reason)})`, quarantineLink(f.sha256)]));
    case 'dicomhawk.dicomweb.store':
      return table(['SOP instance', 'Size', 'Accepted', 'SHA-256 / quarantine'], ((e.instances as E[] | undefined) ?? []).map((f) => [mono(f.sop_instance), fmtBytes(f.size as number), f.accepted ? 'yes' : 'no', quarantineLink(f.sha256)]));
    case 'dicomhawk.dicomweb.query':
      return h('div', {}, kv([['Level', str(e.level)], ['Matches', fmtNum(e.matches as number)], ['Status', str(e.status)]]), table(['Parameter', 'Value'], ((e.params as E[] | undefined) ?? []).map((p) => [mono(p.name), searchLink({ text: String(p.value) }, String(p.value), 'mono')])));
    case 'dicomhawk.intel.result': {
      const summary = (e.summary ?? {}) as E;
      return h(
        'div',
        {},
        kv([['Service', str(e.service)], ['Address', mono(e.ip)], ['Answer', e.ok ? (e.cached ? 'ok (cached)' : 'ok') : h('span', { class: 'alert-text' }, str(e.error))]]),
        table(['Field', 'Value'], Object.entries(summary).map(([k, v]) => [mono(k), mono(v)]), { empty: 'Empty answer.' }),
      );
    }
    case 'dicomhawk.score.update':
      return h(
        'div',
        {},
        h('div', { class: 'scores' }, 'threat ', scoreBadge('threat', e.threat_score as number), ' abuse ', scoreBadge('abuse', e.abuse_score as number | null), ' malicious ', scoreBadge('malicious', e.malicious_score as number | null)),
        h('ul', { class: 'reasons' }, ((e.reasons as string[] | undefined) ?? []).map((r) => h('li', {}, r))),
      );
    case 'dicomhawk.honeytoken.issued':
    case 'dicomhawk.honeytoken.triggered':
      return kv(Object.entries(e).filter(([k]) => !ENVELOPE.has(k)).map(([k, v]) => [k, k === 'issued_session' && typeof v === 'string' ? sessionLink(v, v) : mono(v)] as Row));
    default: {
      const rest = Object.entries(e).filter(([k]) => !ENVELOPE.has(k));
      return rest.length ? kv(rest.map(([k, v]) => [k, mono(v)] as Row)) : null;
    }
  }
}

function eventClass(id: string): string {
  if (/honeytoken|malformed|abort|reject|limit/.test(id)) return 'alert';
  if (/intel|score|scanner/.test(id)) return 'intel';
  if (/store|upload|download|get|move|retrieve/.test(id)) return 'data';
  return '';
}

function eventItem(ev: StoryEvent, t0: number, open: boolean): HTMLElement {
  const e = ev.event;
  const id = String(e.eventid);
  const d = details(e);
  const tags = Array.isArray(e.tags) ? (e.tags as string[]) : [];
  return h(
    'li',
    { class: `event ${eventClass(id)}`, 'data-eventid': id },
    h(
      'details',
      { open: open || undefined },
      h(
        'summary',
        {},
        h('span', { class: 'mono t' }, `+${fmtDuration(ev.ts_ms - t0)}`),
        h('span', { class: 'eventid' }, id.replace(/^dicomhawk\./, '')),
        h('span', { class: 'msg' }, str(e.message)),
        tags.map((t) => h('span', { class: 'tag' }, t)),
        e.late ? h('span', { class: 'tag muted-tag' }, 'late') : null,
      ),
      h('div', { class: 'event-body' }, d, h('details', { class: 'raw' }, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(e, null, 2)))),
    ),
  );
}

export async function renderSession(main: HTMLElement, id: string): Promise<void> {
  main.append(h('div', { class: 'toolbar' }, h('h1', {}, 'Session'), h('span', { class: 'mono muted' }, id)));
  let s: SessionStory;
  try {
    s = await api<SessionStory>(`/api/sessions/${encodeURIComponent(id)}`);
  } catch (err) {
    main.append(h('p', { class: 'error' }, (err as Error).message));
    return;
  }
  const row = (s.session ?? {}) as Record<string, unknown>;
  const first = s.events[0]!;
  const fe = first.event;
  const t0 = first.ts_ms;
  const last = s.events[s.events.length - 1]!.ts_ms;
  const issued = s.events.filter((x) => x.event.eventid === 'dicomhawk.honeytoken.issued');
  const ip = (fe.src_ip as string | null) ?? null;
  main.append(
    h(
      'div',
      { class: 'grid2' },
      card(
        'Who and when',
        kv([
          ['Source', ip ? h('span', {}, searchLink({ ip }, `${ip}:${str(fe.src_port)}`, 'mono')) : '—'],
          ['Country / ISP', `${country(row.country as string | null)} · ${str(row.isp)}`],
          ['Protocol', h('span', { class: `proto ${str(fe.protocol)}` }, str(fe.protocol))],
          ['Sensor port', `${str(fe.dst_ip)}:${str(fe.dst_port)} (${str(fe.sensor)})`],
          ['Client', `${str(row.client_guess)}${row.client_fp ? ` · fingerprint ${str(row.client_fp)}` : ''}`],
          ['AE titles', row.calling_ae || row.called_ae ? mono(`${str(row.calling_ae)} → ${str(row.called_ae)}`) : '—'],
          ['First / last event (UTC)', `${fmtTime(t0)} → ${fmtTime(last, false)} (${fmtDuration(last - t0)})`],
          ['Closed', row.close_reason ? `${str(row.close_reason)}` : 'not closed (or a web session)'],
          ['Events', `${fmtNum(s.events.length)}${s.truncated ? ' (first ones shown)' : ''}`],
        ]),
      ),
      card(
        'Scores and why',
        s.score
          ? h(
              'div',
              {},
              h('div', { class: 'scores big' }, h('span', {}, 'Threat ', scoreBadge('threat', s.score.threat_score)), h('span', {}, 'Abuse ', scoreBadge('abuse', s.score.abuse_score)), h('span', {}, 'Malicious ', scoreBadge('malicious', s.score.malicious_score))),
              h('ul', { class: 'reasons' }, s.score.reasons.map((r) => h('li', {}, r))),
            )
          : h('p', { class: 'empty' }, 'No score yet (scores follow the end of a session and each reputation answer).'),
      ),
    ),
  );
  if (issued.length > 0 || s.triggers.length > 0 || s.quarantine.length > 0) {
    main.append(
      h(
        'div',
        { class: 'grid2' },
        card(
          'Honeytokens',
          table(['Token', 'Kind', 'Issued (UTC)', 'Object'], issued.map((x) => [mono(x.event.token), str(x.event.kind), fmtTime(x.ts_ms), mono(x.event.object)]), { empty: 'None issued to this session.' }),
          s.triggers.length
            ? h('div', {}, h('h3', { class: 'alert-text' }, 'Triggered'), table(['When (UTC)', 'Token', 'From', 'Session'], s.triggers.map((x) => [fmtTime(x.ts_ms), mono(x.event.token), mono(x.event.requester_ip ?? x.event.src_ip), sessionLink(String(x.event.session))])))
            : null,
        ),
        card(
          'Uploads in quarantine',
          table(['SHA-256', 'Size', 'Stored'], s.quarantine.map((q) => [quarantineLink(q.sha256), fmtBytes(q.size), q.stored ? 'yes' : 'no (quota or removed)']), { empty: 'Nothing uploaded.' }),
        ),
      ),
    );
  }
  const interesting = (x: StoryEvent): boolean => /association\.request|dimse\.(find|get|move|store)|score\.update|login|upload|honeytoken/.test(String(x.event.eventid));
  main.append(
    card(
      h('span', {}, 'Story ', h('span', { class: 'muted' }, `(${s.events.length} events, in order)`)),
      h('ol', { class: 'story' }, s.events.map((x) => eventItem(x, t0, interesting(x) && s.events.length <= 60))),
      s.truncated ? h('p', { class: 'muted' }, 'Only the first events are shown; search by this session for all of them.') : null,
    ),
  );
}
