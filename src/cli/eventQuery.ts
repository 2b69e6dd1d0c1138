/** Reads the embedded event store for `dicomhawk events` (read-only; the server may be writing). */
import type { Db } from '../core/storage/db.ts';

export interface EventFilter {
  eventid?: string;
  srcIp?: string;
  session?: string;
  sinceMs?: number;
  untilMs?: number;
  afterId?: number;
  limit: number;
  newestFirst?: boolean;
}

/** `1h`, `30m`, `2d`, `45s` before now, or an ISO 8601 time. */
export function parseTime(text: string, now: number = Date.now()): number {
  const rel = /^(\d+)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (rel) {
    const mult = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[rel[2] as 's' | 'm' | 'h' | 'd' | 'w'];
    return now - Number(rel[1]) * mult;
  }
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`${JSON.stringify(text)} is not a time: use ISO 8601 (2026-11-28T10:00:00Z) or a duration like 15m, 2h, 7d`);
  return ms;
}

export function queryEvents(db: Db, f: EventFilter): Array<{ id: number; json: string }> {
  const where: string[] = [];
  const args: Array<string | number> = [];
  if (f.eventid) {
    if (f.eventid.endsWith('*')) {
      where.push('eventid >= ? AND eventid < ?');
      const prefix = f.eventid.slice(0, -1);
      args.push(prefix, `${prefix}\uffff`);
    } else {
      where.push('eventid = ?');
      args.push(f.eventid);
    }
  }
  if (f.srcIp) {
    where.push('src_ip = ?');
    args.push(f.srcIp);
  }
  if (f.session) {
    where.push('session = ?');
    args.push(f.session);
  }
  if (f.sinceMs !== undefined) {
    where.push('ts_ms >= ?');
    args.push(f.sinceMs);
  }
  if (f.untilMs !== undefined) {
    where.push('ts_ms <= ?');
    args.push(f.untilMs);
  }
  if (f.afterId !== undefined) {
    where.push('id > ?');
    args.push(f.afterId);
  }
  const sql = `SELECT id, json FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${f.newestFirst ? 'DESC' : 'ASC'} LIMIT ?`;
  args.push(f.limit);
  return db.prepare(sql).all(...args) as Array<{ id: number; json: string }>;
}
