/**
 * Deduplication and rate limiting of alerts: the same alert (kind + subject) passes once per window, and at most
 * the configured rate passes overall. What is held back is counted, never queued: the next alert that passes
 * carries the counts, so a flood costs one alert, not a backlog.
 */
import type { Alert } from './rules.ts';

/** N alerts per interval (WEBHOOK_RATE_LIMIT's parsed form). */
export interface RateLimit {
  limit: number;
  intervalMs: number;
}

/** One token bucket per quota; an alert needs a token from every one (30/min AND 500/day). */
class RateLimiter {
  private readonly buckets: Array<RateLimit & { tokens: number; at: number }>;
  constructor(rates: readonly RateLimit[], now: number) {
    this.buckets = rates.map((r) => ({ ...r, tokens: r.limit, at: now }));
  }
  tryTake(now: number): boolean {
    for (const b of this.buckets) {
      b.tokens = Math.min(b.limit, b.tokens + (Math.max(0, now - b.at) * b.limit) / b.intervalMs);
      b.at = Math.max(b.at, now);
    }
    if (this.buckets.some((b) => b.tokens < 1)) return false;
    for (const b of this.buckets) b.tokens -= 1;
    return true;
  }
}

/** Keys remembered for deduplication (the oldest are forgotten first). */
const MAX_KEYS = 10_000;

export interface Held {
  /** Alerts dropped as duplicates since the last one that passed. */
  duplicates: number;
  /** Alerts dropped by the rate limit since the last one that passed. */
  rateLimited: number;
}

export type Verdict = { pass: true; held: Held } | { pass: false; why: 'duplicate' | 'rate_limited' };

export class AlertThrottle {
  private readonly seen = new Map<string, number>();
  private readonly limiter: RateLimiter;
  private held: Held = { duplicates: 0, rateLimited: 0 };

  constructor(
    rates: readonly RateLimit[],
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new RateLimiter(rates, now());
  }

  check(a: Alert): Verdict {
    const t = this.now();
    const key = `${a.kind}\u0000${a.subject}`;
    const last = this.seen.get(key);
    if (last !== undefined && t - last < this.windowMs) {
      this.held.duplicates += 1;
      return { pass: false, why: 'duplicate' };
    }
    if (!this.limiter.tryTake(t)) {
      this.held.rateLimited += 1;
      return { pass: false, why: 'rate_limited' };
    }
    // Re-insert so that the map's order is the order of last use (oldest first for eviction).
    this.seen.delete(key);
    this.seen.set(key, t);
    if (this.seen.size > MAX_KEYS) this.seen.delete(this.seen.keys().next().value as string);
    const held = this.held;
    this.held = { duplicates: 0, rateLimited: 0 };
    return { pass: true, held };
  }

  /** Counts held back since the last alert that passed. */
  pending(): Held {
    return { ...this.held };
  }
}
