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

let isoMs = NaN;
let isoText = '';

/** ISO 8601 UTC with milliseconds; the last rendering is reused while the millisecond is the same. */
export function isoNow(ms: number = Date.now()): string {
  if (ms !== isoMs) {
    isoText = new Date(ms).toISOString();
    isoMs = ms;
  }
  return isoText;
}

export class SessionLog {
  private closed = false;
  constructor(
    private readonly sink: EventSink,
    readonly identity: Readonly<SessionIdentity>,
    private readonly now: () => number = Date.now,
  ) {}

  emit<Id extends EventId>(eventid: Id, fields: EventFields<Id>, tags?: string[]): void {
    const id = this.identity;
    const sensor = this.sink.sensor;
    // One object, built in the published key order: the envelope, then the event's own fields.
    const event: Record<string, unknown> = {
      eventid,
      timestamp: isoNow(this.now()),
      session: id.session,
      sensor,
      protocol: id.protocol,
      src_ip: id.src_ip,
      src_port: id.src_port,
      dst_ip: id.dst_ip,
      dst_port: id.dst_port,
      schema_version: SCHEMA_VERSION,
      message: messageFor(eventid, fields),
    };
    Object.assign(event, fields);
    // The authoritative keys win over anything in `fields` (their places in the key order do not move).
    event.eventid = eventid;
    event.session = id.session;
    event.sensor = sensor;
    event.protocol = id.protocol;
    event.src_ip = id.src_ip;
    event.src_port = id.src_port;
    event.dst_ip = id.dst_ip;
    event.dst_port = id.dst_port;
    event.schema_version = SCHEMA_VERSION;
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
