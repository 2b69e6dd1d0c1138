// Exponential backoff with jitter for retried lookups.

export interface BackoffOptions {
  /** First delay; default 1000 ms. */
  baseMs: number;
  /** Cap on one delay; default 60 000 ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };

/**
 * Delay before retry number `attempt` (0 = first retry): base·2^attempt capped at maxMs, then "equal jitter"
 * (half fixed, half random) so that sensors restarted together do not retry in lock-step.
 * A server's Retry-After is a floor: we never come back earlier than asked.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number, retryAfterMs: number | null = null): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  const jittered = exp / 2 + random() * (exp / 2);
  return Math.ceil(Math.max(jittered, retryAfterMs ?? 0));
}
