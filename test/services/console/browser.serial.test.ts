/// <reference lib="dom" />
/**
 * The console in Debian's Chromium against a running honeypot (startServer: DICOM, intel and the console on free
 * loopback ports, a generated store in DATA_DIR): sign in, read the overview's numbers against the store, open a
 * session's detail, watch a real DCMTK `echoscu` appear on the Live page, search, and save a screenshot of each
 * page in docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startServer, type Running } from '../../../src/app/serve.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { generateStore } from '../../fixtures/consoleStore.ts';
import { freePort, waitFor } from '../../helpers/net.ts';

const SHOTS = new URL('../../../docs/screenshots/', import.meta.url).pathname;
const DAY = 86_400_000;

function echoscu(port: number): Promise<number> {
  return new Promise((resolve) => execFile('echoscu', ['-aet', 'HAWKTEST', '-aec', 'PACS', '127.0.0.1', String(port)], { timeout: 20_000 }, (err) => resolve(err ? 1 : 0)));
}

describe('console in Chromium', () => {
  let running: Running;
  let browser: Browser;
  let page: Page;
  let base: string;
  let dicomPort: number;
  let apiPort: number;
  let dbPath: string;
  const errors: string[] = [];
  const now = Date.now();

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dh-console-browser-'));
    dbPath = join(dataDir, 'dicomhawk.db');
    generateStore(dbPath, { events: 6000, days: 14, now, ips: 400 });
    dicomPort = await freePort();
    apiPort = await freePort();
    const consolePort = await freePort();
    const env = {
      DATA_DIR: dataDir, DICOM_PORT: String(dicomPort), CONSOLE_PORT: String(consolePort), CONSOLE_HOST: '127.0.0.1', API_PORT: String(apiPort),
      SEED_PATIENTS: '0', EVENTS_STDOUT: 'no', EVENTS_JSONL: 'no', SCANNER_RDNS: 'no', LOG_LEVEL: 'warn', PROD: 'yes', SENSOR_NAME: 'browser-test',
    };
    running = await startServer(loadConfig({ env }), { log: silentLogger() });
    base = `http://127.0.0.1:${consolePort}`;
    const token = running.ctx.secrets.consoleToken;
    await waitFor(async () => {
      const st = (await (await fetch(`${base}/api/status`, { headers: { authorization: `Bearer ${token}` } })).json()) as { fold: { behind: number; latest_event: number } };
      return st.fold.latest_event > 6000 && st.fold.behind === 0;
    }, 60_000, 200);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await running?.stop('test');
  });

  test('sign in with the token; a wrong token is refused', async () => {
    await page.goto(`${base}/`);
    assert.match(page.url(), /\/login$/);
    await page.screenshot({ path: join(SHOTS, 'console-login.png') });
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    assert.match((await page.textContent('.error')) ?? '', /Wrong token/);
    await page.fill('#token', running.ctx.secrets.consoleToken);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-stat="sessions_today"] .stat-value');
    const cookies = await page.context().cookies();
    const c = cookies.find((x) => x.name === 'dicomhawk_console')!;
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Strict');
  });

  test('the overview shows the numbers of the store', async () => {
    await page.goto(`${base}/#/overview?range=7d`);
    await page.waitForSelector('[data-stat="sessions_today"] .stat-value');
    await page.waitForSelector('#timeline');
    const stat = async (k: string): Promise<number> => Number(((await page.textContent(`[data-stat="${k}"] .stat-value`)) ?? '').replace(/[^\d]/g, ''));
    const db = new Database(dbPath, { readonly: true });
    const today = now - (now % DAY);
    const since = today - 6 * DAY;
    const first = db.prepare("SELECT session, min(ts_ms) AS t, protocol FROM events WHERE protocol != 'internal' GROUP BY session").all() as Array<{ t: number; protocol: string }>;
    const webRequests = (db.prepare("SELECT count(*) AS n FROM events WHERE eventid = 'dicomhawk.web.request' AND ts_ms >= ?").get(since) as { n: number }).n;
    const ips = (db.prepare("SELECT count(DISTINCT src_ip) AS n FROM events WHERE protocol != 'internal' AND ts_ms >= ?").get(since) as { n: number }).n;
    db.close();
    // The test's own honeypot start added nothing but internal events, so the generated sessions are all there are.
    assert.equal(await stat('sessions_today'), first.filter((r) => r.t >= today).length);
    assert.equal(await stat('sessions_7d'), first.filter((r) => r.t >= since).length);
    assert.equal(await stat('dimse_sessions'), first.filter((r) => r.t >= since && r.protocol === 'dimse').length);
    assert.equal(await stat('web_requests'), webRequests);
    assert.equal(await stat('unique_ips'), ips);
    assert.ok((await page.locator('.top-ips tbody tr').count()) > 5);
    assert.equal(await page.locator('canvas').count(), 5, 'timeline and four pies');
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'console-overview.png'), fullPage: true });
    await page.click('#theme-toggle');
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await page.screenshot({ path: join(SHOTS, 'console-overview-dark.png'), fullPage: true });
    await page.click('#theme-toggle');
  });

  test("a session's detail tells its story", async () => {
    const db = new Database(dbPath, { readonly: true });
    const id = (db.prepare("SELECT session FROM events WHERE eventid = 'dicomhawk.dimse.store' ORDER BY id DESC LIMIT 1").pluck().get() as string);
    const n = (db.prepare('SELECT count(*) FROM events WHERE session = ?').pluck().get(id) as number);
    db.close();
    await page.goto(`${base}/#/session/${encodeURIComponent(id)}`);
    await page.waitForSelector('.story');
    assert.equal(await page.locator('.story > li').count(), n);
    assert.equal(await page.locator('.story > li').first().getAttribute('data-eventid'), 'dicomhawk.session.connect');
    assert.ok(((await page.textContent('main')) ?? '').includes('Scores and why'));
    assert.ok(await page.locator('a[href$="/download"]').count() >= 1, 'a quarantine link for the upload');
    await page.screenshot({ path: join(SHOTS, 'console-session.png'), fullPage: true });
  });

  test('a real echoscu appears on the Live page', async () => {
    await page.goto(`${base}/#/live`);
    await page.waitForSelector('#live-status.on');
    assert.equal(await echoscu(dicomPort), 0);
    const row = page.locator('#live-rows tr', { hasText: 'C-ECHO' }).filter({ hasText: '127.0.0.1' });
    await row.first().waitFor({ timeout: 15_000 });
    const text = (await row.first().textContent()) ?? '';
    assert.match(text, /HAWKTEST → PACS/);
    assert.match(text, /DCMTK/i);
    await page.waitForTimeout(2600); // the highlight fades
    await page.screenshot({ path: join(SHOTS, 'console-live.png') });
  });

  test('search by network and event id, with exports', async () => {
    await page.goto(`${base}/#/search?ip=45.0.0.0/8&eventid=dicomhawk.dimse.*`);
    await page.waitForSelector('table.results tbody tr');
    const ips = await page.locator('table.results tbody tr td:nth-child(5)').allTextContents();
    assert.ok(ips.length > 0 && ips.every((ip) => ip.startsWith('45.')));
    const events = await page.locator('table.results tbody tr td:nth-child(2)').allTextContents();
    assert.ok(events.every((e) => e.startsWith('dimse.')));
    const csv = await page.getAttribute('a:has-text("Export CSV")', 'href');
    assert.match(csv ?? '', /^\/api\/events\/export\?ip=45\.0\.0\.0%2F8&eventid=dicomhawk\.dimse\.\*&format=csv$/);
    await page.screenshot({ path: join(SHOTS, 'console-search.png') });
    await page.goto(`${base}/#/search?since=yesterday`);
    await page.waitForSelector('#results .error');
    assert.match((await page.textContent('#results .error')) ?? '', /not a time/);
  });

  test('the attacker-facing web port serves none of the console', async () => {
    const auth = { authorization: `Bearer ${running.ctx.secrets.consoleToken}` };
    for (const path of ['/api/status', '/api/overview', '/assets/app.js', '/login']) {
      const res = await fetch(`http://127.0.0.1:${apiPort}${path}`, { headers: auth, redirect: 'manual' }).catch(() => null);
      const body = res ? await res.text() : '';
      assert.ok(!body.includes('DICOMHawk console') && !body.includes('"fold"') && !body.includes('Operator token'), `${path} on the portal port`);
    }
  });

  test('no script errors or blocked resources on any page', () => {
    assert.deepEqual(errors.filter((e) => !/status of (400|401)/.test(e)), []);
  });
});
