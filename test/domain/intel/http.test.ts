import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_BODY_BYTES, getJson, joinUrl, parseRetryAfter, scrub } from '../../../src/domain/intel/clients/http.ts';
import type { FakeServer } from './fake-server.ts';
import { startFakeServer } from './fake-server.ts';

describe('http helper', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await startFakeServer();
  });
  after(() => srv.close());

  it('parses Retry-After as seconds or as an HTTP-date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const cases: [string | null, number | null][] = [
      ['120', 120_000],
      ['0', 0],
      ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
      ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
      ['soon', null],
      [null, null],
    ];
    for (const [value, want] of cases) assert.equal(parseRetryAfter(value, now), want, String(value));
  });

  it('scrubs a secret in raw and URL-encoded form', () => {
    const key = 'a/b+c=d';
    assert.equal(scrub(`x ${key} y ${encodeURIComponent(key)} z`, [key]), 'x [REDACTED] y [REDACTED] z');
    assert.equal(scrub('nothing', ['']), 'nothing');
  });

  it('joins base URLs with or without a trailing slash or a path prefix', () => {
    assert.equal(joinUrl('https://h/', '/api'), 'https://h/api');
    assert.equal(joinUrl('https://h/proxy/', '/api'), 'https://h/proxy/api');
  });

  it('refuses redirects (the key headers must not follow them)', async () => {
    srv.reply(() => ({ status: 302, headers: { location: 'http://127.0.0.1:9/steal' }, raw: '' }));
    const res = await getJson({ url: `${srv.baseUrl}/x`, headers: { Key: 'k' }, timeoutMs: 2000, secrets: ['k'] });
    assert.ok(!res.ok && res.error.kind === 'network');
    assert.equal(srv.requests.length, 1);
  });

  it('refuses bodies larger than the cap', async () => {
    srv.reply(() => ({ raw: `"${'x'.repeat(MAX_BODY_BYTES + 10)}"` }));
    const res = await getJson({ url: `${srv.baseUrl}/big`, headers: {}, timeoutMs: 5000, secrets: [] });
    assert.ok(!res.ok && res.error.kind === 'network');
  });

  it('uses X-RateLimit-Reset when a 429 has no Retry-After', async () => {
    const reset = Math.floor(Date.now() / 1000) + 100;
    srv.reply(() => ({ status: 429, headers: { 'X-RateLimit-Reset': String(reset) }, body: {} }));
    const res = await getJson({ url: `${srv.baseUrl}/q`, headers: {}, timeoutMs: 2000, secrets: [] });
    assert.ok(!res.ok && res.error.kind === 'quota');
    if (!res.ok && res.error.kind === 'quota') {
      assert.ok(res.error.retryAfterMs !== null && res.error.retryAfterMs > 90_000 && res.error.retryAfterMs <= 100_000);
    }
  });

  it('reports cancellation by the caller apart from a timeout', async () => {
    srv.reply(() => ({ delayMs: 1000, body: {} }));
    const ctrl = new AbortController();
    const p = getJson({ url: `${srv.baseUrl}/slow`, headers: {}, timeoutMs: 5000, secrets: [], signal: ctrl.signal });
    setTimeout(() => ctrl.abort(), 20);
    const res = await p;
    assert.ok(!res.ok && res.error.kind === 'cancelled');
  });
});
