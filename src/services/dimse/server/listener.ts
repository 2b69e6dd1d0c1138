/**
 * The DICOM listeners: one TCP server per configured port (plus DICOM-TLS when a certificate is set),
 * optional PROXY protocol v2, connection limits overall and per source address. Every refusal is an event,
 * and so is a connection that never reached the DICOM layer (a bad or late PROXY header, a failed TLS
 * handshake): a `dicomhawk.session.connect` and a `dicomhawk.session.closed` whose `close_reason` says why.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket, type SecureContext } from 'node:tls';
import type { EventBus } from '../../../core/events/bus.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { Logger } from '../../../core/log.ts';
import type { Persona } from '../../../domain/dicom/persona.ts';
import type { PduRecordStore } from '../record/recordStore.ts';
import { SessionPduRecorder } from '../record/sessionRecorder.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import { DimseConnection, type ConnectExtra } from './connection.ts';
import { ConnectionCounter, type ConnectionLimits } from './limits.ts';
import { parseProxyV2 } from './proxyV2.ts';

export interface ListenerOptions {
  host: string;
  ports: number[];
  tls?: { port: number; certFile: string; keyFile: string };
  proxyProtocol: boolean;
  persona: Persona;
  aeTitle: string;
  limits: ConnectionLimits;
  services: ServiceRegistry;
  bus: EventBus;
  diag: Logger;
  /** Where sessions' raw PDU records go (DICOM_PDU_RECORD); none: not recorded. */
  record?: PduRecordStore;
}

const PROXY_HEADER_TIMEOUT_MS = 5000;

/** `close_reason` of a failed TLS handshake: node's error code (e.g. ERR_SSL_WRONG_VERSION_NUMBER), else its message. */
function tlsFailure(err: NodeJS.ErrnoException): string {
  return `TLS handshake failed: ${err.code ?? err.message}`;
}

