/**
 * The credentials the portal knows: the honey pair `test`/`test` opens the portal; a "leaked" developer
 * pair (left in the sign-in page's source) opens only an "Under development" page. The leaked password is
 * derived from the install's key, so every installation leaks a different one.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Access } from '../sessions/webSessions.ts';

export type CredentialKind = 'honey' | 'leaked' | 'other';

export interface Credential {
  readonly username: string;
  readonly password: string;
}

export interface Credentials {
  readonly honey: Credential;
  readonly leaked: Credential;
}

export function portalCredentials(jwtKey: string): Credentials {
  const d = createHmac('sha256', jwtKey).update('dicomhawk/web/leaked-credential/v1').digest('base64url');
  return {
    honey: { username: 'test', password: 'test' },
    leaked: { username: 'svc_pacs_dev', password: `Rad${d.slice(0, 6)}!${d.slice(6, 8)}` },
  };
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Which pair was used (exactly), and the access it grants. */
export function classify(c: Credentials, username: string, password: string): { kind: CredentialKind; access: Access | null } {
  if (same(username, c.honey.username) && same(password, c.honey.password)) return { kind: 'honey', access: 'portal' };
  if (same(username, c.leaked.username) && same(password, c.leaked.password)) return { kind: 'leaked', access: 'restricted' };
  return { kind: 'other', access: null };
}
