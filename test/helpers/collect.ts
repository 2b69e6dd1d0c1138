/** Test helpers around the event bus. */
import type { HawkEvent } from '../../src/core/events/catalogue.ts';
import { hawkEventSchema } from '../../src/core/events/catalogue.ts';
import type { EventSink } from '../../src/core/events/sessionLog.ts';
import type { Serialized, Sink } from '../../src/sinks/sink.ts';

/** An EventSink that keeps what it is given and validates each event against the schema. */
export class CollectingSink implements EventSink {
  readonly sensor = 'test-sensor';
  readonly events: HawkEvent[] = [];
  publish(e: HawkEvent): void {
    hawkEventSchema.parse(e);
    this.events.push(e);
  }
}

/** A Sink that records batches (optionally slow or failing). */
export class MemorySink implements Sink {
  readonly batches: Serialized[][] = [];
  constructor(
    readonly name = 'memory',
    private readonly behaviour: { delayMs?: number; fail?: boolean; failStart?: boolean } = {},
  ) {}
  async start(): Promise<void> {
    if (this.behaviour.failStart) throw new Error('cannot start');
  }
  async write(batch: readonly Serialized[]): Promise<void> {
    if (this.behaviour.delayMs) await new Promise((r) => setTimeout(r, this.behaviour.delayMs));
    if (this.behaviour.fail) throw new Error('sink is down');
    this.batches.push([...batch]);
  }
  get events(): HawkEvent[] {
    return this.batches.flat().map((s) => s.event as HawkEvent);
  }
  async stop(): Promise<void> {}
}