function plainIp(addr: string | undefined): string {
  if (!addr) return '0.0.0.0';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

export class DimseListeners {
  private readonly servers: Server[] = [];
  private readonly counter: ConnectionCounter;
  private readonly open = new Set<DimseConnection>();
  private secureContext: SecureContext | null = null;
  /** Actual bound ports (useful when configured with port 0). */
  readonly boundPorts: number[] = [];

  constructor(private readonly o: ListenerOptions) {
    this.counter = new ConnectionCounter(o.limits);
  }

  async start(): Promise<void> {
    for (const port of this.o.ports) {
      let bound = port; // the real port once listening (the configured one may be 0)
      const server = createServer({ noDelay: true }, (s) => this.accept(s, 'dimse', bound));
      bound = await this.listen(server, port);
    }
    if (this.o.tls) {
      const t = this.o.tls;
      const creds = { cert: readFileSync(t.certFile), key: readFileSync(t.keyFile) };
      // Behind a load balancer the PROXY v2 header precedes the TLS handshake: the header is read on the plain
      // socket and the TLS session is started on what follows (wrapTls); otherwise node's TLS server does it all.
      if (this.o.proxyProtocol) this.secureContext = createSecureContext(creds);
      let bound = t.port;
      const server = this.o.proxyProtocol
        ? createServer({ noDelay: true }, (s) => this.accept(s, 'dimse-tls', bound))
        : createTlsServer({ ...creds, noDelay: true, handshakeTimeout: this.o.limits.artimMs }, (s) => this.accept(s, 'dimse-tls', bound));
      if (!this.o.proxyProtocol) {
        server.on('tlsClientError', (err: NodeJS.ErrnoException, tls: TLSSocket) => {
          const raw = tls as unknown as { _parent?: Socket } & Socket;
          const peer = raw.remoteAddress ? raw : (raw._parent ?? raw);
          this.notServed('dimse-tls', bound, plainIp(peer.remoteAddress), peer.remotePort ?? 0, plainIp(peer.localAddress), peer.localPort ?? bound, tlsFailure(err), raw.bytesRead ?? 0);
        });
      }
      bound = await this.listen(server, t.port);
    }
  }

  /** Listens; resolves with the port actually bound. */
  private async listen(server: Server, port: number): Promise<number> {
    server.maxConnections = this.o.limits.maxConnections * 2;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: this.o.host, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => this.o.diag.error({ err }, 'DICOM listener error'));
    this.servers.push(server);
    const bound = (server.address() as { port: number }).port;
    this.boundPorts.push(bound);
    return bound;
  }

  /**
   * A connection that ended before the DICOM layer started (bad or late PROXY header, failed TLS handshake):
   * recorded as a session of its own, connect and closed, with the reason.
   */
  private notServed(protocol: 'dimse' | 'dimse-tls', listenerPort: number, srcIp: string, srcPort: number, dstIp: string, dstPort: number, reason: string, bytesIn: number, startedAt = Date.now(), proxied?: boolean): void {
    const log = this.o.bus.forSession({ session: uuidv7(), protocol, src_ip: srcIp, src_port: srcPort, dst_ip: dstIp, dst_port: dstPort });
    log.emit('dicomhawk.session.connect', { listener_port: listenerPort, ...(proxied === undefined ? {} : { proxied }) });
    log.emit('dicomhawk.session.closed', { duration_ms: Math.max(0, Date.now() - startedAt), bytes_in: bytesIn, bytes_out: 0, pdus_in: 0, pdus_out: 0, close_reason: reason.slice(0, 256) });
    log.close();
  }

  private accept(socket: Socket, protocol: 'dimse' | 'dimse-tls', listenerPort: number): void {
    socket.on('error', () => undefined);
    if (!this.o.proxyProtocol) {
      this.begin(socket, protocol, listenerPort, plainIp(socket.remoteAddress), socket.remotePort ?? 0, plainIp(socket.localAddress), socket.localPort ?? listenerPort, undefined, this.tlsInfo(socket, protocol));
      return;
    }
    // PROXY v2: the header comes first; read it under a deadline, then hand the rest to the connection.
    // Until it is parsed only the connection's own endpoints (the balancer's, normally) are known: a failure is
    // recorded with them and `proxied: false`, as for a LOCAL header.
    const startedAt = Date.now();
    const unproxied = (reason: string, bytes: number): void =>
      this.notServed(protocol, listenerPort, plainIp(socket.remoteAddress), socket.remotePort ?? 0, plainIp(socket.localAddress), socket.localPort ?? listenerPort, reason, bytes, startedAt, false);
    let buf: Buffer = Buffer.alloc(0);
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      socket.off('data', onData);
      unproxied(`no PROXY v2 header within ${PROXY_HEADER_TIMEOUT_MS} ms`, buf.length);
      socket.destroy();
    }, PROXY_HEADER_TIMEOUT_MS);
    socket.once('close', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      unproxied('closed before a complete PROXY v2 header', buf.length);
    });
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const r = parseProxyV2(buf);
      if (r.kind === 'incomplete') return;
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (r.kind === 'invalid') {
        unproxied(`invalid PROXY v2 header: ${r.reason}`, buf.length);
        socket.destroy();
        return;
      }
      // A LOCAL header (the balancer's own health check) or an unspecified family carries no client address:
      // PROXY v2 §2.2 says to use the connection's own endpoints then, and `proxied: false` says so in the event.
      const src = r.src ?? { ip: plainIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
      const dst = r.dst ?? { ip: plainIp(socket.localAddress), port: socket.localPort ?? listenerPort };
      const proxied = r.src !== null;
      const rest = buf.subarray(r.length);
      if (protocol === 'dimse-tls') {
        this.wrapTls(
          socket,
          rest,
          (tls) => this.begin(tls, protocol, listenerPort, src.ip, src.port, dst.ip, dst.port, undefined, { ...this.tlsInfo(tls, protocol), proxied }),
          (reason) => this.notServed(protocol, listenerPort, src.ip, src.port, dst.ip, dst.port, reason, socket.bytesRead, startedAt, proxied),
        );
        return;
      }
      this.begin(socket, protocol, listenerPort, src.ip, src.port, dst.ip, dst.port, rest, { proxied });
      socket.resume();
    };
    socket.on('data', onData);
  }

  /** Starts a server-side TLS session on a plain socket whose PROXY v2 header was consumed; `rest` is what followed it. */
  private wrapTls(raw: Socket, rest: Buffer, then: (tls: TLSSocket) => void, failed: (reason: string) => void): void {
    if (rest.length > 0) raw.unshift(rest); // node's TLSSocket feeds bytes already buffered on the socket to the handshake
    const tls = new TLSSocket(raw, { isServer: true, secureContext: this.secureContext! });
    let failure: string | null = null;
    let secure = false;
    tls.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= tlsFailure(err);
    });
    const timer = setTimeout(() => {
      failure ??= `TLS handshake not done within ${this.o.limits.artimMs} ms`;
      tls.destroy();
    }, this.o.limits.artimMs);
    tls.once('close', () => {
      clearTimeout(timer);
      if (!secure) failed(failure ?? 'closed during the TLS handshake');
    });
    tls.once('secure', () => {
      secure = true;
      clearTimeout(timer);
      then(tls);
    });
  }

  private begin(socket: Socket, protocol: 'dimse' | 'dimse-tls', listenerPort: number, srcIp: string, srcPort: number, dstIp: string, dstPort: number, initial?: Buffer, connectExtra: ConnectExtra = {}): void {
    const log = this.o.bus.forSession({ session: uuidv7(), protocol, src_ip: srcIp, src_port: srcPort, dst_ip: dstIp, dst_port: dstPort });
    const slot = this.counter.tryAcquire(srcIp);
    if (!slot.ok) {
      log.emit('dicomhawk.session.connect', { ...connectExtra, listener_port: listenerPort });
      log.emit('dicomhawk.limit.refused', { limit: slot.limit, value: slot.value, observed: slot.observed });
      log.emit('dicomhawk.session.closed', { duration_ms: 0, bytes_in: 0, bytes_out: 0, pdus_in: 0, pdus_out: 0, close_reason: slot.limit });
      socket.destroy();
      return;
    }
    const record = this.o.record ? new SessionPduRecorder(this.o.record, log.identity.session, { ip: srcIp, port: srcPort }, { ip: dstIp, port: dstPort }, Date.now()) : null;
    const conn = new DimseConnection({
      socket,
      log,
      record,
      persona: this.o.persona,
      aeTitle: this.o.aeTitle,
      limits: this.o.limits,
      services: this.o.services,
      diag: this.o.diag,
      peerIp: srcIp,
      listenerPort,
      onClosed: () => {
        this.counter.release(srcIp);
        this.open.delete(conn);
      },
    });
    this.open.add(conn);
    conn.start(initial, connectExtra);
  }

  private tlsInfo(socket: Socket, protocol: string): ConnectExtra {
    if (protocol !== 'dimse-tls') return {};
    const t = socket as TLSSocket;
    const sni = (t as unknown as { servername?: unknown }).servername; // false when the client sent no SNI
    return { tls: { protocol: t.getProtocol?.() ?? null, cipher: t.getCipher?.()?.name ?? null, sni: typeof sni === 'string' ? sni.slice(0, 256) : null } };
  }

  get openConnections(): number {
    return this.open.size;
  }

  /** Stops listening, ends every open connection (each emits its session.closed), and resolves when all are gone. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    const closing = [...this.open].map(
      (c) => new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (!this.open.has(c)) {
            clearInterval(check);
            resolve();
          }
        }, 10);
        c.shutdown();
      }),
    );
    await Promise.all(closing);
  }
}
