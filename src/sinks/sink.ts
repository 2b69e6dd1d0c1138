/** The sink contract (Cowrie's Output): start, write batches, stop. Each sink runs behind its own queue. */
import type { HawkEvent } from '../core/events/catalogue.ts';

/** An event as every sink receives it: frozen, and serialised once for all of them. */
export interface Serialized {
  readonly event: Readonly<HawkEvent>;
  readonly json: string;
}

export interface Sink {
  readonly name: string;
  /**
   * Largest batch this sink takes in one write. When more than the bus's batch size is waiting (a backlog), the
   * runner hands it up to this many at once (default: the bus's batch size).
   */
  readonly maxBatch?: number;
  start(): Promise<void>;
  /** Writes a batch; resolves once it is durable or handed to the target. A throw counts as a failed batch. */
  write(batch: readonly Serialized[]): Promise<void> | void;
  /** Takes events the bounded queue cannot hold (e.g. spools them to disk); returns false when it cannot. */
  overflow?(batch: readonly Serialized[]): boolean;
  stop(): Promise<void>;
}
