import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NbiaClient, NbiaError } from '../../../src/domain/tcia/nbiaClient.ts';
import { startFakeNbia, type FakeNbia } from '../../helpers/fakeNbia.ts';
import { fakeSeries } from './helpers.ts';

describe('NBIA client', () => {
  let nbia: FakeNbia;
  let dir: string;
  before(async () => {
    nbia = await startFakeNbia({ series: [fakeSeries('LIDC-IDRI', 1, 1, 1, 2), fakeSeries('TCGA-LUAD', 2, 1, 1, 3, 'MR')], tokenLifetimeS: 3600 });
    dir = mkdtempSync(join(tmpdir(), 'dh-nbia-'));
  });
  after(async () => {
    await nbia.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const since = (n: number) => nbia.requests.slice(n);

  it('without credentials uses the public v1 endpoints and sends no token', async () => {
    const n = nbia.requests.length;
    const c = new NbiaClient({ apiUrl: nbia.url });
    const list = await c.getSeries({ modality: 'MR' });
    assert.deepEqual(list.map((s) => [s.modality, s.collection, s.imageCount]), [['MR', 'TCGA-LUAD', 3]]);
    const reqs = since(n);
    assert.equal(reqs.length, 1);
    assert.equal(reqs[0]?.path, '/nbia-api/services/v1/getSeries');
    assert.deepEqual(reqs[0]?.query, { Modality: 'MR', format: 'json' });
    assert.equal(reqs[0]?.authorization, null);
  });

  it('logs in with the password grant, calls v2 with the bearer token, and refreshes it before it expires', async () => {
    let clock = 1_000_000;
    const c = new NbiaClient({ apiUrl: nbia.url, username: 'alice', password: 's3cret', now: () => clock });
    const n = nbia.requests.length;
    const g = nbia.grants.length;
    await c.getSeries({ modality: 'CT', collection: 'LIDC-IDRI' });
    await c.getSeries({ modality: 'CT' });
    const first = since(n);
    assert.deepEqual(first.map((r) => r.path), ['/nbia-api/oauth/token', '/nbia-api/services/v2/getSeries', '/nbia-api/services/v2/getSeries']);
    assert.deepEqual(first[0]?.form, { grant_type: 'password', username: 'alice', password: 's3cret', client_id: 'NBIA' });
    const token = nbia.grants[g]?.token;
    assert.equal(first[1]?.authorization, `Bearer ${token}`);
    assert.equal(first[2]?.authorization, `Bearer ${token}`, 'one login serves later calls');
    assert.deepEqual(first[1]?.query, { Modality: 'CT', format: 'json', Collection: 'LIDC-IDRI' });

    clock += 3600_000 - 30_000; // 30 s before expiry: inside the refresh margin
    const m = nbia.requests.length;
    await c.getSeries({ modality: 'CT' });
    const second = since(m);
    assert.equal(second[0]?.path, '/nbia-api/oauth/token');
    assert.equal(second[0]?.form?.grant_type, 'refresh_token');
    assert.match(second[0]?.form?.refresh_token ?? '', /^rt-/);
    assert.equal(nbia.grants.at(-1)?.kind, 'refresh_token');
    assert.equal(second[1]?.authorization, `Bearer ${nbia.grants.at(-1)?.token}`);
  });

  it('logs in again once when the server rejects a token it considers expired', async () => {
    const c = new NbiaClient({ apiUrl: nbia.url, username: 'alice', password: 's3cret' });
    await c.getSeries({ modality: 'CT' });
    nbia.expireTokens();
    const n = nbia.requests.length;
    const list = await c.getSeries({ modality: 'CT' });
    assert.equal(list.length, 1);
    assert.deepEqual(since(n).map((r) => `${r.path} ${r.form?.grant_type ?? ''}`.trim()), ['/nbia-api/services/v2/getSeries', '/nbia-api/oauth/token password', '/nbia-api/services/v2/getSeries']);
  });

  it('refuses a wrong password with an auth error that does not quote the password', async () => {
    const c = new NbiaClient({ apiUrl: nbia.url, username: 'alice', password: 'wrong-pass-123' });
    await assert.rejects(c.getSeries({ modality: 'CT' }), (e: unknown) => e instanceof NbiaError && e.kind === 'auth' && !e.message.includes('wrong-pass-123'));
  });

  it('retries a failing download with backoff, then succeeds', async () => {
    const s = nbia.series[0]!;
    nbia.mode(s.seriesInstanceUid, 'fail', 2);
    const waits: number[] = [];
    const c = new NbiaClient({ apiUrl: nbia.url, retries: 3, sleep: async (ms) => void waits.push(ms), backoff: { baseMs: 100, maxMs: 1000 } });
    const dest = join(dir, 'a.zip');
    const r = await c.downloadSeries(s.seriesInstanceUid, dest, { maxBytes: 1 << 20 });
    assert.equal(nbia.downloads(s.seriesInstanceUid).length, 3);
    assert.equal(waits.length, 2);
    assert.ok(waits[1]! > waits[0]! / 2 && waits[0]! >= 50 && waits[1]! >= 100, `exponential backoff: ${waits.join(', ')}`);
    assert.equal(readFileSync(dest).subarray(0, 2).toString('latin1'), 'PK');
    assert.equal(r.bytes, readFileSync(dest).length);
  });

  it('gives up after the configured retries, and refuses a download above the size cap', async () => {
    const s = nbia.series[1]!;
    nbia.mode(s.seriesInstanceUid, 'fail', 10);
    const c = new NbiaClient({ apiUrl: nbia.url, retries: 1, sleep: async () => undefined });
    const before = nbia.downloads(s.seriesInstanceUid).length;
    await assert.rejects(c.downloadSeries(s.seriesInstanceUid, join(dir, 'b.zip'), { maxBytes: 1 << 20 }), (e: unknown) => e instanceof NbiaError && e.status === 500);
    assert.equal(nbia.downloads(s.seriesInstanceUid).length - before, 2);
    nbia.mode(s.seriesInstanceUid, 'ok');
    await assert.rejects(c.downloadSeries(s.seriesInstanceUid, join(dir, 'c.zip'), { maxBytes: 100 }), (e: unknown) => e instanceof NbiaError && e.kind === 'too-large');
  });

  it('times out a stalled download instead of hanging', async () => {
    const s = nbia.series[0]!;
    nbia.mode(s.seriesInstanceUid, 'stall', 1);
    const c = new NbiaClient({ apiUrl: nbia.url, retries: 0, timeoutMs: 300 });
    const t0 = Date.now();
    await assert.rejects(c.downloadSeries(s.seriesInstanceUid, join(dir, 'd.zip'), { maxBytes: 1 << 20 }), (e: unknown) => e instanceof NbiaError && e.kind === 'timeout');
    assert.ok(Date.now() - t0 < 5000);
  });
});
