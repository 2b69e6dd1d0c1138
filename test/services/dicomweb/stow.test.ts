import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { PATIENTS, startDicomweb, stowBody, type DicomwebServer } from './harness.ts';

type Json = Record<string, { vr: string; Value?: Record<string, { vr: string; Value?: unknown[] }>[] | unknown[] }>;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function post(s: DicomwebServer, path: string, contentType: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; type: string; text: string; json: Json | null }> {
  const r = await fetch(s.base + path, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body: new Uint8Array(body) });
  const text = await r.text();
  const type = r.headers.get('content-type') ?? '';
  return { status: r.status, type, text, json: type.startsWith('application/dicom+json') ? (JSON.parse(text) as Json) : null };
}

/** GET from another loopback address (another "attacker"). */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function upload(s: DicomwebServer, name: string, n: number, study = `1.2.826.0.1.3680043.2.55.${n}`): Buffer {
  return readFileSync(makeDicomFile(s.dir, name, { patientName: 'Upload^Evil', patientId: `EVIL${n}`, studyUid: study, seriesUid: `${study}.1`, sopUid: `${study}.1.${n}` }));
}

const seq = (j: Json, tag: string): Record<string, { vr: string; Value?: unknown[] }>[] => (j[tag]?.Value ?? []) as Record<string, { vr: string; Value?: unknown[] }>[];

