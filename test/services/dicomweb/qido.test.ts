import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATIENTS, startDicomweb, type DicomwebServer } from './harness.ts';

type Json = Record<string, { vr: string; Value?: unknown[] }>;

async function qido(s: DicomwebServer, path: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; json: Json[] | null; text: string; headers: Headers }> {
  const r = await fetch(s.base + path, { headers });
  const text = await r.text();
  const type = r.headers.get('content-type');
  return { status: r.status, type, json: r.status === 200 && type?.startsWith('application/dicom+json') ? (JSON.parse(text) as Json[]) : null, text, headers: r.headers };
}

const first = (ds: Json, tag: string): unknown => ds[tag]?.Value?.[0];
const studies = [...new Set(PATIENTS.map((p) => p.studyUid))];

describe('QIDO-RS', () => {
  let s: DicomwebServer;
  before(async () => {
    s = await startDicomweb();
  });
  after(async () => s.stop());

  test('GET /studies lists every study of the archive as DICOM JSON with default attributes and a RetrieveURL', async () => {
    const r = await qido(s, '/studies');
    assert.equal(r.status, 200);
    assert.match(r.type ?? '', /^application\/dicom\+json/);
    assert.deepEqual(r.json!.map((d) => first(d, '0020000D')).sort(), [...studies].sort());
    assert.equal(s.archive.stats().studies, r.json!.length);
    const jensen = r.json!.find((d) => first(d, '0020000D') === PATIENTS[0]!.studyUid)!;
    assert.deepEqual(jensen['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Jensen^Søren' }] });
    assert.equal(first(jensen, '00100020'), '010170-1235');
    assert.equal(first(jensen, '00201206'), 2, 'NumberOfStudyRelatedSeries as a JSON number');
    assert.equal(first(jensen, '00201208'), 3);
    assert.equal(first(jensen, '00081190'), `${s.base}/studies/${PATIENTS[0]!.studyUid}`);
    assert.equal(jensen['00080052'], undefined, 'no QueryRetrieveLevel in QIDO answers');
    const ev = s.eventsOf('dicomhawk.dicomweb.query').at(-1)!;
    assert.equal(ev.level, 'studies');
    assert.equal(ev.matches, 3);
    assert.equal(ev.status, 200);
    assert.equal(ev.protocol, 'dicomweb');
  });

  test('wild cards, keywords or tags, and date ranges match as C-FIND does', async () => {
    const byName = await qido(s, '/studies?PatientName=Jensen*');
    assert.deepEqual(byName.json!.map((d) => first(d, '0020000D')), [PATIENTS[0]!.studyUid]);
    const byTag = await qido(s, '/studies?00100020=020280-2222');
    assert.deepEqual(byTag.json!.map((d) => first(d, '0020000D')), [PATIENTS[3]!.studyUid]);
    const range = await qido(s, '/studies?StudyDate=20230101-20231231');
    assert.deepEqual(range.json!.map((d) => first(d, '00100020')), ['020280-2222']);
    const open = await qido(s, '/studies?StudyDate=20230101-');
    assert.equal(open.json!.length, 2);
    const uids = await qido(s, `/studies?StudyInstanceUID=${PATIENTS[0]!.studyUid},${PATIENTS[4]!.studyUid}`);
    assert.equal(uids.json!.length, 2, 'a comma list of UIDs is a UID list match');
    const ev = s.eventsOf('dicomhawk.dicomweb.query').find((e) => e.params.some((p) => p.name === 'PatientName'))!;
    assert.deepEqual(ev.keys, [{ tag: '00100010', keyword: 'PatientName', value: 'Jensen*', match: 'wildcard' }]);
  });

  test('names match case-sensitively unless fuzzymatching=true (then also as a prefix)', async () => {
    const exact = await qido(s, '/studies?PatientName=jensen*');
    assert.equal(exact.status, 204);
    assert.equal(exact.text, '', '204 has no body');
    const fuzzy = await qido(s, '/studies?PatientName=jensen&fuzzymatching=true');
    assert.deepEqual(fuzzy.json!.map((d) => first(d, '00100020')), ['010170-1235']);
    assert.equal(s.eventsOf('dicomhawk.dicomweb.query').at(-1)!.fuzzy, true);
  });

  test('series and instances: scoped to a study or series, or across the archive', async () => {
    const series = await qido(s, `/studies/${PATIENTS[0]!.studyUid}/series`);
    assert.deepEqual(series.json!.map((d) => first(d, '0020000E')).sort(), [PATIENTS[0]!.seriesUid, PATIENTS[2]!.seriesUid].sort());
    assert.equal(series.json![0]!['00100010'], undefined, 'a study-scoped series search has no patient attributes');
    const mr = await qido(s, '/series?Modality=MR');
    assert.equal(mr.json!.length, 1);
    assert.deepEqual(mr.json![0]!['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Nielsen^Anne' }] }, 'an unscoped series search includes study attributes');
    assert.equal(first(mr.json![0]!, '00081190'), `${s.base}/studies/${PATIENTS[3]!.studyUid}/series/${PATIENTS[3]!.seriesUid}`);
    const inst = await qido(s, `/studies/${PATIENTS[0]!.studyUid}/series/${PATIENTS[0]!.seriesUid}/instances`);
    assert.deepEqual(inst.json!.map((d) => first(d, '00080018')).sort(), [PATIENTS[0]!.sopUid, PATIENTS[1]!.sopUid].sort());
    assert.equal(first(inst.json![0]!, '00280010'), 4, 'Rows');
    const studyInst = await qido(s, `/studies/${PATIENTS[0]!.studyUid}/instances`);
    assert.equal(studyInst.json!.length, 3);
    const all = await qido(s, '/instances');
    assert.equal(all.json!.length, PATIENTS.length);
    assert.equal(s.archive.stats().instances, PATIENTS.length);
    const bySop = await qido(s, `/instances?SOPInstanceUID=${PATIENTS[4]!.sopUid}`);
    assert.deepEqual(bySop.json![0]!['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Østergaard^Mette' }] });
  });

  test('limit and offset page through the results; includefield adds attributes (all: everything indexed)', async () => {
    const page1 = await qido(s, '/instances?limit=2');
    const page2 = await qido(s, '/instances?limit=2&offset=2');
    const page3 = await qido(s, '/instances?limit=2&offset=4');
    const uids = [...page1.json!, ...page2.json!, ...page3.json!].map((d) => first(d, '00080018'));
    assert.equal(page1.json!.length, 2);
    assert.equal(page3.json!.length, 1);
    assert.deepEqual([...uids].sort(), PATIENTS.map((p) => p.sopUid).sort());
    const beyond = await qido(s, '/instances?offset=50');
    assert.equal(beyond.status, 204);
    const plain = await qido(s, '/studies?limit=1');
    assert.equal(plain.json![0]!['00201200'], undefined);
    const inc = await qido(s, '/studies?limit=1&includefield=NumberOfPatientRelatedStudies');
    assert.equal(first(inc.json![0]!, '00201200'), 1);
    const all = await qido(s, '/studies?limit=1&includefield=all');
    assert.ok(all.json![0]!['00201200'] && all.json![0]!['00080062'], 'includefield=all adds every indexed study attribute');
    const ev = s.eventsOf('dicomhawk.dicomweb.query').at(-1)!;
    assert.equal(ev.limit, 1);
  });

  test('bad parameters are 400 with a plain-text reason; the event records it', async () => {
    const cases: [string, RegExp][] = [
      ['/studies?limit=-1', /limit must be a non-negative integer/],
      ['/studies?offset=abc', /offset must be a non-negative integer/],
      ['/studies?Frobnicate=1', /unknown query parameter "Frobnicate"/],
      ['/studies?StudyDate=yesterday', /StudyDate must be a date/],
      ['/studies?StudyInstanceUID=1.2.abc', /not a UID/],
      ['/studies?fuzzymatching=maybe', /fuzzymatching must be true or false/],
      ['/studies?includefield=NoSuchThing', /includefield names an unknown attribute/],
      ['/studies?PatientName=A&PatientName=B', /given more than once/],
      ['/studies/not-a-uid/series', /StudyInstanceUID is not a valid UID/],
      ['/studies?PatientName=%E0%A4%A', /malformed percent-encoding/],
    ];
    for (const [path, message] of cases) {
      const r = await qido(s, path);
      assert.equal(r.status, 400, path);
      assert.match(r.type ?? '', /^text\/plain/, path);
      assert.match(r.text, message, path);
      assert.doesNotMatch(r.text, /"statusCode"|FST_/, 'no framework error object');
    }
    const ev = s.eventsOf('dicomhawk.dicomweb.query').find((e) => e.params.some((p) => p.name === 'Frobnicate'))!;
    assert.equal(ev.status, 400);
    assert.match(ev.detail ?? '', /unknown query parameter/);
  });

  test('Accept: only DICOM JSON (406 otherwise)', async () => {
    const xml = await qido(s, '/studies', { accept: 'multipart/related; type="application/dicom+xml"' });
    assert.equal(xml.status, 406);
    const json = await qido(s, '/studies', { accept: 'application/json' });
    assert.equal(json.status, 200);
    const any = await qido(s, '/studies', { accept: 'text/html, */*;q=0.1' });
    assert.equal(any.status, 200);
  });
});

describe('QIDO-RS result cap', () => {
  test('more matches than DICOMWEB_MAX_RESULTS: the first ones and a Warning header', async () => {
    const s = await startDicomweb({ DICOMWEB_MAX_RESULTS: '2' });
    try {
      const r = await qido(s, '/instances');
      assert.equal(r.status, 200);
      assert.equal(r.json!.length, 2);
      assert.match(r.headers.get('warning') ?? '', /^299 .*Additional results can be requested/);
      const rest = await qido(s, '/instances?offset=2&limit=2');
      assert.equal(rest.json!.length, 2);
    } finally {
      await s.stop();
    }
  });
});
