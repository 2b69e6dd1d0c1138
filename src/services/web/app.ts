/**
 * The decoy portal's fastify root: request state and the `dicomhawk.web.request` event for every request
 * (portal, hidden endpoints, tracking links, DICOMweb), product-looking headers and error pages, then the
 * routes. DICOMweb is mounted under /dicom-web with a `logFor` that hands it the request's SessionLog.
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DecoyData } from '../../app/decoyData.ts';
import type { Config } from '../../core/config/settings.ts';
import type { EventBus } from '../../core/events/bus.ts';
import type { Logger } from '../../core/log.ts';
import { createSite } from '../../domain/dataset/site.ts';
import { SESSION_COOKIE, type Portal, type RequestState } from './context.ts';
import { ClientAddress } from './http/clientAddress.ts';
import { expiredCookie, readCookie, sessionCookie } from './http/cookies.ts';
import { clientErrorResponse, installErrorHandlers, sendError } from './http/errors.ts';
import { selectedHeaders, splitUrl } from './http/requestRecord.ts';
import { TransferSlots } from './http/transferSlots.ts';
import { portalCredentials } from './login/credentials.ts';
import { LoginThrottle } from './login/throttle.ts';
import type { Branding } from './pages/layout.ts';
import { AdminTokens } from './portal/adminTokens.ts';
import { registerDownloadRoutes } from './routes/download.ts';
import { registerHiddenRoutes } from './routes/hidden.ts';
import { registerLoginRoutes } from './routes/login.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerStaticRoutes } from './routes/static.ts';
import { registerTrackingRoutes } from './routes/tracking.ts';
import { registerUploadRoutes } from './routes/upload.ts';
import { mountDicomweb } from './dicomweb.ts';
import { ConnectionLogs } from './sessions/connectionLogs.ts';
import { TokenSigner } from './sessions/tokens.ts';
import { WebSessions } from './sessions/webSessions.ts';
import { clientTool } from '../../domain/intel/clientTool.ts';

export interface WebDeps {
  data: DecoyData;
  config: Config;
  secrets: { jwtKey: string; installSecret: string };
  bus: EventBus;
  diag: Logger;
  now?: () => number;
}

export interface WebApp {
  readonly app: FastifyInstance;
  readonly portal: Portal;
  close(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyRequest {
    hawk: RequestState | null;
  }
}

/** Token lifetime inside the cookie (the session itself ends earlier when idle). */
const TOKEN_TTL_S = 12 * 3600;

export function branding(installSecret: string): Branding {
  const h = createSite(installSecret).hospitals[0]!.hospital;
  return { product: 'ImageVault PACS', version: '7.4.2', hospital: h.name, department: h.department };
}

