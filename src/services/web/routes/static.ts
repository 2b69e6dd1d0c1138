/** The portal's assets, served from memory (no file system path is ever built from a URL). */
import type { FastifyInstance } from 'fastify';
import type { Portal } from '../context.ts';
import { route } from '../http/errors.ts';
import { PORTAL_CSS } from '../pages/style.ts';

/** A 1×1 transparent PNG (favicon, tracking pixel). */
export const PIXEL_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export function registerStaticRoutes(app: FastifyInstance, portal: Portal): void {
  const css = Buffer.from(PORTAL_CSS);
  route(app, portal, '/static/portal.css', {
    GET: (_req, reply) => reply.header('content-type', 'text/css; charset=utf-8').header('cache-control', 'public, max-age=86400').send(css),
  });
  route(app, portal, '/favicon.ico', {
    GET: (_req, reply) => reply.header('content-type', 'image/png').header('cache-control', 'public, max-age=86400').send(PIXEL_PNG),
  });
}
