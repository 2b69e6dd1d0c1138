// Enrichment queue, OFF the protocol path: `enqueue()` only records work and returns at once; lookups run later
// under per-service token buckets, with timeouts (in the clients), retries with backoff + jitter, a bounded
// backlog (oldest dropped and counted) and a SQLite cache. Results arrive through `onResult`.
import type { IntelCache } from './cache.ts';
import type { AbuseIpdbSummary } from './clients/abuseipdb.ts';
import type { IpqsSummary } from './clients/ipqs.ts';
import type { VirusTotalSummary } from './clients/virustotal.ts';
import type { BackoffOptions } from './backoff.ts';
import type { RateLimit } from './ratelimit.ts';
import type { Scheduler, TimerHandle } from './scheduler.ts';
import type { IntelClient, IntelFailure, IntelResult, IntelService } from './types.ts';
import { isPublicUnicast, normalizeIp } from './address.ts';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff.ts';
import { DAY_MS, MINUTE_MS, RateLimiter } from './ratelimit.ts';
import { realScheduler } from './scheduler.ts';
import { INTEL_SERVICES, isRetryable } from './types.ts';

export interface SummaryOf {
  abuseipdb: AbuseIpdbSummary;
  ipqs: IpqsSummary;
  virustotal: VirusTotalSummary;
}

export type IntelClients = { [S in IntelService]?: IntelClient<SummaryOf[S]> };

/** One delivered answer. `sessions` = every session that asked for this IP while the lookup was pending. */
export type IntelResultEvent = {
  [S in IntelService]:
    | { service: S; ip: string; sessions: string[]; cached: boolean; fetched_at: number; ok: true; summary: SummaryOf[S] }
    | { service: S; ip: string; sessions: string[]; cached: boolean; fetched_at: number; ok: false; error: IntelFailure };
}[IntelService];

/** Free-tier quotas (2026): AbuseIPDB 1000 checks/day; IPQS 5000/month ≈ 160/day; VirusTotal 4/min and 500/day. */
export const DEFAULT_RATE_LIMITS: Record<IntelService, RateLimit[]> = {
  abuseipdb: [{ limit: 1000, intervalMs: DAY_MS }],
  ipqs: [{ limit: 160, intervalMs: DAY_MS }],
  virustotal: [
    { limit: 4, intervalMs: MINUTE_MS },
    { limit: 500, intervalMs: DAY_MS },
  ],
};

export const INTEL_QUEUE_DEFAULTS = {
  lookupPrivate: false,
  successTtlMs: DAY_MS,
  failureTtlMs: 10 * MINUTE_MS,
  maxRetries: 3,
  maxRetryAfterMs: MINUTE_MS,
  quotaPauseMs: 60 * MINUTE_MS,
  maxQueue: 1000,
  concurrency: 2,
} as const;

export interface IntelQueueOptions {
  clients: IntelClients;
  onResult: (result: IntelResultEvent) => void;
  /** Called for each job dropped because its service's backlog was full. */
  onDrop?: (dropped: { service: IntelService; ip: string; sessions: string[] }) => void;
  cache?: IntelCache | null;
  /** Look up private/loopback/link-local/CGNAT/multicast/reserved addresses too (lab use). Default false. */
  lookupPrivate?: boolean;
  rateLimits?: Partial<Record<IntelService, RateLimit[]>>;
  successTtlMs?: number;
  failureTtlMs?: number;
  /** Retries after the first attempt, for 5xx, timeouts, network errors and 429. Default 3. */
  maxRetries?: number;
  backoff?: BackoffOptions;
  /** A Retry-After longer than this is not waited for: the service pauses until then, jobs fail as quota. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Pause after a quota failure that names no reset time (IPQS "credits exhausted"). Default 1 h. */
  quotaPauseMs?: number;
  /** Pending jobs kept per service; beyond it the oldest is dropped. Default 1000. */
  maxQueue?: number;
  /** Lookups in flight per service. Default 2. */
  concurrency?: number;
  scheduler?: Scheduler;
  random?: () => number;
}

