import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IpqsClient } from '../../../src/domain/intel/clients/ipqs.ts';
import type { FakeServer } from './fake-server.ts';
import { startFakeServer } from './fake-server.ts';

const KEY = 'ipqsSECRETkey0123456789';

// Shaped after the JSON response documented for IPQS Proxy & VPN Detection.
const DOC_EXAMPLE = {
  success: true,
  message: 'Success',
  fraud_score: 88,
  country_code: 'NL',
  region: 'North Holland',
  city: 'Amsterdam',
  ISP: 'DigitalOcean',
  ASN: 14061,
  organization: 'DigitalOcean',
  is_crawler: false,
  timezone: 'Europe/Amsterdam',
  mobile: false,
  host: '167.99.1.2',
  proxy: true,
  vpn: true,
  tor: false,
  active_vpn: false,
  active_tor: false,
  recent_abuse: true,
  bot_status: true,
  connection_type: 'Data Center',
  abuse_velocity: 'high',
  zip_code: 'N/A',
  latitude: 52.37,
  longitude: 4.89,
  request_id: '4bGtH1J2aK',
};

describe('IPQualityScore client', () => {
  let srv: FakeServer;
  before(async () => {
    srv = await startFakeServer();
  });
  after(() => srv.close());

  it('sends GET /api/json/ip/<key>/<ip> with strictness and allow_public_access_points=true', async () => {
    srv.reply(() => ({ body: DOC_EXAMPLE }));
    const c = new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY, strictness: 1 });
    const res = await c.lookup('167.99.1.2');
    const req = srv.requests.at(-1)!;
    assert.equal(req.method, 'GET');
    assert.equal(req.path, `/api/json/ip/${KEY}/167.99.1.2`);
    assert.deepEqual(Object.fromEntries(req.query), { strictness: '1', allow_public_access_points: 'true' });
    assert.ok(res.ok);
    assert.equal(res.summary.fraud_score, 88);
    assert.equal(res.summary.proxy, true);
    assert.equal(res.summary.vpn, true);
    assert.equal(res.summary.tor, false);
    assert.equal(res.summary.bot_status, true);
    assert.equal(res.summary.ISP, 'DigitalOcean');
    assert.equal(res.summary.city, 'Amsterdam');
    assert.equal(res.summary.country_code, 'NL');
    assert.equal(res.summary.ASN, 14061);
  });

  it('defaults to strictness 0, adds fast / lighter_penalties only when set, keeps IPv6 colons in the path', async () => {
    srv.reply(() => ({ body: DOC_EXAMPLE }));
    await new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY, fast: true, lighterPenalties: true }).lookup('2001:db8::7');
    const req = srv.requests.at(-1)!;
    assert.equal(req.path, `/api/json/ip/${KEY}/2001:db8::7`);
    assert.deepEqual(Object.fromEntries(req.query), { strictness: '0', allow_public_access_points: 'true', fast: 'true', lighter_penalties: 'true' });
  });

  it('shows its URL only with the key redacted', () => {
    const c = new IpqsClient({ baseUrl: 'https://ipqualityscore.com', apiKey: KEY });
    assert.equal(c.redactedUrl('1.2.3.4'), 'https://ipqualityscore.com/api/json/ip/%5BREDACTED%5D/1.2.3.4?strictness=0&allow_public_access_points=true');
    assert.ok(!JSON.stringify(c).includes(KEY));
  });

  it('maps success:false to an api failure, and an exhausted-credits message to quota, without the key', async () => {
    srv.reply(() => ({ body: { success: false, message: `Invalid or unauthorized key (${KEY}). Please check the API key and try again.`, request_id: 'x' } }));
    const bad = await new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!bad.ok && bad.error.kind === 'api');
    assert.ok(!JSON.stringify(bad).includes(KEY));
    srv.reply(() => ({ body: { success: false, message: 'You have insufficient credits to make this query.' } }));
    const quota = await new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!quota.ok && quota.error.kind === 'quota');
  });

  it('never puts the key into a network error (the key is in the URL path)', async () => {
    const dead = await startFakeServer();
    const base = dead.baseUrl;
    await dead.close();
    const res = await new IpqsClient({ baseUrl: base, apiKey: KEY, timeoutMs: 2000 }).lookup('1.2.3.4');
    assert.ok(!res.ok && res.error.kind === 'network');
    assert.ok(!JSON.stringify(res).includes(KEY));
  });

  it('never puts the key into an HTTP error or a parse error', async () => {
    srv.reply((req) => ({ status: 500, raw: `upstream failed for ${req.target}` }));
    const e500 = await new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!e500.ok && e500.error.kind === 'http');
    assert.ok(!JSON.stringify(e500).includes(KEY));
    srv.reply((req) => ({ status: 200, raw: `<html>${req.target}</html>` }));
    const parse = await new IpqsClient({ baseUrl: srv.baseUrl, apiKey: KEY }).lookup('1.2.3.4');
    assert.ok(!parse.ok && parse.error.kind === 'parse');
    assert.ok(!JSON.stringify(parse).includes(KEY));
  });
});
