import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryRetrieveError } from '../../../src/domain/archive/index.ts';
import { PATIENTS, SOP, TS_UID } from '../../fixtures/archive/fixtureArchive.ts';
import { pick } from './pick.ts';
import { findAll, fixtureArchive, k, val, values, type TestArchive } from './helpers.ts';

const [P1, P2, P3, P4, P5] = pick(PATIENTS, 5);
const S = PATIENTS.flatMap((p) => p.studies);
const [S1, S2, S3, S4, S5, S6] = pick(S, 6);

describe('C-FIND matching over the fixture archive', () => {
  let t: TestArchive;
  before(async () => {
    t = await fixtureArchive();
  });
  after(() => t.cleanup());

  const studies = (keys: Parameters<typeof k>[] | ReturnType<typeof k>[], extra: object = {}): string[] =>
    values(findAll(t.archive, { level: 'STUDY', keys: [k('StudyInstanceUID'), ...keys.map((x) => (Array.isArray(x) ? k(...x) : x))], ...extra }), 'StudyInstanceUID');

  it('universal matching lists every study; `*` is universal too', () => {
    assert.deepEqual(studies([]), S.map((s) => s.uid).sort());
    assert.deepEqual(studies([['PatientName', '*']]), S.map((s) => s.uid).sort());
  });

  it('single value matching, PN case rules as the persona says', () => {
    assert.deepEqual(studies([['PatientName', 'Hansen^Jens']]), [S4.uid]);
    assert.deepEqual(studies([['PatientName', 'hansen^jens']]), [S4.uid]);
    assert.deepEqual(studies([['PatientName', 'hansen^jens']], { caseInsensitivePN: false }), []);
    assert.deepEqual(studies([['PatientName', 'ærø^åse']]), [S3.uid], 'non-ASCII case fold (UTF-8 data)');
    assert.deepEqual(studies([['PatientName', 'sørensen^jørgen']]), [S1.uid, S2.uid].sort(), 'non-ASCII case fold (Latin-1 data)');
    assert.deepEqual(studies([['AccessionNumber', 'ACC0003']]), [S3.uid]);
    assert.deepEqual(studies([['PatientSex', 'F']]), [S3.uid]);
  });

  it('wild cards * and ? with SQL special characters taken literally', () => {
    assert.deepEqual(studies([['PatientName', 'S*']]), [S1.uid, S2.uid].sort());
    assert.deepEqual(studies([['PatientName', 'S?rensen*']]), [S1.uid, S2.uid].sort());
    assert.deepEqual(studies([['PatientName', '*%*']]), [S5.uid], '% is not a wild card');
    assert.deepEqual(studies([['PatientName', 'Ho_lm*']]), [S5.uid], '_ is not a wild card');
    assert.deepEqual(studies([['PatientName', 'Ho?lm*']]), [S5.uid, S6.uid].sort());
    assert.deepEqual(studies([['StudyDescription', '100%*']]), [S4.uid]);
    assert.deepEqual(studies([['StudyDescription', '*_test']]), [S4.uid]);
    assert.deepEqual(studies([['PatientID', 'P4[x]']]), [S5.uid], '[ ] are not GLOB classes (single value)');
    assert.deepEqual(studies([['PatientID', 'P4[*']]), [S5.uid], '[ ] are not GLOB classes (wild card)');
    assert.deepEqual(studies([['PatientID', "' OR 1=1 --"]]), []);
    assert.deepEqual(studies([['StudyDescription', '*æ']]), [S2.uid]);
  });

  it('date and time ranges a-b, -b, a- and single dates', () => {
    assert.deepEqual(studies([['StudyDate', '20200101-20201231']]), [S1.uid, S3.uid].sort());
    assert.deepEqual(studies([['StudyDate', '-20191231']]), [S4.uid]);
    assert.deepEqual(studies([['StudyDate', '20220505-']]), [S5.uid, S6.uid].sort());
    assert.deepEqual(studies([['StudyDate', '20200115']]), [S1.uid]);
    assert.deepEqual(studies([['StudyTime', '0800-1000']]), [S1.uid, S3.uid].sort());
    assert.deepEqual(studies([['StudyTime', '1200-1200']]), [S5.uid]);
    assert.deepEqual(studies([['PatientBirthDate', '-19600101']]), [S5.uid, S6.uid].sort());
    assert.deepEqual(studies([['StudyDate', '2020-2021-01']]), [], 'a malformed range matches nothing');
  });

  it('UID lists', () => {
    assert.deepEqual(studies([['StudyInstanceUID', `${S1.uid}\\${S3.uid}\\1.2.3.4`]]), [S1.uid, S3.uid].sort());
  });

  it('ModalitiesInStudy: computed, matched value by value, returned sorted', () => {
    const rs = findAll(t.archive, { level: 'STUDY', keys: [k('StudyInstanceUID'), k('ModalitiesInStudy', 'PR')] });
    assert.equal(rs.length, 1);
    assert.equal(val(rs[0]!, 'ModalitiesInStudy'), 'CT\\PR');
    assert.deepEqual(studies([['ModalitiesInStudy', 'CR']]), [S5.uid, S6.uid].sort());
    assert.deepEqual(studies([['ModalitiesInStudy', 'US\\MR']]), [S2.uid, S3.uid].sort());
  });

  it('several keys combine (AND)', () => {
    assert.deepEqual(studies([['PatientName', 'S*'], ['StudyDate', '2021-']]), []);
    assert.deepEqual(studies([['PatientName', 'S*'], ['StudyDate', '20210101-']]), [S2.uid]);
  });
});

