/** Concurrent downloads/uploads per source address: a slot is taken for the transfer's life. */
export class TransferSlots {
  private readonly used = new Map<string, number>();
  constructor(private readonly perIp: number) {}

  /** A release function, or null when the address already uses all its slots. */
  take(ip: string): (() => void) | null {
    const n = this.used.get(ip) ?? 0;
    if (n >= this.perIp) return null;
    this.used.set(ip, n + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const m = (this.used.get(ip) ?? 1) - 1;
      if (m <= 0) this.used.delete(ip);
      else this.used.set(ip, m);
    };
  }
}
