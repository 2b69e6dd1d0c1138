/** Starts DICOM listeners in-process on a free loopback port, recording (and validating) every event. */
import { execFile } from 'node:child_process';
import { EventBus } from '../../src/core/events/bus.ts';
import type { HawkEvent } from '../../src/core/events/catalogue.ts';
import { hawkEventSchema } from '../../src/core/events/catalogue.ts';
import { silentLogger } from '../../src/core/log.ts';
import { loadPersona, type Persona } from '../../src/domain/dicom/persona.ts';
import type { ConnectionLimits } from '../../src/services/dimse/server/limits.ts';
import { DimseListeners } from '../../src/services/dimse/server/listener.ts';
import { ServiceRegistry } from '../../src/services/dimse/services/registry.ts';
import type { DimseService } from '../../src/services/dimse/services/service.ts';
import { dimseServices } from '../../src/services/dimse/surface.ts';
import { MemorySink } from './collect.ts';

export const TEST_LIMITS: ConnectionLimits = {
  maxConnections: 2000,
  maxConnectionsPerIp: 64,
  artimMs: 10_000,
  idleMs: 60_000,
  lifetimeMs: 600_000,
  minBytesPerSec: 64,
  maxAssociateBytes: 64 * 1024,
  maxDatasetBytes: 64 * 1024 * 1024,
};

export interface TestServer {
  port: number;
  host: string;
  bus: EventBus;
  sink: MemorySink;
  listeners: DimseListeners;
  persona: Persona;
  events(): HawkEvent[];
  /** Events of sessions that sent something matching `pred`. */
  sessionsWhere(pred: (e: HawkEvent) => boolean): HawkEvent[][];
  stop(): Promise<void>;
}

export async function startDimseServer(opts: { persona?: string; limits?: Partial<ConnectionLimits>; services?: DimseService[]; host?: string; port?: number; proxyProtocol?: boolean; tls?: { port: number; certFile: string; keyFile: string } } = {}): Promise<TestServer> {
  const bus = new EventBus({ sensor: 'test', log: silentLogger() });
  const sink = new MemorySink('memory');
  await bus.addSink(sink);
  const persona = loadPersona(opts.persona ?? 'hospital-pacs');
  const host = opts.host ?? '127.0.0.1';
  const listeners = new DimseListeners({
    host,
    ports: [opts.port ?? 0],
    proxyProtocol: opts.proxyProtocol ?? false,
    ...(opts.tls ? { tls: opts.tls } : {}),
    persona,
    aeTitle: 'PACS',
    limits: { ...TEST_LIMITS, ...opts.limits },
    services: new ServiceRegistry(opts.services ?? dimseServices()),
    bus,
    diag: silentLogger(),
  });
  await listeners.start();
  const events = (): HawkEvent[] => {
    const all = sink.events;
    for (const e of all) hawkEventSchema.parse(e);
    return all;
  };
  return {
    port: listeners.boundPorts[0]!,
    host,
    bus,
    sink,
    listeners,
    persona,
    events,
    sessionsWhere(pred) {
      const by = new Map<string, HawkEvent[]>();
      for (const e of events()) {
        const list = by.get(e.session) ?? [];
        list.push(e);
        by.set(e.session, list);
      }
      return [...by.values()].filter((list) => list.some(pred));
    },
    async stop() {
      await listeners.stop();
      await bus.stop();
    },
  };
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a DCMTK (or other) client with Nagle off, as both sides use when timing. */
export function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, env: { ...process.env, TCP_NODELAY: '1' }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}
