// The whole sensor (`dicomhawk serve`, as an operator runs it) with its reputation services pointed at fake
// AbuseIPDB, IPQualityScore and VirusTotal servers on 127.0.0.1 (harness.ts's request checks):
//
// - a burst of 1 000 real DICOM sessions (A-ASSOCIATE, C-ECHO, A-RELEASE) from 50 source addresses (127.0.0.1-50,
//   loopback is a /8) causes at most 50 lookups per service — and every session still gets its answer;
// - the same burst shows the known-scanner tag on every event of a listed source;
// - services that accept the request and never answer delay no DICOM association (DCMTK echoscu) and no web
//   request (curl) while the lookups hang.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { openDb } from '../../../src/core/storage/db.ts';
import { startCli } from '../../helpers/cli.ts';
import type { FakeServer, Recorded, Reply } from '../../domain/intel/fake-server.ts';
import { startFakeServer } from '../../domain/intel/fake-server.ts';
import { run } from '../../helpers/dimseServer.ts';
import { freePort, waitFor } from '../../helpers/net.ts';
import { KEYS } from './harness.ts';
import { rawEcho } from './rawDicom.ts';

interface Sensor {
  child: ChildProcess;
  dataDir: string;
  dicomPort: number;
  webPort: number;
  stderr: () => string;
  /** SIGTERM (sinks are flushed), once. */
  kill(): Promise<void>;
  /** kill() and delete the data directory. */
  stop(): Promise<void>;
}

