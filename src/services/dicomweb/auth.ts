/**
 * Optional HTTP authentication of the DICOMweb decoy (DICOMWEB_AUTH): none, Basic (RFC 7617) or Bearer
 * (RFC 6750). Every Authorization header is an event with what was sent — user name and password, or the
 * token — whether or not authentication is required; when it is and the attempt does not match
 * DICOMWEB_CREDENTIALS, the answer is 401 with a WWW-Authenticate challenge.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIMITS, clip } from '../../core/events/bounded.ts';
import type { DicomwebDeps } from './context.ts';
import { sendError } from './httpError.ts';

export const REALM = 'DICOMweb';

export interface AuthAttempt {
  scheme: string;
  username: string | null;
  password: string | null;
  token: string | null;
  malformed: boolean;
}

/** What an Authorization header says (null when there is none). */
export function parseAuthorization(header: string | undefined): AuthAttempt | null {
  if (header === undefined) return null;
  const text = header.trim();
  const sp = text.indexOf(' ');
  const scheme = sp === -1 ? text : text.slice(0, sp);
  const rest = sp === -1 ? '' : text.slice(sp + 1).trim();
  const lower = scheme.toLowerCase();
  if (lower === 'basic') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(rest) || rest === '') return { scheme, username: null, password: null, token: rest || null, malformed: true };
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) return { scheme, username: decoded, password: null, token: null, malformed: true };
    return { scheme, username: decoded.slice(0, colon), password: decoded.slice(colon + 1), token: null, malformed: false };
  }
  if (lower === 'bearer') return { scheme, username: null, password: null, token: rest, malformed: rest === '' };
  return { scheme, username: null, password: null, token: rest === '' ? null : rest, malformed: false };
}

function accepted(deps: DicomwebDeps, a: AuthAttempt): boolean {
  const mode = deps.config.dicomwebAuth;
  const allowed = deps.config.dicomwebCredentials;
  if (a.malformed || a.scheme.toLowerCase() !== mode) return false;
  if (allowed.includes('*')) return true;
  return mode === 'basic' ? allowed.includes(`${a.username ?? ''}:${a.password ?? ''}`) : a.token !== null && allowed.includes(a.token);
}

/** The onRequest hook: logs every attempt; answers 401 when authentication is required and not satisfied. */
export function authHook(deps: DicomwebDeps) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const mode = deps.config.dicomwebAuth;
    const attempt = parseAuthorization(req.headers.authorization);
    let ok = mode === 'none';
    if (attempt !== null) {
      ok = mode === 'none' || accepted(deps, attempt);
      const short = (s: string | null): string | null => (s === null ? null : clip(s, LIMITS.short).value);
      deps.logFor(req).emit('dicomhawk.dicomweb.auth', {
        scheme: clip(attempt.scheme, LIMITS.short).value,
        username: short(attempt.username),
        password: short(attempt.password),
        token: attempt.token === null ? null : clip(attempt.token, LIMITS.medium).value,
        required: mode,
        outcome: mode === 'none' ? 'not_required' : attempt.malformed ? 'malformed' : ok ? 'accepted' : 'rejected',
      });
    }
    if (ok) return;
    const challenge =
      mode === 'basic'
        ? `Basic realm="${REALM}", charset="UTF-8"`
        : `Bearer realm="${REALM}"${attempt !== null && attempt.scheme.toLowerCase() === 'bearer' ? ', error="invalid_token"' : ''}`;
    await sendError(reply, 401, 'authentication required', { 'WWW-Authenticate': challenge });
  };
}
