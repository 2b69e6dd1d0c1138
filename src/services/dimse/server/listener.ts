/**
 * The DICOM listeners: one TCP server per configured port (plus DICOM-TLS when a certificate is set),
 * optional PROXY protocol v2, connection limits overall and per source address. Every refusal is an event.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { EventBus } from '../../../core/events/bus.ts';
import { uuidv7 } from '../../../core/ids.ts';
import type { Logger } from '../../../core/log.ts';
import type { Persona } from '../persona/persona.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import { DimseConnection } from './connection.ts';
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
}

const PROXY_HEADER_TIMEOUT_MS = 5000;

function plainIp(addr: string | undefined): string {
  if (!addr) return '0.0.0.0';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

export class DimseListeners {
  private readonly servers: Server[] = [];
  private readonly counter: ConnectionCounter;
  private readonly open = new Set<DimseConnection>();
  /** Actual bound ports (useful when configured with port 0). */
  readonly boundPorts: number[] = [];

  constructor(private readonly o: ListenerOptions) {
    this.counter = new ConnectionCounter(o.limits);
  }

  async start(): Promise<void> {
    for (const port of this.o.ports) {
      const server = createServer({ noDelay: true }, (s) => this.accept(s, 'dimse', port));
      await this.listen(server, port);
    }
    if (this.o.tls) {
      const t = this.o.tls;
      const server = createTlsServer({ cert: readFileSync(t.certFile), key: readFileSync(t.keyFile) }, (s) => this.accept(s, 'dimse-tls', t.port));
      await this.listen(server, t.port);
    }
  }

  private async listen(server: Server, port: number): Promise<void> {
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
    this.boundPorts.push((server.address() as { port: number }).port);
  }

  private accept(socket: Socket, protocol: 'dimse' | 'dimse-tls', listenerPort: number): void {
    socket.on('error', () => undefined);
    if (!this.o.proxyProtocol) {
      this.begin(socket, protocol, listenerPort, plainIp(socket.remoteAddress), socket.remotePort ?? 0, plainIp(socket.localAddress), socket.localPort ?? listenerPort);
      return;
    }
    // PROXY v2: the header comes first; read it under a deadline, then hand the rest to the connection.
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(), PROXY_HEADER_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const r = parseProxyV2(buf);
      if (r.kind === 'incomplete') return;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.pause();
      if (r.kind === 'invalid') {
        this.o.diag.warn({ peer: socket.remoteAddress, reason: r.reason }, 'connection without a valid PROXY v2 header dropped');
        socket.destroy();
        return;
      }
      const src = r.src ?? { ip: plainIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
      const dst = r.dst ?? { ip: plainIp(socket.localAddress), port: socket.localPort ?? listenerPort };
      this.begin(socket, protocol, listenerPort, src.ip, src.port, dst.ip, dst.port, buf.subarray(r.length));
      socket.resume();
    };
    socket.on('data', onData);
  }

  private begin(socket: Socket, protocol: 'dimse' | 'dimse-tls', listenerPort: number, srcIp: string, srcPort: number, dstIp: string, dstPort: number, initial?: Buffer): void {
    const log = this.o.bus.forSession({ session: uuidv7(), protocol, src_ip: srcIp, src_port: srcPort, dst_ip: dstIp, dst_port: dstPort });
    const slot = this.counter.tryAcquire(srcIp);
    if (!slot.ok) {
      log.emit('dicomhawk.session.connect', { listener_port: listenerPort, ...this.tlsInfo(socket, protocol) });
      log.emit('dicomhawk.limit.refused', { limit: slot.limit, value: slot.value, observed: slot.observed });
      log.emit('dicomhawk.session.closed', { duration_ms: 0, bytes_in: 0, bytes_out: 0, pdus_in: 0, pdus_out: 0, close_reason: slot.limit });
      socket.destroy();
      return;
    }
    const conn = new DimseConnection({
      socket,
      log,
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
    conn.start(initial);
  }

  private tlsInfo(socket: Socket, protocol: string): { tls?: { protocol: string | null; cipher: string | null; sni: string | null } } {
    if (protocol !== 'dimse-tls') return {};
    const t = socket as TLSSocket;
    return { tls: { protocol: t.getProtocol?.() ?? null, cipher: t.getCipher?.()?.name ?? null, sni: (t as unknown as { servername?: string }).servername ?? null } };
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
