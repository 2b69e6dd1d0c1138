import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EventBus } from '../../src/core/events/bus.ts';
import { silentLogger } from '../../src/core/log.ts';
import { openDb } from '../../src/core/storage/db.ts';
import { SqliteSink } from '../../src/sinks/sqlite.ts';
import { SAMPLE_FIELDS } from '../fixtures/events.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'dh-sqlite-'));
const identity = { session: 'sess-a', protocol: 'dimse' as const, src_ip: '203.0.113.7', src_port: 40000, dst_ip: '127.0.0.1', dst_port: 11112 };

describe('SQLite sink', () => {
  test('stores every event and folds the session row as events arrive', async () => {
    const path = join(dir(), 'db.sqlite');
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    await bus.addSink(new SqliteSink(path));
    const log = bus.forSession(identity);
    log.emit('dicomhawk.session.connect', { listener_port: 11112 });
    log.emit('dicomhawk.association.request', SAMPLE_FIELDS['dicomhawk.association.request']);
    log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    log.emit('dicomhawk.score.update', { abuse_score: 42, malicious_score: 3, threat_score: 20, reasons: [] });
    log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
    bus.internal().emit('dicomhawk.sensor.stop', SAMPLE_FIELDS['dicomhawk.sensor.stop']);
    await bus.stop();

    const db = openDb(path, { readonly: true });
    const events = db.prepare('SELECT eventid, session, src_ip, json FROM events ORDER BY id').all() as Array<{ eventid: string; session: string; src_ip: string; json: string }>;
    assert.deepEqual(events.map((e) => e.eventid), [
      'dicomhawk.session.connect', 'dicomhawk.association.request', 'dicomhawk.dimse.echo', 'dicomhawk.score.update', 'dicomhawk.session.closed', 'dicomhawk.sensor.stop',
    ]);
    assert.equal(JSON.parse(events[2]!.json).message_id, 1);
    const s = db.prepare('SELECT * FROM sessions').all() as Array<Record<string, unknown>>;
    assert.equal(s.length, 1, 'internal events make no session row');
    assert.equal(s[0]!.session, 'sess-a');
    assert.equal(s[0]!.event_count, 5);
    assert.equal(s[0]!.client_guess, 'DCMTK echoscu');
    assert.equal(s[0]!.calling_ae, 'ECHOSCU');
    assert.equal(s[0]!.close_reason, 'released');
    assert.equal(s[0]!.abuse_score, 42);
    assert.equal(s[0]!.src_ip, '203.0.113.7');
    db.close();
  });

  test('a web session\'s row names the tool of its latest request; events stored before client_guess existed leave it alone', async () => {
    const path = join(dir(), 'db.sqlite');
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    await bus.addSink(new SqliteSink(path));
    const web = bus.forSession({ ...identity, protocol: 'http', session: 'web-1' });
    const req = SAMPLE_FIELDS['dicomhawk.web.request'];
    web.emit('dicomhawk.web.request', { ...req, user_agent: 'curl/8.5.0', client_guess: 'curl' });
    await bus.flush();
    // An event as stored by an earlier version: no client_guess field.
    const { client_guess: _omitted, ...older } = req;
    web.emit('dicomhawk.web.request', older as typeof req);
    await bus.flush();
    const other = bus.forSession({ ...identity, protocol: 'http', session: 'web-2' });
    other.emit('dicomhawk.web.request', { ...req, user_agent: 'Mozilla/5.0 (compatible; Nmap Scripting Engine)', client_guess: 'Nmap' });
    await bus.stop();
    const db = openDb(path, { readonly: true });
    const rows = db.prepare('SELECT session, client_guess FROM sessions ORDER BY session').all();
    db.close();
    assert.deepEqual(rows, [{ session: 'web-1', client_guess: 'curl' }, { session: 'web-2', client_guess: 'Nmap' }]);
  });

  test('every row holds exactly the event as serialised: non-ASCII, null addresses, multi-row groups and their remainder, batch after batch', async () => {
    const path = join(dir(), 'db.sqlite');
    const bus = new EventBus({ sensor: 's', log: silentLogger(), batchSize: 150 });
    await bus.addSink(new SqliteSink(path));
    const sent: Array<{ eventid: string; session: string; protocol: string; src_ip: string | null; ts: number; json: string }> = [];
    const tap = bus.subscribe((e) => sent.push({ eventid: e.eventid, session: e.session, protocol: e.protocol, src_ip: e.src_ip, ts: Date.parse(e.timestamp), json: JSON.stringify(e) }));
    const names = ['Ærø-PACS ✓', 'line\u2028sep', 'two\nlines', '🦅', 'nul\u0000byte', 'plain'];
    const web = bus.forSession({ ...identity, protocol: 'http', session: 'sess-ü' });
    // Rounds of 150 events (two full groups of 64 and a remainder of 22) and a last round of 7, with session-less events between.
    for (let i = 0; i < 1057; i += 1) {
      if (i % 100 === 99) bus.internal().emit('dicomhawk.sensor.stop', SAMPLE_FIELDS['dicomhawk.sensor.stop']);
      else web.emit('dicomhawk.web.login.failed', { username: `${names[i % names.length]!}#${i}`, password: 'p✓', credential_kind: 'other', reason: 'unknown user' });
      if (i % 150 === 149) await bus.flush();
    }
    await bus.stop();
    tap();
    const db = openDb(path, { readonly: true });
    const rows = db.prepare('SELECT ts_ms AS ts, eventid, session, protocol, src_ip, json FROM events ORDER BY id').all();
    db.close();
    assert.equal(rows.length, 1057);
    assert.deepEqual(rows, sent);
  });

  test('survives kill -9 mid-batch with no loss of acknowledged events', async () => {
    const path = join(dir(), 'crash.sqlite');
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('../helpers/sqliteWriter.ts', import.meta.url).pathname, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    let acked = 0;
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const m of buf.matchAll(/acked (\d+)\n/g)) acked = Math.max(acked, Number(m[1]));
        buf = buf.slice(buf.lastIndexOf('\n') + 1);
        if (acked >= 20_000) {
          child.kill('SIGKILL'); // while it is writing the next batches
          resolve();
        }
      });
      child.once('exit', (code) => (acked < 20_000 ? reject(new Error(`writer exited early (${code})`)) : undefined));
    });
    await new Promise((r) => child.once('exit', r));
    const db = openDb(path);
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    const ids = db.prepare("SELECT json_extract(json, '$.message_id') AS id FROM events ORDER BY id").pluck().all() as number[];
    assert.ok(ids.length >= acked, `${ids.length} stored, ${acked} acknowledged`);
    for (let i = 0; i < acked; i += 1) assert.equal(ids[i], i, `event ${i} lost or out of order`);
    const row = db.prepare('SELECT event_count FROM sessions').get() as { event_count: number };
    assert.equal(row.event_count, ids.length, 'the session row is committed with its events');
    db.close();
  });
});
