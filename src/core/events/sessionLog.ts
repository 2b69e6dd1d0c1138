/**
 * A session-bound emitter (Cowrie's EventLog): the connection's identity is bound once at connect, and these
 * authoritative keys always win over fields passed later, so nothing a client sends can pose as the real source.
 * Events emitted after close carry `late: true`.
 */
import type { EventFields, EventId, HawkEvent } from './catalogue.ts';
import { messageFor } from './messages.ts';
import { SCHEMA_VERSION } from './schema/common.ts';

export interface SessionIdentity {
  session: string;
  protocol: HawkEvent['protocol'];
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
}

/** Where stamped events go (the bus). Must not block: the protocol path never awaits a sink. */
export interface EventSink {
  publish(event: HawkEvent): void;
  readonly sensor: string;
}

export function isoNow(ms: number = Date.now()): string {
  return new Date(ms).toISOString();
}

export class SessionLog {
  private closed = false;
  constructor(
    private readonly sink: EventSink,
    readonly identity: Readonly<SessionIdentity>,
    private readonly now: () => number = Date.now,
  ) {}

  emit<Id extends EventId>(eventid: Id, fields: EventFields<Id>, tags?: string[]): void {
    const authoritative = {
      eventid,
      session: this.identity.session,
      sensor: this.sink.sensor,
      protocol: this.identity.protocol,
      src_ip: this.identity.src_ip,
      src_port: this.identity.src_port,
      dst_ip: this.identity.dst_ip,
      dst_port: this.identity.dst_port,
      schema_version: SCHEMA_VERSION,
    };
    const { eventid: _id, ...identity } = authoritative;
    const event: Record<string, unknown> = {
      eventid,
      timestamp: isoNow(this.now()),
      ...identity,
      message: messageFor(eventid, fields),
    };
    Object.assign(event, fields, authoritative);
    if (tags && tags.length > 0) event.tags = tags;
    if (this.closed) event.late = true;
    this.sink.publish(event as HawkEvent);
  }

  /** Marks the session closed: later events are still recorded, flagged `late`. */
  close(): void {
    this.closed = true;
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
