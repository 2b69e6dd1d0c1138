import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startDicomweb, type DicomwebServer } from './harness.ts';

describe('DICOMweb errors look like an origin server, not a framework', () => {
  let s: DicomwebServer;
  before(async () => {
    s = await startDicomweb();
  });
  after(async () => s.stop());

  test('an unknown resource is 404 plain text', async () => {
    const r = await fetch(`${s.base}/workitems`);
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await r.text(), 'no such resource\n');
  });

  test('a method a resource does not support is 405 with Allow', async () => {
    const del = await fetch(`${s.base}/studies`, { method: 'DELETE' });
    assert.equal(del.status, 405);
    assert.equal(del.headers.get('allow'), 'GET, POST, HEAD');
    const put = await fetch(`${s.base}/series`, { method: 'POST', body: 'x' });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'GET, HEAD');
  });

  test('no header names the framework; no JSON error objects', async () => {
    for (const [path, init] of [
      ['/studies?limit=x', {}],
      ['/nope', {}],
      ['/studies', { method: 'PATCH' }],
      ['/studies', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' }],
    ] as [string, RequestInit][]) {
      const r = await fetch(`${s.base}${path}`, init);
      const text = await r.text();
      assert.ok(r.status >= 400, path);
      assert.equal(r.headers.get('x-powered-by'), null);
      assert.doesNotMatch(text, /fastify|FST_|"statusCode"/i, path);
    }
  });
});
