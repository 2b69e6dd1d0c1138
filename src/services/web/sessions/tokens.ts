/**
 * The portal's session tokens: compact JWS (HS256) signed with the install's `jwtKey`. Every token has the
 * same shape and length (a 22-character session id, a 3-letter role, issue and expiry times), so a fake
 * admin token handed out by /admin cannot be told from a real session cookie by size or structure.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type TokenRole = 'usr' | 'adm';

export interface TokenClaims {
  /** Web session id (22 base64url characters, 128 bits). */
  readonly sid: string;
  readonly role: TokenRole;
  /** Issued at / expires, seconds since the epoch. */
  readonly iat: number;
  readonly exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
const SID_RE = /^[A-Za-z0-9_-]{22}$/;
/** Longest token text we try to verify (anything longer is not ours). */
const MAX_TOKEN = 512;

export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export class TokenSigner {
  constructor(private readonly key: string) {}

  private mac(data: string): Buffer {
    return createHmac('sha256', this.key).update(data).digest();
  }

  sign(claims: TokenClaims): string {
    const payload = Buffer.from(JSON.stringify({ sid: claims.sid, role: claims.role, iat: claims.iat, exp: claims.exp })).toString('base64url');
    const data = `${HEADER}.${payload}`;
    return `${data}.${this.mac(data).toString('base64url')}`;
  }

  /** The claims of a token we signed that has not expired, else null. */
  verify(token: string, nowMs: number): TokenClaims | null {
    if (token.length > MAX_TOKEN) return null;
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER) return null;
    const sig = Buffer.from(parts[2]!, 'base64url');
    const expected = this.mac(`${parts[0]}.${parts[1]}`);
    if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return null;
    let c: unknown;
    try {
      c = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof c !== 'object' || c === null) return null;
    const { sid, role, iat, exp } = c as Record<string, unknown>;
    if (typeof sid !== 'string' || !SID_RE.test(sid) || (role !== 'usr' && role !== 'adm') || typeof iat !== 'number' || typeof exp !== 'number') return null;
    if (exp * 1000 <= nowMs) return null;
    return { sid, role, iat, exp };
  }
}
