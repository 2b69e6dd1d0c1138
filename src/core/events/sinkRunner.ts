/**
 * Runs one sink behind its own bounded queue and drain loop, so that a slow or dead sink blocks nobody:
 * failures are counted and logged on the first and then every 100th; overflow goes to the sink's own
 * spool when it has one, and is otherwise dropped and counted.
 */
import type { Logger } from '../log.ts';
import type { Serialized, Sink } from '../../sinks/sink.ts';

const FAILURE_LOG_INTERVAL = 100;
const RETRIES = 3;

export interface SinkStats {
  name: string;
  queued: number;
  written: number;
  failedBatches: number;
  dropped: number;
  spilled: number;
}

export class SinkRunner {
  /** Events from `head` on are waiting; slots before it are cleared (see take). */
  private queue: Array<Serialized | undefined> = [];
  private head = 0;
  private draining = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private waiters: Array<{ upTo: number; resolve: () => void }> = [];
  /** Count of events ever accepted into the queue (position of the tail). */
  private accepted = 0;
  /** Count of events taken out of the queue and finished (written, dropped or spilled). */
  private finished = 0;
  readonly stats: SinkStats;
  /** Events per write when a backlog is waiting (the sink's own maximum, at least the batch size). */
  private readonly maxBatch: number;

  constructor(
    readonly sink: Sink,
    private readonly log: Logger,
    private readonly queueLimit: number,
    private readonly batchSize: number,
    private readonly delayMs: number = 0,
  ) {
    this.stats = { name: sink.name, queued: 0, written: 0, failedBatches: 0, dropped: 0, spilled: 0 };
    this.maxBatch = Math.max(batchSize, sink.maxBatch ?? 0);
  }

  push(e: Serialized): void {
    if (this.queue.length - this.head >= this.queueLimit) this.shed();
    this.queue.push(e);
    this.accepted += 1;
    this.stats.queued = this.queue.length - this.head;
    this.schedule();
  }

  /** Resolves once every event pushed before this call has been handled. */
  flush(): Promise<void> {
    if (this.finished >= this.accepted) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ upTo: this.accepted, resolve });
      this.schedule(true);
    });
  }

  private shed(): void {
    const batch = this.take(Math.max(1, Math.floor(this.queueLimit / 10)));
    let kept = false;
    try {
      kept = this.sink.overflow?.(batch) ?? false;
    } catch (err) {
      this.log.error({ sink: this.sink.name, err }, 'sink overflow failed');
    }
    if (kept) this.stats.spilled += batch.length;
    else {
      this.stats.dropped += batch.length;
      this.log.warn({ sink: this.sink.name, dropped: this.stats.dropped }, 'sink queue full: events dropped');
    }
    this.finish(batch.length);
  }

  /**
   * Group commit: a drain waits `delayMs` for more events to arrive (one transaction, one write for many
   * events instead of one per event), except when a full batch is waiting or someone flushes.
   */
  private schedule(urgent = false): void {
    if (this.draining) return;
    const full = this.queue.length - this.head >= this.batchSize;
    if (this.scheduled && !(urgent || full)) return;
    if (this.timer) clearTimeout(this.timer);
    this.scheduled = true;
    const run = (): void => {
      this.timer = null;
      this.scheduled = false;
      void this.drain();
    };
    if (urgent || full || this.delayMs === 0) {
      this.timer = null;
      setImmediate(run);
    } else {
      this.timer = setTimeout(run, this.delayMs);
    }
  }

  /**
   * Takes up to n events off the head of the queue. The queue keeps no reference to them afterwards, so that an
   * event is garbage as soon as its batch is written: held for a few scavenges by the queue's array, every event
   * would be promoted to V8's old space (and collected only by the next full GC).
   */
  private take(n: number): Serialized[] {
    const start = this.head;
    const batch = this.queue.slice(start, start + n) as Serialized[];
    this.head += batch.length;
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    } else {
      this.queue.fill(undefined, start, this.head);
    }
    return batch;
  }

  private finish(n: number): void {
    this.finished += n;
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.finished >= w.upTo) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let first = true; this.head < this.queue.length; first = false) {
        // Events that arrived while an (asynchronous) write was in flight wait for the next group-commit window,
        // like any others, unless a full batch is ready or someone is flushing: without this, a sink whose writes
        // take a few ms would drain continuously in tiny batches (one transaction or write call per few events).
        if (!first && this.delayMs > 0 && this.waiters.length === 0 && this.queue.length - this.head < this.batchSize) break;
        const batch = this.take(this.maxBatch);
        this.stats.queued = this.queue.length - this.head;
        await this.writeWithRetry(batch);
        this.finish(batch.length);
      }
    } finally {
      this.draining = false;
    }
    if (this.head < this.queue.length) this.schedule(this.waiters.length > 0);
  }

  private async writeWithRetry(batch: Serialized[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.sink.write(batch);
        this.stats.written += batch.length;
        return;
      } catch (err) {
        this.stats.failedBatches += 1;
        if (this.stats.failedBatches === 1 || this.stats.failedBatches % FAILURE_LOG_INTERVAL === 0)
          this.log.error({ sink: this.sink.name, err, failures: this.stats.failedBatches }, 'sink write failed');
        if (attempt >= RETRIES) {
          let kept: boolean;
          try {
            kept = this.sink.overflow?.(batch) ?? false;
          } catch {
            kept = false;
          }
          if (kept) this.stats.spilled += batch.length;
          else this.stats.dropped += batch.length;
          return;
        }
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}