describe('STOW-RS', () => {
  let s: DicomwebServer;
  before(async () => {
    s = await startDicomweb();
  });
  after(async () => s.stop());

  test('POST /studies stores the instance in the quarantine (file with its SHA-256, a DB row) and answers 200', async () => {
    const file = upload(s, 'u1', 1);
    const { contentType, body } = stowBody([file]);
    const r = await post(s, '/studies', contentType, body);
    assert.equal(r.status, 200, r.text);
    const ref = seq(r.json!, '00081199');
    assert.equal(ref.length, 1);
    assert.equal(ref[0]!['00081155']!.Value![0], '1.2.826.0.1.3680043.2.55.1.1.1');
    assert.equal(ref[0]!['00081190']!.Value![0], `${s.base}/studies/1.2.826.0.1.3680043.2.55.1/series/1.2.826.0.1.3680043.2.55.1.1/instances/1.2.826.0.1.3680043.2.55.1.1.1`);
    assert.equal(r.json!['00081198'], undefined);
    const path = s.quarantine.pathOf(sha(file));
    assert.ok(existsSync(path));
    assert.deepEqual(readFileSync(path), file, 'kept exactly as sent');
    const row = s.db.prepare('SELECT channel, src_ip, sop_instance, size FROM quarantine_uploads WHERE sha256 = ?').get(sha(file)) as { channel: string; src_ip: string; sop_instance: string; size: number };
    assert.deepEqual(row, { channel: 'stow', src_ip: '127.0.0.1', sop_instance: '1.2.826.0.1.3680043.2.55.1.1.1', size: file.length });
    const ev = s.eventsOf('dicomhawk.dicomweb.store').at(-1)!;
    assert.equal(ev.status, 200);
    assert.deepEqual(ev.instances.map((i) => [i.sha256, i.accepted, i.quarantine_id]), [[sha(file), true, sha(file)]]);
  });

  test('the uploader sees its upload in QIDO-RS and WADO-RS; another address does not', async () => {
    const study = '1.2.826.0.1.3680043.2.55.1';
    const mine = await fetch(`${s.base}/studies?StudyInstanceUID=${study}`);
    assert.equal(mine.status, 200);
    assert.equal(((await mine.json()) as unknown[]).length, 1);
    assert.equal((await fetch(`${s.base}/studies/${study}`)).status, 200);
    assert.equal(await getFrom('127.0.0.2', `${s.base}/studies?StudyInstanceUID=${study}`), 204);
    assert.equal(await getFrom('127.0.0.2', `${s.base}/studies/${study}`), 404);
  });

  test('valid and invalid parts: 202, the failure with FailureReason 0xC000, both quarantined as evidence', async () => {
    const good = upload(s, 'u2', 2);
    const junk = Buffer.from('MZ\x90\x00 this is not DICOM at all');
    const { contentType, body } = stowBody([good, junk]);
    const r = await post(s, '/studies', contentType, body);
    assert.equal(r.status, 202);
    const failed = seq(r.json!, '00081198');
    assert.equal(failed.length, 1);
    assert.deepEqual(failed[0]!['00081197'], { vr: 'US', Value: [0xc000] });
    assert.equal(seq(r.json!, '00081199').length, 1);
    assert.deepEqual(readFileSync(s.quarantine.pathOf(sha(junk))), junk);
    const ev = s.eventsOf('dicomhawk.dicomweb.store').at(-1)!;
    assert.deepEqual(ev.instances.map((i) => [i.accepted, i.failure_reason]), [[true, null], [false, 0xc000]]);
    assert.equal(ev.instances[1]!.reason, 'not a DICOM Part-10 object');
  });

  test('a truncated DICOM object fails (0xC000) and nothing is stored: 409', async () => {
    const file = upload(s, 'u3', 3);
    const r = await post(s, '/studies', ...Object.values(stowBody([file.subarray(0, file.length - 20)])) as [string, Buffer]);
    assert.equal(r.status, 409);
    assert.deepEqual(seq(r.json!, '00081198')[0]!['00081197'], { vr: 'US', Value: [0xc000] });
    assert.match(s.eventsOf('dicomhawk.dicomweb.store').at(-1)!.instances[0]!.reason ?? '', /truncated/);
  });

  test('POST /studies/{uid} refuses an instance of another study (0xA900)', async () => {
    const file = upload(s, 'u4', 4);
    const { contentType, body } = stowBody([file]);
    const r = await post(s, `/studies/${PATIENTS[0]!.studyUid}`, contentType, body);
    assert.equal(r.status, 409);
    assert.deepEqual(seq(r.json!, '00081198')[0]!['00081197'], { vr: 'US', Value: [0xa900] });
    assert.equal(r.json!['00081190']!.Value![0], `${s.base}/studies/${PATIENTS[0]!.studyUid}`);
    const same = await post(s, '/studies/1.2.826.0.1.3680043.2.55.4', contentType, body);
    assert.equal(same.status, 200);
  });

  test('wrong media types are 415, a missing boundary or a broken body 400, an XML-only Accept 406', async () => {
    const file = upload(s, 'u5', 5);
    const ok = stowBody([file]);
    assert.equal((await post(s, '/studies', 'application/dicom', file)).status, 415);
    assert.equal((await post(s, '/studies', 'multipart/related; type="application/dicom+json"; boundary=x', Buffer.from('--x--'))).status, 415);
    const noBoundary = await post(s, '/studies', 'multipart/related; type="application/dicom"', ok.body);
    assert.equal(noBoundary.status, 400);
    assert.match(noBoundary.text, /no boundary/);
    const cut = await post(s, '/studies', ok.contentType, ok.body.subarray(0, ok.body.length - 30));
    assert.equal(cut.status, 400);
    assert.match(cut.text, /malformed multipart body: .*closing boundary/);
    const empty = await post(s, '/studies', ok.contentType, Buffer.from('--stowBoundary42--\r\n'));
    assert.equal(empty.status, 400);
    assert.match(empty.text, /holds no instance/);
    const untyped = await post(s, '/studies', 'multipart/related; boundary="stowBoundary42"', ok.body);
    assert.equal(untyped.status, 200, 'no type parameter: read as application/dicom parts');
    const nothing = await post(s, '/studies', ok.contentType, Buffer.alloc(0));
    assert.equal(nothing.status, 400);
    const xml = await post(s, '/studies', ok.contentType, ok.body, { accept: 'application/dicom+xml' });
    assert.equal(xml.status, 406);
    assert.match(xml.type, /^text\/plain/);
  });
});

