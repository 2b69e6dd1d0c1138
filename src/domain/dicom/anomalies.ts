/**
 * A bounded list of anomaly messages. Decoders of hostile input record what is odd as data for the
 * event stream (STYLE.md house rule 5); the list is capped so thousands of tiny odd structures cannot
 * make an event unbounded, and the overflow is counted.
 */
export class AnomalyLog {
  private readonly list: string[] = [];
  private dropped = 0;

  constructor(private readonly max = 100) {}

  add(message: string): void {
    if (this.list.length < this.max) this.list.push(message);
    else this.dropped++;
  }

  addAll(messages: readonly string[]): void {
    for (const m of messages) this.add(m);
  }

  /** Messages recorded, including those not kept. */
  get count(): number {
    return this.list.length + this.dropped;
  }

  toArray(): string[] {
    return this.dropped > 0 ? [...this.list, `${this.dropped} more anomalies not listed`] : [...this.list];
  }
}
