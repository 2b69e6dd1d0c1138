/**
 * Query/Retrieve with the real DCMTK tools against a server started by the test, results checked against the
 * dataset and against DCMTK's dcmqrscp on the same files.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { splitPart10 } from '../../../../src/domain/dicom/part10.ts';
import { Dcmqrscp, findResponses } from '../../../helpers/dcmqrscp.ts';
import { makeDicomFile } from '../../../helpers/dicomFiles.ts';
import { run } from '../../../helpers/dimseServer.ts';
import { freePort, waitFor } from '../../../helpers/net.ts';
import { PATIENTS, startQrServer, type QrServer } from '../../../helpers/qrServer.ts';

const datasetOf = (buf: Buffer) => buf.subarray(splitPart10(buf)!.datasetOffset);
const responses = (out: string) => (out.match(/Find Response: \d+ \(Pending\)/g) ?? []).length;

let s: QrServer;
let storescpPort = 0;
const storescpDir = mkdtempSync(join(tmpdir(), 'dh-storescp-'));

before(async () => {
  storescpPort = await freePort();
  s = await startQrServer({ moveDestinations: [{ ae: 'STORESCP', host: '127.0.0.1', port: storescpPort }] });
});
after(async () => s.stop());

describe('C-FIND with findscu', () => {
  const find = (args: string[]) => run('findscu', ['-v', ...args, s.host, String(s.port)]);

  test('Patient Root and Study Root at every level with wildcards, ranges and UID lists match the dataset', async () => {
    const cases: Array<[string[], number]> = [
      [['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=*'], 3],
      [['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID=0?0?*'], 3],
      [['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=Nielsen^Anne'], 1],
      [['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=20230101-'], 2],
      [['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=-20230101'], 1],
      [['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyDate=20230101-20231231'], 1],
      [['-S', '-k', `QueryRetrieveLevel=STUDY`, '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}\\${PATIENTS[3]!.studyUid}`], 2],
      [['-S', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', 'Modality=C?'], 2],
      [['-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', `SeriesInstanceUID=${PATIENTS[0]!.seriesUid}`, '-k', 'SOPInstanceUID'], 2],
      [['-P', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientID=010170-1235', '-k', 'StudyInstanceUID'], 1],
    ];
    for (const [args, want] of cases) {
      const r = await find(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr + r.stdout, /Received Final Find Response \(Success\)/);
      assert.equal(responses(r.stderr + r.stdout), want, args.join(' '));
    }
  });

  test('responses carry exactly the requested keys (zero length when unknown) and the match count is an event', async () => {
    const r = await find(['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=Jensen*', '-k', 'StudyInstanceUID', '-k', 'StudyDate', '-k', 'ModalitiesInStudy', '-k', 'NumberOfStudyRelatedInstances', '-k', 'StudyDescription']);
    const [resp] = findResponses(r.stderr + r.stdout);
    assert.equal(
      resp,
      `(0008,0020) [20240102] | (0008,0061) [CT] | (0008,1030) (no value available) | (0010,0010) [Jensen^S\ufffdren] | (0020,000d) [${PATIENTS[0]!.studyUid}] | (0020,1208) [3]`,
    );
    await waitFor(() => s.events().some((e) => e.eventid === 'dicomhawk.dimse.find' && e.keys.some((k) => k.value === 'Jensen*')));
    const ev = s.events().find((e) => e.eventid === 'dicomhawk.dimse.find' && e.keys.some((k) => k.value === 'Jensen*'));
    assert.ok(ev?.eventid === 'dicomhawk.dimse.find');
    if (ev?.eventid !== 'dicomhawk.dimse.find') return;
    assert.equal(ev.matches, 1);
    assert.equal(ev.level, 'STUDY');
    assert.equal(ev.model, 'study-root');
    assert.deepEqual(ev.keys.find((k) => k.keyword === 'PatientName'), { tag: '00100010', keyword: 'PatientName', vr: 'PN', value: 'Jensen*', match: 'wildcard' });
  });

  test('an identifier that does not match the SOP class gets a failure status and an event', async () => {
    const r = await find(['-P', '-k', 'QueryRetrieveLevel=FOO']);
    assert.match(r.stderr + r.stdout, /Failed|Error|0xa900|0xc000/i);
    await waitFor(() => s.events().some((e) => e.eventid === 'dicomhawk.dimse.find' && e.status !== 0 && e.status !== 0xfe00));
  });

  test('the same queries are answered as DCMTK dcmqrscp answers them on the same files', async () => {
    const ref = new Dcmqrscp(mkdtempSync(join(tmpdir(), 'dh-dcmqrscp-')));
    await ref.start(PATIENTS.map((p) => s.fileOf(p.sopUid)));
    try {
      const queries: string[][] = [
        ['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName', '-k', 'PatientID', '-k', 'PatientBirthDate', '-k', 'PatientSex'],
        ['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName=N*', '-k', 'PatientID'],
        ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', '-k', 'StudyDate=20230101-', '-k', 'AccessionNumber', '-k', 'PatientID'],
        ['-S', '-k', 'QueryRetrieveLevel=SERIES', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', 'SeriesInstanceUID', '-k', 'Modality', '-k', 'SeriesNumber'],
        ['-S', '-k', 'QueryRetrieveLevel=IMAGE', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', `SeriesInstanceUID=${PATIENTS[0]!.seriesUid}`, '-k', 'SOPInstanceUID', '-k', 'InstanceNumber'],
      ];
      for (const q of queries) {
        const ours = await run('findscu', ['-v', ...q, s.host, String(s.port)]);
        const theirs = await run('findscu', ['-v', '-aec', 'COMMON', ...q, '127.0.0.1', String(ref.port)]);
        assert.equal(theirs.code, 0, theirs.stderr);
        assert.deepEqual(findResponses(ours.stderr + ours.stdout), findResponses(theirs.stderr + theirs.stdout), q.join(' '));
      }
    } finally {
      await ref.stop();
    }
  });
});

describe('C-GET with getscu', () => {
  for (const [level, keys, want] of [
    ['PATIENT', ['-P', '-k', 'PatientID=010170-1235'], 3],
    ['STUDY', ['-S', '-k', `StudyInstanceUID=${PATIENTS[3]!.studyUid}`], 1],
    ['SERIES', ['-S', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', `SeriesInstanceUID=${PATIENTS[0]!.seriesUid}`], 2],
    ['IMAGE', ['-S', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, '-k', `SeriesInstanceUID=${PATIENTS[0]!.seriesUid}`, '-k', `SOPInstanceUID=${PATIENTS[1]!.sopUid}`], 1],
  ] as const) {
    test(`getscu at ${level}: the received files are the archive's, byte for byte`, async () => {
      const out = mkdtempSync(join(tmpdir(), 'dh-getscu-'));
      const r = await run('getscu', ['-v', ...keys, '-k', `QueryRetrieveLevel=${level}`, '-od', out, s.host, String(s.port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`Number of Completed Suboperations : ${want}`));
      assert.match(r.stderr, /Number of Failed Suboperations\s+: 0/);
      const got = readdirSync(out);
      assert.equal(got.length, want);
      for (const f of got) {
        const received = readFileSync(join(out, f));
        const uid = splitPart10(received)!.sopInstanceUid!;
        assert.deepEqual(datasetOf(received), datasetOf(readFileSync(s.fileOf(uid))), `${uid} differs from the archive`);
      }
    });
  }
});

describe('C-MOVE with movescu', () => {
  test('to a storescp listed in MOVE_DESTINATIONS: the files arrive', async () => {
    const { spawn } = await import('node:child_process');
    const scp = spawn('storescp', ['-aet', 'STORESCP', '-od', storescpDir, String(storescpPort)], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 500));
      const r = await run('movescu', ['-v', '-S', '-aem', 'STORESCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, s.host, String(s.port)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Received Final Move Response \(Success\)/);
      await waitFor(() => readdirSync(storescpDir).length === 3);
      for (const f of readdirSync(storescpDir)) {
        const received = readFileSync(join(storescpDir, f));
        const uid = splitPart10(received)!.sopInstanceUid!;
        assert.deepEqual(datasetOf(received), datasetOf(readFileSync(s.fileOf(uid))));
      }
    } finally {
      scp.kill();
    }
  });

  test('to an unknown AE: refused with 0xA801, nothing sent, and the event says what would have been sent', async () => {
    const r = await run('movescu', ['-v', '-S', '-aem', 'EVIL', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${PATIENTS[0]!.studyUid}`, s.host, String(s.port)]);
    assert.match(r.stderr, /Received Final Move Response \((Failed|Refused)/);
    await waitFor(() => s.events().some((e) => e.eventid === 'dicomhawk.dimse.move' && e.destination_ae.text === 'EVIL'));
    const ev = s.events().find((e) => e.eventid === 'dicomhawk.dimse.move' && e.destination_ae.text === 'EVIL');
    assert.ok(ev?.eventid === 'dicomhawk.dimse.move' && ev.status === 0xa801 && ev.completed === 0 && ev.instances.length === 3);
  });
});

describe('C-STORE with storescu', () => {
  test('the upload is quarantined, visible to its uploader, invisible to anyone else', async () => {
    const f = makeDicomFile(s.dir, 'mine', { patientName: 'Hacker^Upload', patientId: 'UP-1', studyUid: '1.2.3.777', seriesUid: '1.2.3.777.1', sopUid: '1.2.3.777.1.1' });
    const r = await run('storescu', ['-v', s.host, String(s.port), f]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => s.events().some((e) => e.eventid === 'dicomhawk.dimse.store' && e.sop_instance === '1.2.3.777.1.1'));
    const ev = s.events().find((e) => e.eventid === 'dicomhawk.dimse.store' && e.sop_instance === '1.2.3.777.1.1');
    assert.ok(ev?.eventid === 'dicomhawk.dimse.store' && ev.sha256 && ev.quarantine_id === ev.sha256);
    if (ev?.eventid !== 'dicomhawk.dimse.store') return;
    assert.deepEqual(readFileSync(s.quarantine.pathOf(ev.sha256!)), datasetOf(readFileSync(f)));
    await waitFor(async () => {
      const mine = await run('findscu', ['-v', '-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientID=UP-1', s.host, String(s.port)]);
      return responses(mine.stderr) === 1;
    });
    const other = [...s.archive.find({ model: 'patient-root', level: 'PATIENT', keys: [{ tag: '00100020', vr: 'LO', value: 'UP-1' }], requesterIp: '127.0.0.2', retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true })];
    assert.equal(other.length, 0, 'not visible to a second source');
  });
});