export async function buildWebApp(deps: WebDeps): Promise<WebApp> {
  const c = deps.config;
  const now = deps.now ?? Date.now;
  const clientAddress = new ClientAddress(c.apiTrustedProxies);
  const connLogs = new ConnectionLogs(deps.bus);
  const sessions = new WebSessions({ idleMs: c.apiSessionIdleMs, perIp: c.apiMaxSessionsPerIp, total: 100_000 }, now);
  const signer = new TokenSigner(deps.secrets.jwtKey);
  const brand = branding(deps.secrets.installSecret);

  const app = fastify({
    logger: false,
    bodyLimit: 256 * 1024,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: false,
    forceCloseConnections: true,
    keepAliveTimeout: 5000,
    requestTimeout: 300_000,
    connectionTimeout: 0,
    clientErrorHandler: (err: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.writable && err.code !== 'ECONNRESET') socket.end(clientErrorResponse(err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
      else socket.destroy();
    },
    frameworkErrors: (_err, _req, reply) => sendError(reply, brand, 400),
  });
  app.decorateRequest('hawk', null);

  const state = (req: FastifyRequest): RequestState => {
    if (req.hawk) return req.hawk;
    // Requests answered before onRequest ran (bad URL): bind them here.
    const socket = req.raw.socket;
    const peer = clientAddress.resolve(socket.remoteAddress, socket.remotePort, req.headers['x-forwarded-for']);
    const protocol = req.url.startsWith('/dicom-web') ? 'dicomweb' : 'http';
    req.hawk = { started: process.hrtime.bigint(), peer, protocol, shared: connLogs.logFor(socket, protocol, peer), web: null, bodyBytes: 0, bodyHash: null };
    return req.hawk;
  };

  const adminTokens = new AdminTokens(deps.data.honeytokens, signer, now, deps.diag);

  const portal: Portal = {
    config: c,
    data: deps.data,
    diag: deps.diag,
    brand,
    credentials: portalCredentials(deps.secrets.jwtKey),
    signer,
    sessions,
    throttle: new LoginThrottle({ maxFailures: c.apiLoginMaxFailures, lockoutMs: c.apiLoginLockoutMs }, now),
    transfers: new TransferSlots(c.apiMaxTransfersPerIp),
    now,
    state,
    log: (req) => state(req).shared.log,
    startSession(req, reply) {
      const st = state(req);
      const s = sessions.create(st.peer.ip, st.shared);
      st.web = s;
      portal.setCookie(reply, s);
      return s;
    },
    setCookie(reply, s) {
      const iat = Math.floor(now() / 1000);
      reply.header('set-cookie', sessionCookie(SESSION_COOKIE, signer.sign({ sid: s.id, role: 'usr', iat, exp: iat + TOKEN_TTL_S })));
    },
    clearCookie(reply) {
      reply.header('set-cookie', expiredCookie(SESSION_COOKIE));
    },
  };

  // Per-address connection cap.
  const perIp = new Map<string, number>();
  app.server.on('connection', (socket: Socket) => {
    const ip = socket.remoteAddress ?? '';
    const n = (perIp.get(ip) ?? 0) + 1;
    perIp.set(ip, n);
    socket.once('close', () => {
      const m = (perIp.get(ip) ?? 1) - 1;
      if (m <= 0) perIp.delete(ip);
      else perIp.set(ip, m);
    });
    if (n > c.apiMaxConnectionsPerIp) socket.destroy();
  });

  app.addHook('onRequest', async (req) => {
    const st = state(req);
    // The session: our signed cookie (or a bearer token) naming a live session, or a fake admin token.
    const token = readCookie(req.headers.cookie, SESSION_COOKIE) ?? bearer(req.headers.authorization);
    if (token !== null) {
      const claims = signer.verify(token, now());
      if (claims?.role === 'usr') st.web = sessions.get(claims.sid) ?? null;
      else if (claims?.role === 'adm') st.web = adminTokens.use(token, claims, st, sessions, req.raw, brand);
    }
    if (st.web && st.protocol === 'http') st.shared = st.web.shared;
    // Hash the body as it is read, whoever reads it (form parser, multipart, DICOMweb).
    const h = req.headers;
    if ((h['content-length'] !== undefined && h['content-length'] !== '0') || h['transfer-encoding'] !== undefined) {
      const hash = createHash('sha256');
      st.bodyHash = hash;
      const raw = req.raw;
      raw.on('data', (chunk: Buffer) => {
        st.bodyBytes += chunk.length;
        hash.update(chunk);
      });
      raw.pause();
    }
  });

  app.addHook('onSend', async (req, reply) => {
    // A body left unread (refused before reading: 401, 403, 413 …) would keep the connection busy: close it.
    if (req.hawk?.bodyHash && !req.raw.readableEnded) reply.header('connection', 'close');
    reply.header('x-frame-options', 'SAMEORIGIN');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    if (!req.url.startsWith('/dicom-web')) reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'self'");
  });

  app.addHook('onResponse', async (req, reply) => {
    const st = state(req);
    const { path, query } = splitUrl(req.url);
    const durationMs = Number(process.hrtime.bigint() - st.started) / 1e6;
    const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'].slice(0, 2048) : null;
    st.shared.log.emit('dicomhawk.web.request', {
      method: req.method.slice(0, 32),
      path,
      query,
      headers: selectedHeaders(req.raw),
      user_agent: userAgent,
      client_guess: clientTool(userAgent),
      body_size: st.bodyBytes,
      body_sha256: st.bodyHash && st.bodyBytes > 0 ? st.bodyHash.digest('hex') : null,
      status: reply.statusCode,
      duration_ms: Math.round(durationMs * 1000) / 1000,
      web_session: st.web?.id ?? null,
    });
  });

  installErrorHandlers(app, portal);
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(multipart, {
    limits: { fileSize: c.apiUploadMaxBytes, files: c.apiUploadMaxFiles, fields: 20, fieldSize: 4096, parts: c.apiUploadMaxFiles + 20, headerPairs: 100 },
  });
  registerStaticRoutes(app, portal);
  registerLoginRoutes(app, portal);
  registerHiddenRoutes(app, portal, adminTokens);
  registerTrackingRoutes(app, portal);
  registerSearchRoutes(app, portal);
  registerDownloadRoutes(app, portal);
  registerUploadRoutes(app, portal);
  await mountDicomweb(app, { data: deps.data, config: c, logFor: (req) => state(req).shared.log });

  return {
    app,
    portal,
    async close() {
      await app.close();
      sessions.close();
    },
  };
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S{1,600})$/i.exec(header);
  return m ? m[1]! : null;
}
