/**
 * One SessionLog per TCP connection, client address and protocol ('http' for the portal, 'dicomweb' under
 * /dicom-web): a client without our cookie (a scanner, curl) gets one session per connection. Released
 * when the socket closes (a portal session may keep it alive).
 */
import type { Socket } from 'node:net';
import type { EventBus } from '../../../core/events/bus.ts';
import { uuidv7 } from '../../../core/ids.ts';
import { SharedLog } from './sharedLog.ts';

export type WebProtocol = 'http' | 'dicomweb';

/** Distinct (protocol, client) logs one connection may hold (a proxy multiplexing clients). */
const PER_SOCKET = 16;

export interface PeerAddress {
  ip: string;
  /** The TCP peer's port, or null when the address came from a trusted proxy's header. */
  port: number | null;
}

export class ConnectionLogs {
  private readonly bySocket = new WeakMap<Socket, Map<string, SharedLog>>();

  constructor(private readonly bus: EventBus) {}

  logFor(socket: Socket, protocol: WebProtocol, peer: PeerAddress): SharedLog {
    let logs = this.bySocket.get(socket);
    if (!logs) {
      logs = new Map();
      this.bySocket.set(socket, logs);
      const held = logs;
      socket.once('close', () => {
        for (const l of held.values()) l.release();
        held.clear();
      });
    }
    const key = `${protocol} ${peer.ip}`;
    let shared = logs.get(key);
    if (!shared) {
      if (logs.size >= PER_SOCKET) {
        const [oldestKey, oldest] = logs.entries().next().value!;
        logs.delete(oldestKey);
        oldest.release();
      }
      const log = this.bus.forSession({
        session: uuidv7(),
        protocol,
        src_ip: peer.ip,
        src_port: peer.port,
        dst_ip: normaliseIp(socket.localAddress ?? null),
        dst_port: socket.localPort ?? null,
      });
      shared = new SharedLog(log).retain();
      logs.set(key, shared);
    }
    return shared;
  }
}

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export function normaliseIp(ip: string | null): string | null {
  if (ip === null) return null;
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}
