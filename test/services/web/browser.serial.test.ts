/**
 * The portal in a real browser (Debian chromium through playwright-core): sign in with test/test, search,
 * download a study ZIP and read its DICOM file with DCMTK's dcmdump, upload a file, and save screenshots
 * of the sign-in and search pages to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import yauzl from 'yauzl';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { PATIENTS, startWeb, type WebServer } from './harness.ts';

const run = promisify(execFile);
const SHOTS = join(import.meta.dirname, '..', '..', '..', 'docs', 'screenshots');

let s: WebServer;
let browser: Browser;
before(async () => {
  s = await startWeb();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await s?.stop();
});

function firstEntry(zipPath: string): Promise<{ name: string; data: Buffer; count: number }> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      let first: { name: string; data: Buffer } | null = null;
      let count = 0;
      zip.on('entry', (e: yauzl.Entry) => {
        count++;
        if (first) return zip.readEntry();
        zip.openReadStream(e, (err2, rs) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('end', () => {
            first = { name: e.fileName, data: Buffer.concat(chunks) };
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => (first ? resolve({ ...first, count }) : reject(new Error('empty zip'))));
      zip.readEntry();
    });
  });
}

test('sign in, search, download a study ZIP (read with dcmdump), upload a file; screenshots of login and search', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${s.url}/`);
  assert.match(page.url(), /\/login$/);
  await page.screenshot({ path: join(SHOTS, 'web-login.png') });
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'IVWSESSION')!;
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Lax');

  await page.fill('#username', 'test');
  await page.fill('#password', 'test');
  await Promise.all([page.waitForURL(/\/search$/), page.click('button[type=submit]')]);

  await page.fill('#name', 'jensen');
  await Promise.all([page.waitForURL(/\/search\?/), page.click('form.search button[type=submit]')]);
  const rows = await page.locator('table.grid tbody tr').count();
  assert.equal(rows, 1);
  assert.match(await page.locator('table.grid tbody').innerText(), /Jensen, Søren/);
  await page.goto(`${s.url}/search?level=study&name=*`);
  await page.screenshot({ path: join(SHOTS, 'web-search.png') });

  await page.goto(`${s.url}/studies/${PATIENTS[0]!.studyUid}`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download study (ZIP)')]);
  const zipPath = join(s.dir, 'study.zip');
  await download.saveAs(zipPath);
  const entry = await firstEntry(zipPath);
  assert.equal(entry.count, 3);
  const dcm = join(s.dir, 'from-zip.dcm');
  writeFileSync(dcm, entry.data);
  const { stdout } = await run('dcmdump', [dcm]);
  assert.match(stdout, /\(0010,0020\) LO \[010170-1235\]/);
  assert.match(stdout, /\(0020,000d\) UI \[1\.2\.826\.0\.1\.3680043\.2\.99\.1\]/);

  await page.goto(`${s.url}/upload`);
  const up = makeDicomFile(s.dir, 'browser-up', { patientName: 'Browser^Upload', patientId: 'BU1', studyUid: '1.2.826.0.1.3680043.2.99.88', seriesUid: '1.2.826.0.1.3680043.2.99.88.1', sopUid: '1.2.826.0.1.3680043.2.99.88.1.1' });
  await page.setInputFiles('input[type=file]', up);
  await Promise.all([page.waitForLoadState('load'), page.click('form[enctype] button[type=submit]')]);
  await page.waitForSelector('text=Import result');
  assert.match(await page.locator('table.grid').innerText(), /Accepted/);
  await page.screenshot({ path: join(SHOTS, 'web-upload.png') });
  const ev = s.eventsOf('dicomhawk.web.upload').at(-1)!;
  assert.equal(ev.files[0]!.accepted, true);
  assert.deepEqual(readFileSync(s.quarantine.pathOf(ev.files[0]!.sha256)), readFileSync(up));
  assert.ok(s.eventsOf('dicomhawk.web.download').some((e) => e.level === 'STUDY' && e.count === 3 && e.complete));
  await context.close();
});
