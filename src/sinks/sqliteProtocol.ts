/** Messages between the SQLite sink (main thread) and its writer thread (sqliteWorker.ts). */
import type { EncodedRows } from './sqliteRows.ts';

/** Values per events row, in this order: ts_ms, eventid, session, protocol, src_ip, json. */
export const EVENT_COLUMNS = 6;

/**
 * Values per sessions row, in this order: session, protocol, sensor, src_ip, src_port, dst_ip, dst_port,
 * first_seen_ms, last_seen_ms, event_count, client_guess, client_fp, calling_ae, called_ae, closed_ms,
 * close_reason, abuse_score, malicious_score, threat_score, country, isp.
 */
export const SESSION_COLUMNS = 21;

export interface WriterData {
  path: string;
}

export type ToWriter =
  /** One transaction: the events rows (in shared memory, sqliteRows.ts), and one SESSION_COLUMNS tuple per session. */
  | { type: 'write'; id: number; rows: EncodedRows; sessions: unknown[][] }
  | { type: 'close' };

export type FromWriter =
  | { type: 'ready' }
  | { type: 'start-failed'; message: string }
  | { type: 'written'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed' };
