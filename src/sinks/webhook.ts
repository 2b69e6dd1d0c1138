/**
 * Webhook sink: turns chosen events into alerts (src/sinks/alerts/rules.ts), deduplicates and rate-limits them,
 * and POSTs each one, signed, to WEBHOOK_URL. `write` only decides and enqueues; delivery runs in its own loop
 * behind a small bounded outbox, so a slow or hanging receiver delays nothing (not even the bus's queue).
 *
 * Signature: `X-DICOMHawk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` — the receiver
 * recomputes it over the raw body and rejects a timestamp that is too old (replay).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../core/log.ts';
import { alertBody, type AlertFormat } from './alerts/format.ts';
import { alertFor, type AlertKind, type FingerprintMemory } from './alerts/rules.ts';
import { AlertThrottle, type RateLimit } from './alerts/throttle.ts';
import type { Serialized, Sink } from './sink.ts';

export const SIGNATURE_HEADER = 'x-dicomhawk-signature';

export interface WebhookSinkOptions {
  url: string;
  secret: string;
  format: AlertFormat;
  alerts: readonly AlertKind[];
  rateLimits: readonly RateLimit[];
  dedupWindowMs: number;
  timeoutMs: number;
  /** File of the client fingerprints seen so far (one per line), so "first seen" survives restarts. */
  fingerprintFile: string;
  log: Logger;
  /** Alerts waiting for delivery before the oldest is dropped (default 1000). */
  outboxLimit?: number;
  /** Attempts per alert (default 3). */
  attempts?: number;
  /** Backoff before the second attempt (doubles each time; default 1 s). */
  backoffMs?: number;
}

export interface WebhookStats {
  alerts: number;
  sent: number;
  failed: number;
  duplicates: number;
  rateLimited: number;
  outboxDropped: number;
  /** Alerts waiting for delivery now. */
  outbox: number;
}

/** The signature header value for a body at a time (seconds). */
export function signBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** Verifies a signature header (what a receiver does); `toleranceS` bounds the age of the timestamp. */
export function verifySignature(secret: string, body: string, header: string | undefined, nowS: number, toleranceS = 300): boolean {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowS - t) > toleranceS) return false;
  const want = Buffer.from(signBody(secret, body, t).slice(`t=${t},v1=`.length), 'hex');
  return timingSafeEqual(want, Buffer.from(m[2]!, 'hex'));
}

