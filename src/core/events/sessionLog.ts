/**
 * A session-bound emitter (Cowrie's EventLog): the connection's identity is bound once at connect, and these
 * authoritative keys always win over fields passed later, so nothing a client sends can pose as the real source.
 * Events emitted after close carry `late: true`.
 *
 * Source tagging: when the sink has a source tagger (the intel surface installs one that looks the address up in
 * the known-scanner list), the session's source address is looked up when the session is bound, and again only
 * when the tagger is replaced (the sink's epoch changes). Every event of a tagged source then carries
 * `known_scanner: true`, `scanner_entry` (the list entry as written) and `scanner_name`; other events carry none
 * of the three. Per event this costs one number comparison.
 */
import type { EventFields, EventId, HawkEvent } from './catalogue.ts';
import { messageFor } from './messages.ts';
import { LIMITS } from './bounded.ts';
import { SCHEMA_VERSION } from './schema/common.ts';

export interface SessionIdentity {
  session: string;
  protocol: HawkEvent['protocol'];
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
}

/** What a source address is known as: the known-scanner list entry it falls in. */
export interface SourceTag {
  /** The list entry as written ("129.82.138.12", "5.63.151.0/24"). */
  entry: string;
  /** The scanner's name from the list, or null. */
  name: string | null;
}

/** Synchronous, fast (an O(prefix) lookup): called once per session and source tagger, never per event. */
export type SourceTagger = (ip: string) => SourceTag | null;

/** Where stamped events go (the bus). Must not block: the protocol path never awaits a sink. */
export interface EventSink {
  publish(event: HawkEvent): void;
  readonly sensor: string;
  /** The current source tagger, if any. */
  readonly sourceTagger?: SourceTagger | null;
  /** Changes whenever the source tagger is replaced, so that bound sessions look their source up again. */
  readonly sourceTaggerEpoch?: number;
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
  private tagEpoch: number | undefined = undefined;
  private tag: SourceTag | null = null;
  constructor(
    private readonly sink: EventSink,
    readonly identity: Readonly<SessionIdentity>,
    private readonly now: () => number = Date.now,
  ) {
    this.lookUpSource();
  }

  /** The known-scanner entry this session's source matched, or null (looked up again if the tagger changed). */
  get sourceTag(): SourceTag | null {
    if (this.sink.sourceTaggerEpoch !== this.tagEpoch) this.lookUpSource();
    return this.tag;
  }

  private lookUpSource(): void {
    this.tagEpoch = this.sink.sourceTaggerEpoch;
    const tagger = this.sink.sourceTagger;
    const ip = this.identity.src_ip;
    this.tag = null;
    if (!tagger || ip === null) return;
    try {
      const t = tagger(ip);
      // Bounded like every other envelope string (the list is the operator's, but a fetched list is still input).
      if (t) this.tag = { entry: t.entry.slice(0, LIMITS.short), name: t.name === null ? null : t.name.slice(0, LIMITS.short) };
    } catch {
      // A failing tagger must never cost an event: the session is simply not tagged.
    }
  }

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
    if (this.sink.sourceTaggerEpoch !== this.tagEpoch) this.lookUpSource();
    const tag = this.tag;
    if (tag) {
      event.known_scanner = true;
      event.scanner_entry = tag.entry;
      event.scanner_name = tag.name;
    }
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
