// The intel surface on a real bus (memory + SQLite sinks), its reputation clients pointed at fake AbuseIPDB,
// IPQualityScore and VirusTotal servers on 127.0.0.1 that check each request the way the real service requires it
// (path, key header or path segment, query) and answer from a per-test table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AppContext } from '../../../src/app/context.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import { EventBus } from '../../../src/core/events/bus.ts';
import type { EventOf, HawkEvent } from '../../../src/core/events/catalogue.ts';
import type { SessionIdentity } from '../../../src/core/events/sessionLog.ts';
import { dataPaths, ensureDataDirs } from '../../../src/core/storage/dataDir.ts';
import type { DataPaths } from '../../../src/core/storage/dataDir.ts';
import type { IntelDeps, RunningIntel } from '../../../src/services/intel/index.ts';
import { createIntelSurface } from '../../../src/services/intel/index.ts';
import { SqliteSink } from '../../../src/sinks/sqlite.ts';
import type { FakeServer, Recorded, Reply } from '../../domain/intel/fake-server.ts';
import { startFakeServer } from '../../domain/intel/fake-server.ts';
import { MemorySink } from '../../helpers/collect.ts';
import { SAMPLE_FIELDS } from '../../fixtures/events.ts';

export const KEYS = { abuseipdb: 'abuse-KEY-9f8e7d6c5b4a', ipqs: 'ipqs-KEY-0a1b2c3d4e5f', virustotal: 'vt-KEY-00ff11ee22dd' } as const;

/** What the fake services say about one address (undefined fields: a plain default answer). */
export interface Reputation {
  abuse?: number;
  fraud?: number;
  malicious?: number;
  suspicious?: number;
  country?: string;
  reply?: Partial<Record<'abuseipdb' | 'ipqs' | 'virustotal', Reply>>;
}

export interface Harness {
  bus: EventBus;
  mem: MemorySink;
  paths: DataPaths;
  logLines: string[];
  running: RunningIntel;
  abuse: FakeServer;
  ipqs: FakeServer;
  vt: FakeServer;
  /** Per-address answers of the fake services. */
  reputation: Map<string, Reputation>;
  /** Requests that did not look like the real service's (wrong path, missing key …). */
  malformed: string[];
  events(): HawkEvent[];
  stop(): Promise<void>;
}

function abuseReply(req: Recorded, rep: Map<string, Reputation>, bad: string[]): Reply {
  const ip = req.query.get('ipAddress') ?? '';
  if (req.path !== '/api/v2/check' || req.headers.key !== KEYS.abuseipdb || req.headers.accept !== 'application/json' || req.query.get('maxAgeInDays') !== '90' || !ip) {
    bad.push(`abuseipdb ${req.target}`);
    return { status: 401, body: { errors: [{ detail: 'Authentication failed', status: 401 }] } };
  }
  const r = rep.get(ip) ?? {};
  if (r.reply?.abuseipdb) return r.reply.abuseipdb;
  return {
    body: {
      data: {
        ipAddress: ip, isPublic: true, ipVersion: 4, isWhitelisted: false, abuseConfidenceScore: r.abuse ?? 0, countryCode: r.country ?? 'DK',
        usageType: 'Data Center/Web Hosting/Transit', isp: 'AbuseIPDB-named ISP', domain: 'example.net', hostnames: ['a.example.net', 'b.example.net'],
        isTor: false, totalReports: 12, numDistinctUsers: 5, lastReportedAt: '2026-11-27T10:00:00+00:00',
      },
    },
  };
}

function ipqsReply(req: Recorded, rep: Map<string, Reputation>, bad: string[]): Reply {
  const m = /^\/api\/json\/ip\/([^/]+)\/([^/]+)$/.exec(req.path);
  if (!m || decodeURIComponent(m[1]!) !== KEYS.ipqs || req.query.get('strictness') !== '0') {
    bad.push(`ipqs ${req.path.replace(KEYS.ipqs, '<key>')}`);
    return { body: { success: false, message: 'Invalid or unauthorized key.' } };
  }
  const ip = decodeURIComponent(m[2]!);
  const r = rep.get(ip) ?? {};
  if (r.reply?.ipqs) return r.reply.ipqs;
  return {
    body: {
      success: true, message: 'Success', fraud_score: r.fraud ?? 0, country_code: r.country ?? 'DK', region: 'Hovedstaden', city: 'Copenhagen',
      ISP: 'IPQS-named ISP', ASN: 64500, organization: 'Example', proxy: false, vpn: false, tor: false, bot_status: false, recent_abuse: false, request_id: 'r1',
    },
  };
}

