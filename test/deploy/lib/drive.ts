/**
 * Drives a running honeypot the way attackers and scanners do, with real clients: DCMTK (echoscu, findscu, getscu,
 * movescu, storescu), curl against the web surfaces when they are registered, and a raw TCP client for what no tool
 * sends on purpose (a malformed PDU, an unsupported protocol version, silence). Each step is recorded with its
 * outcome; a failing step is noted, not thrown: the events it did or did not produce are what the tests look at.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { encodeAssociateRq } from '../../../src/services/dimse/pdu/associateRq.ts';
import { encodePData } from '../../../src/services/dimse/pdu/pData.ts';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import type { Honeypot } from './honeypot.ts';
import { exchange } from '../../helpers/rawClient.ts';

export interface Step {
  step: string;
  ok: boolean;
  detail: string;
}

function run(cmd: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { env: { ...process.env, TCP_NODELAY: '1' }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

/** Sends raw bytes, waits for the peer to close (or `waitMs`), returns what came back (nothing when it cannot connect). */
async function raw(port: number, bytes: Buffer | null, waitMs: number): Promise<Buffer> {
  const r = await exchange(port, bytes ? [bytes] : [], { waitMs }).catch(() => null);
  return r?.received ?? Buffer.alloc(0);
}

/** Sends the first message, and each next one after the peer answered the previous; returns all that came back. */
function rawConversation(port: number, messages: Buffer[], waitMs: number): Promise<Buffer> {
  return new Promise((resolve) => {
    const got: Buffer[] = [];
    const queue = [...messages];
    const s = connect({ host: '127.0.0.1', port });
    const done = (): void => {
      clearTimeout(t);
      s.destroy();
      resolve(Buffer.concat(got));
    };
    const t = setTimeout(done, waitMs);
    s.on('data', (d: Buffer) => {
      got.push(d);
      const next = queue.shift();
      if (next) s.write(next);
    });
    s.on('close', done);
    s.on('error', done);
    s.on('connect', () => s.write(queue.shift()!));
  });
}

export async function driveDimse(hp: Honeypot, steps: Step[]): Promise<void> {
  const hpArgs = ['127.0.0.1', String(hp.dicomPort)];
  const note = (step: string, r: { code: number; stderr: string }, expectFailure = false) =>
    steps.push({ step, ok: (r.code === 0) !== expectFailure, detail: r.code === 0 ? 'exit 0' : `exit ${r.code}: ${r.stderr.split('\n').filter(Boolean).slice(-1)[0] ?? ''}` });
  note('echoscu', await run('echoscu', ['-aet', 'SCANNER', ...hpArgs]));
  note('echoscu --abort', await run('echoscu', ['--abort', ...hpArgs]));
  note('findscu PATIENT PatientName=*', await run('findscu', ['-S', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=*', '-k', 'PatientID', ...hpArgs]));
  const studies = await run('findscu', ['-v', '-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', ...hpArgs]);
  note('findscu STUDY', studies);
  const uids = [...`${studies.stdout}\n${studies.stderr}`.matchAll(/\(0020,000d\) UI \[([0-9.]+)\]/g)].map((m) => m[1]!);
  // No study found breaks every retrieve step after this one: say so, with what findscu printed last.
  const lastLines = `${studies.stdout}\n${studies.stderr}`.split('\n').filter(Boolean).slice(-4).join(' | ');
  steps.push({ step: 'findscu STUDY found a study to retrieve', ok: uids.length > 0, detail: uids.length > 0 ? `${uids.length} studies` : `none; findscu printed: ${lastLines}` });
  const study = uids[0] ?? '1.2.3.4';
  note('findscu STUDY --cancel 1', await run('findscu', ['-S', '--cancel', '1', '-k', 'QueryRetrieveLevel=STUDY', ...hpArgs]));
  const out = mkdtempSync(join(tmpdir(), 'dh-get-'));
  note(`getscu STUDY ${study}`, await run('getscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '-od', out, ...hpArgs]));
  note('movescu to an unknown AE (refused 0xA801, as expected)', await run('movescu', ['-S', '-aem', 'EXFIL_AE', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, ...hpArgs]), true);
  const file = makeDicomFile(mkdtempSync(join(tmpdir(), 'dh-store-')), 'upload', {
    patientName: 'Doe^John',
    patientId: 'X1',
    studyUid: '1.2.826.0.1.3680043.2.99.77',
    seriesUid: '1.2.826.0.1.3680043.2.99.77.1',
    sopUid: '1.2.826.0.1.3680043.2.99.77.1.1',
    modality: 'CT',
    studyDate: '20250101',
  });
  note('storescu', await run('storescu', [...hpArgs, file]));
  // Raw bytes: an A-ASSOCIATE-RQ whose declared length is shorter than its fixed fields (malformed).
  await raw(hp.dicomPort, Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0xff]), 3000);
  steps.push({ step: 'raw: truncated A-ASSOCIATE-RQ', ok: true, detail: 'sent' });
  // An A-ASSOCIATE-RQ with protocol version 2 (the persona rejects it).
  const rq = encodeAssociateRq({ calledAe: 'PACS', callingAe: 'PROBE', contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }], userInfo: { maxPdu: 16384, implClassUid: '2.25.1', implVersionName: 'PROBE' } });
  rq.writeUInt16BE(2, 6);
  const rj = await raw(hp.dicomPort, rq, 3000);
  steps.push({ step: 'raw: A-ASSOCIATE-RQ protocol version 2', ok: rj[0] === 0x03, detail: `answered PDU type 0x${(rj[0] ?? 0).toString(16)}` });
  // An association, then a P-DATA-TF whose command set is not a DIMSE command (malformed DIMSE).
  const ok = encodeAssociateRq({ calledAe: 'PACS', callingAe: 'PROBE', contexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }], userInfo: { maxPdu: 16384, implClassUid: '2.25.1', implVersionName: 'PROBE' } });
  const garbage = encodePData([{ contextId: 1, command: true, last: true, data: Buffer.from([0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f]) }]);
  const answer = await rawConversation(hp.dicomPort, [ok, garbage], 3000);
  steps.push({ step: 'raw: association, then a malformed DIMSE command', ok: answer[0] === 0x02, detail: `first answer PDU type 0x${(answer[0] ?? 0).toString(16)}` });
  // Connect and say nothing: the ARTIM timer (DICOM_ASSOCIATE_TIMEOUT_MS) cuts it.
  await raw(hp.dicomPort, null, 4000);
  steps.push({ step: 'raw: silent connection', ok: true, detail: 'waited for ARTIM' });
}

