/**
 * Events/s through the bus into SQLite + JSONL + Redis, next to the raw better-sqlite3 insert rate of the
 * same rows into the same schema measured in the same run. Target: bus ≥ 50 % of raw, ≥ 50 000 events/s.
 * (The raw reference inserts exactly the rows the bus writes, serialised beforehand; the bench's earlier
 * reference, one fixed 100-byte row, is printed beside it.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../src/core/events/bus.ts';
import { SessionLog } from '../src/core/events/sessionLog.ts';
import { silentLogger } from '../src/core/log.ts';
import { migrate, openDb } from '../src/core/storage/db.ts';
import { EVENT_MIGRATIONS } from '../src/core/storage/eventTables.ts';
import { JsonlSink } from '../src/sinks/jsonl.ts';
import { RedisSink } from '../src/sinks/redis.ts';
import { SqliteSink } from '../src/sinks/sqlite.ts';
import type { Sink } from '../src/sinks/sink.ts';
import { RedisServer } from '../test/helpers/redisServer.ts';
import { waitFor } from '../test/helpers/net.ts';

const N = Number(process.env.BENCH_EVENTS ?? 200_000);
const identity = { session: 'bench', protocol: 'dimse' as const, src_ip: '203.0.113.7', src_port: 40000, dst_ip: '127.0.0.1', dst_port: 11112 };

/** The rows the bus writes for this bench's events (the same JSON text), made before any timing starts. */
function busRows(n: number): Array<{ ts: number; json: string }> {
  const rows: Array<{ ts: number; json: string }> = [];
  const log = new SessionLog({ sensor: 'bench', publish: (e) => rows.push({ ts: Date.parse(e.timestamp), json: JSON.stringify(e) }) }, identity);
  for (let i = 0; i < n; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
  return rows;
}

/**
 * Raw better-sqlite3 inserts in 1000-row transactions on the calling thread. `rows` given: exactly the rows the
 * bus writes; otherwise the bench's original reference row (a 100-byte JSON text, the same for every row).
 */
function rawInsertRate(rows?: ReadonlyArray<{ ts: number; json: string }>): number {
  const db = openDb(join(mkdtempSync(join(tmpdir(), 'dh-bench-raw-')), 'raw.db'));
  migrate(db, EVENT_MIGRATIONS);
  const ins = db.prepare('INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES (?, ?, ?, ?, ?, ?)');
  const sample = JSON.stringify({ eventid: 'dicomhawk.dimse.echo', timestamp: new Date().toISOString(), session: 'bench', message_id: 1, status: 0 });
  const tx = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) {
      const r = rows?.[i];
      ins.run(r ? r.ts : Date.now(), 'dicomhawk.dimse.echo', 'bench', 'dimse', '203.0.113.7', r ? r.json : sample);
    }
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1000) tx(i, Math.min(N, i + 1000));
  const rate = N / ((performance.now() - t0) / 1000);
  db.close();
  return rate;
}

async function busRate(sinks: Sink[]): Promise<number> {
  const bus = new EventBus({ sensor: 'bench', log: silentLogger(), queueLimit: N + 1 });
  for (const s of sinks) await bus.addSink(s);
  const log = bus.forSession(identity);
  const t0 = performance.now();
  for (let i = 0; i < N; i += 1) {
    log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    if (i % 5000 === 4999) await new Promise((r) => setImmediate(r)); // let sinks drain as a live sensor would
  }
  await bus.flush();
  const rate = N / ((performance.now() - t0) / 1000);
  await bus.stop();
  return rate;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-bus-'));
  const rawSmall = rawInsertRate();
  const rows = busRows(N);
  const rowBytes = Math.round(rows.reduce((n, r) => n + Buffer.byteLength(r.json), 0) / rows.length);
  const raw = rawInsertRate(rows);
  const sqliteOnly = await busRate([new SqliteSink(join(dir, 'a.db'))]);
  const redis = new RedisServer();
  await redis.start();
  const sink = new RedisSink({ url: redis.url, key: 'bench', spoolDir: join(dir, 'spool'), log: silentLogger() });
  const all = [new SqliteSink(join(dir, 'b.db')), new JsonlSink(join(dir, 'events.jsonl'), 1024 ** 3, 1), sink];
  const allRate = await busRate(all);
  const redisDelivered = await waitFor(() => sink.spooledSegments() === 0, 30_000).then(() => true, () => false);
  await redis.stop('SIGKILL');
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} events/s`;
  console.log(`events: ${N}`);
  console.log(`raw better-sqlite3 insert, the bus's rows (reference): ${fmt(raw)}  (${rowBytes}-byte JSON per row)`);
  console.log(`raw better-sqlite3 insert, one 100-byte row:           ${fmt(rawSmall)}  (the reference before this change)`);
  console.log(`bus → SQLite:                          ${fmt(sqliteOnly)}  (${(sqliteOnly / raw).toFixed(2)} × raw, ${(sqliteOnly / rawSmall).toFixed(2)} × the 100-byte raw)`);
  console.log(`bus → SQLite + JSONL + Redis:          ${fmt(allRate)}  (${(allRate / raw).toFixed(2)} × raw)`);
  console.log(`redis spool drained after the run: ${redisDelivered}`);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`target: bus → SQLite + JSONL + Redis ≥ 0.50 × raw → ${met(allRate / raw >= 0.5)}; bus → SQLite ≥ 0.50 × raw and ≥ 50,000 events/s → ${met(sqliteOnly / raw >= 0.5 && sqliteOnly >= 50_000)}`);
}
