/**
 * Portal sessions (the cookie-linked "web session"): kept in memory, bounded per source address and in
 * total, closed after an idle period. Each holds the SessionLog its events go to; the session id inside
 * the signed cookie is the key.
 */
import { randomBytes } from 'node:crypto';
import type { SharedLog } from './sharedLog.ts';
import { newSessionId } from './tokens.ts';

/** What a signed-in session may see: the portal, or only the "under development" page (leaked dev login). */
export type Access = 'portal' | 'restricted';

export interface WebSession {
  readonly id: string;
  readonly ip: string;
  readonly shared: SharedLog;
  /** Anti-CSRF token of this session's forms. */
  readonly csrf: string;
  user: string | null;
  access: Access | null;
  /** Signed in with a fake admin token (its text), else null. */
  adminToken: string | null;
  readonly created: number;
  lastSeen: number;
}

export interface WebSessionLimits {
  idleMs: number;
  perIp: number;
  total: number;
}

export class WebSessions {
  /** Insertion order = least recently used first (touch moves a session to the end). */
  private readonly byId = new Map<string, WebSession>();
  private readonly perIp = new Map<string, Set<string>>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly limits: WebSessionLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.timer = setInterval(() => this.sweep(), Math.min(60_000, Math.max(1000, Math.floor(limits.idleMs / 2))));
    this.timer.unref();
  }

  get size(): number {
    return this.byId.size;
  }

  /** Starts a session for `ip` whose events go to `shared` (retained here until the session ends). */
  create(ip: string, shared: SharedLog, id: string = newSessionId()): WebSession {
    this.end(id);
    const now = this.now();
    const s: WebSession = { id, ip, shared: shared.retain(), csrf: randomBytes(24).toString('base64url'), user: null, access: null, adminToken: null, created: now, lastSeen: now };
    let ids = this.perIp.get(ip);
    if (!ids) this.perIp.set(ip, (ids = new Set()));
    while (ids.size >= this.limits.perIp) this.end(ids.values().next().value!);
    while (this.byId.size >= this.limits.total) this.end(this.byId.keys().next().value!);
    ids.add(s.id);
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session with this id (touching it), or undefined. */
  get(id: string): WebSession | undefined {
    const s = this.byId.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastSeen >= this.limits.idleMs) {
      this.end(id);
      return undefined;
    }
    s.lastSeen = now;
    this.byId.delete(id);
    this.byId.set(id, s);
    const ids = this.perIp.get(s.ip);
    if (ids) {
      ids.delete(id);
      ids.add(id);
    }
    return s;
  }

  end(id: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    this.byId.delete(id);
    const ids = this.perIp.get(s.ip);
    ids?.delete(id);
    if (ids && ids.size === 0) this.perIp.delete(s.ip);
    s.shared.release();
  }

  /** Ends the sessions idle for longer than the limit. */
  sweep(): void {
    const now = this.now();
    for (const s of [...this.byId.values()]) {
      if (now - s.lastSeen >= this.limits.idleMs) this.end(s.id);
      else break; // LRU order: the rest were used more recently
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const id of [...this.byId.keys()]) this.end(id);
  }
}