/** WEBHOOK_SECRET unset: a random key kept in DATA_DIR (mode 0600), created once. */
export function loadOrCreateWebhookSecret(path: string): { secret: string; created: boolean } {
  if (existsSync(path)) {
    const s = readFileSync(path, 'utf8').trim();
    if (s.length >= 16) return { secret: s, created: false };
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { secret, created: true };
}

const STOP_GRACE_MS = 3000;
const FP_SHAPE = /^[A-Za-z0-9:_.-]{1,128}$/;
const MAX_FINGERPRINTS = 100_000;

class FileFingerprints implements FingerprintMemory {
  private readonly seen = new Set<string>();
  constructor(private readonly file: string) {}
  load(): void {
    if (!existsSync(this.file)) return;
    for (const line of readFileSync(this.file, 'utf8').split('\n')) if (FP_SHAPE.test(line) && this.seen.size < MAX_FINGERPRINTS) this.seen.add(line);
  }
  firstSeen(fp: string): boolean {
    if (this.seen.has(fp)) return false;
    if (FP_SHAPE.test(fp) && this.seen.size < MAX_FINGERPRINTS) {
      this.seen.add(fp);
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${fp}\n`);
    }
    return true;
  }
}

interface Outgoing {
  kind: AlertKind;
  body: string;
}

export class WebhookSink implements Sink {
  readonly name = 'webhook';
  private readonly wanted: ReadonlySet<AlertKind>;
  private readonly throttle: AlertThrottle;
  private readonly fingerprints: FileFingerprints;
  private readonly outbox: Outgoing[] = [];
  private sending: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private readonly counts: Omit<WebhookStats, 'outbox'> = { alerts: 0, sent: 0, failed: 0, duplicates: 0, rateLimited: 0, outboxDropped: 0 };

  constructor(private readonly opts: WebhookSinkOptions) {
    this.wanted = new Set(opts.alerts);
    this.throttle = new AlertThrottle(opts.rateLimits, opts.dedupWindowMs);
    this.fingerprints = new FileFingerprints(opts.fingerprintFile);
  }

  async start(): Promise<void> {
    this.fingerprints.load();
  }

  /** Decides and enqueues; never waits for the receiver. */
  write(batch: readonly Serialized[]): void {
    for (const s of batch) {
      const alert = alertFor(s.event, this.wanted, this.fingerprints);
      if (!alert) continue;
      this.counts.alerts += 1;
      const v = this.throttle.check(alert);
      if (!v.pass) {
        if (v.why === 'duplicate') this.counts.duplicates += 1;
        else this.counts.rateLimited += 1;
        continue;
      }
      if (this.outbox.length >= (this.opts.outboxLimit ?? 1000)) {
        this.outbox.shift();
        this.counts.outboxDropped += 1;
      }
      this.outbox.push({ kind: alert.kind, body: alertBody(this.opts.format, alert, v.held) });
    }
    if (this.outbox.length > 0 && !this.sending) {
      this.sending = this.deliverAll().finally(() => {
        this.sending = null;
      });
    }
  }

  private async deliverAll(): Promise<void> {
    for (let next = this.outbox.shift(); next; next = this.outbox.shift()) {
      if (this.abort.signal.aborted) {
        this.counts.failed += 1 + this.outbox.length;
        this.outbox.length = 0;
        return;
      }
      if (await this.deliver(next)) this.counts.sent += 1;
      else this.counts.failed += 1;
    }
  }

  private async deliver(o: Outgoing): Promise<boolean> {
    const attempts = this.opts.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.opts.timeoutMs)]);
      let retry = true;
      try {
        const res = await fetch(this.opts.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'DICOMHawk-alerts',
            'x-dicomhawk-alert': o.kind,
            [SIGNATURE_HEADER]: signBody(this.opts.secret, o.body, Math.floor(Date.now() / 1000)),
          },
          body: o.body,
          redirect: 'manual',
          signal,
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) return true;
        // A client error (bad URL, bad signature, gone) will not get better by retrying; 408, 429 and 5xx may.
        retry = res.status === 408 || res.status === 429 || res.status >= 500;
        this.logFailure(`HTTP ${res.status}`);
      } catch (err) {
        this.logFailure((err as Error).name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs} ms` : (err as Error).message);
      }
      if (!retry || attempt === attempts || this.abort.signal.aborted) return false;
      await sleep((this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1), this.abort.signal);
    }
    return false;
  }

  private logFailure(reason: string): void {
    const n = this.counts.failed + 1;
    // Rate-limited diagnostics: the first failure, then every 100th.
    if (n === 1 || n % 100 === 0) this.opts.log.warn({ sink: this.name, reason, failed: this.counts.failed }, 'webhook delivery failed');
  }

  stats(): WebhookStats {
    return { ...this.counts, outbox: this.outbox.length };
  }

  /**
   * Gives queued alerts a short grace (one timeout, at most 3 s, so that `docker stop` does not end in a kill) to
   * go out, then abandons the rest (counted as failed).
   */
  async stop(): Promise<void> {
    if (this.sending) {
      let t: NodeJS.Timeout | undefined;
      await Promise.race([this.sending, new Promise<void>((r) => (t = setTimeout(r, Math.min(this.opts.timeoutMs, STOP_GRACE_MS))))]);
      clearTimeout(t);
    }
    this.abort.abort();
    if (this.sending) await this.sending;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    }, { once: true });
  });
}
