/**
 * The console's HTTP server: its own fastify instance (never a child of the decoy portal), bound to CONSOLE_HOST,
 * with one token check in front of every page and API route except the login form and the static assets.
 * Answers never name a framework; errors are `{ "error": "…" }` with the right status.
 */
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../../core/log.ts';
import { COOKIE, ConsoleAuth } from './auth.ts';
import type { Assets } from './bundle.ts';
import { FilterError } from './filters.ts';
import type { LiveHub } from './live.ts';
import { registerApi } from './routes/api.ts';
import { registerLive } from './routes/live.ts';
import { registerPages } from './routes/pages.ts';
import type { ConsoleStore } from './store/consoleStore.ts';

export interface ConsoleDeps {
  store: ConsoleStore;
  hub: LiveHub;
  token: string;
  quarantineDir: string;
  sensor: string;
  version: string;
  assets: Assets | null;
  log: Logger;
  prod: boolean;
}

/** Routes reachable without the token. */
const PUBLIC = new Set(['/login', '/assets/app.css', '/assets/app.js', '/favicon.ico']);

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export function isApi(url: string): boolean {
  return url === '/api' || url.startsWith('/api/');
}

export async function buildConsoleApp(deps: ConsoleDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024, return503OnClosing: true, forceCloseConnections: true });
  const auth = new ConsoleAuth(deps.token);
  await app.register(cookie);
  await app.register(formbody);

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) reply.header(k, v);
    reply.header('cache-control', 'no-store');
    const path = req.url.split('?')[0]!;
    if (PUBLIC.has(path)) return;
    // A state-changing request from another origin is refused whatever it carries.
    const origin = req.headers.origin;
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) {
      return reply.code(403).send({ error: 'cross-origin request refused' });
    }
    if (!auth.allowed(req.ip)) return reply.code(429).header('retry-after', '60').send({ error: 'too many failed attempts; wait a minute' });
    const result = auth.check(req.headers.authorization, req.cookies[COOKIE]);
    if (result === 'ok') return;
    if (result === 'wrong') auth.failed(req.ip);
    if (isApi(path)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="dicomhawk-console"')
        .send({ error: result === 'missing' ? 'authentication required: send Authorization: Bearer <token> (dicomhawk console-token prints it)' : 'wrong token' });
    }
    return reply.code(303).header('location', '/login').send();
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof FilterError) return reply.code(400).send({ error: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) deps.log.error({ err }, 'console request failed');
    return reply.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((req, reply) => {
    if (isApi(req.url)) return reply.code(404).send({ error: 'no such API endpoint' });
    return reply.code(404).type('text/html; charset=utf-8').send('<!doctype html><title>Not found</title><p>Not found. <a href="/">Console</a></p>');
  });

  registerPages(app, deps, auth);
  registerApi(app, deps);
  registerLive(app, deps);
  return app;
}
