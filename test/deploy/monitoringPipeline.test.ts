/**
 * The offline proof of the monitoring pipeline (no Elasticsearch, Logstash or Kibana can run here):
 * real clients (DCMTK, curl, raw TCP) drive the real honeypot, whose Redis sink pushes the events onto a real Redis
 * list; each line is then read back as Logstash's redis input would, decoded as its json codec does, run through the
 * filter section of deploy/monitoring/logstash/pipeline/dicomhawk.conf (interpreted), and checked against the
 * committed index template as Elasticsearch would index it (dynamic: strict, coerce off).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { EVENT_IDS, type HawkEvent } from '../../src/core/events/catalogue.ts';
import { parsePipeline } from '../../deploy/monitoring/tools/logstash/parse.ts';
import { decodeJsonLine, runFilters, toDocument } from '../../deploy/monitoring/tools/logstash/run.ts';
import { sampleGeo } from '../../deploy/monitoring/tools/template.ts';
import { PIPELINE_FILE, TEMPLATE_FILE } from '../../deploy/monitoring/tools/write.ts';
import { BIN } from '../helpers/cli.ts';
import { RedisServer } from '../helpers/redisServer.ts';
import { driveDimse, driveWeb, type Step } from './lib/drive.ts';
import { mappingProblems, type Properties } from './lib/esMapping.ts';
import { startHoneypot, type Honeypot } from './lib/honeypot.ts';

const KEY = 'dicomhawk:events';

/**
 * Catalogue events the drive does not produce, and why. A new event id that is neither produced nor listed here
 * fails the test, so someone decides how it is exercised.
 */
const NOT_DRIVEN: Record<string, string> = {
  'dicomhawk.tcia.sync.start': 'TCIA_ACTIVATED=no: no network beyond loopback in tests',
  'dicomhawk.tcia.sync.done': 'TCIA_ACTIVATED=no: no network beyond loopback in tests',
  'dicomhawk.tcia.sync.failed': 'TCIA_ACTIVATED=no: no network beyond loopback in tests',
};

function runCli(args: string[], env: Record<string, string>): Promise<number> {
  return new Promise((resolve) => execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 }, (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0)));
}

function firstFile(dir: string): string | null {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      const f = firstFile(p);
      if (f) return f;
    } else if (name.endsWith('.dcm')) return p;
  }
  return null;
}

