import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from '../../../src/domain/intel/backoff.ts';
import { AbuseIpdbClient } from '../../../src/domain/intel/clients/abuseipdb.ts';
import { IntelQueue } from '../../../src/domain/intel/queue.ts';
import type { IntelResultEvent } from '../../../src/domain/intel/queue.ts';
import { DAY_MS, MINUTE_MS, RateLimiter, TokenBucket, parseRateSpec } from '../../../src/domain/intel/ratelimit.ts';
import type { FakeServer } from './fake-server.ts';
import { startFakeServer } from './fake-server.ts';

const KEY = 'retry-test-SECRET-key';

function next(events: IntelResultEvent[]): Promise<IntelResultEvent> {
  return new Promise((resolve) => {
    const t = setInterval(() => {
      if (events.length) {
        clearInterval(t);
        resolve(events.shift()!);
      }
    }, 5);
  });
}

describe('backoff and rate limits', () => {
  it('computes exponential delays with equal jitter and a cap, never below Retry-After', () => {
    const opts = { baseMs: 1000, maxMs: 8000 };
    const table: [number, number, number | null, number][] = [
      // attempt, random, retryAfter, expected
      [0, 0, null, 500],
      [0, 1, null, 1000],
      [1, 0.5, null, 1500],
      [3, 1, null, 8000],
      [10, 1, null, 8000],
      [0, 0, 30_000, 30_000],
    ];
    for (const [attempt, r, ra, want] of table) assert.equal(backoffDelay(attempt, opts, () => r, ra), want, `attempt ${attempt}`);
  });

  it('parses rate specs', () => {
    assert.deepEqual(parseRateSpec('4/min, 500/day'), [
      { limit: 4, intervalMs: MINUTE_MS },
      { limit: 500, intervalMs: DAY_MS },
    ]);
    assert.deepEqual(parseRateSpec('5000/month'), [{ limit: 5000, intervalMs: 30 * DAY_MS }]);
    assert.throws(() => parseRateSpec('lots'), /invalid rate spec/);
    assert.throws(() => parseRateSpec('0/day'), /invalid rate spec/);
  });

  it('refills a bucket continuously and needs every bucket of a service', () => {
    const b = new TokenBucket({ limit: 2, intervalMs: 1000 }, 0);
    b.take(0);
    b.take(0);
    assert.equal(b.waitMs(0), 500);
    assert.equal(b.waitMs(250), 250);
    assert.equal(b.waitMs(500), 0);
    const r = new RateLimiter([{ limit: 10, intervalMs: 1000 }, { limit: 1, intervalMs: 60_000 }], 0);
    assert.equal(r.tryTake(0), true);
    assert.equal(r.tryTake(1), false);
    assert.equal(r.waitMs(1), 59_999);
  });
});

describe('queue + real client against a fake server', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await startFakeServer();
  });
  after(() => srv.close());

  it('retries 503 twice with backoff, then returns the answer', async () => {
    srv.requests.length = 0;
    srv.reply((_req, n) => (n <= 2 ? { status: 503, raw: 'busy' } : { body: { data: { ipAddress: '203.0.113.9', abuseConfidenceScore: 42 } } }));
    const events: IntelResultEvent[] = [];
    const q = new IntelQueue({
      clients: { abuseipdb: new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY, timeoutMs: 2000 }) },
      onResult: (e) => events.push(e),
      backoff: { baseMs: 5, maxMs: 50 },
      lookupPrivate: true, // 203.0.113.0/24 is a documentation range
    });
    q.enqueue('203.0.113.9', 'sess-1');
    const e = await next(events);
    q.stop();
    assert.equal(srv.requests.length, 3);
    assert.ok(e.ok && e.service === 'abuseipdb' && e.summary.abuseConfidenceScore === 42);
    assert.deepEqual(e.sessions, ['sess-1']);
  });

  it('honours Retry-After on 429 before retrying', async () => {
    srv.requests.length = 0;
    const times: number[] = [];
    srv.reply((_req, n) => {
      times.push(Date.now());
      return n === 1
        ? { status: 429, headers: { 'Retry-After': '1' }, body: { errors: [{ detail: 'Too many', status: 429 }] } }
        : { body: { data: { ipAddress: '198.51.100.7', abuseConfidenceScore: 3 } } };
    });
    const events: IntelResultEvent[] = [];
    const q = new IntelQueue({
      clients: { abuseipdb: new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY, timeoutMs: 2000 }) },
      onResult: (e) => events.push(e),
      backoff: { baseMs: 5, maxMs: 50 },
      lookupPrivate: true,
    });
    q.enqueue('198.51.100.7', 's');
    const e = await next(events);
    q.stop();
    assert.ok(e.ok);
    assert.equal(srv.requests.length, 2);
    assert.ok(times[1]! - times[0]! >= 990, `retried after ${times[1]! - times[0]!} ms`);
    assert.ok(!JSON.stringify(e).includes(KEY));
  });
});