export type EnqueueOutcome =
  | { status: 'invalid' }
  | { status: 'stopped' }
  | { status: 'skipped'; ip: string; reason: string }
  | { status: 'accepted'; ip: string; services: Partial<Record<IntelService, 'queued' | 'joined' | 'cached'>> };

export interface IntelQueueStats {
  pending: number;
  inflight: number;
  requests: number;
  cacheHits: number;
  joined: number;
  dropped: number;
  skipped: number;
  retries: number;
}

interface Job {
  service: IntelService;
  ip: string;
  sessions: Set<string>;
  attempts: number;
}

interface ServiceState {
  service: IntelService;
  client: IntelClient<unknown>;
  limiter: RateLimiter;
  pending: Job[];
  inflight: number;
  pausedUntil: number;
  wake: TimerHandle | null;
}

type Settled = { result: IntelResult<unknown>; fetchedAt: number; cached: boolean };

export class IntelQueue {
  readonly #o: Required<Omit<IntelQueueOptions, 'onDrop' | 'cache' | 'rateLimits' | 'clients'>> & Pick<IntelQueueOptions, 'onDrop'>;
  readonly #cache: IntelCache | null;
  readonly #states = new Map<IntelService, ServiceState>();
  readonly #jobs = new Map<string, Job>();
  readonly #sleeps = new Map<TimerHandle, () => void>();
  readonly #aborts = new Set<AbortController>();
  readonly #stats: IntelQueueStats = { pending: 0, inflight: 0, requests: 0, cacheHits: 0, joined: 0, dropped: 0, skipped: 0, retries: 0 };
  #stopped = false;

