/**
 * Sign-in lockout like a product's: after `maxFailures` failed attempts for one user name from one address
 * (or four times as many from one address for any names) within the lockout period, further attempts are
 * refused until the period has passed since the last failure. Memory is bounded (least recently failed
 * entries are forgotten first).
 */
export interface ThrottleOptions {
  maxFailures: number;
  lockoutMs: number;
  /** Entries kept (default 50 000). */
  capacity?: number;
}

interface Entry {
  failures: number;
  last: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly o: ThrottleOptions,
    private readonly now: () => number = Date.now,
  ) {}

  private keys(ip: string, username: string): Array<[string, number]> {
    return [
      [`u\u0000${ip}\u0000${username.toLowerCase()}`, this.o.maxFailures],
      [`a\u0000${ip}`, this.o.maxFailures * 4],
    ];
  }

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && this.now() - e.last >= this.o.lockoutMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Milliseconds until the lockout ends, or 0 when an attempt is allowed. */
  lockedFor(ip: string, username: string): number {
    let wait = 0;
    for (const [key, max] of this.keys(ip, username)) {
      const e = this.live(key);
      if (e && e.failures >= max) wait = Math.max(wait, this.o.lockoutMs - (this.now() - e.last));
    }
    return wait;
  }

  failed(ip: string, username: string): void {
    const now = this.now();
    for (const [key] of this.keys(ip, username)) {
      const e = this.live(key) ?? { failures: 0, last: now };
      e.failures++;
      e.last = now;
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    const cap = this.o.capacity ?? 50_000;
    while (this.entries.size > cap) this.entries.delete(this.entries.keys().next().value!);
  }

  succeeded(ip: string, username: string): void {
    this.entries.delete(this.keys(ip, username)[0]![0]);
  }
}
