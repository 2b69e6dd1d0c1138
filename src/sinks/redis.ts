/**
 * Redis sink: stages events in a list for Logstash's redis input (`data_type => "list"`), pushing to the right
 * (RPUSH) so that Logstash, which pops from the left, reads them in arrival order.
 *
 * When Redis is down, batches go to the disk spool and are replayed in order when it returns; while anything is
 * spooled, new batches queue behind it. Every batch carries a sequence number and is pushed by a Lua script that
 * skips a sequence it has already applied, so a retry after a lost reply (or a crash mid-replay) never duplicates.
 */
import { createClient } from 'redis';
import { uuidv7 } from '../core/ids.ts';
import type { Logger } from '../core/log.ts';
import { maskUrl } from '../core/config/load.ts';
import type { Serialized, Sink } from './sink.ts';
import { Spool } from './spool.ts';
import { Utf8Batches } from './utf8Batch.ts';

/**
 * ARGV[1] is the batch's sequence number, ARGV[2] the batch: its events' JSON texts joined by "\n" (JSON text
 * never holds a raw newline). Redis splits it and pushes one list element per event, so the client encodes and
 * writes one argument per batch instead of one per event — on a busy sensor that per-event work on the event
 * loop cost more than the rest of the sink together.
 */
const PUSH_ONCE = `
local last = tonumber(redis.call('GET', KEYS[2]) or '-1')
local seq = tonumber(ARGV[1])
if seq <= last then return 0 end
local data = ARGV[2]
local chunk, n, from = {}, 0, 1
while from <= #data do
  local nl = string.find(data, '\\n', from, true)
  local to = nl and nl - 1 or #data
  n = n + 1
  chunk[n] = string.sub(data, from, to)
  from = to + 2
  if n == 500 then
    redis.call('RPUSH', KEYS[1], unpack(chunk, 1, n))
    n = 0
  end
end
if n > 0 then redis.call('RPUSH', KEYS[1], unpack(chunk, 1, n)) end
redis.call('SET', KEYS[2], ARGV[1], 'EX', 604800)
return 1`;

export interface RedisSinkOptions {
  url: string;
  key: string;
  spoolDir: string;
  log: Logger;
  /** Events per replayed batch. */
  replayBatch?: number;
  /** How often a down Redis is retried. */
  retryMs?: number;
  commandTimeoutMs?: number;
}

function makeClient(url: string, retryMs: number) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, retryMs) },
  });
}
type Client = ReturnType<typeof makeClient>;

/** How long start() waits for a reachable Redis before events begin to spool. */
const START_WAIT_MS = 2000;

export class RedisSink implements Sink {
  readonly name = 'redis';
  /** A backlog goes in large pushes: each is a round trip, and Redis splits the batch itself (PUSH_ONCE). */
  readonly maxBatch = 8192;
  private client: Client | null = null;
  private readonly spool: Spool;
  private readonly writer = uuidv7();
  private seq = 0;
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopping = false;
  private healthy = false;
  /** Each push's payload (its lines joined by "\n"); the memory serves the next push once Redis has answered. */
  private readonly payloads = new Utf8Batches(Buffer.allocUnsafeSlow, 256 * 1024, 8 * 1024 * 1024);

  constructor(private readonly opts: RedisSinkOptions) {
    this.spool = new Spool(opts.spoolDir, 'redis');
  }

  async start(): Promise<void> {
    const client = makeClient(this.opts.url, this.opts.retryMs ?? 2000);
    client.on('error', (err: Error) => {
      if (this.healthy) this.opts.log.warn({ redis: maskUrl(this.opts.url), err: err.message }, 'redis sink lost its server; spooling');
      this.healthy = false;
    });
    client.on('ready', () => {
      this.healthy = true;
      this.kick();
    });
    this.client = client;
    // Redis being down at start is not fatal: events spool until it comes up. A server that is up is waited for
    // (up to the connect timeout), so that the first events go straight to it instead of through the spool.
    const ready = new Promise<void>((resolve) => client.once('ready', () => resolve()));
    client.connect().catch(() => undefined);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise<void>((resolve) => (t = setTimeout(resolve, START_WAIT_MS)))]);
    clearTimeout(t);
    this.timer = setInterval(() => this.kick(), this.opts.retryMs ?? 2000);
    this.timer.unref();
  }

  private async push(lines: readonly string[], seq: number, writer: string): Promise<void> {
    if (!this.client || !this.client.isReady) throw new Error('redis not ready');
    const ackKey = `${this.opts.key}:ack:${writer}`;
    const timeout = this.opts.commandTimeoutMs ?? 5000;
    let t: NodeJS.Timeout | undefined;
    const payload = this.payloads.start();
    for (let i = 0; i < lines.length; i += 1) {
      if (i > 0) payload.byte(0x0a);
      payload.put(lines[i]!);
    }
    try {
      await Promise.race([
        this.client.eval(PUSH_ONCE, { keys: [this.opts.key, ackKey], arguments: [String(seq), payload.bytes()] }).then(() => payload.release()),
        new Promise((_, reject) => {
          t = setTimeout(() => reject(new Error('redis command timed out')), timeout);
        }),
      ]);
    } finally {
      clearTimeout(t);
    }
  }

  async write(batch: readonly Serialized[]): Promise<void> {
    const lines = batch.map((s) => s.json);
    if (this.healthy && !this.replaying && this.spool.isEmpty()) {
      const seq = this.seq++;
      // Reserved now, so that if this push fails its segment sorts before anything spooled meanwhile.
      const segment = this.spool.reserveName();
      try {
        await this.push(lines, seq, this.writer);
        return;
      } catch (err) {
        // The reply may have been lost after Redis applied the batch: keep its sequence number so that
        // the replay is idempotent.
        this.healthy = this.client?.isReady ?? false;
        this.opts.log.warn({ err: (err as Error).message }, 'redis push failed; spooling');
        this.spool.writeSegment(segment, lines, { offset: 0, seq, writer: this.writer });
        this.kick();
        return;
      }
    }
    this.spool.append(lines);
    this.kick();
  }

  overflow(batch: readonly Serialized[]): boolean {
    this.spool.append(batch.map((s) => s.json));
    this.kick();
    return true;
  }

  private kick(): void {
    if (this.replaying || this.stopping || !this.healthy || this.spool.isEmpty()) return;
    this.replaying = this.replay().finally(() => {
      this.replaying = null;
    });
  }

  private async replay(): Promise<void> {
    const max = this.opts.replayBatch ?? 500;
    while (this.healthy && !this.stopping) {
      const b = this.spool.next(max);
      if (!b) return;
      // Reuse the sequence saved for this position (a batch that may have been applied), else take a new one.
      const seq = b.position.seq ?? this.seq++;
      const writer = b.position.writer ?? this.writer;
      this.spool.savePosition(b.segment, { offset: b.start, seq, writer });
      try {
        await this.push(b.lines, seq, writer);
      } catch (err) {
        this.opts.log.warn({ err: (err as Error).message }, 'redis replay interrupted');
        return;
      }
      this.spool.savePosition(b.segment, { offset: b.end, seq: null, writer: null });
    }
  }

  /** Events still waiting on disk (for stats and tests). */
  spooledSegments(): number {
    return this.spool.segments().length;
  }

  async stop(): Promise<void> {
    // Give a last replay a chance, then leave what remains on disk for the next start.
    if (this.replaying) await this.replaying;
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    const c = this.client;
    this.client = null;
    if (c) {
      try {
        if (c.isOpen) await c.close();
      } catch {
        c.destroy();
      }
    }
  }
}
