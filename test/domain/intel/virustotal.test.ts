import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { VirusTotalClient } from '../../../src/domain/intel/clients/virustotal.ts';
import type { FakeServer } from './fake-server.ts';
import { startFakeServer } from './fake-server.ts';

const KEY = 'vt0123456789abcdefSECRET';

// Shaped after the IP address object in VirusTotal's API v3 reference.
const DOC_EXAMPLE = {
  data: {
    attributes: {
      as_owner: 'DIGITALOCEAN-ASN',
      asn: 14061,
      continent: 'EU',
      country: 'NL',
      last_analysis_date: 1767225600,
      last_analysis_stats: { harmless: 55, malicious: 7, suspicious: 2, timeout: 0, undetected: 30 },
      network: '167.99.0.0/16',
      regional_internet_registry: 'RIPE NCC',
      reputation: -12,
      total_votes: { harmless: 0, malicious: 3 },
    },
    id: '167.99.1.2',
    links: { self: 'https://www.virustotal.com/api/v3/ip_addresses/167.99.1.2' },
    type: 'ip_address',
  },
};

describe('VirusTotal client', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await startFakeServer();
  });
  after(() => srv.close());

  it('sends GET /api/v3/ip_addresses/<ip> with the x-apikey header and no query', async () => {
    srv.reply(() => ({ body: DOC_EXAMPLE }));
    const res = await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('167.99.1.2');
    const req = srv.requests.at(-1)!;
    assert.equal(req.method, 'GET');
    assert.equal(req.target, '/api/v3/ip_addresses/167.99.1.2');
    assert.equal(req.headers['x-apikey'], KEY);
    assert.ok(res.ok);
    assert.deepEqual(res.summary.last_analysis_stats, { harmless: 55, malicious: 7, suspicious: 2, timeout: 0, undetected: 30 });
    assert.equal(res.summary.reputation, -12);
    assert.equal(res.summary.as_owner, 'DIGITALOCEAN-ASN');
    assert.equal(res.summary.asn, 14061);
    assert.equal(res.summary.country, 'NL');
    assert.equal(res.summary.id, '167.99.1.2');
  });

  it('keeps IPv6 readable in the path', async () => {
    srv.reply(() => ({ body: DOC_EXAMPLE }));
    await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('2001:db8::1');
    assert.equal(srv.requests.at(-1)!.target, '/api/v3/ip_addresses/2001:db8::1');
  });

  it('maps the documented error object: 401 WrongCredentialsError, 429 QuotaExceededError', async () => {
    srv.reply(() => ({ status: 401, body: { error: { code: 'WrongCredentialsError', message: `Wrong API key ${KEY}` } } }));
    const e401 = await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!e401.ok && e401.error.kind === 'http');
    if (!e401.ok && e401.error.kind === 'http') {
      assert.equal(e401.error.code, 'WrongCredentialsError');
      assert.equal(e401.error.status, 401);
    }
    assert.ok(!JSON.stringify(e401).includes(KEY));
    srv.reply(() => ({ status: 429, body: { error: { code: 'QuotaExceededError', message: 'Quota exceeded' } } }));
    const e429 = await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!e429.ok && e429.error.kind === 'quota');
    if (!e429.ok && e429.error.kind === 'quota') {
      assert.equal(e429.error.retryAfterMs, null);
      assert.match(e429.error.message, /QuotaExceededError/);
    }
  });

  it('times out on a silent server', async () => {
    srv.reply(() => ({ delayMs: 2000, body: DOC_EXAMPLE }));
    const t0 = Date.now();
    const res = await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY, timeoutMs: 100 }).lookup('1.2.3.4');
    assert.ok(!res.ok && res.error.kind === 'timeout');
    assert.ok(Date.now() - t0 < 1500);
  });

  it('reports a missing last_analysis_stats as a parse failure', async () => {
    srv.reply(() => ({ body: { data: { id: '1.2.3.4', attributes: {} } } }));
    const res = await new VirusTotalClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!res.ok && res.error.kind === 'parse');
  });
});