describe('monitoring pipeline on events from real sessions', () => {
  const redis = new RedisServer();
  let hp: Honeypot;
  const steps: Step[] = [];
  let lines: string[] = [];
  let events: HawkEvent[] = [];
  let surfaces: string[] = [];

  let abuseipdb: Server;

  before(async () => {
    await redis.start();
    // AbuseIPDB as a fake on loopback (the sensor reaches it through ABUSEIPDB_URL), answering in its APIv2 shape.
    abuseipdb = createServer((req, res) => {
      const ip = new URL(req.url ?? '/', 'http://x').searchParams.get('ipAddress') ?? '';
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({ data: { ipAddress: ip, isPublic: false, ipVersion: 4, isWhitelisted: false, abuseConfidenceScore: 87, countryCode: 'DK', usageType: 'Data Center/Web Hosting/Transit', isp: 'Example Hosting A/S', domain: 'example.net', hostnames: [], isTor: false, totalReports: 12, numDistinctUsers: 5, lastReportedAt: '2026-01-01T00:00:00+00:00' } }),
      );
    });
    await new Promise<void>((r) => abuseipdb.listen(0, '127.0.0.1', () => r()));
    const scannerList = join(mkdtempSync(join(tmpdir(), 'dh-scanners-')), 'scanners.txt');
    writeFileSync(scannerList, '127.0.0.1 # deploy-test scanner\n');
    const env = {
      ABUSE_IP_API_KEY: 'test-key',
      ABUSEIPDB_URL: `http://127.0.0.1:${(abuseipdb.address() as { port: number }).port}`,
      INTEL_LOOKUP_PRIVATE: 'yes',
      SCANNER_LISTS: scannerList,
      REDIS_URL: redis.url,
      REDIS_KEY: KEY,
      SEED_PATIENTS: '2',
      SEED_STUDIES: '1',
      SEED_SCALE: '0.1',
      MODALITIES: 'CT,DX',
      HONEYTOKEN_SHARE: '1',
      DICOM_ASSOCIATE_TIMEOUT_MS: '1500',
      DICOMWEB_AUTH: 'basic',
      DICOMWEB_CREDENTIALS: '*',
    };
    hp = await startHoneypot(env);
    surfaces = hp.running.surfaces.map((s) => s.name);
    await driveDimse(hp, steps);
    const get = hp.events.find((e) => e.eventid === 'dicomhawk.dimse.get');
    const study = (get && get.eventid === 'dicomhawk.dimse.get' ? get.keys.find((k) => k.keyword === 'StudyInstanceUID')?.value : undefined) ?? null;
    if (surfaces.includes('web')) await driveWeb(hp, steps, study);
    await new Promise((r) => setTimeout(r, 500));
    await hp.stop();
    // An archive file changed behind the sensor's back: `dicomhawk verify` reports it (its own bus, same Redis).
    const victim = firstFile(join(hp.dataDir, 'archive'));
    if (victim) {
      writeFileSync(victim, Buffer.concat([readFileSync(victim), Buffer.from('tampered')]));
      const code = await runCli(['verify', '--no-restore'], { DATA_DIR: hp.dataDir, REDIS_URL: redis.url, REDIS_KEY: KEY, EVENTS_STDOUT: 'no', LOG_LEVEL: 'silent' });
      steps.push({ step: 'dicomhawk verify after tampering an archive file', ok: code === 1, detail: `exit ${code}` });
    }
    const client = createClient({ url: redis.url });
    await client.connect();
    lines = await client.lRange(KEY, 0, -1);
    await client.close();
    events = lines.map((l) => JSON.parse(l) as HawkEvent);
  });

  after(async () => {
    await redis.stop();
    abuseipdb.close();
  });

  test('the drive produced events of every family through Redis, and each missing catalogue event has a stated reason', () => {
    const produced = new Set(events.map((e) => e.eventid));
    const missing = EVENT_IDS.filter((id) => !produced.has(id));
    const webSurface = surfaces.includes('web');
    const unexplained = missing.filter((id) => !NOT_DRIVEN[id] && !(/^dicomhawk\.(web|dicomweb)\./.test(id) && webSurface));
    const lines = [
      `surfaces: ${surfaces.join(', ')}`,
      ...steps.map((s) => `  ${s.ok ? 'ok ' : 'NOK'} ${s.step} — ${s.detail}`),
      `produced ${produced.size} of ${EVENT_IDS.length} event ids (${events.length} events): ${[...produced].sort().join(', ')}`,
      'not produced:',
      ...missing.map((id) => `  ${id}: ${NOT_DRIVEN[id] ?? (/^dicomhawk\.(web|dicomweb)\./.test(id) ? (webSurface ? 'the web surface is registered and was driven with curl, but did not emit it (see the curl steps above)' : 'no web surface registered in src/app/surfaces.ts') : 'NO REASON GIVEN')}`),
    ];
    console.log(lines.join('\n'));
    assert.deepEqual(unexplained, [], 'every catalogue event is produced by the drive or has a reason in NOT_DRIVEN');
    assert.deepEqual(Object.keys(NOT_DRIVEN).filter((id) => !(EVENT_IDS as string[]).includes(id)), [], 'NOT_DRIVEN names only catalogue events');
    for (const id of ['dicomhawk.sensor.start', 'dicomhawk.session.connect', 'dicomhawk.association.request', 'dicomhawk.dimse.find', 'dicomhawk.dimse.get', 'dicomhawk.dimse.move', 'dicomhawk.dimse.store', 'dicomhawk.honeytoken.issued', 'dicomhawk.score.update', 'dicomhawk.pdu.malformed', 'dicomhawk.sensor.stop', 'dicomhawk.intel.result', 'dicomhawk.scanner.identified', 'dicomhawk.dimse.malformed'])
      assert.ok(produced.has(id as HawkEvent['eventid']), `${id} produced`);
  });

  test('every event, as the pipeline maps it, is a document the index template accepts', () => {
    const pipeline = parsePipeline(readFileSync(PIPELINE_FILE, 'utf8'));
    const template = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as { index_patterns: string[]; template: { mappings: { dynamic: string; properties: Properties } } };
    assert.equal(template.template.mappings.dynamic, 'strict');
    const patterns = template.index_patterns.map((p) => new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '.*')}$`));
    const problems: string[] = [];
    const perIndex = new Map<string, number>();
    lines.forEach((line, i) => {
      const ev = events[i]!;
      const { index, doc } = toDocument(runFilters(pipeline, decodeJsonLine(line, '[dicomhawk]'), { env: { ELASTICSEARCH_PASSWORD: 'x', REDIS_PASSWORD: 'x' }, geoip: sampleGeo }));
      perIndex.set(index, (perIndex.get(index) ?? 0) + 1);
      for (const p of mappingProblems(doc, template.template.mappings.properties)) problems.push(`${ev.eventid}: ${p}`);
      if (!patterns.some((re) => re.test(index))) problems.push(`${ev.eventid}: index ${index} matches no index pattern of the template`);
      const ds = doc.data_stream as Record<string, string>;
      assert.equal(index, `${ds.type}-${ds.dataset}-${ds.namespace}`);
      // The envelope, in ECS.
      const d = doc as Record<string, Record<string, unknown>> & { message: string; '@timestamp': string };
      assert.equal(d['@timestamp'], ev.timestamp, 'the sensor time is @timestamp');
      assert.equal(d.event!.created, ev.timestamp);
      assert.equal(d.event!.action, ev.eventid);
      assert.equal(d.event!.dataset, ds.dataset);
      assert.equal(d.observer!.name, ev.sensor);
      assert.equal(d.message, ev.message);
      assert.equal(d.dicomhawk!.session, ev.session, 'the session id is kept');
      if (ev.src_ip !== null) {
        assert.equal((d.source as Record<string, unknown>).ip, ev.src_ip);
        assert.equal((d.source as Record<string, unknown>).port, ev.src_port);
        assert.equal((d.destination as Record<string, unknown>).port, ev.dst_port);
        assert.equal((d.network as Record<string, unknown>).protocol, ev.protocol);
        assert.ok((doc.tags as string[]).includes('sensor_local'), 'loopback clients are tagged sensor_local');
      }
      for (const k of ['eventid', 'timestamp', 'src_ip', 'src_port', 'dst_ip', 'dst_port', 'sensor', 'protocol', 'message'])
        assert.ok(!(k in (d.dicomhawk ?? {})), `${ev.eventid}: envelope field ${k} moved out of dicomhawk.*`);
    });
    console.log(`documents per data stream: ${[...perIndex].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    assert.deepEqual(problems, []);
    assert.ok(perIndex.size >= 3, 'events of several families land in their own data streams');
  });

  test('event-specific mappings: request types, C-MOVE destination, A-ABORT reason code, honeytoken', () => {
    const pipeline = parsePipeline(readFileSync(PIPELINE_FILE, 'utf8'));
    const docs = lines.map((l) => toDocument(runFilters(pipeline, decodeJsonLine(l, '[dicomhawk]'), { env: { ELASTICSEARCH_PASSWORD: 'x', REDIS_PASSWORD: 'x' } })).doc as Record<string, Record<string, unknown>>);
    const byAction = (a: string) => docs.filter((d) => d.event!.action === a);
    assert.deepEqual([...new Set(byAction('dicomhawk.dimse.find').map((d) => d.dicomhawk!.request_type))], ['C-FIND']);
    const move = byAction('dicomhawk.dimse.move')[0]!;
    assert.equal(move.dicomhawk!.request_type, 'C-MOVE');
    assert.equal((move.dicomhawk!.destination_ae as { text: string }).text, 'EXFIL_AE');
    assert.equal(move.dicomhawk!.status, 0xa801);
    assert.equal(move.event!.dataset, 'dicomhawk.dimse');
    const abort = byAction('dicomhawk.association.abort')[0];
    if (abort) assert.equal(typeof abort.dicomhawk!.reason_code, 'number');
    const issued = byAction('dicomhawk.honeytoken.issued')[0]!;
    assert.equal(issued.event!.dataset, 'dicomhawk.honeytoken');
    assert.equal(typeof issued.dicomhawk!.token, 'string');
    // Reputation: ISP and country lifted out of the AbuseIPDB summary; the score carries the abuse score.
    const intel = byAction('dicomhawk.intel.result').find((d) => d.dicomhawk!.service === 'abuseipdb')!;
    assert.equal(intel.dicomhawk!.isp, 'Example Hosting A/S');
    assert.equal(intel.dicomhawk!.country, 'DK');
    assert.equal(intel.event!.dataset, 'dicomhawk.intel');
    assert.ok(byAction('dicomhawk.score.update').some((d) => d.dicomhawk!.abuse_score === 87));
    // The known-scanner tag the sensor sets arrives in ECS tags next to the pipeline's own.
    const scanned = byAction('dicomhawk.session.connect')[0]!;
    assert.ok((scanned.tags as unknown as string[]).includes('known_scanner'), 'known_scanner tag kept');
    assert.ok((scanned.tags as unknown as string[]).includes('sensor_local'));
    const req = byAction('dicomhawk.web.request')[0];
    if (req) {
      assert.equal(typeof (req.url as Record<string, unknown>).path, 'string');
      assert.equal(typeof ((req.http as Record<string, Record<string, unknown>>).response!.status_code), 'number');
    }
  });

  test('a line that is not JSON is kept as a document of its own data stream', () => {
    const pipeline = parsePipeline(readFileSync(PIPELINE_FILE, 'utf8'));
    const template = JSON.parse(readFileSync(TEMPLATE_FILE, 'utf8')) as { template: { mappings: { properties: Properties } } };
    const { index, doc } = toDocument(runFilters(pipeline, decodeJsonLine('garbage {', '[dicomhawk]'), { env: { ELASTICSEARCH_PASSWORD: 'x' } }));
    assert.equal(index, 'logs-dicomhawk.invalid-default');
    assert.equal(doc.message, 'garbage {');
    assert.deepEqual(mappingProblems(doc, template.template.mappings.properties), []);
  });
});
