/**
 * The console's JSON API (every page reads it; scripts may too, with the Bearer token):
 *
 * - GET /api/status                       version, sensor, how far the roll-ups are folded, live clients
 * - GET /api/overview?range=today|7d|30d|all
 * - GET /api/sessions/:id                 the whole story of one session
 * - GET /api/events?ip=&session=&eventid=&since=&until=&ae=&text=&limit=&before=
 * - GET /api/events/export?format=jsonl|csv&(same filters)
 * - GET /api/quarantine/:sha256           the quarantine record of an upload; /download for the bytes
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FilterError, parseRange, parseSearch, type SearchFilter } from '../filters.ts';
import type { ConsoleDeps } from '../server.ts';
import { overview } from '../store/overview.ts';
import { searchEvents } from '../store/search.ts';
import { quarantineFile, sessionStory } from '../store/sessionStory.ts';

const SHA = /^[0-9a-f]{64}$/;
export const EXPORT_MAX_ROWS = 100_000;

function onlyKeys(q: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(q)) {
    if (!allowed.includes(k)) throw new FilterError(`unknown parameter ${JSON.stringify(k)}${allowed.length ? `; known: ${allowed.join(', ')}` : ''}`);
  }
}

function summary(e: Record<string, unknown>): Record<string, unknown> {
  return { timestamp: e.timestamp, eventid: e.eventid, session: e.session, protocol: e.protocol, src_ip: e.src_ip, message: e.message };
}

/** A CSV field: quoted, and neutralised so that a spreadsheet never runs attacker text as a formula. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? '' : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s.startsWith("'") ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_COLUMNS = ['timestamp', 'eventid', 'session', 'protocol', 'src_ip', 'src_port', 'dst_port', 'message', 'json'] as const;

export function registerApi(app: FastifyInstance, deps: ConsoleDeps): void {
  const { store } = deps;

  app.get('/api/status', async (req) => {
    onlyKeys(req.query as Record<string, unknown>, []);
    const latest = store.maxEventId();
    const watermark = store.watermark();
    return {
      version: deps.version,
      sensor: deps.sensor,
      store: store.hasEvents() ? 'ok' : 'no event store (EVENTS_SQLITE=no?)',
      fold: { watermark, latest_event: latest, behind: Math.max(0, latest - watermark) },
      live_clients: deps.hub.clientCount,
    };
  });

  app.get('/api/overview', async (req) => {
    const q = req.query as Record<string, unknown>;
    onlyKeys(q, ['range']);
    return overview(store, parseRange(q.range));
  });

  app.get('/api/sessions/:id', async (req, reply) => {
    onlyKeys(req.query as Record<string, unknown>, []);
    const id = (req.params as { id: string }).id;
    if (id.length < 1 || id.length > 64 || [...id].some((ch) => ch.charCodeAt(0) < 0x20)) throw new FilterError('session id: expected 1 to 64 printable characters');
    const story = sessionStory(store, id, deps.quarantineDir);
    if (!story) return reply.code(404).send({ error: `no events for session ${JSON.stringify(id)}` });
    return story;
  });

  app.get('/api/events', async (req) => {
    const q = { ...(req.query as Record<string, unknown>) };
    if ('format' in q) throw new FilterError('format: only for /api/events/export');
    const f = parseSearch(q, { maxLimit: 1000, defaultLimit: 100 });
    const page = searchEvents(store, f);
    return {
      events: page.rows.map((r) => {
        const e = JSON.parse(r.json) as Record<string, unknown>;
        return { id: r.id, ts_ms: r.ts_ms, ...summary(e), event: e };
      }),
      next: page.next,
    };
  });

  app.get('/api/events/export', async (req, reply: FastifyReply) => {
    const q = { ...(req.query as Record<string, unknown>) };
    const format = q.format ?? 'jsonl';
    if (format !== 'jsonl' && format !== 'csv') throw new FilterError(`format=${JSON.stringify(format)}: expected jsonl or csv`);
    delete q.format;
    const f = parseSearch(q, { maxLimit: EXPORT_MAX_ROWS, defaultLimit: 10_000 });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    reply
      .header('content-disposition', `attachment; filename="dicomhawk-events-${stamp}.${format}"`)
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    // Streamed in pages of 500 events, yielding to the event loop between pages (the live feed and other pages go on).
    async function* lines(): AsyncGenerator<string> {
      if (format === 'csv') yield `${CSV_COLUMNS.join(',')}\r\n`;
      let remaining = f.limit;
      let cursor: SearchFilter['before'] = f.before;
      while (remaining > 0) {
        const page = searchEvents(store, { ...f, before: cursor, limit: Math.min(500, remaining) });
        const out: string[] = [];
        for (const r of page.rows) {
          if (format === 'jsonl') out.push(`${r.json}\n`);
          else {
            const e = JSON.parse(r.json) as Record<string, unknown>;
            out.push(`${CSV_COLUMNS.map((c) => csvField(c === 'json' ? r.json : e[c])).join(',')}\r\n`);
          }
        }
        if (out.length) yield out.join('');
        remaining -= page.rows.length;
        if (!page.next) return;
        const [ts, id] = page.next.split('.').map(Number) as [number, number];
        cursor = { ts, id };
        await new Promise((r) => setImmediate(r));
      }
    }
    return reply.send(Readable.from(lines()));
  });

  app.get('/api/quarantine/:sha256', async (req, reply) => {
    onlyKeys(req.query as Record<string, unknown>, []);
    const sha = (req.params as { sha256: string }).sha256;
    if (!SHA.test(sha)) throw new FilterError('sha256: expected 64 lower-case hex digits');
    const file = quarantineFile(deps.quarantineDir, sha);
    const stored = existsSync(file);
    const uploads = store.hasEventTable('quarantine_uploads')
      ? store.db
          .prepare('SELECT received_ms, session, src_ip, channel, sop_class, sop_instance, transfer_syntax, filename, size FROM ev.quarantine_uploads WHERE sha256 = ? ORDER BY id LIMIT 200')
          .all(sha)
      : [];
    if (!stored && uploads.length === 0) return reply.code(404).send({ error: `nothing in quarantine with SHA-256 ${sha}` });
    return { sha256: sha, stored, size: stored ? statSync(file).size : null, path: stored ? file : null, uploads };
  });

  app.get('/api/quarantine/:sha256/download', async (req, reply) => {
    onlyKeys(req.query as Record<string, unknown>, []);
    const sha = (req.params as { sha256: string }).sha256;
    if (!SHA.test(sha)) throw new FilterError('sha256: expected 64 lower-case hex digits');
    const file = quarantineFile(deps.quarantineDir, sha);
    if (!existsSync(file)) return reply.code(404).send({ error: `nothing in quarantine with SHA-256 ${sha}` });
    // Attacker-supplied bytes: always a download, never rendered.
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${sha}.bin"`)
      .send(createReadStream(file));
  });
}
