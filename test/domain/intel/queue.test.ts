import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IntelQueue } from '../../../src/domain/intel/queue.ts';
import type { IntelResult } from '../../../src/domain/intel/types.ts';
import { FakeScheduler, flush } from './fake-scheduler.ts';
import { VT_OK, collector, deferred, fakeClient, memoryCache } from './queue-helpers.ts';

const noJitter = (): number => 1; // backoff = full exponential delay

describe('IntelQueue', () => {
  it('enqueue returns at once; concurrent lookups of one IP are merged and carry every session', async () => {
    const clock = new FakeScheduler();
    const gate = deferred<IntelResult<unknown>>();
    const vt = fakeClient('virustotal', () => gate.promise);
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock });
    assert.deepEqual(q.enqueue('8.8.8.8', 's1'), { status: 'accepted', ip: '8.8.8.8', services: { virustotal: 'queued' } });
    assert.deepEqual(q.enqueue('::ffff:8.8.8.8', 's2'), { status: 'accepted', ip: '8.8.8.8', services: { virustotal: 'joined' } });
    await flush();
    q.enqueue('8.8.8.8', 's3'); // joins while in flight
    assert.equal(vt.calls.length, 1);
    gate.resolve(VT_OK);
    await flush();
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]!.sessions.sort(), ['s1', 's2', 's3']);
    assert.equal(events[0]!.cached, false);
    assert.equal(q.stats().joined, 2);
    q.stop();
  });

  it('skips private, loopback, link-local, CGNAT, multicast and reserved addresses unless lookupPrivate', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', () => VT_OK);
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult: () => {}, scheduler: clock });
    const cases: [string, string][] = [
      ['10.1.2.3', 'private'],
      ['192.168.0.1', 'private'],
      ['172.16.5.4', 'private'],
      ['127.0.0.1', 'loopback'],
      ['169.254.1.1', 'linkLocal'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['224.0.0.251', 'multicast'],
      ['192.0.2.10', 'reserved'],
      ['0.0.0.0', 'unspecified'],
      ['255.255.255.255', 'broadcast'],
      ['::1', 'loopback'],
      ['fe80::1', 'linkLocal'],
      ['fd00::1', 'uniqueLocal'],
      ['ff02::1', 'multicast'],
      ['2001:db8::1', 'reserved'],
      ['::ffff:10.0.0.1', 'private'],
    ];
    for (const [ip, range] of cases) {
      const r = q.enqueue(ip, 's');
      assert.ok(r.status === 'skipped' && r.reason === range, `${ip}: ${JSON.stringify(r)}`);
    }
    assert.equal(q.stats().skipped, cases.length);
    assert.deepEqual(q.enqueue('not-an-ip', 's'), { status: 'invalid' });
    assert.deepEqual(q.enqueue('1.2.3', 's'), { status: 'invalid' });
    assert.deepEqual(q.enqueue('fe80::1%eth0', 's'), { status: 'invalid' });
    await flush();
    assert.equal(vt.calls.length, 0);
    q.stop();

    const lab = new IntelQueue({ clients: { virustotal: vt }, onResult: () => {}, scheduler: clock, lookupPrivate: true });
    assert.equal(lab.enqueue('10.1.2.3', 's').status, 'accepted');
    await flush();
    assert.deepEqual(vt.calls.map((c) => c.ip), ['10.1.2.3']);
    lab.stop();
  });

  it('respects the token bucket: VirusTotal 4/min lets 4 through, then one every 15 s', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', () => VT_OK);
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, concurrency: 10 });
    for (let i = 1; i <= 6; i++) q.enqueue(`8.8.4.${i}`, `s${i}`);
    await flush();
    assert.equal(vt.calls.length, 4);
    await clock.advance(14_999);
    assert.equal(vt.calls.length, 4);
    await clock.advance(1);
    assert.equal(vt.calls.length, 5);
    await clock.advance(15_000);
    assert.equal(vt.calls.length, 6);
    assert.equal(events.length, 6);
    q.stop();
  });

  it('honours configured limits per service independently', async () => {
    const clock = new FakeScheduler();
    const a = fakeClient('abuseipdb', () => ({ ok: true, summary: { abuseConfidenceScore: 1 } }));
    const v = fakeClient('virustotal', () => VT_OK);
    const q = new IntelQueue({
      clients: { abuseipdb: a, virustotal: v },
      onResult: () => {},
      scheduler: clock,
      concurrency: 10,
      rateLimits: { abuseipdb: [{ limit: 1, intervalMs: 1000 }], virustotal: [{ limit: 3, intervalMs: 60_000 }] },
    });
    for (let i = 1; i <= 4; i++) q.enqueue(`9.9.9.${i}`, 's');
    await flush();
    assert.equal(a.calls.length, 1);
    assert.equal(v.calls.length, 3);
    await clock.advance(3000);
    assert.equal(a.calls.length, 4);
    assert.equal(v.calls.length, 3);
    q.stop();
  });

  it('answers from the cache with cached:true and no request, until the success TTL runs out', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', () => VT_OK);
    const cache = memoryCache();
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, cache, successTtlMs: 3_600_000 });
    q.enqueue('1.1.1.1', 'a');
    await flush();
    assert.equal(vt.calls.length, 1);
    assert.deepEqual(q.enqueue('1.1.1.1', 'b'), { status: 'accepted', ip: '1.1.1.1', services: { virustotal: 'cached' } });
    await flush();
    assert.equal(vt.calls.length, 1);
    assert.equal(events.length, 2);
    const hit = events[1]!;
    assert.equal(hit.cached, true);
    assert.deepEqual(hit.sessions, ['b']);
    assert.ok(hit.ok);
    assert.deepEqual(hit.ok && hit.summary, (VT_OK as { summary: unknown }).summary);
    await clock.advance(3_600_000);
    q.enqueue('1.1.1.1', 'c');
    await flush();
    assert.equal(vt.calls.length, 2);
    q.stop();
  });

  it('caches a failure for the shorter failure TTL', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', () => ({ ok: false, error: { kind: 'http', status: 404, code: 'NotFoundError', message: 'not found' } }));
    const cache = memoryCache();
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, cache, failureTtlMs: 600_000, successTtlMs: 86_400_000 });
    q.enqueue('1.0.0.1', 'a');
    await flush();
    q.enqueue('1.0.0.1', 'b');
    await flush();
    assert.equal(vt.calls.length, 1);
    assert.equal(events[1]!.cached, true);
    assert.equal(events[1]!.ok, false);
    await clock.advance(600_000);
    q.enqueue('1.0.0.1', 'c');
    await flush();
    assert.equal(vt.calls.length, 2);
    const row = cache.get('virustotal', '1.0.0.1', clock.now());
    assert.ok(row && !row.ok && row.expiresAt - row.fetchedAt === 600_000);
    q.stop();
  });

  it('retries 5xx and timeouts with exponential backoff, then delivers', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', (_ip, n) =>
      n === 1
        ? { ok: false, error: { kind: 'http', status: 503, code: null, message: 'HTTP 503' } }
        : n === 2
          ? { ok: false, error: { kind: 'timeout', timeoutMs: 10_000, message: 'slow' } }
          : VT_OK,
    );
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, random: noJitter, backoff: { baseMs: 1000, maxMs: 60_000 }, rateLimits: { virustotal: [{ limit: 100, intervalMs: 1000 }] } });
    q.enqueue('4.4.4.4', 's');
    await flush();
    assert.equal(vt.calls.length, 1);
    await clock.advance(999);
    assert.equal(vt.calls.length, 1);
    await clock.advance(1); // first retry after 1 s
    assert.equal(vt.calls.length, 2);
    await clock.advance(1999);
    assert.equal(vt.calls.length, 2);
    await clock.advance(1); // second retry after 2 s more
    assert.equal(vt.calls.length, 3);
    assert.equal(events.length, 1);
    assert.ok(events[0]!.ok);
    assert.equal(q.stats().retries, 2);
    q.stop();
  });

  it('gives up after maxRetries and does not retry a 4xx', async () => {
    const clock = new FakeScheduler();
    const down = fakeClient('virustotal', () => ({ ok: false, error: { kind: 'http', status: 500, code: null, message: 'HTTP 500' } }));
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: down }, onResult, scheduler: clock, maxRetries: 2, random: noJitter, rateLimits: { virustotal: [{ limit: 100, intervalMs: 1000 }] } });
    q.enqueue('4.4.4.4', 's');
    await clock.advance(60_000);
    assert.equal(down.calls.length, 3);
    assert.equal(events.length, 1);
    assert.ok(!events[0]!.ok);

    const denied = fakeClient('virustotal', () => ({ ok: false, error: { kind: 'http', status: 401, code: 'WrongCredentialsError', message: 'x' } }));
    const q2 = new IntelQueue({ clients: { virustotal: denied }, onResult: () => {}, scheduler: clock });
    q2.enqueue('4.4.4.5', 's');
    await clock.advance(60_000);
    assert.equal(denied.calls.length, 1);
    q.stop();
    q2.stop();
  });

  it('waits at least Retry-After on 429 and pauses the whole service meanwhile', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', (_ip, n) => (n === 1 ? { ok: false, error: { kind: 'quota', status: 429, retryAfterMs: 30_000, message: 'slow down' } } : VT_OK));
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, random: noJitter, concurrency: 2, rateLimits: { virustotal: [{ limit: 100, intervalMs: 1000 }] } });
    q.enqueue('5.5.5.5', 'a');
    await flush();
    q.enqueue('5.5.5.6', 'b'); // arrives while the service is paused
    await flush();
    assert.equal(vt.calls.length, 1);
    await clock.advance(29_999);
    assert.equal(vt.calls.length, 1);
    await clock.advance(1);
    assert.equal(vt.calls.length, 3);
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.ok));
    q.stop();
  });

  it('does not wait out a long Retry-After: the job fails as quota, later jobs fail fast without a request', async () => {
    const clock = new FakeScheduler();
    const vt = fakeClient('virustotal', () => ({ ok: false, error: { kind: 'quota', status: 429, retryAfterMs: 3_600_000, message: 'daily quota' } }));
    const cache = memoryCache();
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: vt }, onResult, scheduler: clock, cache });
    q.enqueue('6.6.6.6', 'a');
    await flush();
    q.enqueue('6.6.6.7', 'b');
    await flush();
    assert.equal(vt.calls.length, 1);
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => !e.ok && e.error.kind === 'quota'));
    assert.equal(cache.get('virustotal', '6.6.6.6', clock.now()), null, 'quota failures are not cached');
    q.stop();
  });

  it('bounds the backlog: the oldest pending job is dropped and counted', async () => {
    const clock = new FakeScheduler();
    const never = fakeClient('virustotal', () => new Promise<IntelResult<unknown>>(() => {}));
    const dropped: string[] = [];
    const q = new IntelQueue({ clients: { virustotal: never }, onResult: () => {}, onDrop: (d) => dropped.push(d.ip), scheduler: clock, concurrency: 1, maxQueue: 2 });
    for (let i = 1; i <= 5; i++) q.enqueue(`7.7.7.${i}`, 's');
    await flush();
    // 7.7.7.1 is in flight; of 2,3,4,5 only the newest two stay.
    assert.deepEqual(dropped, ['7.7.7.2', '7.7.7.3']);
    assert.equal(q.stats().dropped, 2);
    assert.equal(q.stats().pending, 2);
    q.stop();
  });

  it('stop() cancels timers and in-flight lookups and delivers nothing more', async () => {
    const clock = new FakeScheduler();
    const never = fakeClient('virustotal', () => new Promise<IntelResult<unknown>>(() => {}));
    const { events, onResult } = collector();
    const q = new IntelQueue({ clients: { virustotal: never }, onResult, scheduler: clock, concurrency: 5 });
    for (let i = 1; i <= 6; i++) q.enqueue(`8.8.8.${i}`, 's');
    await flush();
    assert.ok(clock.pending > 0, 'a wake-up timer waits for tokens');
    q.stop();
    assert.equal(clock.pending, 0);
    assert.ok(never.calls.every((c) => c.signal?.aborted));
    await clock.advance(600_000);
    assert.equal(events.length, 0);
    assert.equal(q.enqueue('8.8.8.9', 's').status, 'stopped');
    await flush();
    assert.equal(never.calls.length, 4);
  });

  it('survives a client that throws and a consumer that throws', async () => {
    const clock = new FakeScheduler();
    const broken = { service: 'ipqs' as const, lookup: (): Promise<IntelResult<unknown>> => Promise.reject(new Error('https://x/api/json/ip/SECRET/1.2.3.4')) };
    const { events, onResult } = collector();
    let calls = 0;
    const q = new IntelQueue({
      clients: { ipqs: broken as never },
      onResult: (e) => {
        calls++;
        onResult(e);
        throw new Error('consumer bug');
      },
      scheduler: clock,
      maxRetries: 0,
    });
    q.enqueue('9.9.9.9', 's');
    q.enqueue('9.9.9.10', 's');
    await flush();
    assert.equal(calls, 2);
    assert.ok(events.every((e) => !e.ok && e.error.kind === 'network' && !e.error.message.includes('SECRET')));
    q.stop();
  });
});