  constructor(opts: IntelQueueOptions) {
    this.#o = {
      onResult: opts.onResult,
      onDrop: opts.onDrop,
      lookupPrivate: opts.lookupPrivate ?? INTEL_QUEUE_DEFAULTS.lookupPrivate,
      successTtlMs: opts.successTtlMs ?? INTEL_QUEUE_DEFAULTS.successTtlMs,
      failureTtlMs: opts.failureTtlMs ?? INTEL_QUEUE_DEFAULTS.failureTtlMs,
      maxRetries: opts.maxRetries ?? INTEL_QUEUE_DEFAULTS.maxRetries,
      backoff: opts.backoff ?? DEFAULT_BACKOFF,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? INTEL_QUEUE_DEFAULTS.maxRetryAfterMs,
      quotaPauseMs: opts.quotaPauseMs ?? INTEL_QUEUE_DEFAULTS.quotaPauseMs,
      maxQueue: Math.max(1, opts.maxQueue ?? INTEL_QUEUE_DEFAULTS.maxQueue),
      concurrency: Math.max(1, opts.concurrency ?? INTEL_QUEUE_DEFAULTS.concurrency),
      scheduler: opts.scheduler ?? realScheduler,
      random: opts.random ?? Math.random,
    };
    this.#cache = opts.cache ?? null;
    const now = this.#o.scheduler.now();
    for (const service of INTEL_SERVICES) {
      const client = opts.clients[service] as IntelClient<unknown> | undefined;
      if (!client) continue;
      const limits = opts.rateLimits?.[service] ?? DEFAULT_RATE_LIMITS[service];
      this.#states.set(service, { service, client, limiter: new RateLimiter(limits, now), pending: [], inflight: 0, pausedUntil: 0, wake: null });
    }
  }

  /** Services with a client (a configured key). */
  get services(): IntelService[] {
    return [...this.#states.keys()];
  }

  /** Records that `sessionId` wants intel on `ip`. Never waits, never throws for bad input. */
  enqueue(ip: string, sessionId: string): EnqueueOutcome {
    const n = normalizeIp(ip);
    if (!n) return { status: 'invalid' };
    if (!this.#o.lookupPrivate && !isPublicUnicast(n)) {
      this.#stats.skipped++;
      return { status: 'skipped', ip: n.ip, reason: n.range };
    }
    if (this.#stopped) return { status: 'stopped' };
    const services: Partial<Record<IntelService, 'queued' | 'joined' | 'cached'>> = {};
    const now = this.#o.scheduler.now();
    for (const st of this.#states.values()) {
      const key = jobKey(st.service, n.ip);
      const existing = this.#jobs.get(key);
      if (existing) {
        existing.sessions.add(sessionId);
        this.#stats.joined++;
        services[st.service] = 'joined';
        continue;
      }
      const hit = this.#cache?.get(st.service, n.ip, now) ?? null;
      if (hit) {
        this.#stats.cacheHits++;
        services[st.service] = 'cached';
        const result: IntelResult<unknown> = hit.ok ? { ok: true, summary: hit.summary } : { ok: false, error: hit.error };
        const job: Job = { service: st.service, ip: n.ip, sessions: new Set([sessionId]), attempts: 0 };
        queueMicrotask(() => this.#deliver(job, { result, fetchedAt: hit.fetchedAt, cached: true }));
        continue;
      }
      const job: Job = { service: st.service, ip: n.ip, sessions: new Set([sessionId]), attempts: 0 };
      this.#jobs.set(key, job);
      st.pending.push(job);
      services[st.service] = 'queued';
      while (st.pending.length > this.#o.maxQueue) {
        const old = st.pending.shift()!;
        this.#jobs.delete(jobKey(old.service, old.ip));
        this.#stats.dropped++;
        this.#safe(() => this.#o.onDrop?.({ service: old.service, ip: old.ip, sessions: [...old.sessions] }));
      }
      this.#pump(st);
    }
    return { status: 'accepted', ip: n.ip, services };
  }

  stats(): IntelQueueStats {
    let pending = 0;
    let inflight = 0;
    for (const st of this.#states.values()) {
      pending += st.pending.length;
      inflight += st.inflight;
    }
    return { ...this.#stats, pending, inflight };
  }

  /** Cancels every timer and in-flight request; pending jobs are discarded without a result. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    for (const st of this.#states.values()) {
      if (st.wake !== null) this.#o.scheduler.clearTimeout(st.wake);
      st.wake = null;
      st.pending.length = 0;
    }
    for (const [handle, resolve] of this.#sleeps) {
      this.#o.scheduler.clearTimeout(handle);
      resolve();
    }
    this.#sleeps.clear();
    for (const c of this.#aborts) c.abort();
    this.#aborts.clear();
    this.#jobs.clear();
  }

  // ---- internals ----

  /** Starts as many pending jobs as concurrency, pause and tokens allow; otherwise arms one wake-up timer. */
  #pump(st: ServiceState): void {
    if (this.#stopped) return;
    while (st.inflight < this.#o.concurrency && st.pending.length > 0) {
      const now = this.#o.scheduler.now();
      const wait = this.#gateWait(st, now);
      if (wait === 'give-up') {
        for (const job of st.pending.splice(0)) this.#finish(job, this.#pausedFailure(st, now), now);
        return;
      }
      if (wait > 0) {
        this.#arm(st, wait);
        return;
      }
      st.limiter.tryTake(now);
      const job = st.pending.shift()!;
      st.inflight++;
      void this.#run(st, job);
    }
  }

  /** 0 when a request may go now, ms to wait, or 'give-up' when the service is paused beyond maxRetryAfterMs. */
  #gateWait(st: ServiceState, now: number): number | 'give-up' {
    const paused = st.pausedUntil - now;
    if (paused > this.#o.maxRetryAfterMs) return 'give-up';
    return Math.max(paused, st.limiter.waitMs(now), 0);
  }

  #pausedFailure(st: ServiceState, now: number): IntelResult<unknown> {
    const retryAfterMs = Math.max(0, st.pausedUntil - now);
    return { ok: false, error: { kind: 'quota', status: 429, retryAfterMs, message: `${st.service} quota exhausted; paused for ${Math.ceil(retryAfterMs / 1000)} s` } };
  }

  #arm(st: ServiceState, ms: number): void {
    if (st.wake !== null) this.#o.scheduler.clearTimeout(st.wake);
    st.wake = this.#o.scheduler.setTimeout(() => {
      st.wake = null;
      this.#pump(st);
    }, ms);
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.#o.scheduler.setTimeout(() => {
        this.#sleeps.delete(handle);
        resolve();
      }, ms);
      this.#sleeps.set(handle, resolve);
    });
  }

  async #run(st: ServiceState, job: Job): Promise<void> {
    try {
      for (;;) {
        const result = await this.#attempt(st, job);
        if (this.#stopped) return;
        const now = this.#o.scheduler.now();
        if (result.ok) {
          this.#cache?.putSuccess(st.service, job.ip, result.summary, now, this.#o.successTtlMs);
          this.#finish(job, result, now);
          return;
        }
        const err = result.error;
        if (err.kind === 'quota') {
          const pause = err.retryAfterMs ?? (err.status === 429 ? 0 : this.#o.quotaPauseMs);
          st.pausedUntil = Math.max(st.pausedUntil, now + pause);
        }
        const tooLong = err.kind === 'quota' && st.pausedUntil - now > this.#o.maxRetryAfterMs;
        if (!isRetryable(err) || tooLong || job.attempts >= this.#o.maxRetries) {
          this.#finish(job, result, now);
          return;
        }
        const delay = backoffDelay(job.attempts, this.#o.backoff, this.#o.random, err.kind === 'quota' ? err.retryAfterMs : null);
        job.attempts++;
        this.#stats.retries++;
        await this.#sleep(delay);
        // Wait for the service's gate again (tokens, pause) while keeping this job's slot.
        for (;;) {
          if (this.#stopped) return;
          const t = this.#o.scheduler.now();
          const wait = this.#gateWait(st, t);
          if (wait === 'give-up') {
            this.#finish(job, this.#pausedFailure(st, t), t);
            return;
          }
          if (wait === 0) {
            st.limiter.tryTake(t);
            break;
          }
          await this.#sleep(wait);
        }
      }
    } finally {
      st.inflight--;
      this.#pump(st);
    }
  }

  async #attempt(st: ServiceState, job: Job): Promise<IntelResult<unknown>> {
    const ctrl = new AbortController();
    this.#aborts.add(ctrl);
    this.#stats.requests++;
    try {
      return await st.client.lookup(job.ip, ctrl.signal);
    } catch {
      // Clients return failures; a throw is a bug. Its message may quote a URL, so it is not passed on.
      return { ok: false, error: { kind: 'network', message: `${st.service} client failed unexpectedly` } };
    } finally {
      this.#aborts.delete(ctrl);
    }
  }

  #finish(job: Job, result: IntelResult<unknown>, now: number): void {
    this.#jobs.delete(jobKey(job.service, job.ip));
    // Quota and cancellation say nothing about the address: not cached.
    if (!result.ok && result.error.kind !== 'quota' && result.error.kind !== 'cancelled') {
      this.#cache?.putFailure(job.service, job.ip, result.error, now, this.#o.failureTtlMs);
    }
    this.#deliver(job, { result, fetchedAt: now, cached: false });
  }

  #deliver(job: Job, s: Settled): void {
    if (this.#stopped) return;
    const base = { service: job.service, ip: job.ip, sessions: [...job.sessions], cached: s.cached, fetched_at: s.fetchedAt };
    const event = (s.result.ok ? { ...base, ok: true, summary: s.result.summary } : { ...base, ok: false, error: s.result.error }) as IntelResultEvent;
    this.#safe(() => this.#o.onResult(event));
  }

  #safe(fn: () => void): void {
    try {
      fn();
    } catch {
      // A failing consumer must not stop the queue.
    }
  }
}

function jobKey(service: IntelService, ip: string): string {
  return `${service} ${ip}`;
}
