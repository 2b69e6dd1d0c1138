/**
 * The console's one credential is the operator token (DATA_DIR/secrets.json, `dicomhawk console-token`). A client
 * presents it as `Authorization: Bearer <token>`, or logs in once through the form, which sets an HttpOnly,
 * SameSite=Strict cookie holding an HMAC of the token (never the token itself). Failed attempts are limited per
 * address.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const COOKIE = 'dicomhawk_console';

export type AuthResult = 'ok' | 'missing' | 'wrong';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function same(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

export class ConsoleAuth {
  readonly cookieValue: string;
  private readonly failures = new Map<string, { n: number; since: number }>();

  constructor(
    private readonly token: string,
    private readonly maxFailuresPerMinute = 20,
    private readonly now: () => number = Date.now,
  ) {
    this.cookieValue = createHmac('sha256', token).update('dicomhawk console session v1').digest('base64url');
  }

  /** Checks a Bearer header, else the cookie. */
  check(authorization: string | undefined, cookie: string | undefined): AuthResult {
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      return m && same(m[1]!, this.token) ? 'ok' : 'wrong';
    }
    if (cookie !== undefined && cookie !== '') return same(cookie, this.cookieValue) ? 'ok' : 'wrong';
    return 'missing';
  }

  tokenMatches(candidate: string): boolean {
    return same(candidate.trim(), this.token);
  }

  /** True while the address is allowed another attempt. */
  allowed(ip: string): boolean {
    const f = this.failures.get(ip);
    if (!f) return true;
    if (this.now() - f.since > 60_000) {
      this.failures.delete(ip);
      return true;
    }
    return f.n < this.maxFailuresPerMinute;
  }

  failed(ip: string): void {
    const f = this.failures.get(ip);
    if (!f || this.now() - f.since > 60_000) this.failures.set(ip, { n: 1, since: this.now() });
    else f.n += 1;
    if (this.failures.size > 10_000) this.failures.delete(this.failures.keys().next().value as string);
  }
}