/** Starts `dicomhawk serve` on free loopback ports with the three services at the fakes' base URLs. */
async function startSensor(fakes: FakeServer[], extra: Record<string, string> = {}): Promise<Sensor> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-intel-serve-'));
  const [dicomPort, webPort] = [await freePort(), await freePort()];
  const env = {
    DATA_DIR: dataDir, PROD: 'yes', CONSOLE_ENABLED: 'no', SEED_PATIENTS: '0', LOG_LEVEL: 'info', EVENTS_STDOUT: 'no',
    DICOM_PORT: String(dicomPort), DICOM_SERVER_HOST: '127.0.0.1', API_PORT: String(webPort), API_HOST: '127.0.0.1',
    ABUSE_IP_API_KEY: KEYS.abuseipdb, IP_QUALITY_SCORE_API_KEY: KEYS.ipqs, VIRUS_TOTAL_API_KEY: KEYS.virustotal,
    ABUSEIPDB_URL: fakes[0]!.baseUrl, IPQS_URL: fakes[1]!.baseUrl, VIRUSTOTAL_URL: fakes[2]!.baseUrl,
    ABUSEIPDB_RATE_LIMIT: '1000/s', IPQS_RATE_LIMIT: '1000/s', VIRUSTOTAL_RATE_LIMIT: '1000/s',
    INTEL_LOOKUP_PRIVATE: 'yes', SCANNER_RDNS: 'no', GEOIP_DB: 'off',
    ...extra,
  };
  const child = startCli(['serve'], env);
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await waitFor(() => stderr.includes('threat intelligence running') || child.exitCode !== null, 90_000, 100);
  assert.equal(child.exitCode, null, `serve exited: ${stderr.slice(-2000)}`);
  return {
    child, dataDir, dicomPort, webPort,
    stderr: () => stderr,
    kill,
    async stop() {
      await kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Events the sensor stored (after kill(): every sink flushed), read from its SQLite store. */
function eventsOf(s: Sensor, eventid: string): HawkEvent[] {
  const db = openDb(join(s.dataDir, 'dicomhawk.db'), { readonly: true });
  try {
    const rows = db.prepare(eventid.endsWith('*') ? 'SELECT json FROM events WHERE eventid LIKE ? ORDER BY id' : 'SELECT json FROM events WHERE eventid = ? ORDER BY id').all(eventid.replace(/\*$/, '%')) as Array<{ json: string }>;
    return rows.map((r) => JSON.parse(r.json) as HawkEvent);
  } finally {
    db.close();
  }
}

/** Answers like the real services (for one address: a plain record), checking nothing but the path. */
function plainReply(service: 'abuseipdb' | 'ipqs' | 'virustotal'): (req: Recorded) => Reply {
  return (req) => {
    if (service === 'abuseipdb') return { body: { data: { ipAddress: req.query.get('ipAddress'), abuseConfidenceScore: 10, countryCode: 'DK', totalReports: 1 } } };
    if (service === 'ipqs') return { body: { success: true, fraud_score: 20, country_code: 'DK' } };
    return { body: { data: { attributes: { last_analysis_stats: { malicious: 0, suspicious: 0, harmless: 80, undetected: 10 } } } } };
  };
}

describe('dicomhawk serve: 1 000 DICOM sessions from 50 addresses', { timeout: 300_000 }, () => {
  let fakes: FakeServer[] = [];
  let sensor: Sensor;
  let listDir = '';
  before(async () => {
    fakes = await Promise.all([startFakeServer(), startFakeServer(), startFakeServer()]);
    fakes[0]!.reply(plainReply('abuseipdb'));
    fakes[1]!.reply(plainReply('ipqs'));
    fakes[2]!.reply(plainReply('virustotal'));
    listDir = mkdtempSync(join(tmpdir(), 'dh-intel-list-'));
    writeFileSync(join(listDir, 'lab.txt'), '127.0.0.7 # lab scanner\n');
    sensor = await startSensor(fakes, { SCANNER_LISTS: `builtin,${join(listDir, 'lab.txt')}` });
  });
  after(async () => {
    await sensor?.stop();
    await Promise.all(fakes.map((f) => f.close()));
    if (listDir) rmSync(listDir, { recursive: true, force: true });
  });

  test('at most 50 lookups per service, and every session gets each service’s answer', async () => {
    const addresses = Array.from({ length: 50 }, (_, i) => `127.0.0.${i + 1}`);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < 1000) {
        const i = next++;
        await rawEcho(sensor.dicomPort, addresses[i % addresses.length]!);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    await waitFor(() => fakes.every((f) => f.requests.length >= 50), 60_000);
    await new Promise((r) => setTimeout(r, 500)); // anything still to come would arrive now
    assert.deepEqual(fakes.map((f) => f.requests.length), [50, 50, 50]);
    const asked = new Set(fakes[0]!.requests.map((r) => r.query.get('ipAddress')));
    assert.deepEqual([...asked].sort(), [...addresses].sort(), 'each address looked up exactly once');

    await sensor.kill(); // sinks flushed
    const results = eventsOf(sensor, 'dicomhawk.intel.result');
    const echoSessions = new Set(eventsOf(sensor, 'dicomhawk.dimse.echo').map((e) => e.session));
    assert.equal(echoSessions.size, 1000, 'every association was answered');
    for (const service of ['abuseipdb', 'ipqualityscore', 'virustotal']) {
      const sessions = new Set(results.filter((e) => e.eventid === 'dicomhawk.intel.result' && e.service === service && e.ok).map((e) => e.session));
      assert.equal(sessions.size, 1000, `${service}: an answer on every session`);
    }
  });

  test('every event of the listed source carries known_scanner and its entry; no other source does', () => {
    const all = eventsOf(sensor, 'dicomhawk.*').filter((e) => e.src_ip !== null);
    const listed = all.filter((e) => e.src_ip === '127.0.0.7' || e.src_ip === '::ffff:127.0.0.7');
    const ids = new Set(listed.map((e) => e.eventid));
    for (const id of ['dicomhawk.session.connect', 'dicomhawk.association.request', 'dicomhawk.dimse.echo', 'dicomhawk.session.closed', 'dicomhawk.intel.result', 'dicomhawk.score.update', 'dicomhawk.scanner.identified']) {
      assert.ok(ids.has(id as HawkEvent['eventid']), `${id} from the listed source`);
    }
    assert.equal(listed.length > 0 && listed.every((e) => e.known_scanner === true && e.scanner_entry === '127.0.0.7' && e.scanner_name === 'lab scanner'), true);
    const others = all.filter((e) => !listed.includes(e));
    assert.ok(others.length > 1000);
    assert.equal(others.filter((e) => 'known_scanner' in e || 'scanner_entry' in e).length, 0);
  });
});

describe('dicomhawk serve while every reputation service hangs', { timeout: 300_000 }, () => {
  let fakes: FakeServer[] = [];
  let sensor: Sensor;
  before(async () => {
    fakes = await Promise.all([startFakeServer(), startFakeServer(), startFakeServer()]);
    for (const f of fakes) f.reply(() => ({ delayMs: 600_000 })); // accepts the request, never answers
    // INTEL_TIMEOUT at its maximum: a response that waited for a lookup would take two minutes.
    sensor = await startSensor(fakes, { INTEL_TIMEOUT: '120s' });
  });
  after(async () => {
    await sensor?.stop();
    await Promise.all(fakes.map((f) => f.close()));
  });

  test('DICOM associations (DCMTK echoscu, raw clients from new addresses) and web requests (curl) are answered at once', async () => {
    // The first association starts the lookups; they are now hanging in all three services.
    const first = await run('echoscu', ['-to', '10', '127.0.0.1', String(sensor.dicomPort)]);
    assert.equal(first.code, 0, first.stderr);
    await waitFor(() => fakes.every((f) => f.requests.length >= 1), 30_000);

    const echo: number[] = [];
    const web: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await run('echoscu', ['-to', '10', '127.0.0.1', String(sensor.dicomPort)]);
      assert.equal(r.code, 0, r.stderr);
      echo.push(r.ms);
      const c = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', `http://127.0.0.1:${sensor.webPort}/`]);
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, /^[23]\d\d$/, `web status ${c.stdout}`);
      web.push(c.ms);
      // A new address each round: one more lookup, queued behind the hanging ones.
      await rawEcho(sensor.dicomPort, `127.0.1.${i + 1}`);
    }
    // Every answer came long before any lookup could have finished (they never do; the client gives up at 120 s).
    const worst = Math.max(...echo, ...web);
    assert.ok(worst < 10_000, `slowest answer ${worst.toFixed(0)} ms while lookups hang (echo ${echo.map((m) => m.toFixed(0)).join(',')}; web ${web.map((m) => m.toFixed(0)).join(',')})`);
    console.log(`# while 3 services hang: echoscu ${Math.min(...echo).toFixed(0)}–${Math.max(...echo).toFixed(0)} ms per run, curl ${Math.min(...web).toFixed(0)}–${Math.max(...web).toFixed(0)} ms`);
  });
});
