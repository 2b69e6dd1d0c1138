/**
 * The SQLite sink's writer thread: owns its own better-sqlite3 connection to the events database and commits
 * each batch the main thread posts in one transaction (events rows + the folded sessions rows), then
 * acknowledges it. Nothing is acknowledged before its COMMIT has returned.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { migrate, openDb, type Db } from '../core/storage/db.ts';
import { EVENT_MIGRATIONS } from '../core/storage/eventTables.ts';
import { EVENT_COLUMNS, SESSION_COLUMNS, type FromWriter, type ToWriter, type WriterData } from './sqliteProtocol.ts';
import { decodeRows, TEXT_COLUMNS, type EncodedRows } from './sqliteRows.ts';

const MULTI_ROWS = 64;

const INSERT = 'INSERT INTO events (ts_ms, eventid, session, protocol, src_ip, json) VALUES ';
/** ts_ms, then the text columns bound as UTF-8 bytes and stored as TEXT (the bytes are the text: no conversion). */
const ROW = `(?, ${Array.from({ length: EVENT_COLUMNS - 1 }, () => 'CAST(? AS TEXT)').join(', ')})`;
const UPSERT_SESSION = `
  INSERT INTO sessions (session, protocol, sensor, src_ip, src_port, dst_ip, dst_port, first_seen_ms, last_seen_ms, event_count,
                        client_guess, client_fp, calling_ae, called_ae, closed_ms, close_reason, abuse_score, malicious_score, threat_score, country, isp)
  VALUES (${Array.from({ length: SESSION_COLUMNS }, () => '?').join(', ')})
  ON CONFLICT (session) DO UPDATE SET
    first_seen_ms = min(first_seen_ms, excluded.first_seen_ms),
    last_seen_ms = max(last_seen_ms, excluded.last_seen_ms),
    event_count = event_count + excluded.event_count,
    client_guess = coalesce(excluded.client_guess, client_guess),
    client_fp = coalesce(excluded.client_fp, client_fp),
    calling_ae = coalesce(excluded.calling_ae, calling_ae),
    called_ae = coalesce(excluded.called_ae, called_ae),
    closed_ms = coalesce(excluded.closed_ms, closed_ms),
    close_reason = coalesce(excluded.close_reason, close_reason),
    abuse_score = coalesce(excluded.abuse_score, abuse_score),
    malicious_score = coalesce(excluded.malicious_score, malicious_score),
    threat_score = coalesce(excluded.threat_score, threat_score),
    country = coalesce(excluded.country, country),
    isp = coalesce(excluded.isp, isp)`;

const port = parentPort;
if (!port) throw new Error('sqliteWorker.ts runs only as a worker thread');
const send = (m: FromWriter): void => port.postMessage(m);

let db: Db | null = null;
let writeBatch: ((rows: EncodedRows, sessions: readonly (readonly unknown[])[]) => void) | null = null;

try {
  const { path } = workerData as WriterData;
  const conn = openDb(path);
  db = conn;
  migrate(conn, EVENT_MIGRATIONS);
  // Statement journals in memory: a multi-row INSERT would otherwise spill one to a temporary file once it
  // passes 64 KiB (a write syscall per page, then the file is deleted) — this connection only.
  conn.pragma('temp_store = MEMORY');
  const insertOne: BetterSqlite3.Statement<unknown[]> = conn.prepare(INSERT + ROW);
  const insertMany: BetterSqlite3.Statement<unknown[]> = conn.prepare(INSERT + Array.from({ length: MULTI_ROWS }, () => ROW).join(', '));
  const upsert: BetterSqlite3.Statement<unknown[]> = conn.prepare(UPSERT_SESSION);
  const chunk = new Array<unknown>(MULTI_ROWS * EVENT_COLUMNS);
  const one = new Array<unknown>(EVENT_COLUMNS);
  writeBatch = conn.transaction((rows: EncodedRows, sessions: readonly (readonly unknown[])[]) => {
    // Full groups of MULTI_ROWS rows go in multi-row INSERTs, the rest one by one, all in order.
    const grouped = rows.count - (rows.count % MULTI_ROWS);
    let r = 0;
    decodeRows(rows, (ts, text) => {
      const target = r < grouped ? chunk : one;
      const base = r < grouped ? (r % MULTI_ROWS) * EVENT_COLUMNS : 0;
      target[base] = ts;
      for (let k = 0; k < TEXT_COLUMNS; k += 1) target[base + 1 + k] = text(k);
      if (r >= grouped) insertOne.run(one);
      else if (r % MULTI_ROWS === MULTI_ROWS - 1) insertMany.run(chunk);
      r += 1;
    });
    for (const s of sessions) upsert.run(s);
  });
  send({ type: 'ready' });
} catch (err) {
  try {
    db?.close();
  } catch {
    // already failing
  }
  db = null;
  send({ type: 'start-failed', message: err instanceof Error ? err.message : String(err) });
}

port.on('message', (m: ToWriter) => {
  if (m.type === 'write') {
    try {
      if (!writeBatch) throw new Error('sqlite writer not open');
      writeBatch(m.rows, m.sessions);
      send({ type: 'written', id: m.id });
    } catch (err) {
      send({ type: 'failed', id: m.id, message: err instanceof Error ? err.message : String(err) });
    }
    return;
  }
  // close: the main thread posts it only once every write it sent has been answered.
  try {
    db?.close();
  } finally {
    db = null;
    writeBatch = null;
    send({ type: 'closed' });
    port.close();
  }
});
