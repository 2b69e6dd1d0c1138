/**
 * A SessionLog shared by its holders (the TCP connection it started on, the portal session that adopted
 * it): closed when the last holder lets go, so events after that are marked `late`.
 */
import type { SessionLog } from '../../../core/events/sessionLog.ts';

export class SharedLog {
  private refs = 0;
  constructor(readonly log: SessionLog) {}

  retain(): this {
    this.refs++;
    return this;
  }

  release(): void {
    if (this.refs > 0 && --this.refs === 0) this.log.close();
  }

  get holders(): number {
    return this.refs;
  }
}
