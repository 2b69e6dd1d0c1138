/**
 * Events/s through the bus into SQLite + JSONL + Redis (a real redis-server configured as deploy/ runs it), next to the raw better-sqlite3 insert rate of the
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-bus-'));
  const rows = busRows(N);
  const rowBytes = Math.round(rows.reduce((n, r) => n + Buffer.byteLength(r.json), 0) / rows.length);
  // Redis as deploy/docker-compose.yml runs it: append-only file, fsync once a second (Redis's default) — the
  // durability of the SQLite reference too (WAL, synchronous=NORMAL: no fsync per commit). The same run with
  // fsync after every write (appendfsync always, what the restart tests use) is printed for comparison.
  const allSinks = async (fsync: 'always' | 'everysec', tag: string): Promise<{ rate: number; delivered: boolean }> => {
    const redis = new RedisServer({ fsync });
    await redis.start();
    const sink = new RedisSink({ url: redis.url, key: 'bench', spoolDir: join(dir, `spool-${tag}`), log: silentLogger() });
    const rate = await busRate([new SqliteSink(join(dir, `${tag}.db`)), new JsonlSink(join(dir, `${tag}.jsonl`), 1024 ** 3, 1), sink]);
    const delivered = await waitFor(() => sink.spooledSegments() === 0, 30_000).then(() => true, () => false);
    await redis.stop('SIGKILL');
    return { rate, delivered };
  };
  // This machine's speed drifts by ±20 % within a minute; the reference and the bus are therefore measured in
  // ROUNDS interleaved rounds, each ratio within its own round, and the medians are reported.
  type Round = { rawSmall: number; raw: number; sqlite: number; all: number; always: number; delivered: boolean };
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r += 1) {
    const rawSmall = rawInsertRate();
    const raw = rawInsertRate(rows);
    const sqlite = await busRate([new SqliteSink(join(dir, `a${r}.db`))]);
    const all = await allSinks('everysec', `b${r}`);
    const always = await allSinks('always', `c${r}`);
    rounds.push({ rawSmall, raw, sqlite, all: all.rate, always: always.rate, delivered: all.delivered && always.delivered });
  }
  const fmt = (n: number) => `${Math.round(n).toLocaleString('en-US')} events/s`;
  const med = (f: (x: Round) => number): number => median(rounds.map(f));
  const list = (f: (x: Round) => number, digits = 2): string => rounds.map((x) => f(x).toFixed(digits)).join(', ');
  console.log(`events: ${N} per measurement, ${ROUNDS} rounds (medians; each round's ratios in brackets)`);
  console.log(`raw better-sqlite3 insert, the bus's rows (reference): ${fmt(med((x) => x.raw))}  (${rowBytes}-byte JSON per row)`);
  console.log(`raw better-sqlite3 insert, one 100-byte row:           ${fmt(med((x) => x.rawSmall))}  (the reference before the bus's rows)`);
  console.log(`bus → SQLite:                          ${fmt(med((x) => x.sqlite))}  (${med((x) => x.sqlite / x.raw).toFixed(2)} × raw [${list((x) => x.sqlite / x.raw)}])`);
  console.log(`bus → SQLite + JSONL + Redis:          ${fmt(med((x) => x.all))}  (${med((x) => x.all / x.raw).toFixed(2)} × raw [${list((x) => x.all / x.raw)}]; Redis appendfsync everysec, as deployed)`);
  console.log(`  the same, Redis appendfsync always:  ${fmt(med((x) => x.always))}  (${med((x) => x.always / x.raw).toFixed(2)} × raw [${list((x) => x.always / x.raw)}]; an fsync per batch)`);
  console.log(`redis spool drained after every run: ${rounds.every((x) => x.delivered)}`);
  const allRatio = med((x) => x.all / x.raw);
  const sqliteRatio = med((x) => x.sqlite / x.raw);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`target: bus → SQLite + JSONL + Redis ≥ 0.50 × raw → ${met(allRatio >= 0.5)}; bus → SQLite ≥ 0.50 × raw and ≥ 50,000 events/s → ${met(sqliteRatio >= 0.5 && med((x) => x.sqlite) >= 50_000)}`);
}