function tokenOf(events: readonly HawkEvent[]): string | null {
  const e = events.find((x) => x.eventid === 'dicomhawk.honeytoken.issued');
  return e && e.eventid === 'dicomhawk.honeytoken.issued' ? e.token : null;
}

/** curl against the portal and the DICOMweb decoy (when the web surface runs). */
export async function driveWeb(hp: Honeypot, steps: Step[], studyUid: string | null): Promise<void> {
  const base = `http://127.0.0.1:${hp.apiPort}`;
  const dir = mkdtempSync(join(tmpdir(), 'dh-curl-'));
  const jar = join(dir, 'cookies.txt');
  const curl = async (step: string, args: string[], expect = /^[23]/): Promise<string> => {
    const r = await run('curl', ['-sS', '-o', join(dir, 'body'), '-w', '%{http_code}', '-A', 'Mozilla/5.0 (deploy-test)', '-b', jar, '-c', jar, ...args]);
    steps.push({ step: `curl ${step}`, ok: r.code === 0 && expect.test(r.stdout), detail: r.code === 0 ? `HTTP ${r.stdout}` : `curl exit ${r.code} ${r.stderr.trim()}` });
    try {
      return readFileSync(join(dir, 'body'), 'utf8');
    } catch {
      return '';
    }
  };
  await curl('GET /', [`${base}/`]);
  await curl('GET /robots.txt', [`${base}/robots.txt`]);
  await curl('GET /admin', [`${base}/admin`]);
  const login = await curl('GET /login', [`${base}/login`]);
  const csrf = /name="_csrf" value="([^"]*)"/.exec(login)?.[1] ?? '';
  await curl('POST /login (wrong password: 401 expected)', ['--data-urlencode', `_csrf=${csrf}`, '--data-urlencode', 'username=admin', '--data-urlencode', 'password=admin123', `${base}/login`], /^401$/);
  await curl('POST /login (honey credentials)', ['--data-urlencode', `_csrf=${csrf}`, '--data-urlencode', 'username=test', '--data-urlencode', 'password=test', `${base}/login`]);
  const search = await curl('GET /search', [`${base}/search`]);
  const csrf2 = /name="_csrf" value="([^"]*)"/.exec(search)?.[1] ?? csrf;
  const exe = join(dir, 'update.exe');
  writeFileSync(exe, Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('This program cannot be run in DOS mode.')]));
  // Not DICOM: quarantined and refused (400) — the upload event records it either way.
  await curl('POST /upload (an .exe, refused with 400)', ['-F', `_csrf=${csrf2}`, '-F', `file=@${exe}`, `${base}/upload`], /^(200|400)$/);
  if (studyUid) await curl('GET /download/studies/<uid>', [`${base}/download/studies/${studyUid}`]);
  const token = tokenOf(hp.events);
  if (token) await curl('GET /t/<honeytoken>', [`${base}/t/${token}`]);
  await curl('GET /dicom-web/studies (QIDO-RS)', ['-u', 'pacs:pacs', '-H', 'Accept: application/dicom+json', `${base}/dicom-web/studies?PatientName=*`]);
  if (studyUid) await curl('GET /dicom-web/studies/<uid>/metadata (WADO-RS)', ['-u', 'pacs:pacs', '-H', 'Accept: application/dicom+json', `${base}/dicom-web/studies/${studyUid}/metadata`]);
  const dcm = makeDicomFile(dir, 'stow', { patientName: 'Stow^Test', patientId: 'S1', studyUid: '1.2.826.0.1.3680043.2.99.88', seriesUid: '1.2.826.0.1.3680043.2.99.88.1', sopUid: '1.2.826.0.1.3680043.2.99.88.1.1', modality: 'CT', studyDate: '20250101' });
  const boundary = 'DICOMHAWKTESTBOUNDARY';
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), readFileSync(dcm), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  writeFileSync(join(dir, 'stow.body'), body);
  await curl('POST /dicom-web/studies (STOW-RS)', ['-u', 'pacs:pacs', '-H', `Content-Type: multipart/related; type="application/dicom"; boundary=${boundary}`, '-H', 'Accept: application/dicom+json', '--data-binary', `@${join(dir, 'stow.body')}`, `${base}/dicom-web/studies`]);
}
