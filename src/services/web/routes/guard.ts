/** Sign-in and CSRF checks shared by the portal's routes. */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Portal } from '../context.ts';
import { sendError } from '../http/errors.ts';
import type { WebSession } from '../sessions/webSessions.ts';

/**
 * The signed-in session allowed into the portal, or null after answering: a browser GET is sent to the
 * sign-in page (with a `next` back here), anything else gets 401; the leaked developer account gets 403.
 */
export function requirePortal(portal: Portal, req: FastifyRequest, reply: FastifyReply): WebSession | null {
  const s = portal.state(req).web;
  if (!s || s.user === null) {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const path = req.url.slice(0, 512);
      reply.redirect(`/login?next=${encodeURIComponent(path)}`, 302);
    } else sendError(reply, portal.brand, 401);
    return null;
  }
  if (s.access !== 'portal') {
    sendError(reply, portal.brand, 403, 'Your account has not been granted access to this module. Contact the PACS administrator.');
    return null;
  }
  return s;
}

export function csrfOk(s: WebSession | null, sent: unknown): boolean {
  if (!s || typeof sent !== 'string' || sent.length === 0) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(s.csrf);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A local path to go to after sign-in; anything else (another host, scheme, backslash trick) → the default. */
export function safeNext(next: unknown, fallback = '/search'): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > 512) return fallback;
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused
  if (/[\\\u0000-\u001f\u007f\s]/.test(next)) return fallback;
  if (next.startsWith('/login') || next.startsWith('/logout')) return fallback;
  return next;
}

/** A single form field as text (first value; arrays and objects are not text). */
export function field(body: unknown, name: string, max = 256): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.slice(0, max) : '';
}