function vtReply(req: Recorded, rep: Map<string, Reputation>, bad: string[]): Reply {
  const m = /^\/api\/v3\/ip_addresses\/([^/]+)$/.exec(req.path);
  if (!m || req.headers['x-apikey'] !== KEYS.virustotal) {
    bad.push(`virustotal ${req.target}`);
    return { status: 401, body: { error: { code: 'WrongCredentialsError', message: 'Wrong API key' } } };
  }
  const ip = decodeURIComponent(m[1]!);
  const r = rep.get(ip) ?? {};
  if (r.reply?.virustotal) return r.reply.virustotal;
  return {
    body: {
      data: {
        id: ip, type: 'ip_address',
        attributes: {
          last_analysis_stats: { malicious: r.malicious ?? 0, suspicious: r.suspicious ?? 0, harmless: 60, undetected: 25, timeout: 0 },
          reputation: -5, as_owner: 'VT-named AS owner', asn: 64500, country: r.country ?? 'DK', network: '203.0.113.0/24',
        },
      },
    },
  };
}

/** Starts the fakes and the intel surface; `env` adds to / overrides the test defaults. */
export async function startIntel(env: Record<string, string> = {}, deps: IntelDeps = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-intel-'));
  const [abuse, ipqs, vt] = await Promise.all([startFakeServer(), startFakeServer(), startFakeServer()]);
  const reputation = new Map<string, Reputation>();
  const malformed: string[] = [];
  abuse.reply((req) => abuseReply(req, reputation, malformed));
  ipqs.reply((req) => ipqsReply(req, reputation, malformed));
  vt.reply((req) => vtReply(req, reputation, malformed));

  const { config } = loadConfig({
    cwd: dir,
    env: {
      DATA_DIR: dir,
      EVENTS_STDOUT: 'no',
      ABUSE_IP_API_KEY: KEYS.abuseipdb,
      IP_QUALITY_SCORE_API_KEY: KEYS.ipqs,
      VIRUS_TOTAL_API_KEY: KEYS.virustotal,
      ABUSEIPDB_URL: abuse.baseUrl,
      IPQS_URL: ipqs.baseUrl,
      VIRUSTOTAL_URL: vt.baseUrl,
      ABUSEIPDB_RATE_LIMIT: '1000/s',
      IPQS_RATE_LIMIT: '1000/s',
      VIRUSTOTAL_RATE_LIMIT: '1000/s',
      INTEL_TIMEOUT: '2s',
      INTEL_LOOKUP_PRIVATE: 'yes',
      SCANNER_RDNS: 'no',
      ...env,
    },
  });
  const paths = dataPaths(dir);
  ensureDataDirs(paths);
  const logLines: string[] = [];
  const log = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        logLines.push(chunk.toString());
        cb();
      },
    }),
  );
  const bus = new EventBus({ sensor: 'test-sensor', log });
  const mem = new MemorySink();
  await bus.addSink(mem);
  await bus.addSink(new SqliteSink(paths.db));
  const ctx: AppContext = { config, paths, secrets: { installSecret: 'i', consoleToken: 'c', jwtKey: 'j' }, bus, log, data: () => Promise.reject(new Error('the intel surface opens no decoy data')) };
  const running = (await createIntelSurface(deps).start(ctx)) as RunningIntel;
  await running.ready;
  let stopped = false;
  return {
    bus, mem, paths, logLines, running, abuse, ipqs, vt, reputation, malformed,
    events: () => mem.events,
    async stop() {
      if (stopped) return;
      stopped = true;
      await running.stop();
      running.pipeline.detach();
      await bus.stop();
      await Promise.all([abuse.close(), ipqs.close(), vt.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let port = 40000;
/** A session identity as a listening surface would bind it. */
export function identity(session: string, src_ip: string, protocol: SessionIdentity['protocol'] = 'dimse'): SessionIdentity {
  port = port >= 65000 ? 40000 : port + 1;
  return { session, protocol, src_ip, src_port: port, dst_ip: '192.0.2.10', dst_port: protocol === 'dimse' ? 11112 : 3000 };
}

export function ofSession(events: readonly HawkEvent[], session: string, eventid?: HawkEvent['eventid']): HawkEvent[] {
  return events.filter((e) => e.session === session && (!eventid || e.eventid === eventid));
}

/** A DICOM session from `ip` that connects and closes (what makes the intel surface look the source up). */
export function connectAndClose(h: Harness, session: string, ip: string): void {
  const log = h.bus.forSession(identity(session, ip));
  log.emit('dicomhawk.session.connect', { listener_port: 11112 });
  log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
}

/** The session's `dicomhawk.scanner.identified` event, if any. */
export const scannerEvent = (h: Harness, session: string): EventOf<'dicomhawk.scanner.identified'> | undefined =>
  ofSession(h.events(), session, 'dicomhawk.scanner.identified')[0] as EventOf<'dicomhawk.scanner.identified'> | undefined;
