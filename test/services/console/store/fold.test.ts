import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventFields, EventId, HawkEvent } from '../../../../src/core/events/catalogue.ts';
import { SessionLog } from '../../../../src/core/events/sessionLog.ts';
import { migrate, openDb } from '../../../../src/core/storage/db.ts';
import { EVENT_MIGRATIONS } from '../../../../src/core/storage/eventTables.ts';
import { ConsoleStore } from '../../../../src/services/console/store/consoleStore.ts';
import { MAX_DISTINCT_PER_DAY, OTHER_KEY } from '../../../../src/services/console/store/schema.ts';

function eventsDb(dir: string) {
  const path = join(dir, 'dicomhawk.db');
  const db = openDb(path);
  migrate(db, EVENT_MIGRATIONS);
  const ins = db.prepare('INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES (?, ?, ?, ?, ?, ?)');
  const write = (events: HawkEvent[]): void => {
    db.transaction(() => {
      for (const e of events) ins.run(Date.parse(e.timestamp), e.eventid, e.session, e.protocol, e.src_ip, JSON.stringify(e));
    })();
  };
  return { path, db, write };
}

function session(id: string, ip: string, protocol: 'dimse' | 'http' = 'http') {
  const events: HawkEvent[] = [];
  const log = new SessionLog({ sensor: 't', publish: (e) => events.push(e) }, { session: id, protocol, src_ip: ip, src_port: 1, dst_ip: '10.0.0.1', dst_port: 3000 });
  return { events, emit: <Id extends EventId>(eid: Id, f: EventFields<Id>) => log.emit(eid, f) };
}

const request = (path: string): EventFields<'dicomhawk.web.request'> => ({ method: 'GET', path, query: '', headers: [], user_agent: 'curl/8', client_guess: 'curl', body_size: 0, body_sha256: null, status: 404, duration_ms: 1, web_session: null });

test('past the distinct-value cap of a day, new values count as "(other)"; nothing is lost from the total', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-fold-'));
  const { path, db, write } = eventsDb(dir);
  const s = session('probe', '203.0.113.5');
  for (let i = 0; i < MAX_DISTINCT_PER_DAY + 50; i += 1) s.emit('dicomhawk.web.request', request(`/random-${i}`));
  write(s.events);
  const store = ConsoleStore.open({ root: dir, db: path });
  store.foldAll();
  const rows = store.db.prepare("SELECT key, n FROM c_count WHERE dim = 'web_path'").all() as Array<{ key: string; n: number }>;
  assert.equal(rows.length, MAX_DISTINCT_PER_DAY + 1);
  assert.equal(rows.find((r) => r.key === OTHER_KEY)?.n, 50);
  assert.equal(rows.reduce((a, r) => a + r.n, 0), MAX_DISTINCT_PER_DAY + 50);
  store.close();
  db.close();
  rmSync(dir, { recursive: true });
});

test('a session counts once (country, client, scanner), whatever number of events repeat it, across folds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-fold-'));
  const { path, db, write } = eventsDb(dir);
  const store = ConsoleStore.open({ root: dir, db: path });
  const s = session('s1', '198.51.100.3');
  s.emit('dicomhawk.web.request', request('/'));
  s.emit('dicomhawk.intel.result', { service: 'geoip', ip: '198.51.100.3', sessions: ['s1'], ok: true, cached: false, summary: { country_code: 'NL' }, error: null });
  write(s.events.splice(0));
  store.foldAll();
  s.emit('dicomhawk.web.request', request('/admin'));
  s.emit('dicomhawk.intel.result', { service: 'abuseipdb', ip: '198.51.100.3', sessions: ['s1'], ok: true, cached: false, summary: { countryCode: 'NL', isp: 'Example BV' }, error: null });
  s.emit('dicomhawk.scanner.identified', { entry: '198.51.100.0/24', name: 'Censys', how: 'list', blocked: false });
  s.emit('dicomhawk.scanner.identified', { entry: '198.51.100.0/24', name: 'Censys', how: 'list', blocked: false });
  write(s.events.splice(0));
  store.foldAll();
  const count = (dim: string) => store.db.prepare('SELECT coalesce(sum(n), 0) FROM c_count WHERE dim = ?').pluck().get(dim) as number;
  assert.equal(count('country'), 1);
  assert.equal(count('client'), 1);
  assert.equal(count('ip'), 1);
  assert.equal(store.db.prepare("SELECT sum(n) FROM c_hour WHERE metric = 'scanner_sessions'").pluck().get(), 1);
  assert.equal(store.db.prepare("SELECT sum(n) FROM c_hour WHERE metric = 'web_requests'").pluck().get(), 2);
  const ip = store.db.prepare('SELECT * FROM c_ip').get() as { sessions: number; web_requests: number; country: string; isp: string; scanner: string };
  assert.deepEqual([ip.sessions, ip.web_requests, ip.country, ip.isp, ip.scanner], [1, 2, 'NL', 'Example BV', 'Censys']);
  store.close();
  db.close();
  rmSync(dir, { recursive: true });
});

test('when the events database is replaced, the roll-ups start again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-fold-'));
  const first = eventsDb(dir);
  const s = session('old', '192.0.2.1');
  for (let i = 0; i < 10; i += 1) s.emit('dicomhawk.web.request', request('/'));
  first.write(s.events);
  first.db.close();
  let store = ConsoleStore.open({ root: dir, db: first.path });
  store.foldAll();
  store.close();
  rmSync(first.path);
  await new Promise((r) => setTimeout(r, 5)); // a later first event
  const second = eventsDb(dir);
  const t = session('new', '192.0.2.2');
  // As many events as before and more: only the first event tells the histories apart.
  for (let i = 0; i < 12; i += 1) t.emit('dicomhawk.web.request', request('/x'));
  second.write(t.events);
  store = ConsoleStore.open({ root: dir, db: second.path });
  store.foldAll();
  assert.equal(store.db.prepare("SELECT sum(n) FROM c_hour WHERE metric = 'web_requests'").pluck().get(), 12);
  assert.deepEqual(store.db.prepare('SELECT ip FROM c_ip').pluck().all(), ['192.0.2.2']);
  store.close();
  second.db.close();
  rmSync(dir, { recursive: true });
});