describe('STOW-RS limits', () => {
  test('a body over DICOMWEB_MAX_REQUEST_BYTES is 413 (declared or streamed); too many parts is 413', async () => {
    const s = await startDicomweb({ DICOMWEB_MAX_REQUEST_BYTES: '2K', DICOMWEB_MAX_INSTANCES: '2' });
    try {
      const files = [1, 2, 3].map((n) => upload(s, `l${n}`, 10 + n));
      const big = stowBody([files[0]!, files[1]!, files[2]!]);
      const r = await post(s, '/studies', big.contentType, big.body);
      assert.equal(r.status, 413);
      assert.match(r.text, /larger than 2048 bytes/);
      // Chunked (no Content-Length): stopped while streaming.
      const streamed = await fetch(`${s.base}/studies`, {
        method: 'POST',
        headers: { 'content-type': big.contentType },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < big.body.length; i += 500) c.enqueue(big.body.subarray(i, i + 500));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      const small = (n: number): Buffer => Buffer.from(`part ${n}`);
      const many = stowBody([small(1), small(2), small(3)]);
      const m = await post(s, '/studies', many.contentType, many.body);
      assert.equal(m.status, 413);
      assert.match(m.text, /more than 2 instances/);
      const ev = s.eventsOf('dicomhawk.dicomweb.store').at(-1)!;
      assert.equal(ev.status, 413);
      assert.equal(ev.instances.length, 2, 'what arrived before the limit is kept and recorded');
    } finally {
      await s.stop();
    }
  });

  test('a third upload in flight from one address is 429; the first two complete', async () => {
    const s = await startDicomweb();
    try {
      const file = upload(s, 'c1', 31);
      const { contentType, body } = stowBody([file]);
      const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
      const slow = (): Promise<Response> =>
        fetch(`${s.base}/studies`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new Uint8Array(body.subarray(0, 100)));
              controllers.push(c);
            },
          }),
          duplex: 'half',
        } as RequestInit);
      const a = slow();
      const b = slow();
      await new Promise((r) => setTimeout(r, 300));
      const third = await post(s, '/studies', contentType, body);
      assert.equal(third.status, 429);
      for (const c of controllers) {
        c.enqueue(new Uint8Array(body.subarray(100)));
        c.close();
      }
      assert.deepEqual([(await a).status, (await b).status], [200, 200]);
      assert.equal((await post(s, '/studies', contentType, body)).status, 200, 'slots are released');
    } finally {
      await s.stop();
    }
  });

  test('past the per-address quarantine quota: FailureReason 0xA700 and HTTP 507', async () => {
    const s = await startDicomweb({ QUARANTINE_MAX_BYTES_PER_IP: '1000' });
    try {
      const a = upload(s, 'q1', 21);
      const b = upload(s, 'q2', 22);
      const first = await post(s, '/studies', ...Object.values(stowBody([a])) as [string, Buffer]);
      assert.equal(first.status, 200);
      const second = await post(s, '/studies', ...Object.values(stowBody([b])) as [string, Buffer]);
      assert.equal(second.status, 507);
      assert.deepEqual(seq(second.json!, '00081198')[0]!['00081197'], { vr: 'US', Value: [0xa700] });
      assert.ok(!existsSync(s.quarantine.pathOf(sha(b))), 'nothing written past the quota');
      assert.equal(s.quarantine.bytesFrom('127.0.0.1'), a.length);
      const filler = Buffer.alloc(1000 - a.length, 0x42);
      const third = await post(s, '/studies', ...Object.values(stowBody([filler])) as [string, Buffer]);
      assert.equal(third.status, 409, 'what still fits is quarantined and judged (not DICOM: refused)');
      assert.equal(s.quarantine.bytesFrom('127.0.0.1'), 1000);
      const full = await post(s, '/studies', ...Object.values(stowBody([b])) as [string, Buffer]);
      assert.equal(full.status, 507);
      assert.equal(full.text, 'upload quota of this address exhausted\n', 'an exhausted quota is refused before the body is read');
    } finally {
      await s.stop();
    }
  });
});
