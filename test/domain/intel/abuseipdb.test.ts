import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AbuseIpdbClient, parseAbuseIpdb } from '../../../src/domain/intel/clients/abuseipdb.ts';
import type { FakeServer } from './fake-server.ts';
import { startFakeServer } from './fake-server.ts';

const KEY = 'abuse-SECRET-0123456789abcdef';

// Shaped after the CHECK endpoint example in AbuseIPDB's APIv2 documentation (verbose form).
const DOC_EXAMPLE = {
  data: {
    ipAddress: '118.25.6.39',
    isPublic: true,
    ipVersion: 4,
    isWhitelisted: false,
    abuseConfidenceScore: 100,
    countryCode: 'CN',
    countryName: 'China',
    usageType: 'Data Center/Web Hosting/Transit',
    isp: 'Tencent Cloud Computing (Beijing) Co. Ltd',
    domain: 'tencent.com',
    hostnames: [],
    isTor: false,
    totalReports: 1,
    numDistinctUsers: 1,
    lastReportedAt: '2018-12-20T20:55:14+00:00',
    reports: [
      {
        reportedAt: '2018-12-20T20:55:14+00:00',
        comment: 'Dec 20 20:55:14 srv206 sshd[13937]: Invalid user oracle from 118.25.6.39',
        categories: [18, 22],
        reporterId: 1,
        reporterCountryCode: 'US',
        reporterCountryName: 'United States',
      },
    ],
  },
};

describe('AbuseIPDB client', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await startFakeServer();
  });
  after(() => srv.close());

  it('sends GET /api/v2/check with ipAddress, maxAgeInDays=90 and the Key / Accept headers', async () => {
    srv.reply(() => ({ body: DOC_EXAMPLE }));
    const c = new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY });
    const res = await c.lookup('118.25.6.39');
    const req = srv.requests.at(-1)!;
    assert.equal(req.method, 'GET');
    assert.equal(req.path, '/api/v2/check');
    assert.deepEqual([...req.query.keys()], ['ipAddress', 'maxAgeInDays']);
    assert.equal(req.query.get('ipAddress'), '118.25.6.39');
    assert.equal(req.query.get('maxAgeInDays'), '90');
    assert.equal(req.headers['key'], KEY);
    assert.equal(req.headers['accept'], 'application/json');
    assert.ok(res.ok);
    assert.equal(res.summary.abuseConfidenceScore, 100);
    assert.equal(res.summary.countryCode, 'CN');
    assert.equal(res.summary.isp, 'Tencent Cloud Computing (Beijing) Co. Ltd');
    assert.equal(res.summary.usageType, 'Data Center/Web Hosting/Transit');
    assert.equal(res.summary.totalReports, 1);
    assert.equal(res.summary.domain, 'tencent.com');
    assert.equal(res.summary.isTor, false);
    assert.deepEqual(res.summary.reportCategories, [18, 22]);
    assert.equal(res.summary.reportCount, 1);
  });

  it('adds verbose when asked and URL-encodes IPv6 addresses in the query', async () => {
    srv.reply(() => ({ body: { data: { ...DOC_EXAMPLE.data, ipAddress: '2001:db8::1', reports: undefined } } }));
    const c = new AbuseIpdbClient({ baseUrl: `${srv.baseUrl}/`, apiKey: KEY, verbose: true, maxAgeInDays: 30 });
    const res = await c.lookup('2001:db8::1');
    const req = srv.requests.at(-1)!;
    assert.match(req.target, /^\/api\/v2\/check\?ipAddress=2001%3Adb8%3A%3A1&maxAgeInDays=30&verbose$/);
    assert.equal(req.query.get('ipAddress'), '2001:db8::1');
    assert.ok(req.query.has('verbose'));
    assert.ok(res.ok);
    assert.equal(res.summary.reportCount, null);
  });

  it('rejects maxAgeInDays outside 1–365', () => {
    assert.throws(() => new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY, maxAgeInDays: 366 }), RangeError);
  });

  it('turns 429 into a quota failure with Retry-After', async () => {
    srv.reply(() => ({
      status: 429,
      headers: { 'Retry-After': '29', 'X-RateLimit-Limit': '1000', 'X-RateLimit-Remaining': '0' },
      body: { errors: [{ detail: 'Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.', status: 429 }] },
    }));
    const res = await new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('118.25.6.39');
    assert.equal(res.ok, false);
    assert.ok(!res.ok && res.error.kind === 'quota');
    if (!res.ok && res.error.kind === 'quota') {
      assert.equal(res.error.retryAfterMs, 29_000);
      assert.match(res.error.message, /Daily rate limit/);
    }
  });

  it('reports 401 with the service detail and never the key, even when the server echoes it', async () => {
    srv.reply(() => ({ status: 401, body: { errors: [{ detail: `Authentication failed for key ${KEY}.`, status: 401 }] } }));
    const res = await new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('118.25.6.39');
    assert.ok(!res.ok && res.error.kind === 'http');
    if (!res.ok && res.error.kind === 'http') {
      assert.equal(res.error.status, 401);
      assert.equal(res.error.code, '401');
    }
    assert.ok(!JSON.stringify(res).includes(KEY));
    assert.match(JSON.stringify(res), /\[REDACTED\]/);
  });

  it('reports a body without data.abuseConfidenceScore as a parse failure', async () => {
    srv.reply(() => ({ body: { data: { ipAddress: '1.2.3.4' } } }));
    const res = await new AbuseIpdbClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!res.ok && res.error.kind === 'parse');
  });

  it('parses numbers sent as strings and ignores junk types', () => {
    const s = parseAbuseIpdb({ data: { ipAddress: '1.2.3.4', abuseConfidenceScore: '55', hostnames: ['a', 3], isTor: 'yes' } });
    assert.equal(s?.abuseConfidenceScore, 55);
    assert.deepEqual(s?.hostnames, ['a']);
    assert.equal(s?.isTor, null);
  });
});