describe('C-FIND responses', () => {
  let t: TestArchive;
  before(async () => {
    t = await fixtureArchive();
  });
  after(() => t.cleanup());

  it('carry exactly the requested keys plus level, AE title and charset; unknown keys zero-length', () => {
    const rs = findAll(t.archive, {
      level: 'STUDY',
      keys: [
        k('StudyInstanceUID', S1.uid),
        k('PatientName'),
        k('StudyDescription'),
        { tag: '00101060', vr: 'PN', value: '' }, // PatientMotherBirthName: not indexed
        { tag: '00091010', vr: 'LO', value: 'x' }, // private: universal, zero-length
        k('Modality'), // below the level: zero-length
        { tag: '00081032', vr: 'SQ', value: '' }, // ProcedureCodeSequence: empty sequence
        k('InstanceAvailability'),
      ],
    });
    assert.equal(rs.length, 1);
    const r = rs[0]!;
    assert.deepEqual(
      r.elements.map((e) => [e.tag, e.vr, e.value]),
      [
        ['00080005', 'CS', 'ISO_IR 100'],
        ['00080052', 'CS', 'STUDY'],
        ['00080054', 'AE', 'PACS'],
        ['00080056', 'CS', 'ONLINE'],
        ['00080060', 'CS', ''],
        ['00081030', 'LO', 'CT thorax'],
        ['00081032', 'SQ', ''],
        ['00091010', 'LO', ''],
        ['00100010', 'PN', 'Sørensen^Jørgen'],
        ['00101060', 'PN', ''],
        ['0020000D', 'UI', S1.uid],
      ],
    );
    assert.deepEqual(r.elements.find((e) => e.vr === 'SQ')?.items, []);
    assert.equal(r.specificCharacterSet, 'ISO_IR 100');
  });

  it('returns text as stored with the charset it was stored in', () => {
    const rs = findAll(t.archive, { level: 'STUDY', keys: [k('PatientName'), k('StudyDescription'), k('ReferringPhysicianName'), k('StudyInstanceUID')] });
    const by = new Map(rs.map((r) => [val(r, 'StudyInstanceUID'), r]));
    assert.equal(by.get(S2.uid)?.specificCharacterSet, 'ISO_IR 100');
    assert.equal(val(by.get(S2.uid)!, 'StudyDescription'), 'MR knæ');
    assert.equal(by.get(S3.uid)?.specificCharacterSet, 'ISO_IR 192');
    assert.equal(val(by.get(S3.uid)!, 'PatientName'), 'Ærø^Åse');
    assert.equal(val(by.get(S3.uid)!, 'ReferringPhysicianName'), 'Østergård^Bent');
    assert.equal(by.get(S4.uid)?.specificCharacterSet, '');
    assert.equal(val(by.get(S4.uid)!, 'SpecificCharacterSet'), undefined, 'no (0008,0005) for the default repertoire');
  });

  it('computes the PACS counts at every level', () => {
    const pats = findAll(t.archive, {
      model: 'patient-root',
      level: 'PATIENT',
      keys: [k('PatientID'), k('NumberOfPatientRelatedStudies'), k('NumberOfPatientRelatedSeries'), k('NumberOfPatientRelatedInstances')],
    });
    const p1 = pats.find((r) => val(r, 'PatientID') === P1.id)!;
    assert.deepEqual([val(p1, 'NumberOfPatientRelatedStudies'), val(p1, 'NumberOfPatientRelatedSeries'), val(p1, 'NumberOfPatientRelatedInstances')], ['2', '3', '6']);
    const st = findAll(t.archive, {
      level: 'STUDY',
      keys: [k('StudyInstanceUID', S1.uid), k('NumberOfStudyRelatedSeries'), k('NumberOfStudyRelatedInstances'), k('SOPClassesInStudy'), k('NumberOfPatientRelatedStudies')],
    })[0]!;
    assert.equal(val(st, 'NumberOfStudyRelatedSeries'), '2');
    assert.equal(val(st, 'NumberOfStudyRelatedInstances'), '4');
    assert.equal(val(st, 'SOPClassesInStudy'), [SOP.PR, SOP.CT].sort().join('\\'));
    assert.equal(val(st, 'NumberOfPatientRelatedStudies'), '2', 'patient attributes are study-level in Study Root');
    const se = findAll(t.archive, { level: 'SERIES', keys: [k('StudyInstanceUID', S1.uid), k('SeriesInstanceUID'), k('Modality'), k('SeriesNumber'), k('NumberOfSeriesRelatedInstances')] });
    assert.deepEqual(se.map((r) => [val(r, 'Modality'), val(r, 'SeriesNumber'), val(r, 'NumberOfSeriesRelatedInstances')]).sort(), [
      ['CT', '1', '3'],
      ['PR', '2', '1'],
    ]);
    assert.deepEqual(values(findAll(t.archive, { level: 'STUDY', keys: [k('NumberOfStudyRelatedInstances', '2')] }), 'NumberOfStudyRelatedInstances'), ['2', '2', '2']);
  });

  it('answers SERIES and IMAGE levels with the unique keys above, and the stored transfer syntax', () => {
    const se = S1.series[0]!;
    const rs = findAll(t.archive, {
      level: 'IMAGE',
      keys: [k('StudyInstanceUID', S1.uid), k('SeriesInstanceUID', se.uid), k('SOPInstanceUID'), k('SOPClassUID'), k('InstanceNumber'), k('AvailableTransferSyntaxUID'), k('Rows')],
    });
    assert.deepEqual(
      rs.map((r) => [val(r, 'InstanceNumber'), val(r, 'SOPClassUID'), val(r, 'AvailableTransferSyntaxUID'), val(r, 'Rows')]).sort(),
      [
        ['1', SOP.CT, TS_UID.el, '2'],
        ['2', SOP.CT, TS_UID.el, '2'],
        ['3', SOP.CT, TS_UID.df, '2'],
      ],
    );
    const byList = findAll(t.archive, { level: 'IMAGE', keys: [k('StudyInstanceUID', S2.uid), k('SeriesInstanceUID', S2.series[0]!.uid), k('SOPInstanceUID', `${S2.series[0]!.instances[1]!.sop}\\9.9`)] });
    assert.deepEqual(values(byList, 'SOPInstanceUID'), [S2.series[0]!.instances[1]!.sop]);
  });

  it('patient level (Patient Root) answers one response per patient', () => {
    const rs = findAll(t.archive, { model: 'patient-root', level: 'PATIENT', keys: [k('PatientID', '*'), k('PatientName'), k('PatientBirthDate')] });
    assert.deepEqual(values(rs, 'PatientID'), PATIENTS.map((p) => p.id).sort());
    assert.deepEqual(values(findAll(t.archive, { model: 'patient-root', level: 'PATIENT', keys: [k('PatientName', 'Ho*')] }), 'PatientName'), ['Ho_lm%^Bo', 'Hoxlmy^Bo']);
  });

  it('answers a Study Root query at PATIENT level leniently (findscu -S -k QueryRetrieveLevel=PATIENT)', () => {
    const gen = t.archive.find({ model: 'study-root', level: 'PATIENT', keys: [k('PatientName')], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true });
    const rs = [];
    let next = gen.next();
    while (!next.done) {
      rs.push(next.value);
      next = gen.next();
    }
    assert.equal(rs.length, PATIENTS.length);
    assert.deepEqual(values(rs, 'PatientName'), PATIENTS.map((p) => p.name).sort());
    assert.deepEqual(values(rs, 'QueryRetrieveLevel'), Array(PATIENTS.length).fill('PATIENT'));
    assert.deepEqual(next.value.notes, ['study-root-patient-level']);
    // The documented bare form: only the level.
    assert.equal(findAll(t.archive, { level: 'PATIENT', keys: [k('QueryRetrieveLevel', 'PATIENT')] }).length, PATIENTS.length);
  });

  it('hierarchical vs relational: failures carry the status, relational queries match keys above the level', () => {
    assert.throws(
      () => t.archive.find({ model: 'study-root', level: 'SERIES', keys: [k('Modality', 'CT')], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true }),
      (err: unknown) => err instanceof QueryRetrieveError && err.status === 0xa900 && /StudyInstanceUID/.test(err.comment),
    );
    assert.throws(
      () => t.archive.find({ model: 'study-root', level: 'SERIES', keys: [k('StudyInstanceUID', S1.uid), k('PatientName', 'S*')], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true, strict: true }),
      (err: unknown) => err instanceof QueryRetrieveError && err.status === 0xa900,
    );
    // Not strict: the key above the level is answered but not matched (as dcmqrscp does).
    const lenient = findAll(t.archive, { level: 'SERIES', keys: [k('StudyInstanceUID', S1.uid), k('PatientName', 'Nobody*'), k('SeriesNumber')] });
    assert.deepEqual(values(lenient, 'PatientName'), [P1.name, P1.name]);
    assert.throws(
      () => t.archive.find({ model: 'study-root', level: 'WARD', keys: [], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true }),
      (err: unknown) => err instanceof QueryRetrieveError && err.status === 0xc000,
    );
    const rel = findAll(t.archive, { level: 'SERIES', relational: true, keys: [k('PatientName', 'Hoxlmy*'), k('SeriesDescription'), k('PatientName')] });
    assert.deepEqual(values(rel, 'SeriesDescription'), ['Fod', 'Fod lat']);
    const relImage = findAll(t.archive, { level: 'IMAGE', relational: true, keys: [k('Modality', 'MR'), k('SOPInstanceUID')] });
    assert.equal(relImage.length, 2);
  });

  it('stops at the limit and says the answer was truncated', () => {
    const gen = t.archive.find({ model: 'study-root', level: 'STUDY', keys: [k('StudyInstanceUID')], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true, limit: 2 });
    let n = 0;
    let r = gen.next();
    while (!r.done) {
      n++;
      r = gen.next();
    }
    assert.equal(n, 2);
    assert.equal(r.value.truncated, true);
    assert.equal(r.value.matches, 2);
  });

  it('pages through large answers (more rows than one page)', () => {
    // 12 instances across pages of 256 is one page; check the IMAGE level relational scan still returns all of them.
    const rs = findAll(t.archive, { level: 'IMAGE', relational: true, keys: [k('SOPInstanceUID')] });
    assert.equal(rs.length, 12);
    assert.equal(new Set(values(rs, 'SOPInstanceUID')).size, 12);
  });

  it('reads as many charsets as it stores: P2 is UTF-8, P1/P4/P5 Latin-1, P3 ASCII', () => {
    const rs = findAll(t.archive, { model: 'patient-root', level: 'PATIENT', keys: [k('PatientID'), k('PatientName')] });
    const cs = new Map(rs.map((r) => [val(r, 'PatientID'), r.specificCharacterSet]));
    assert.deepEqual(
      [P1, P2, P3, P4, P5].map((p) => cs.get(p.id)),
      ['ISO_IR 100', 'ISO_IR 192', '', 'ISO_IR 100', 'ISO_IR 100'],
    );
  });
});
