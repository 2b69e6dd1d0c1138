/**
 * The event bus: stamps nothing itself (SessionLog does), freezes and serialises each event once, and fans
 * it out to every sink through that sink's own bounded queue. `publish` never waits for a sink.
 */
import type { Logger } from '../log.ts';
import { uuidv7 } from '../ids.ts';
import type { HawkEvent } from './catalogue.ts';
import { SessionLog, type EventSink, type SessionIdentity, type SourceTagger } from './sessionLog.ts';
import { SinkRunner, type SinkStats } from './sinkRunner.ts';
import type { Sink } from '../../sinks/sink.ts';

export interface BusOptions {
  sensor: string;
  log: Logger;
  queueLimit?: number;
  batchSize?: number;
  /** Group-commit window of each sink (ms): events arriving within it are written together. */
  flushDelayMs?: number;
}

export class EventBus implements EventSink {
  readonly sensor: string;
  private readonly runners: SinkRunner[] = [];
  private stopped = false;
  private droppedAfterStop = 0;
  private readonly listeners = new Set<(e: Readonly<HawkEvent>) => void>();
  /** Session id of this process's own (session-less) events. */
  readonly runId = uuidv7();
  private tagger: SourceTagger | null = null;
  private taggerEpoch = 0;

  constructor(private readonly opts: BusOptions) {
    this.sensor = opts.sensor;
  }

  /** Starts a sink; one that fails to start is logged and skipped, the honeypot runs without it. */
  async addSink(sink: Sink): Promise<boolean> {
    try {
      await sink.start();
    } catch (err) {
      this.opts.log.error({ sink: sink.name, err }, 'sink failed to start; running without it');
      return false;
    }
    this.runners.push(new SinkRunner(sink, this.opts.log, this.opts.queueLimit ?? 100_000, this.opts.batchSize ?? 1000, this.opts.flushDelayMs ?? 0));
    return true;
  }

  /** In-process observers (console live view, scoring). Exceptions are logged and swallowed. */
  subscribe(fn: (e: Readonly<HawkEvent>) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  publish(event: HawkEvent): void {
    if (this.stopped) {
      this.droppedAfterStop += 1;
      return;
    }
    const frozen = Object.freeze(event);
    const s = { event: frozen, json: JSON.stringify(frozen) };
    for (const r of this.runners) r.push(s);
    for (const fn of this.listeners) {
      try {
        fn(frozen);
      } catch (err) {
        this.opts.log.error({ err }, 'event listener failed');
      }
    }
  }

  /**
   * Installs (or, with null, removes) the source tagger: every session's source address is looked up once, when
   * the session is bound, and sessions already bound look theirs up again on their next event. Tagged events carry
   * `known_scanner: true`, `scanner_entry` and `scanner_name` (sessionLog.ts). Every surface gets this through
   * `forSession` without code of its own; the intel surface installs the known-scanner list here.
   */
  setSourceTagger(tagger: SourceTagger | null): void {
    this.tagger = tagger;
    this.taggerEpoch += 1;
  }

  get sourceTagger(): SourceTagger | null {
    return this.tagger;
  }

  get sourceTaggerEpoch(): number {
    return this.taggerEpoch;
  }

  forSession(identity: SessionIdentity): SessionLog {
    return new SessionLog(this, identity);
  }

  /** Emitter for the sensor's own events (protocol `internal`, no peer). */
  internal(): SessionLog {
    return new SessionLog(this, { session: this.runId, protocol: 'internal', src_ip: null, src_port: null, dst_ip: null, dst_port: null });
  }

  /** Resolves once every event published so far is handled by every sink. */
  async flush(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.flush()));
  }

  stats(): { sinks: SinkStats[]; droppedAfterStop: number } {
    return { sinks: this.runners.map((r) => ({ ...r.stats })), droppedAfterStop: this.droppedAfterStop };
  }

  droppedTotal(): number {
    return this.runners.reduce((n, r) => n + r.stats.dropped, 0) + this.droppedAfterStop;
  }

  /** Flushes, then stops every sink. Events published afterwards are counted and dropped. */
  async stop(): Promise<void> {
    await this.flush();
    this.stopped = true;
    for (const r of this.runners) {
      try {
        await r.sink.stop();
      } catch (err) {
        this.opts.log.error({ sink: r.sink.name, err }, 'sink failed to stop cleanly');
      }
    }
  }
}
