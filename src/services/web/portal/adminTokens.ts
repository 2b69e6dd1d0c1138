/**
 * Fake admin tokens (/admin, /admin-config): signed exactly like a session cookie (same key, same claims,
 * same length) with role `adm`, registered in the honeytoken registry (kind admin_token) and issued to the
 * session that read them. Presenting one later (cookie or bearer) is `dicomhawk.honeytoken.triggered`
 * (once per token and session) and opens the portal as "administrator".
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from '../../../core/log.ts';
import type { HoneytokenRegistry } from '../../../domain/honeytokens/registry.ts';
import type { RequestState } from '../context.ts';
import { selectedHeaders } from '../http/requestRecord.ts';
import type { Branding } from '../pages/layout.ts';
import type { SessionLog } from '../../../core/events/sessionLog.ts';
import { newSessionId, type TokenClaims, type TokenSigner } from '../sessions/tokens.ts';
import type { WebSession, WebSessions } from '../sessions/webSessions.ts';

const TTL_S = 30 * 86_400;
const CACHE = 10_000;

/** The registry's object key of an admin token (it has no DICOM object). */
export function adminTokenObject(sid: string): string {
  return `admin-token:${sid}`;
}

export class AdminTokens {
  /** One token per source address (reading /admin again hands out the same one). */
  private readonly byIp = new Map<string, string>();
  private readonly triggered = new Set<string>();

  constructor(
    private readonly registry: HoneytokenRegistry,
    private readonly signer: TokenSigner,
    private readonly now: () => number,
    private readonly diag: Logger,
  ) {}

  /** The admin token for this requester, registered and issued to `log`'s session. */
  issue(ip: string, log: SessionLog): string {
    let token = this.byIp.get(ip);
    if (token === undefined) {
      const sid = newSessionId();
      const iat = Math.floor(this.now() / 1000);
      token = this.signer.sign({ sid, role: 'adm', iat, exp: iat + TTL_S });
      try {
        this.registry.register('web-admin', { token, kind: 'admin_token', sopInstanceUid: adminTokenObject(sid), studyInstanceUid: null, path: null, url: null });
      } catch (err) {
        this.diag.error({ err }, 'admin token registration failed');
      }
      if (this.byIp.size >= CACHE) this.byIp.delete(this.byIp.keys().next().value!);
      this.byIp.set(ip, token);
    }
    const claims = this.signer.verify(token, this.now());
    if (claims) this.registry.issue(adminTokenObject(claims.sid), log, (err) => this.diag.error({ err }, 'admin token issue failed'));
    return token;
  }

  /** A request presented an admin token: record the trigger and give it an administrator session. */
  use(token: string, claims: TokenClaims, st: RequestState, sessions: WebSessions, raw: IncomingMessage, _brand: Branding): WebSession {
    const log = st.shared.log;
    const key = `${token}\u0000${log.identity.session}`;
    if (!this.triggered.has(key)) {
      if (this.triggered.size >= CACHE) this.triggered.delete(this.triggered.values().next().value!);
      this.triggered.add(key);
      let issued: string | null = null;
      let kind: 'admin_token' | null = null;
      try {
        const rec = this.registry.get(token);
        if (rec) kind = 'admin_token';
        const issues = this.registry.issues(token);
        issued = issues.length > 0 ? issues[issues.length - 1]!.session : null;
      } catch (err) {
        this.diag.error({ err }, 'honeytoken lookup failed');
      }
      log.emit('dicomhawk.honeytoken.triggered', { token, kind, issued_session: issued, requester_ip: st.peer.ip, headers: selectedHeaders(raw) }, ['honeytoken']);
    }
    // One administrator session per token and address (never another address's log).
    const id = `${claims.sid}@${st.peer.ip}`;
    const existing = sessions.get(id);
    if (existing) return existing;
    const s = sessions.create(st.peer.ip, st.shared, id);
    s.user = 'administrator';
    s.access = 'portal';
    s.adminToken = token;
    return s;
  }
}
