import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import yauzl from 'yauzl';
import { Browser, HONEY_SOP, HONEY_TOKEN, PATIENTS, startWeb, type WebServer } from './harness.ts';

let s: WebServer;
let b: Browser;
before(async () => {
  s = await startWeb();
  b = new Browser(s.url);
  assert.equal((await b.login('test', 'test')).status, 303);
});
after(async () => {
  await s.stop();
});

/** The rows of the results table (cells as text). */
async function rows(path: string): Promise<string[][]> {
  const r = await b.req(path);
  assert.equal(r.status, 200, path);
  const html = await r.text();
  const body = /<tbody>([^]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr>([^]*?)<\/tr>/g)]
    .map((m) => [...m[1]!.matchAll(/<td[^>]*>([^]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '').trim()))
    .filter((cells) => !(cells.length === 1 && cells[0] === 'No matching entries.'));
}

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, rs) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

test('study search by name with a wildcard, case-insensitively', async () => {
  const r = await rows('/search?level=study&name=jen*');
  assert.equal(r.length, 1);
  assert.equal(r[0]![0], 'Jensen, Søren');
  assert.equal(r[0]![1], '010170-1235');
  const all = await rows('/search?level=study&name=*');
  assert.equal(all.length, 3);
});

test('search by patient ID (CPR), date range, modality and accession number', async () => {
  assert.deepEqual((await rows('/search?level=study&pid=020280-2222')).map((r) => r[0]), ['Nielsen, Anne']);
  assert.deepEqual((await rows('/search?level=study&from=2023-01-01&to=2023-12-31')).map((r) => r[0]), ['Nielsen, Anne']);
  assert.deepEqual((await rows('/search?level=study&modality=DX')).map((r) => r[0]), ['Østergaard, Mette']);
  assert.equal((await rows('/search?level=study&accession=ACC123')).length, 3);
  assert.equal((await rows('/search?level=study&accession=NOPE')).length, 0);
});

test('patient, series and image levels', async () => {
  assert.equal((await rows('/search?level=patient&name=*')).length, 3);
  assert.equal((await rows('/search?level=series&pid=010170-1235')).length, 2);
  assert.equal((await rows('/search?level=image&pid=010170-1235')).length, 3);
  assert.equal((await rows('/search?level=series&modality=MR')).length, 1);
});

test('results are paginated 25 to a page, with a pager', async () => {
  const many = await startWeb({}, { manyStudies: 60 });
  try {
    const c = new Browser(many.url);
    await c.login('test', 'test');
    const page = async (n: number) => {
      const html = await (await c.req(`/search?level=study&name=Many*&page=${n}`)).text();
      const names = [...html.matchAll(/<td>(Many, Patient\d+)<\/td>/g)].map((m) => m[1]!);
      return { html, names };
    };
    const p1 = await page(1);
    const p3 = await page(3);
    assert.equal(p1.names.length, 25);
    assert.equal(p3.names.length, 10);
    assert.match(p1.html, /1–25 of 60/);
    assert.match(p3.html, /51–60 of 60/);
    assert.match(p1.html, /href="\/search\?level=study&amp;name=Many\*[^"]*page=2">Next/);
    const all = new Set([...p1.names, ...(await page(2)).names, ...p3.names]);
    assert.equal(all.size, 60, 'the pages do not overlap');
    assert.equal((await page(4)).names.length, 0);
  } finally {
    await many.stop();
  }
});

test('study detail lists the series; series detail lists the images; unknown UIDs are 404', async () => {
  const p = PATIENTS[0]!;
  const study = await rows(`/studies/${p.studyUid}`);
  assert.equal(study.length, 2);
  const series = await rows(`/studies/${p.studyUid}/series/${p.seriesUid}`);
  assert.equal(series.length, 2);
  assert.equal((await b.req('/studies/1.2.3.4.5.6')).status, 404);
  assert.equal((await b.req('/studies/not-a-uid')).status, 404);
});

test('a single instance downloads as the stored DICOM file; web.download names it', async () => {
  const p = PATIENTS[0]!;
  const r = await b.req(`/download/studies/${p.studyUid}/series/${p.seriesUid}/instances/${p.sopUid}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/dicom');
  const bytes = Buffer.from(await r.arrayBuffer());
  assert.deepEqual(bytes, readFileSync(s.fileOf(p.sopUid)));
  await new Promise((res) => setTimeout(res, 50));
  const ev = s.eventsOf('dicomhawk.web.download').at(-1)!;
  assert.deepEqual([ev.level, ev.count, ev.bytes, ev.uids, ev.complete], ['IMAGE', 1, bytes.length, [p.sopUid], true]);
});

test('a study downloads as a ZIP of its DICOM files (streamed), and honeytoken objects are issued to the session', async () => {
  const p = PATIENTS[0]!;
  const r = await b.req(`/download/studies/${p.studyUid}`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/zip');
  const zip = await unzip(Buffer.from(await r.arrayBuffer()));
  const expected = PATIENTS.filter((x) => x.studyUid === p.studyUid);
  assert.equal(zip.size, expected.length);
  const want = new Set(expected.map((x) => readFileSync(s.fileOf(x.sopUid)).toString('base64')));
  for (const [name, data] of zip) {
    assert.match(name, /^DICOM\/S\d{4}\/I\d{4}\.dcm$/);
    assert.ok(want.has(data.toString('base64')), `${name} is one of the study's files`);
  }
  await new Promise((res) => setTimeout(res, 50));
  const ev = s.eventsOf('dicomhawk.web.download').at(-1)!;
  assert.equal(ev.level, 'STUDY');
  assert.equal(ev.study, p.studyUid);
  assert.equal(ev.count, expected.length);
  assert.deepEqual(new Set(ev.uids), new Set(expected.map((x) => x.sopUid)));

  const h = PATIENTS.find((x) => x.sopUid === HONEY_SOP)!;
  const sr = await b.req(`/download/studies/${h.studyUid}/series/${h.seriesUid}`);
  assert.equal(sr.status, 200);
  await sr.arrayBuffer();
  const issued = s.eventsOf('dicomhawk.honeytoken.issued').filter((e) => e.token === HONEY_TOKEN);
  assert.equal(issued.length, 1);
  assert.equal(issued[0]!.session, s.eventsOf('dicomhawk.web.login.success')[0]!.session);
});

test('downloads need a session; unknown or malformed UIDs are 404', async () => {
  const p = PATIENTS[0]!;
  const anon = await fetch(`${s.url}/download/studies/${p.studyUid}`, { redirect: 'manual' });
  assert.equal(anon.status, 302);
  assert.equal((await b.req('/download/studies/1.2.3.999')).status, 404);
  assert.equal((await b.req('/download/studies/..%2f..%2fetc%2fpasswd')).status, 404);
});

test('a ZIP larger than API_DOWNLOAD_MAX_BYTES is cut to the budget', async () => {
  const small = await startWeb({ API_DOWNLOAD_MAX_BYTES: '1024' });
  try {
    const c = new Browser(small.url);
    await c.login('test', 'test');
    const r = await c.req(`/download/studies/${PATIENTS[0]!.studyUid}`);
    const zip = await unzip(Buffer.from(await r.arrayBuffer()));
    assert.equal(readFileSync(s.fileOf(PATIENTS[0]!.sopUid)).length < 1024 && readFileSync(s.fileOf(PATIENTS[0]!.sopUid)).length * 2 > 1024, true, 'fixture sizes as assumed');
    assert.equal(zip.size, 1);
  } finally {
    await small.stop();
  }
});
