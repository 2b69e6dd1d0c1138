// Token buckets for the free-tier quotas of each reputation service. A lookup needs one token from EVERY bucket
// of its service (VirusTotal: 4 per minute AND 500 per day).

export interface RateLimit {
  /** Requests allowed per interval (also the burst size). */
  limit: number;
  intervalMs: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/** Parses "1000/day", "4/min,500/day", "160/d", "10/s", "2/hour". */
export function parseRateSpec(spec: string): RateLimit[] {
  const units: Record<string, number> = { s: 1000, sec: 1000, second: 1000, m: MINUTE_MS, min: MINUTE_MS, minute: MINUTE_MS, h: 3_600_000, hour: 3_600_000, d: DAY_MS, day: DAY_MS, month: 30 * DAY_MS };
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^(\d+)\s*\/\s*([a-z]+)$/i.exec(part);
      const unit = m ? units[m[2]!.toLowerCase()] : undefined;
      if (!m || unit === undefined || Number(m[1]) < 1) throw new Error(`invalid rate spec "${part}" (expected e.g. 4/min,500/day)`);
      return { limit: Number(m[1]), intervalMs: unit };
    });
}

export class TokenBucket {
  readonly limit: number;
  readonly intervalMs: number;
  #tokens: number;
  #last: number;

  constructor(rate: RateLimit, now: number) {
    if (!(rate.limit > 0) || !(rate.intervalMs > 0)) throw new RangeError('rate limit and interval must be positive');
    this.limit = rate.limit;
    this.intervalMs = rate.intervalMs;
    this.#tokens = rate.limit;
    this.#last = now;
  }

  #refill(now: number): void {
    if (now > this.#last) {
      this.#tokens = Math.min(this.limit, this.#tokens + ((now - this.#last) * this.limit) / this.intervalMs);
      this.#last = now;
    }
  }

  tokens(now: number): number {
    this.#refill(now);
    return this.#tokens;
  }

  /** Milliseconds until one whole token is available (0 = now). */
  waitMs(now: number): number {
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) * this.intervalMs) / this.limit);
  }

  take(now: number): void {
    this.#refill(now);
    this.#tokens -= 1;
  }
}

/** All buckets of one service. */
export class RateLimiter {
  readonly #buckets: TokenBucket[];

  constructor(limits: readonly RateLimit[], now: number) {
    this.#buckets = limits.map((l) => new TokenBucket(l, now));
  }

  waitMs(now: number): number {
    return this.#buckets.reduce((w, b) => Math.max(w, b.waitMs(now)), 0);
  }

  /** Takes a token from every bucket if all have one; false otherwise (nothing taken). */
  tryTake(now: number): boolean {
    if (this.waitMs(now) > 0) return false;
    for (const b of this.#buckets) b.take(now);
    return true;
  }
}
