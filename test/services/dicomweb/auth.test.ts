import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startDicomweb } from './harness.ts';

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('DICOMweb authentication (DICOMWEB_AUTH)', () => {
  test('basic: 401 with a Basic challenge until the configured credentials are sent; every attempt is an event', async () => {
    const s = await startDicomweb({ DICOMWEB_AUTH: 'basic', DICOMWEB_CREDENTIALS: 'radiology:Pacs2024!' });
    try {
      const none = await fetch(`${s.base}/studies`);
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Basic realm="DICOMweb", charset="UTF-8"');
      assert.equal(s.eventsOf('dicomhawk.dicomweb.auth').length, 0, 'no header, no attempt');
      assert.equal(s.eventsOf('dicomhawk.dicomweb.query').length, 0, 'the query never ran');
      const wrong = await fetch(`${s.base}/studies`, { headers: { authorization: basic('admin', 'admin') } });
      assert.equal(wrong.status, 401);
      const right = await fetch(`${s.base}/studies`, { headers: { authorization: basic('radiology', 'Pacs2024!') } });
      assert.equal(right.status, 200);
      const bearer = await fetch(`${s.base}/studies`, { headers: { authorization: 'Bearer abc.def' } });
      assert.equal(bearer.status, 401, 'the wrong scheme');
      const garbage = await fetch(`${s.base}/studies`, { headers: { authorization: 'Basic %%%' } });
      assert.equal(garbage.status, 401);
      const ev = s.eventsOf('dicomhawk.dicomweb.auth');
      assert.deepEqual(
        ev.map((e) => [e.scheme, e.username, e.password, e.token, e.outcome]),
        [
          ['Basic', 'admin', 'admin', null, 'rejected'],
          ['Basic', 'radiology', 'Pacs2024!', null, 'accepted'],
          ['Bearer', null, null, 'abc.def', 'rejected'],
          ['Basic', null, null, '%%%', 'malformed'],
        ],
      );
      assert.ok(ev.every((e) => e.required === 'basic'));
    } finally {
      await s.stop();
    }
  });

  test('bearer: the configured token passes, others get error="invalid_token"; * accepts any token', async () => {
    const s = await startDicomweb({ DICOMWEB_AUTH: 'bearer', DICOMWEB_CREDENTIALS: 'tok-1' });
    try {
      const bad = await fetch(`${s.base}/studies`, { headers: { authorization: 'Bearer nope' } });
      assert.equal(bad.status, 401);
      assert.equal(bad.headers.get('www-authenticate'), 'Bearer realm="DICOMweb", error="invalid_token"');
      assert.equal((await fetch(`${s.base}/studies`)).headers.get('www-authenticate'), 'Bearer realm="DICOMweb"');
      assert.equal((await fetch(`${s.base}/studies`, { headers: { authorization: 'Bearer tok-1' } })).status, 200);
    } finally {
      await s.stop();
    }
    const any = await startDicomweb({ DICOMWEB_AUTH: 'bearer', DICOMWEB_CREDENTIALS: '*' });
    try {
      assert.equal((await fetch(`${any.base}/studies`, { headers: { authorization: 'Bearer whatever' } })).status, 200);
      assert.equal(any.eventsOf('dicomhawk.dicomweb.auth')[0]!.outcome, 'accepted');
    } finally {
      await any.stop();
    }
  });

  test('none (the default): requests pass, and a sent Authorization header is still logged', async () => {
    const s = await startDicomweb();
    try {
      const r = await fetch(`${s.base}/studies`, { headers: { authorization: basic('root', 'toor') } });
      assert.equal(r.status, 200);
      const [e] = s.eventsOf('dicomhawk.dicomweb.auth');
      assert.deepEqual([e!.username, e!.password, e!.required, e!.outcome], ['root', 'toor', 'none', 'not_required']);
    } finally {
      await s.stop();
    }
  });
});
