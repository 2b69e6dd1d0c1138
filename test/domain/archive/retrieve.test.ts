import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueryRetrieveError } from '../../../src/domain/archive/index.ts';
import { dump2dcm, dumpText, PATIENTS, SOP, TS_UID, type FxRow } from '../../fixtures/archive/fixtureArchive.ts';
import { pick } from './pick.ts';
import { findAll, fixtureArchive, k, val, values, type TestArchive } from './helpers.ts';

const S = PATIENTS.flatMap((p) => p.studies);
const [P1] = pick(PATIENTS, 1);
const [S1, S2, S3] = pick(S, 3);

describe('resolveInstances (C-GET / C-MOVE)', () => {
  let t: TestArchive;
  before(async () => {
    t = await fixtureArchive();
  });
  after(() => t.cleanup());

  const sops = (level: string, keys: ReturnType<typeof k>[], model: 'study-root' | 'patient-root' = 'study-root'): string[] =>
    t.archive.resolveInstances({ model, level, keys, requesterIp: '203.0.113.9' }).instances.map((i) => i.sopInstanceUid);

  it('retrieves a study by its UID in series-number, instance-number order', () => {
    assert.deepEqual(sops('STUDY', [k('StudyInstanceUID', S1.uid)]), [...S1.series[0]!.instances.map((i) => i.sop), S1.series[1]!.instances[0]!.sop]);
  });

  it('retrieves by a non-unique key at STUDY level (getscu -k PatientName=…), studies in date order', () => {
    const all = [...S1.series.flatMap((s) => s.instances.map((i) => i.sop)), ...S2.series.flatMap((s) => s.instances.map((i) => i.sop))];
    assert.deepEqual(sops('STUDY', [k('PatientName', P1.name)]), all);
    assert.deepEqual(sops('STUDY', [k('PatientName', 'sørensen^jørgen')]), all, 'PN case rule applies');
  });

  it('retrieves at SERIES, IMAGE and PATIENT levels', () => {
    assert.deepEqual(sops('SERIES', [k('StudyInstanceUID', S2.uid), k('SeriesInstanceUID', S2.series[0]!.uid)]), S2.series[0]!.instances.map((i) => i.sop));
    const two = [S1.series[0]!.instances[2]!.sop, S3.series[0]!.instances[0]!.sop];
    assert.deepEqual(sops('IMAGE', [k('SOPInstanceUID', two.join('\\'))]), two);
    assert.equal(sops('PATIENT', [k('PatientID', P1.id)], 'patient-root').length, 6);
    assert.equal(sops('PATIENT', [k('PatientID', P1.id)], 'study-root').length, 6, 'Study Root at PATIENT level, leniently');
    assert.equal(sops('PATIENT', [k('PatientID', '*')], 'patient-root').length, 12, 'the published playbook: PatientID=*');
  });

  it('gives what the network layer needs to stream the stored bytes', () => {
    const res = t.archive.resolveInstances({ model: 'study-root', level: 'SERIES', keys: [k('SeriesInstanceUID', S1.series[0]!.uid)], requesterIp: null });
    assert.equal(res.instances.length, 3);
    for (const i of res.instances) {
      assert.ok(i.path.startsWith(t.archiveRoot));
      assert.equal(i.size, statSync(i.path).size);
      assert.equal(i.part10, true);
      assert.equal(i.sopClassUid, SOP.CT);
      assert.equal(i.owned, false);
      assert.match(i.sha256 ?? '', /^[0-9a-f]{64}$/);
      const bytes = readFileSync(i.path);
      assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
      if (i.transferSyntax === TS_UID.el) assert.deepEqual([...bytes.subarray(i.datasetOffset, i.datasetOffset + 4)], [0x08, 0x00, 0x05, 0x00], 'data set starts at (0008,0005)');
    }
    assert.deepEqual(res.instances.map((i) => i.transferSyntax), [TS_UID.el, TS_UID.el, TS_UID.df]);
  });

  it('refuses an identifier with nothing to select by (0xA900) and honours the limit', () => {
    assert.throws(
      () => t.archive.resolveInstances({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID')], requesterIp: null }),
      (e: unknown) => e instanceof QueryRetrieveError && e.status === 0xa900,
    );
    const res = t.archive.resolveInstances({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID', S1.uid)], requesterIp: null, limit: 2 });
    assert.equal(res.instances.length, 2);
    assert.equal(res.truncated, true);
  });
});

describe('quarantined uploads are visible to their uploader only', () => {
  let t: TestArchive;
  const A = '203.0.113.66';
  const B = '198.51.100.1';
  let intoS1: string;
  let fresh: string;
  before(async () => {
    t = await fixtureArchive();
    // Two uploads as the network layer stores them (bare data sets as received): one new patient, and one
    // new series in the public study S1.
    const newRow: FxRow = {
      patient: { ...P1, id: 'EVIL1', name: 'Attacker^Test', charset: '', studies: [] },
      study: { ...S1, uid: '1.2.3.999', description: 'uploaded', date: '20240101' },
      series: { ...S1.series[0]!, uid: '1.2.3.999.1', modality: 'OT' },
      instance: { ...S1.series[0]!.instances[0]!, sop: '1.2.3.999.1.1', sopClass: SOP.CT },
    };
    const s1Row: FxRow = {
      patient: P1,
      study: S1,
      series: { ...S1.series[0]!, uid: `${S1.uid}.9`, number: 9, modality: 'OT' },
      instance: { ...S1.series[0]!.instances[0]!, sop: `${S1.uid}.9.1`, sopClass: SOP.CT },
    };
    fresh = join(t.dir, 'q1');
    intoS1 = join(t.dir, 'q2');
    dump2dcm(dumpText(newRow), '', fresh, 'el', { dataset: true });
    dump2dcm(dumpText(s1Row), P1.charset, intoS1, 'el', { dataset: true });
    assert.deepEqual(t.archive.addQuarantinedUpload({ ownerIp: A, path: fresh, transferSyntax: TS_UID.el }), {
      ok: true,
      studyInstanceUid: '1.2.3.999',
      seriesInstanceUid: '1.2.3.999.1',
      sopInstanceUid: '1.2.3.999.1.1',
      sopClassUid: SOP.CT,
    });
    assert.equal(t.archive.addQuarantinedUpload({ ownerIp: A, path: intoS1, transferSyntax: TS_UID.el }).ok, true);
  });
  after(() => t.cleanup());

  const studyView = (ip: string | null) =>
    findAll(t.archive, { requesterIp: ip, level: 'STUDY', keys: [k('StudyInstanceUID'), k('NumberOfStudyRelatedInstances'), k('NumberOfStudyRelatedSeries'), k('ModalitiesInStudy')] });

  it('another address, and no address, see only the public archive', () => {
    for (const ip of [B, null]) {
      const rs = studyView(ip);
      assert.equal(rs.length, 6);
      const s1 = rs.find((r) => val(r, 'StudyInstanceUID') === S1.uid)!;
      assert.equal(val(s1, 'NumberOfStudyRelatedInstances'), '4');
      assert.equal(val(s1, 'ModalitiesInStudy'), 'CT\\PR');
    }
    assert.equal(t.archive.resolveInstances({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID', '1.2.3.999')], requesterIp: B }).instances.length, 0);
  });

  it('the uploader sees its new study and the study it added to, merged (one row, counts and modalities updated)', () => {
    const rs = studyView(A);
    assert.equal(rs.length, 7);
    assert.equal(rs.filter((r) => val(r, 'StudyInstanceUID') === S1.uid).length, 1);
    const s1 = rs.find((r) => val(r, 'StudyInstanceUID') === S1.uid)!;
    assert.deepEqual([val(s1, 'NumberOfStudyRelatedInstances'), val(s1, 'NumberOfStudyRelatedSeries'), val(s1, 'ModalitiesInStudy')], ['5', '3', 'CT\\OT\\PR']);
    const series = findAll(t.archive, { requesterIp: A, level: 'SERIES', keys: [k('StudyInstanceUID', S1.uid), k('SeriesNumber')] });
    assert.deepEqual(values(series, 'SeriesNumber'), ['1', '2', '9']);
    const patient = findAll(t.archive, { requesterIp: A, model: 'patient-root', level: 'PATIENT', keys: [k('PatientID', P1.id), k('NumberOfPatientRelatedInstances')] });
    assert.deepEqual(values(patient, 'NumberOfPatientRelatedInstances'), ['7']);
    assert.deepEqual(values(findAll(t.archive, { requesterIp: A, model: 'patient-root', level: 'PATIENT', keys: [k('PatientName', 'Attacker*')] }), 'PatientName'), ['Attacker^Test']);
  });

  it('the uploader retrieves its own objects (bare data sets, absolute quarantine paths) with the public ones', () => {
    const res = t.archive.resolveInstances({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID', S1.uid)], requesterIp: A });
    assert.equal(res.instances.length, 5);
    const own = res.instances.filter((i) => i.owned);
    assert.equal(own.length, 1);
    assert.equal(own[0]!.path, intoS1);
    assert.equal(own[0]!.part10, false);
    assert.equal(own[0]!.datasetOffset, 0);
  });

  it('an unreadable upload is refused with a reason; a re-upload replaces; removal restores the public view', () => {
    const junk = join(t.dir, 'junk');
    writeFileSync(junk, 'MZ\x90\x00 not dicom at all');
    const bad = t.archive.addQuarantinedUpload({ ownerIp: A, path: junk, transferSyntax: TS_UID.el });
    assert.equal(bad.ok, false);
    assert.equal(t.archive.addQuarantinedUpload({ ownerIp: A, path: fresh, transferSyntax: TS_UID.el }).ok, true);
    assert.equal(studyView(A).length, 7);
    assert.equal(t.archive.stats().uploads, 2);
    assert.equal(t.archive.removeUploads(A, ['1.2.3.999.1.1']), 1);
    assert.equal(studyView(A).length, 6);
    const s1 = studyView(A).find((r) => val(r, 'StudyInstanceUID') === S1.uid)!;
    assert.equal(val(s1, 'NumberOfStudyRelatedInstances'), '5');
  });

  it('uploads survive a rebuild of the public index', async () => {
    await t.archive.rebuild();
    const s1 = studyView(A).find((r) => val(r, 'StudyInstanceUID') === S1.uid)!;
    assert.equal(val(s1, 'NumberOfStudyRelatedInstances'), '5');
    assert.equal(studyView(B).find((r) => val(r, 'StudyInstanceUID') === S1.uid) !== undefined, true);
    assert.equal(t.archive.removeUploads(A), 1);
    assert.equal(val(studyView(A).find((r) => val(r, 'StudyInstanceUID') === S1.uid)!, 'NumberOfStudyRelatedInstances'), '4');
  });
});
