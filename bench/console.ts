/**
 * `npm run bench -- console`: every console page's API answer time on a store of 1 000 000 generated events
 * (BENCH_CONSOLE_EVENTS), against references measured in the same run: a full `SELECT count(*) FROM events` and
 * the HTTP round trip of the console's cheapest endpoint. Target: every page under 300 ms.
 *
 * The events (DICOM and web sessions of every kind, GeoIP, scores, scanners, honeytokens, uploads, logins) are
 * generated over 30 days and inserted directly into the events and sessions tables; then the console folds them into
 * its roll-ups (the fold rate is reported too) and answers over real HTTP on loopback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/core/log.ts';
import { buildAssets } from '../src/services/console/bundle.ts';
import { LiveHub } from '../src/services/console/live.ts';
import { buildConsoleApp } from '../src/services/console/server.ts';
import { ConsoleStore } from '../src/services/console/store/consoleStore.ts';
import { generateStore } from '../test/fixtures/consoleStore.ts';

const N = Number(process.env.BENCH_CONSOLE_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_CONSOLE_RUNS ?? 7);
const TARGET_MS = 300;
const TOKEN = 'bench-console-token-0123456789';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(fn: () => Promise<unknown> | unknown): Promise<{ median: number; max: number }> {
  await fn(); // warm (statement cache, pages in the OS cache)
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return { median: median(xs), max: Math.max(...xs) };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-console-'));
  const dbPath = join(dir, 'dicomhawk.db');
  try {
    let t0 = performance.now();
    const g = generateStore(dbPath, { events: N, days: 30, ips: 5000 });
    console.log(`store: ${g.events} events, ${g.sessions} sessions over 30 days, generated and inserted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const store = ConsoleStore.open({ root: dir, db: dbPath });
    t0 = performance.now();
    const folded = store.foldAll();
    const foldS = (performance.now() - t0) / 1000;
    console.log(`roll-up fold: ${folded} events in ${foldS.toFixed(1)} s (${Math.round(folded / foldS)} events/s, off the sink's path, from a rowid watermark)`);

    const app = await buildConsoleApp({
      store, hub: new LiveHub(), token: TOKEN, quarantineDir: join(dir, 'quarantine'), sensor: 'bench', version: 'bench', assets: await buildAssets(), log: silentLogger(), prod: true,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const get = async (path: string): Promise<string> => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${body.slice(0, 200)}`);
      return body;
    };

    const countRef = await time(() => store.db.prepare('SELECT count(*) FROM ev.events').get());
    const httpRef = await time(() => get('/api/status'));
    console.log(`reference: SELECT count(*) FROM events = ${countRef.median.toFixed(2)} ms; HTTP round trip of /api/status = ${httpRef.median.toFixed(2)} ms`);

    const busiest = store.db.prepare("SELECT session FROM ev.sessions WHERE protocol = 'http' ORDER BY event_count DESC LIMIT 1").pluck().get() as string;
    const dimse = store.db.prepare("SELECT session FROM ev.sessions WHERE protocol = 'dimse' ORDER BY event_count DESC LIMIT 1").pluck().get() as string;
    const pages: Array<[string, string]> = [
      ['Overview, today', '/api/overview?range=today'],
      ['Overview, 7 days', '/api/overview?range=7d'],
      ['Overview, 30 days', '/api/overview?range=30d'],
      ['Overview, all', '/api/overview?range=all'],
      ['Session detail (DICOM)', `/api/sessions/${dimse}`],
      ['Session detail (web)', `/api/sessions/${busiest}`],
      ['Search, newest 100', '/api/events'],
      ['Search, ip', '/api/events?ip=45.0.0.1'],
      ['Search, CIDR /8', '/api/events?ip=185.0.0.0/8'],
      ['Search, eventid', '/api/events?eventid=dicomhawk.dimse.find'],
      ['Search, eventid prefix', '/api/events?eventid=dicomhawk.web.*'],
      ['Search, AE title', '/api/events?ae=ORTHANC'],
      ['Search, text', '/api/events?text=Jensen'],
      ['Search, rare text', '/api/events?text=Sommer'],
      ['Search, since 2h', '/api/events?since=2h'],
      ['Search, combined', `/api/events?ip=45.0.0.0/16&eventid=dicomhawk.dimse.*&since=7d`],
      ['Search, page 10 (cursor)', ''],
      ['Live (SSE snapshot)', '/api/live'],
    ];
    // The 10th page of an unfiltered search: follow the cursor.
    let cursor = '';
    for (let i = 0; i < 9; i += 1) cursor = (JSON.parse(await get(`/api/events${cursor ? `?before=${cursor}` : ''}`)) as { next: string }).next;
    pages.find((p) => p[0].startsWith('Search, page 10'))![1] = `/api/events?before=${cursor}`;

    const liveSnapshot = async (): Promise<void> => {
      const ctl = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/live`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: ctl.signal });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('event: snapshot')) text += new TextDecoder().decode((await reader.read()).value);
      ctl.abort();
    };

    console.log(`machine load average (1 min) before timing: ${loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores (other work inflates every figure alike; the ratios stay comparable)`);
    console.log(`\n${'page'.padEnd(28)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)}  ${'× count(*)'.padStart(10)}  ${'× HTTP ref'.padStart(10)}  median < ${TARGET_MS} ms`);
    let worst = 0;
    let worstMedian = 0;
    for (const [name, path] of pages) {
      const t = await time(() => (path === '/api/live' ? liveSnapshot() : get(path)));
      worst = Math.max(worst, t.max);
      worstMedian = Math.max(worstMedian, t.median);
      console.log(
        `${name.padEnd(28)} ${t.median.toFixed(1).padStart(10)} ${t.max.toFixed(1).padStart(8)}  ${(t.median / countRef.median).toFixed(2).padStart(10)}  ${(t.median / httpRef.median).toFixed(1).padStart(10)}  ${t.median < TARGET_MS ? 'yes' : 'NO'}${t.max >= TARGET_MS ? ' (max over)' : ''}`,
      );
    }
    const exp = await time(() => get('/api/events/export?format=csv&limit=10000'));
    console.log(`\nexport of 10 000 events as CSV: ${exp.median.toFixed(0)} ms (a download, not a page)`);
    console.log(`slowest page (median of ${RUNS}): ${worstMedian.toFixed(1)} ms, slowest single answer ${worst.toFixed(1)} ms; target < ${TARGET_MS} ms with ${g.events} events: ${worstMedian < TARGET_MS ? 'met' : 'NOT met'} (load average now ${loadavg()[0]!.toFixed(1)})`);
    await app.close();
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
