/**
 * Sign-in, sign-out, the start page and the "Under development" page. Every attempt is
 * `dicomhawk.web.login.success|failed` with the user name and password as sent and which pair it was.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { clip, LIMITS } from '../../../core/events/bounded.ts';
import type { Portal } from '../context.ts';
import { route } from '../http/errors.ts';
import { classify } from '../login/credentials.ts';
import { loginPage, underDevelopmentPage } from '../pages/login.ts';
import { csrfOk, field, safeNext } from './guard.ts';

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

export function registerLoginRoutes(app: FastifyInstance, portal: Portal): void {
  const render = (req: FastifyRequest, reply: FastifyReply, status: number, extra: { next?: string; username?: string; error?: string; info?: string } = {}) => {
    const st = portal.state(req);
    const s = st.web ?? portal.startSession(req, reply);
    const q = req.query as Record<string, unknown>;
    return html(
      reply,
      status,
      loginPage({ brand: portal.brand, csrf: s.csrf, next: extra.next ?? safeNext(q.next, '/search'), username: extra.username, error: extra.error, info: extra.info, leaked: portal.credentials.leaked }).text,
    );
  };

  route(app, portal, '/', {
    GET: (req, reply) => {
      const s = portal.state(req).web;
      if (s?.user) return reply.redirect(s.access === 'portal' ? '/search' : '/dev', 302);
      return reply.redirect('/login', 302);
    },
  });

  route(app, portal, '/login', {
    GET: (req, reply) => {
      const s = portal.state(req).web;
      if (s?.user) return reply.redirect(s.access === 'portal' ? safeNext((req.query as Record<string, unknown>).next) : '/dev', 302);
      return render(req, reply, 200, { info: (req.query as Record<string, unknown>).expired !== undefined ? 'Your session has expired. Please sign in again.' : undefined });
    },
    POST: (req, reply) => {
      const st = portal.state(req);
      const log = st.shared.log;
      const body = req.body;
      const username = clip(field(body, 'username', 4096), LIMITS.short).value;
      const password = clip(field(body, 'password', 4096), LIMITS.short).value;
      const next = safeNext(field(body, 'next', 1024));
      const { kind, access } = classify(portal.credentials, username, password);
      if (!csrfOk(st.web, field(body, '_csrf'))) {
        log.emit('dicomhawk.web.login.failed', { username, password, credential_kind: kind, reason: 'csrf_token_missing_or_invalid' });
        if (st.web) portal.sessions.end(st.web.id);
        st.web = null;
        return render(req, reply, 403, { next, username, error: 'Your sign-in form has expired. Please try again.' });
      }
      const wait = portal.throttle.lockedFor(st.peer.ip, username);
      if (wait > 0) {
        log.emit('dicomhawk.web.login.failed', { username, password, credential_kind: kind, reason: 'locked_out' });
        reply.header('retry-after', String(Math.ceil(wait / 1000)));
        return render(req, reply, 429, { next, username, error: `Too many failed sign-in attempts. The account is locked for ${Math.ceil(wait / 60_000)} minute(s).` });
      }
      if (access === null) {
        portal.throttle.failed(st.peer.ip, username);
        log.emit('dicomhawk.web.login.failed', { username, password, credential_kind: kind, reason: username === '' || password === '' ? 'empty' : 'bad_credentials' });
        return render(req, reply, 401, { next, username, error: 'Invalid user name or password.' });
      }
      portal.throttle.succeeded(st.peer.ip, username);
      // A fresh session id at sign-in (no fixation); the events stay on the same session log.
      const old = st.web!;
      const s = portal.sessions.create(st.peer.ip, st.shared);
      portal.sessions.end(old.id);
      s.user = username;
      s.access = access;
      st.web = s;
      portal.setCookie(reply, s);
      log.emit('dicomhawk.web.login.success', { username, password, credential_kind: kind });
      return reply.redirect(access === 'portal' ? next : '/dev', 303);
    },
  });

  route(app, portal, '/logout', {
    POST: (req, reply) => {
      const st = portal.state(req);
      if (!st.web) return reply.redirect('/login', 303);
      if (!csrfOk(st.web, field(req.body, '_csrf'))) return render(req, reply, 403, { error: 'Your form has expired. Please try again.' });
      portal.sessions.end(st.web.id);
      st.web = null;
      portal.clearCookie(reply);
      return reply.redirect('/login', 303);
    },
  });

  route(app, portal, '/dev', {
    GET: (req, reply) => {
      const s = portal.state(req).web;
      if (!s?.user) return reply.redirect('/login?next=%2Fdev', 302);
      return html(reply, 200, underDevelopmentPage(portal.brand, s.user, s.csrf).text);
    },
  });
}
