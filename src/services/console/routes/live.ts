/** GET /api/live: the Live page's Server-Sent Events stream (a snapshot of recent rows, then changed rows). */
import type { FastifyInstance } from 'fastify';
import type { LiveClient } from '../live.ts';
import type { ConsoleDeps } from '../server.ts';

/** Bytes a live client may have unread before it is dropped (a stalled browser tab holds no unbounded memory). */
const MAX_BACKLOG = 1 << 20;

export function registerLive(app: FastifyInstance, deps: ConsoleDeps): void {
  app.get('/api/live', async (req, reply) => {
    const res = reply.raw;
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      connection: 'keep-alive',
    });
    res.write('retry: 3000\n\n');
    const client: LiveClient = {
      send: (chunk) => {
        if (res.destroyed) return false;
        res.write(chunk);
        return res.writableLength <= MAX_BACKLOG;
      },
      close: () => res.end(),
    };
    if (!deps.hub.add(client)) {
      res.end('event: busy\ndata: "too many live clients"\n\n');
      return;
    }
    req.raw.on('close', () => deps.hub.remove(client));
  });
}
