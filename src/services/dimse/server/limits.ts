/** Connection limits of the DICOM listeners: overall and per source address. */
export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  artimMs: number;
  idleMs: number;
  lifetimeMs: number;
  minBytesPerSec: number;
  maxAssociateBytes: number;
  maxDatasetBytes: number;
  /** Window over which minBytesPerSec is measured (default 10 s). */
  slowWindowMs?: number;
}

/** Counts open connections per source address; `tryAcquire` refuses past the caps. */
export class ConnectionCounter {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  constructor(private readonly limits: Pick<ConnectionLimits, 'maxConnections' | 'maxConnectionsPerIp'>) {}

  tryAcquire(ip: string): { ok: true } | { ok: false; limit: string; value: number; observed: number } {
    if (this.total >= this.limits.maxConnections) return { ok: false, limit: 'max_connections', value: this.limits.maxConnections, observed: this.total + 1 };
    const n = this.perIp.get(ip) ?? 0;
    if (n >= this.limits.maxConnectionsPerIp) return { ok: false, limit: 'max_connections_per_ip', value: this.limits.maxConnectionsPerIp, observed: n + 1 };
    this.total += 1;
    this.perIp.set(ip, n + 1);
    return { ok: true };
  }

  release(ip: string): void {
    this.total = Math.max(0, this.total - 1);
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
  }

  get open(): number {
    return this.total;
  }
}
