/**
 * The original DICOMHawk README's quick tour, command by command, against our server: each must work and
 * return what a user expects from the matching patient.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeDicomFile } from '../../../helpers/dicomFiles.ts';
import { run } from '../../../helpers/dimseServer.ts';
import { PATIENTS, startQrServer, type QrServer } from '../../../helpers/qrServer.ts';

let s: QrServer;
before(async () => {
  s = await startQrServer();
});
after(async () => s.stop());

const hp = () => [s.host, String(s.port)];
const pending = (out: string) => (out.match(/Find Response: \d+ \(Pending\)/g) ?? []).length;
const completed = (out: string) => Number(/Number of Completed Suboperations\s*:\s*(\d+)/.exec(out)?.[1] ?? -1);
const nielsen = PATIENTS[3]!;

test('echoscu HOST PORT', async () => {
  const r = await run('echoscu', hp());
  assert.equal(r.code, 0, r.stderr);
});

test('findscu -v -S -k QueryRetrieveLevel=PATIENT: answered leniently with the patients, not a failure', async () => {
  const r = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=PATIENT', ...hp()]);
  assert.match(r.stderr, /Received Final Find Response \(Success\)/);
  assert.equal(pending(r.stderr), 3);
});

test('findscu -v -S -k QueryRetrieveLevel=PATIENT -k PatientName=<name>', async () => {
  const r = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=PATIENT', '-k', `PatientName=${nielsen.patientName}`, ...hp()]);
  assert.equal(pending(r.stderr), 1);
  assert.match(r.stderr, /Nielsen\^Anne/);
});

test('findscu -v -S -k QueryRetrieveLevel=STUDY, and with -k StudyInstanceUID=<uid>', async () => {
  const all = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', ...hp()]);
  assert.equal(pending(all.stderr), 3);
  const one = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${nielsen.studyUid}`, ...hp()]);
  assert.equal(pending(one.stderr), 1);
  assert.match(one.stderr, new RegExp(nielsen.studyUid.replace(/\./g, '\\.')));
});

test('getscu -v -S -k QueryRetrieveLevel=STUDY -k StudyInstanceUID=<uid>', async () => {
  const out = mkdtempSync(join(tmpdir(), 'dh-tour-'));
  const r = await run('getscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-od', out, ...hp()]);
  assert.equal(completed(r.stderr), 3);
  assert.equal(readdirSync(out).length, 3);
});

test('getscu -v -S -k QueryRetrieveLevel=STUDY -k PatientName=<name>: a retrieve by a non-unique key is served', async () => {
  const out = mkdtempSync(join(tmpdir(), 'dh-tour-'));
  const r = await run('getscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientName=${nielsen.patientName}`, '-od', out, ...hp()]);
  assert.equal(completed(r.stderr), 1);
  assert.equal(readdirSync(out).length, 1);
});

test('getscu -v -S -k QueryRetrieveLevel=SERIES -k SeriesInstanceUID=<uid>', async () => {
  const out = mkdtempSync(join(tmpdir(), 'dh-tour-'));
  const r = await run('getscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=SERIES', '-k', `SeriesInstanceUID=${PATIENTS[0]!.seriesUid}`, '-od', out, ...hp()]);
  assert.equal(completed(r.stderr), 2, r.stderr);
  assert.equal(readdirSync(out).length, 2);
});

test('storescu -v -d HOST PORT <file>', async () => {
  const f = makeDicomFile(s.dir, 'tour', { patientName: 'Tour^Upload', patientId: 'T-1', studyUid: '1.2.3.888', seriesUid: '1.2.3.888.1', sopUid: '1.2.3.888.1.1' });
  const r = await run('storescu', ['-v', '-d', ...hp(), f]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /DIMSE Status\s+: 0x0000: Success|Received Store Response[\s\S]*Success/);
});
