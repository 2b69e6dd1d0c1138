import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { SessionLog } from '../../../src/core/events/sessionLog.ts';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { csvField } from '../../../src/services/console/routes/api.ts';
import { startConsole, TOKEN, type ConsoleFixture } from './helpers.ts';
import type { StoredEvent } from '../../../src/core/storage/eventTables.ts';

const DAY = 86_400_000;


/** The raw events, read straight from the events table (the expectations never go through the console's roll-ups). */
function rawEvents(path: string): StoredEvent[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT id, ts_ms, eventid, session, protocol, src_ip, json FROM events ORDER BY id').all() as StoredEvent[];
  } finally {
    db.close();
  }
}

function firstSeen(rows: StoredEvent[]): Map<string, StoredEvent> {
  const m = new Map<string, StoredEvent>();
  for (const r of rows) if (r.protocol !== 'internal' && !m.has(r.session)) m.set(r.session, r);
  return m;
}

const ENDPOINTS = ['/api/status', '/api/overview', '/api/events', '/api/events/export', '/api/live', `/api/sessions/x`, `/api/quarantine/${'a'.repeat(64)}`, `/api/quarantine/${'a'.repeat(64)}/download`];

describe('console API', () => {
  let c: ConsoleFixture;
  let rows: StoredEvent[];
  const now = Date.now();
  before(async () => {
    c = await startConsole({ events: 4000, days: 10, now });
    rows = rawEvents(c.dbPath);
  });
  after(async () => c.close());

  test('every endpoint refuses a request without the token (401, WWW-Authenticate) and a wrong token (401)', async () => {
    for (const path of ENDPOINTS) {
      const none = await c.get(path, {});
      assert.equal(none.status, 401, path);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/, path);
      assert.match(((await none.json()) as { error: string }).error, /authentication required/, path);
      const wrong = await c.get(path, { authorization: 'Bearer not-the-token-at-all' });
      assert.equal(wrong.status, 401, path);
      assert.equal(((await wrong.json()) as { error: string }).error, 'wrong token');
      const cookie = await c.get(path, { cookie: 'dicomhawk_console=forged' });
      assert.equal(cookie.status, 401, path);
    }
    const page = await c.get('/', {});
    assert.equal(page.status, 303);
    assert.equal(page.headers.get('location'), '/login');
  });

  test('the login form sets an HttpOnly SameSite=Strict cookie (not the token itself); a wrong token is 401', async () => {
    const bad = await fetch(`${c.base}/login`, { method: 'POST', body: new URLSearchParams({ token: 'wrong' }), redirect: 'manual' });
    assert.equal(bad.status, 401);
    assert.match(await bad.text(), /Wrong token/);
    const ok = await fetch(`${c.base}/login`, { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/');
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Strict/i);
    assert.ok(!setCookie.includes(TOKEN), 'the cookie does not carry the token');
    const cookie = setCookie.split(';')[0]!;
    const res = await c.get('/api/status', { cookie });
    assert.equal(res.status, 200);
    const out = await fetch(`${c.base}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(out.status, 303);
    assert.match(out.headers.get('set-cookie') ?? '', /dicomhawk_console=;/);
    const crossSite = await fetch(`${c.base}/logout`, { method: 'POST', headers: { cookie, origin: 'http://evil.example' }, redirect: 'manual' });
    assert.equal(crossSite.status, 403);
  });

  test('bad filters are 400 with a message naming the problem', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/overview?range=year', /range="year": expected one of today, 7d, 30d, all/],
      ['/api/overview?foo=1', /unknown parameter "foo"/],
      ['/api/events?ip=999.1.1.1', /ip="999.1.1.1": not an IP address or CIDR/],
      ['/api/events?ip=10.0.0.0/40', /not an IP address or CIDR/],
      ['/api/events?eventid=dicomhawk.nope', /not a known event id/],
      ['/api/events?eventid=nothing.*', /no event id starts with "nothing."/],
      ['/api/events?since=yesterday', /since="yesterday": not a time/],
      ['/api/events?since=1h&until=2h', /until is before since/],
      ['/api/events?limit=0', /limit="0": expected a whole number from 1 to 1000/],
      ['/api/events?limit=5000', /from 1 to 1000/],
      ['/api/events?before=abc', /before="abc": expected the cursor/],
      ['/api/events?colour=red', /unknown filter "colour"/],
      ['/api/events?ip=1.2.3.4&ip=5.6.7.8', /ip: given 2 times/],
      ['/api/events?format=csv', /format: only for \/api\/events\/export/],
      ['/api/events/export?format=xml', /format="xml": expected jsonl or csv/],
      [`/api/sessions/${'x'.repeat(65)}`, /session id: expected 1 to 64/],
      ['/api/quarantine/nothex', /sha256: expected 64 lower-case hex digits/],
    ];
    for (const [path, re] of cases) {
      const res = await c.get(path);
      assert.equal(res.status, 400, path);
      assert.match(((await res.json()) as { error: string }).error, re, path);
    }
  });

  test('overview numbers match the events in the store', async () => {
    const res = await c.get('/api/overview?range=7d');
    assert.equal(res.status, 200);
    const o = (await res.json()) as {
      numbers: Record<string, number>;
      pies: Record<string, Array<{ key: string; n: number }>>;
      tops: { ips: Array<{ ip: string; sessions: number }>; credentials: Array<{ username: string; password: string; n: number }>; calling_ae: Array<{ key: string; n: number }> };
      timeline: { buckets: number[]; dimse_sessions: number[]; web_requests: number[] };
      fold: { behind: number };
    };
    const today = now - (now % DAY);
    const since = today - 6 * DAY;
    const first = [...firstSeen(rows).values()];
    const inWindow = rows.filter((r) => r.ts_ms >= since && r.protocol !== 'internal');
    const dimse = first.filter((r) => r.ts_ms >= since && r.protocol === 'dimse').length;
    const web = first.filter((r) => r.ts_ms >= since && r.protocol === 'http').length;
    assert.equal(o.fold.behind, 0);
    assert.equal(o.numbers.sessions_today, first.filter((r) => r.ts_ms >= today).length);
    assert.equal(o.numbers.sessions_7d, dimse + web);
    assert.equal(o.numbers.dimse_sessions, dimse);
    assert.ok(dimse > 50 && web > 50, 'the seeded week has both kinds of sessions');
    assert.equal(o.numbers.web_requests, inWindow.filter((r) => r.eventid === 'dicomhawk.web.request').length);
    assert.equal(o.numbers.unique_ips, new Set(inWindow.map((r) => r.src_ip)).size);
    assert.equal(o.numbers.scanner_sessions, new Set(inWindow.filter((r) => r.eventid === 'dicomhawk.scanner.identified').map((r) => r.session)).size);
    assert.equal(o.numbers.other_sessions, dimse + web - o.numbers.scanner_sessions);
    assert.equal(o.numbers.honeytoken_triggers, inWindow.filter((r) => r.eventid === 'dicomhawk.honeytoken.triggered').length);
    const uploads = inWindow.reduce((n, r) => {
      const e = JSON.parse(r.json) as { status?: number; files?: Array<{ accepted: boolean }> };
      if (r.eventid === 'dicomhawk.dimse.store') return n + (e.status === 0 ? 1 : 0);
      if (r.eventid === 'dicomhawk.web.upload') return n + e.files!.filter((f) => f.accepted).length;
      return n;
    }, 0);
    assert.equal(o.numbers.uploads, uploads);
    // Pie: C-FIND requests in the window.
    const finds = o.pies.request_types!.find((s) => s.key === 'C-FIND');
    assert.equal(finds?.n, inWindow.filter((r) => r.eventid === 'dicomhawk.dimse.find').length);
    // Timeline: the DICOM sessions per hour add up to the number.
    assert.equal(o.timeline.dimse_sessions.reduce((a, b) => a + b, 0), dimse);
    assert.equal(o.timeline.buckets.length, 6 * 24 + Math.floor((now - today) / 3_600_000) + 1);
    // Top address: its session count.
    const topIp = o.tops.ips[0]!;
    assert.equal(topIp.sessions, first.filter((r) => r.ts_ms >= since && r.src_ip === topIp.ip).length);
    // Credentials: admin/admin attempts.
    const admin = o.tops.credentials.find((x) => x.username === 'admin' && x.password === 'admin');
    const expected = inWindow.filter((r) => {
      if (r.eventid === 'dicomhawk.web.login.failed' || r.eventid === 'dicomhawk.web.login.success') {
        const e = JSON.parse(r.json) as { username: string; password: string };
        return e.username === 'admin' && e.password === 'admin';
      }
      if (r.eventid === 'dicomhawk.association.request') {
        const e = JSON.parse(r.json) as { user_identity: { primary: { text: string } } | null };
        return e.user_identity?.primary.text === 'admin';
      }
      return false;
    }).length;
    assert.equal(admin?.n, expected);
  });

  test('session detail tells the whole session in order, with its scores and reasons; an unknown session is 404', async () => {
    const withStore = rows.find((r) => r.eventid === 'dicomhawk.dimse.store')!.session;
    const res = await c.get(`/api/sessions/${withStore}`);
    assert.equal(res.status, 200);
    const s = (await res.json()) as { events: Array<{ id: number; event: { eventid: string } }>; score: { reasons: string[]; threat_score: number }; quarantine: Array<{ sha256: string; stored: boolean }>; session: { protocol: string } };
    const expected = rows.filter((r) => r.session === withStore);
    assert.deepEqual(s.events.map((e) => e.id), expected.map((r) => r.id));
    assert.equal(s.events[0]!.event.eventid, 'dicomhawk.session.connect');
    assert.equal(s.events.at(-1)!.event.eventid, 'dicomhawk.score.update');
    assert.ok(s.score.reasons.length > 0);
    assert.equal(s.session.protocol, 'dimse');
    assert.equal(s.quarantine.length, 1);
    assert.equal(s.quarantine[0]!.stored, false);
    const missing = await c.get('/api/sessions/no-such-session');
    assert.equal(missing.status, 404);
  });

  test('search filters by address, CIDR, event id, AE title and text, newest first, paged without overlap', async () => {
    const search = async (q: string) => (await (await c.get(`/api/events?${q}`)).json()) as { events: Array<{ id: number; ts_ms: number; src_ip: string; eventid: string; session: string }>; next: string | null };
    const ip = rows.find((r) => r.protocol === 'dimse')!.src_ip!;
    const byIp = await search(`ip=${ip}&limit=1000`);
    assert.equal(byIp.events.length, Math.min(1000, rows.filter((r) => r.src_ip === ip).length));
    assert.ok(byIp.events.every((e) => e.src_ip === ip));
    const cidr = await search('ip=45.0.0.0/8&limit=1000');
    assert.ok(cidr.events.length > 0 && cidr.events.every((e) => e.src_ip.startsWith('45.')));
    const v6 = await search('ip=2001:db8::/32&limit=50');
    assert.ok(v6.events.length > 0 && v6.events.every((e) => e.src_ip.startsWith('2001:db8:')));
    const prefix = await search('eventid=dicomhawk.web.*&limit=200');
    assert.ok(prefix.events.every((e) => e.eventid.startsWith('dicomhawk.web.')));
    const sorted = [...prefix.events].sort((a, b) => b.ts_ms - a.ts_ms || b.id - a.id);
    assert.deepEqual(prefix.events.map((e) => e.id), sorted.map((e) => e.id));
    // Text in query values.
    const jensen = await search('text=jensen&limit=1000');
    const expectJensen = rows.filter((r) => r.eventid === 'dicomhawk.dimse.find' && r.json.includes('"value":"Jensen*"')).length;
    assert.equal(jensen.events.length, expectJensen);
    assert.ok(jensen.events.every((e) => e.eventid === 'dicomhawk.dimse.find'));
    // AE title: every event of the sessions that called ORTHANC.
    const ae = await search('ae=ORTHANC&eventid=dicomhawk.association.request&limit=1000');
    const expectAe = rows.filter((r) => r.eventid === 'dicomhawk.association.request' && r.json.includes('"called_ae":{"text":"ORTHANC"')).length;
    assert.equal(ae.events.length, expectAe);
    // Paging: three pages of 50 equal the first 150.
    const all = await search('limit=150');
    const p1 = await search('limit=50');
    const p2 = await search(`limit=50&before=${p1.next}`);
    const p3 = await search(`limit=50&before=${p2.next}`);
    assert.deepEqual([...p1.events, ...p2.events, ...p3.events].map((e) => e.id), all.events.map((e) => e.id));
  });

  test('exports: JSON lines are the stored events; CSV quotes fields and neutralises formulas', async () => {
    const ip = rows.find((r) => r.protocol === 'http')!.src_ip!;
    const res = await c.get(`/api/events/export?format=jsonl&ip=${ip}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="dicomhawk-events-.*\.jsonl"/);
    const lines = (await res.text()).trim().split('\n');
    const expected = rows.filter((r) => r.src_ip === ip).sort((a, b) => b.ts_ms - a.ts_ms || b.id - a.id);
    assert.deepEqual(lines, expected.map((r) => r.json));

    // An attacker's path that a spreadsheet would run.
    const db = new Database(c.dbPath);
    const events: HawkEvent[] = [];
    const log = new SessionLog({ sensor: 'test', publish: (e) => events.push(e) }, { session: 'csv-attack', protocol: 'http', src_ip: '198.51.100.77', src_port: 1, dst_ip: '10.0.0.5', dst_port: 3000 });
    log.emit('dicomhawk.web.request', { method: 'GET', path: '=HYPERLINK("http://x","y"),"x"', query: '', headers: [], user_agent: null, client_guess: 'no User-Agent', body_size: 0, body_sha256: null, status: 404, duration_ms: 1, web_session: null });
    for (const e of events) db.prepare('INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES (?, ?, ?, ?, ?, ?)').run(Date.parse(e.timestamp), e.eventid, e.session, e.protocol, e.src_ip, JSON.stringify(e));
    db.close();
    const csv = await (await c.get('/api/events/export?format=csv&ip=198.51.100.77')).text();
    const [header, line] = csv.split('\r\n');
    assert.equal(header, 'timestamp,eventid,session,protocol,src_ip,src_port,dst_port,message,json');
    assert.ok(line!.startsWith(`${new Date(Date.parse(line!.slice(0, 24))).toISOString()},dicomhawk.web.request,csv-attack,http,198.51.100.77,1,3000,"GET ""=HYPERLINK(`), line);
    assert.ok(line!.endsWith(`"${events[0] ? JSON.stringify(events[0]).replace(/"/g, '""') : ''}"`), 'the json column is the event, quoted');
    // A field that starts like a formula is neutralised with a quote, so a spreadsheet shows it as text.
    assert.equal(csvField('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('+1'), `"'+1"`);
    assert.equal(csvField('@SUM(A1)'), `"'@SUM(A1)"`);
    assert.equal(csvField('plain'), 'plain');
  });

  test('the roll-ups fold only new events (watermark): the numbers grow by exactly what was added', async () => {
    c.store.foldAll();
    const beforeO = (await (await c.get('/api/overview?range=today')).json()) as { numbers: Record<string, number> };
    const db = new Database(c.dbPath);
    const ins = db.prepare('INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES (?, ?, ?, ?, ?, ?)');
    for (let i = 0; i < 3; i += 1) {
      const events: HawkEvent[] = [];
      const log = new SessionLog({ sensor: 'test', publish: (e) => events.push(e) }, { session: `fresh-${i}`, protocol: 'dimse', src_ip: '198.51.100.9', src_port: 1, dst_ip: '10.0.0.5', dst_port: 11112 });
      log.emit('dicomhawk.session.connect', { listener_port: 11112 });
      log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
      for (const e of events) ins.run(Date.parse(e.timestamp), e.eventid, e.session, e.protocol, e.src_ip, JSON.stringify(e));
    }
    db.close();
    const st = (await (await c.get('/api/status')).json()) as { fold: { behind: number } };
    assert.equal(st.fold.behind, 6);
    c.store.foldAll();
    const afterO = (await (await c.get('/api/overview?range=today')).json()) as { numbers: Record<string, number> };
    assert.equal(afterO.numbers.dimse_sessions, beforeO.numbers.dimse_sessions! + 3);
    assert.equal(afterO.numbers.sessions_today, beforeO.numbers.sessions_today! + 3);
    assert.equal(afterO.numbers.dimse_requests, beforeO.numbers.dimse_requests! + 3);
    // Folding again adds nothing.
    assert.equal(c.store.foldAll(), 0);
  });

  test('quarantine record and download of an upload; unknown hash 404', async () => {
    const sha = 'b'.repeat(64);
    mkdirSync(join(c.quarantineDir, 'bb'), { recursive: true });
    writeFileSync(join(c.quarantineDir, 'bb', `${sha}.bin`), Buffer.from('MZ not really'));
    const meta = await c.get(`/api/quarantine/${sha}`);
    assert.equal(meta.status, 200);
    assert.deepEqual(((await meta.json()) as { size: number; stored: boolean }).size, 13);
    const dl = await c.get(`/api/quarantine/${sha}/download`);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/octet-stream');
    assert.match(dl.headers.get('content-disposition') ?? '', /attachment/);
    assert.equal(await dl.text(), 'MZ not really');
    assert.equal((await c.get(`/api/quarantine/${'c'.repeat(64)}`)).status, 404);
  });

  test('answers name no framework, carry a CSP, and unknown API paths are JSON 404s', async () => {
    const res = await c.get('/api/nope');
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no such API endpoint' });
    for (const r of [res, await c.get('/api/status'), await c.get('/login', {})]) {
      assert.equal(r.headers.get('x-powered-by'), null);
      assert.match(r.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      const all: string[] = [];
      r.headers.forEach((value, name) => all.push(`${name}: ${value}`));
      assert.ok(all.length > 0 && !/fastify/i.test(all.join(' ')));
    }
  });

  test('live: a client gets the recent rows, then each new session as it happens', async () => {
    const ctl = new AbortController();
    const res = await fetch(`${c.base}/api/live`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: ctl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (re: RegExp): Promise<void> => {
      while (!re.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await until(/event: snapshot/);
    const log = new SessionLog({ sensor: 'test', publish: (e) => c.hub.onEvent(e) }, { session: 'live-1', protocol: 'dimse', src_ip: '192.0.2.44', src_port: 5, dst_ip: '10.0.0.5', dst_port: 11112 });
    log.emit('dicomhawk.session.connect', { listener_port: 11112 });
    log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    log.emit('dicomhawk.intel.result', { service: 'geoip', ip: '192.0.2.44', sessions: ['live-1'], ok: true, cached: false, summary: { country_code: 'DK' }, error: null });
    await until(/event: rows\ndata: .*"session":"live-1"/);
    const data = JSON.parse(/event: rows\ndata: (.*)/.exec(text.slice(text.indexOf('event: rows')))![1]!) as Array<{ session: string; what: string; country: string; src_ip: string }>;
    const row = data.find((r) => r.session === 'live-1')!;
    assert.equal(row.src_ip, '192.0.2.44');
    assert.equal(row.country, 'DK');
    assert.match(row.what, /C-ECHO/);
    ctl.abort();
  });
});
