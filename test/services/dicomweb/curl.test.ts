/** QIDO-RS, WADO-RS and STOW-RS driven by curl (and the retrieved objects read by DCMTK's dcmdump), checked against the archive. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { PATIENTS, parseMultipart, startDicomweb, stowBody, type DicomwebServer } from './harness.ts';

const run = promisify(execFile);
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** curl -s -D <headers> -o <body> …; returns the status line's code, the headers and the body. */
async function curl(dir: string, args: string[]): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const h = join(dir, `h-${process.hrtime.bigint()}`);
  const b = join(dir, `b-${process.hrtime.bigint()}`);
  await run('curl', ['-s', '-S', '-D', h, '-o', b, ...args]);
  const lines = readFileSync(h, 'latin1').split('\r\n');
  const status = Number(/^HTTP\/[\d.]+ (\d{3})/.exec(lines[0] ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const c = l.indexOf(':');
    if (c > 0) headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
  }
  let body: Buffer;
  try {
    body = readFileSync(b);
  } catch {
    body = Buffer.alloc(0);
  }
  return { status, headers, body };
}

describe('DICOMweb with curl', () => {
  let s: DicomwebServer;
  before(async () => {
    s = await startDicomweb();
  });
  after(async () => s.stop());

  test('QIDO-RS: curl lists the studies the archive holds', async () => {
    const r = await curl(s.dir, ['-H', 'Accept: application/dicom+json', `${s.base}/studies?PatientID=*&includefield=StudyDescription`]);
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^application\/dicom\+json/);
    const studies = JSON.parse(r.body.toString('utf8')) as Record<string, { Value?: unknown[] }>[];
    const lease = s.archive.acquire();
    try {
      const rows = lease.db.prepare('SELECT "StudyInstanceUID" AS uid FROM studies WHERE owner_ip IS NULL ORDER BY 1').all() as { uid: string }[];
      assert.deepEqual(studies.map((d) => d['0020000D']!.Value![0]).sort(), rows.map((x) => x.uid));
    } finally {
      lease.release();
    }
    const none = await curl(s.dir, [`${s.base}/studies?PatientName=Nobody`]);
    assert.equal(none.status, 204);
    const bad = await curl(s.dir, [`${s.base}/studies?limit=ten`]);
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /limit must be a non-negative integer/);
  });

  test('WADO-RS: curl retrieves a study; every part is the archived file and dcmdump reads it', async () => {
    const study = PATIENTS[0]!.studyUid;
    const r = await curl(s.dir, ['-H', 'Accept: multipart/related; type="application/dicom"', `${s.base}/studies/${study}`]);
    assert.equal(r.status, 200);
    const parts = parseMultipart(r.headers['content-type']!, r.body);
    const expected = PATIENTS.filter((p) => p.studyUid === study);
    assert.equal(parts.length, expected.length);
    for (const [i, part] of parts.entries()) {
      const file = join(s.dir, `part${i}.dcm`);
      writeFileSync(file, part.body);
      const dump = await run('dcmdump', ['+P', 'SOPInstanceUID', file]);
      const sop = /\[([\d.]+)\]/.exec(dump.stdout)?.[1] ?? '';
      assert.ok(expected.some((p) => p.sopUid === sop), sop);
      assert.equal(sha(part.body), sha(readFileSync(s.fileOf(sop))));
    }
    const meta = await curl(s.dir, [`${s.base}/studies/${study}/series/${PATIENTS[0]!.seriesUid}/metadata`]);
    assert.equal(meta.status, 200);
    assert.equal((JSON.parse(meta.body.toString()) as unknown[]).length, 2);
    const notAcceptable = await curl(s.dir, ['-H', 'Accept: application/pdf', `${s.base}/studies/${study}`]);
    assert.equal(notAcceptable.status, 406);
  });

  test('STOW-RS: curl uploads into the quarantine; the uploader sees it, another address does not', async () => {
    const study = '1.2.826.0.1.3680043.2.66.1';
    const file = readFileSync(makeDicomFile(s.dir, 'curl-up', { patientName: 'Curl^Upload', patientId: 'CURL1', studyUid: study, seriesUid: `${study}.1`, sopUid: `${study}.1.1` }));
    const { contentType, body } = stowBody([file], 'curlBoundary7');
    const bodyFile = join(s.dir, 'stow.mime');
    writeFileSync(bodyFile, body);
    const r = await curl(s.dir, ['-X', 'POST', '-H', `Content-Type: ${contentType}`, '-H', 'Accept: application/dicom+json', '--data-binary', `@${bodyFile}`, `${s.base}/studies`]);
    assert.equal(r.status, 200, r.body.toString());
    const answer = JSON.parse(r.body.toString()) as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
    assert.equal(answer['00081199']!.Value![0]!['00081155']!.Value![0], `${study}.1.1`);
    assert.deepEqual(readFileSync(s.quarantine.pathOf(sha(file))), file, 'quarantined byte for byte under its SHA-256');
    const row = s.db.prepare("SELECT count(*) AS n FROM quarantine_uploads WHERE sha256 = ? AND channel = 'stow'").get(sha(file)) as { n: number };
    assert.equal(row.n, 1);
    const mine = await curl(s.dir, [`${s.base}/studies?StudyInstanceUID=${study}`]);
    assert.equal(mine.status, 200);
    const theirs = await curl(s.dir, ['--interface', '127.0.0.2', `${s.base}/studies?StudyInstanceUID=${study}`]);
    assert.equal(theirs.status, 204);
    const back = await curl(s.dir, [`${s.base}/studies/${study}`]);
    assert.deepEqual(parseMultipart(back.headers['content-type']!, back.body)[0]!.body, file, 'WADO-RS gives the uploader its object back');
  });
});
