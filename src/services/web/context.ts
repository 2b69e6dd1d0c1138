/** What the portal's routes share: configuration, decoy data, sessions, signing, branding. */
import type { Hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DecoyData } from '../../app/decoyData.ts';
import type { Config } from '../../core/config/settings.ts';
import type { SessionLog } from '../../core/events/sessionLog.ts';
import type { Logger } from '../../core/log.ts';
import type { Credentials } from './login/credentials.ts';
import type { LoginThrottle } from './login/throttle.ts';
import type { Branding } from './pages/layout.ts';
import type { PeerAddress, WebProtocol } from './sessions/connectionLogs.ts';
import type { SharedLog } from './sessions/sharedLog.ts';
import type { TokenSigner } from './sessions/tokens.ts';
import type { WebSession, WebSessions } from './sessions/webSessions.ts';
import type { TransferSlots } from './http/transferSlots.ts';

/** What the portal knows about one request (bound in onRequest, never from client input but the cookie). */
export interface RequestState {
  readonly started: bigint;
  readonly peer: PeerAddress;
  readonly protocol: WebProtocol;
  /** Where this request's events go. */
  shared: SharedLog;
  web: WebSession | null;
  bodyBytes: number;
  bodyHash: Hash | null;
}

export interface Portal {
  readonly config: Config;
  readonly data: DecoyData;
  readonly diag: Logger;
  readonly brand: Branding;
  readonly credentials: Credentials;
  readonly signer: TokenSigner;
  readonly sessions: WebSessions;
  readonly throttle: LoginThrottle;
  readonly transfers: TransferSlots;
  readonly now: () => number;
  /** The request's state (bound by the request hook). */
  state(req: FastifyRequest): RequestState;
  log(req: FastifyRequest): SessionLog;
  /** Starts a portal session for this request (adopting its log) and sets the cookie. */
  startSession(req: FastifyRequest, reply: FastifyReply): WebSession;
  /** Sets the session cookie for `s` (a fresh signed token). */
  setCookie(reply: FastifyReply, s: WebSession): void;
  clearCookie(reply: FastifyReply): void;
}

export const SESSION_COOKIE = 'IVWSESSION';
