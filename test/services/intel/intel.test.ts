import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EventOf, HawkEvent } from '../../../src/core/events/catalogue.ts';
import { hawkEventSchema } from '../../../src/core/events/catalogue.ts';
import { openDb } from '../../../src/core/storage/db.ts';
import type { RdnsResolver } from '../../../src/domain/scanners/rdns.ts';
import { SAMPLE_FIELDS } from '../../fixtures/events.ts';
import { waitFor } from '../../helpers/net.ts';
import type { Harness } from './harness.ts';
import { KEYS, identity, ofSession, startIntel } from './harness.ts';

type Intel = EventOf<'dicomhawk.intel.result'>;
type Score = EventOf<'dicomhawk.score.update'>;
type Scanner = EventOf<'dicomhawk.scanner.identified'>;

const phiFind = {
  message_id: 1, model: 'patient-root', level: 'PATIENT', charset: null, matches: 12, status: 0,
  keys: [{ tag: '00100010', keyword: 'PatientName', vr: 'PN', value: '*', match: 'universal' as const }],
};

const intelOf = (h: Harness, session: string): Intel[] => ofSession(h.events(), session, 'dicomhawk.intel.result') as Intel[];
const reputationOf = (h: Harness, session: string): Intel[] => intelOf(h, session).filter((e) => e.service !== 'geoip');
const scoresOf = (h: Harness, session: string): Score[] => ofSession(h.events(), session, 'dicomhawk.score.update') as Score[];
const lastScore = (h: Harness, session: string): Score | undefined => scoresOf(h, session).at(-1);

/** The DICOM session of the issue: connect, associate, C-FIND PatientName=*, release, close. */
function dicomHarvest(h: Harness, session: string, ip: string): void {
  const log = h.bus.forSession(identity(session, ip));
  log.emit('dicomhawk.session.connect', { listener_port: 11112 });
  log.emit('dicomhawk.association.request', SAMPLE_FIELDS['dicomhawk.association.request']);
  log.emit('dicomhawk.association.accept', SAMPLE_FIELDS['dicomhawk.association.accept']);
  log.emit('dicomhawk.dimse.find', phiFind);
  log.emit('dicomhawk.association.release', { by: 'peer' });
  log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
}

function dicomEcho(h: Harness, session: string, ip: string): void {
  const log = h.bus.forSession(identity(session, ip));
  log.emit('dicomhawk.session.connect', { listener_port: 11112 });
  log.emit('dicomhawk.association.request', SAMPLE_FIELDS['dicomhawk.association.request']);
  log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
  log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
}

const dnsNames: Record<string, { ptr: string[]; forward: string[] }> = {
  '198.51.100.77': { ptr: ['census7.shodan.io.'], forward: ['198.51.100.77'] },
  '198.51.100.78': { ptr: ['fake.shodan.io'], forward: ['192.0.2.99'] }, // PTR not forward-confirmed: no tag
};
const resolver: RdnsResolver = {
  reverse: async (ip) => dnsNames[ip]?.ptr ?? [],
  resolve: async (name) => Object.values(dnsNames).find((d) => d.ptr.some((p) => p.replace(/\.$/, '') === name))?.forward ?? [],
};

describe('intel surface on a synthetic DICOM session (fake AbuseIPDB, IPQS, VirusTotal on loopback)', () => {
  let h: Harness;
  before(async () => {
    h = await startIntel({ SCANNER_RDNS: 'yes' }, { rdnsResolver: resolver });
    h.reputation.set('203.0.113.7', { abuse: 87, fraud: 75, malicious: 4, suspicious: 2, country: 'DK' });
    h.reputation.set('129.82.138.12', { abuse: 87 });
  });
  after(() => h.stop());

  test('intel.result events arrive per service, on the triggering session, with the raw summary fields', async () => {
    dicomHarvest(h, 'dicom-1', '203.0.113.7');
    await waitFor(() => reputationOf(h, 'dicom-1').length === 3 && lastScore(h, 'dicom-1')?.malicious_score !== null && lastScore(h, 'dicom-1') !== undefined);
    const results = intelOf(h, 'dicom-1');
    assert.deepEqual(results.map((e) => e.service).sort(), ['abuseipdb', 'geoip', 'ipqualityscore', 'virustotal']);
    for (const e of results) {
      assert.equal(e.session, 'dicom-1');
      assert.equal(e.src_ip, '203.0.113.7');
      assert.equal(e.protocol, 'dimse');
      assert.equal(e.ip, '203.0.113.7');
      assert.deepEqual(e.sessions, ['dicom-1']);
      assert.equal(e.ok, true);
      assert.equal(e.cached, false);
      assert.equal(e.error, null);
      assert.equal(e.late, undefined, 'enrichment is never marked late');
      hawkEventSchema.parse(e);
    }
    const by = Object.fromEntries(results.map((e) => [e.service, e.summary]));
    assert.equal(by.abuseipdb!.abuseConfidenceScore, 87);
    assert.equal(by.abuseipdb!.countryCode, 'DK');
    assert.equal(by.abuseipdb!.hostnames, 'a.example.net,b.example.net');
    assert.equal(by.ipqualityscore!.fraud_score, 75);
    assert.equal(by.virustotal!['last_analysis_stats.malicious'], 4);
    assert.equal(by.virustotal!['last_analysis_stats.suspicious'], 2);
    assert.match(String(by.geoip!.country_code), /^[A-Z]{2}$/, 'the shipped offline database answers without network');
    assert.deepEqual(h.malformed, [], 'every request was shaped as the real service documents it');
  });

  test('score.update carries the documented abuse, malicious and threat scores with their reasons', () => {
    const s = lastScore(h, 'dicom-1')!;
    assert.equal(s.abuse_score, 87);
    assert.equal(s.malicious_score, 6);
    assert.equal(s.threat_score, 70);
    assert.deepEqual(s.reasons, [
      '+35 deepest interaction: C-FIND query',
      '+15 wildcard PHI harvesting on PatientName/PatientID (×1)',
      '+10 abuse_score 87 ≥ 80',
      '+10 malicious_score 6 ≥ 5 engines',
      'abuse_score 87: AbuseIPDB abuseConfidenceScore (12 reports)',
      'malicious_score 6: VirusTotal 4 malicious + 2 suspicious engines',
    ]);
    const all = scoresOf(h, 'dicom-1');
    const first = all[0]!;
    // Emitted at close: behaviour alone, before the answers were in, then updated as they arrived; never twice the same.
    assert.ok(all.length >= 2 && all.length <= 4, `${all.length} updates`);
    assert.equal(all.find((x) => x.abuse_score === null)?.threat_score ?? first.threat_score, 50);
    const keys = all.map((x) => JSON.stringify([x.threat_score, x.abuse_score, x.malicious_score, x.reasons]));
    assert.equal(new Set(keys).size, keys.length);
  });

  test('the services were asked once per address: a later session is answered from the cache', async () => {
    dicomHarvest(h, 'dicom-2', '203.0.113.7');
    await waitFor(() => reputationOf(h, 'dicom-2').length === 3 && lastScore(h, 'dicom-2')?.abuse_score === 87 && lastScore(h, 'dicom-2')?.malicious_score === 6);
    for (const e of reputationOf(h, 'dicom-2')) {
      assert.equal(e.cached, true, e.service);
      assert.deepEqual(e.sessions, ['dicom-2']);
    }
    assert.equal(lastScore(h, 'dicom-2')!.threat_score, 70);
    for (const s of [h.abuse, h.ipqs, h.vt]) assert.equal(s.requests.length, 1);
  });

  test('sessions from one address during a lookup share it: each gets its own event naming them all', async () => {
    const before = [h.abuse, h.ipqs, h.vt].map((s) => s.requests.length);
    const ips = ['203.0.113.21', '203.0.113.22', '203.0.113.23', '203.0.113.24', '203.0.113.25'];
    const sessions: string[] = [];
    for (let i = 0; i < 20; i++) {
      const id = `burst-${i}`;
      sessions.push(id);
      dicomEcho(h, id, ips[i % ips.length]!);
    }
    await waitFor(() => sessions.every((id) => reputationOf(h, id).length === 3));
    [h.abuse, h.ipqs, h.vt].forEach((s, i) => assert.equal(s.requests.length - before[i]!, ips.length));
    const first = reputationOf(h, 'burst-0').find((e) => e.service === 'abuseipdb')!;
    assert.deepEqual([...first.sessions].sort(), ['burst-0', 'burst-10', 'burst-15', 'burst-5']);
  });

  test('a listed mass scanner is identified from the built-in Maltrail list; reconnaissance is capped', async () => {
    dicomEcho(h, 'scanner-1', '129.82.138.12');
    await waitFor(() => reputationOf(h, 'scanner-1').length === 3 && lastScore(h, 'scanner-1')?.abuse_score === 87);
    const ids = ofSession(h.events(), 'scanner-1', 'dicomhawk.scanner.identified') as Scanner[];
    assert.equal(ids.length, 1);
    assert.deepEqual(
      { entry: ids[0]!.entry, name: ids[0]!.name, how: ids[0]!.how, blocked: ids[0]!.blocked },
      { entry: '129.82.138.12', name: 'pinger1a.netsec.colostate.edu', how: 'list', blocked: false },
    );
    assert.deepEqual(ids[0]!.tags, ['known_scanner']);
    const s = lastScore(h, 'scanner-1')!;
    assert.equal(s.threat_score, 10);
    assert.ok(s.reasons.includes('-20 known mass scanner (pinger1a.netsec.colostate.edu via list), reconnaissance only: capped at 10'), s.reasons.join('\n'));
    assert.deepEqual(s.tags, ['known_scanner']);
    assert.equal(ofSession(h.events(), 'dicom-1', 'dicomhawk.scanner.identified').length, 0, 'an unlisted source is not tagged');
  });

  test('forward-confirmed reverse DNS tags (never blocks); an unconfirmed PTR does not', async () => {
    dicomEcho(h, 'rdns-1', '198.51.100.77');
    dicomEcho(h, 'rdns-2', '198.51.100.78');
    await waitFor(() => ofSession(h.events(), 'rdns-1', 'dicomhawk.scanner.identified').length === 1 && reputationOf(h, 'rdns-2').length === 3);
    const id = ofSession(h.events(), 'rdns-1', 'dicomhawk.scanner.identified')[0] as Scanner;
    assert.deepEqual({ entry: id.entry, name: id.name, how: id.how, blocked: id.blocked }, { entry: '*.shodan.io', name: 'Shodan', how: 'rdns', blocked: false });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ofSession(h.events(), 'rdns-2', 'dicomhawk.scanner.identified').length, 0);
  });

  test('a web request: honey credentials score, a self-identifying scanner User-Agent tags, score at end of request', async () => {
    const log = h.bus.forSession(identity('web-1', '198.51.100.20', 'http'));
    log.emit('dicomhawk.web.login.success', { username: 'radiology', password: 'Winter2024!', credential_kind: 'honey' });
    log.emit('dicomhawk.web.request', { ...SAMPLE_FIELDS['dicomhawk.web.request'], method: 'POST', path: '/login', user_agent: 'Mozilla/5.0 zgrab/0.x' });
    await waitFor(() => reputationOf(h, 'web-1').length === 3 && lastScore(h, 'web-1')?.abuse_score !== null && lastScore(h, 'web-1') !== undefined);
    const id = ofSession(h.events(), 'web-1', 'dicomhawk.scanner.identified')[0] as Scanner;
    assert.deepEqual({ how: id.how, name: id.name, blocked: id.blocked, protocol: id.protocol }, { how: 'fingerprint', name: 'ZGrab', blocked: false, protocol: 'http' });
    const s = lastScore(h, 'web-1')!;
    assert.equal(s.threat_score, 55);
    assert.ok(s.reasons.includes('+35 deepest interaction: web login success'));
    assert.ok(s.reasons.includes('+20 honey credential used (×1)'));
    assert.ok(s.reasons.includes('+0 known mass scanner (ZGrab via fingerprint), but behaviour went beyond reconnaissance: no cap'));
  });

  test('a service error quoting the key reaches the event scrubbed', async () => {
    h.reputation.set('198.51.100.66', {
      reply: { virustotal: { status: 401, body: { error: { code: 'WrongCredentialsError', message: `API key ${KEYS.virustotal} is not valid` } } } },
    });
    dicomEcho(h, 'err-1', '198.51.100.66');
    await waitFor(() => reputationOf(h, 'err-1').length === 3);
    const vt = reputationOf(h, 'err-1').find((e) => e.service === 'virustotal')!;
    assert.equal(vt.ok, false);
    assert.equal(vt.summary.kind, 'http');
    assert.equal(vt.summary.status, 401);
    assert.match(vt.error!, /^http: WrongCredentialsError: API key \[REDACTED\] is not valid$/);
    assert.equal(lastScore(h, 'err-1')!.malicious_score, null);
  });

  test('no API key appears in any event or diagnostic line', async () => {
    await h.bus.flush();
    const events = JSON.stringify(h.events());
    const logs = h.logLines.join('');
    assert.ok(logs.includes('threat intelligence running'));
    for (const key of Object.values(KEYS)) {
      assert.ok(!events.includes(key), `${key} in an event`);
      assert.ok(!logs.includes(key), `${key} in the log`);
    }
    for (const e of h.events()) hawkEventSchema.parse(e);
  });

  test('the sessions row gets the scores, the country and the network owner', async () => {
    await h.bus.flush();
    const db = openDb(h.paths.db, { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM sessions WHERE session = ?').get('dicom-1') as Record<string, unknown>;
      assert.equal(row.threat_score, 70);
      assert.equal(row.abuse_score, 87);
      assert.equal(row.malicious_score, 6);
      assert.equal(row.country, 'DK');
      assert.ok(['AbuseIPDB-named ISP', 'IPQS-named ISP', 'VT-named AS owner'].includes(String(row.isp)), String(row.isp));
      const cache = db.prepare('SELECT service, count(*) AS n FROM intel_cache GROUP BY service ORDER BY service').all();
      assert.ok(cache.length === 3, JSON.stringify(cache));
    } finally {
      db.close();
    }
  });
});

describe('intel surface under load, with a hung service', () => {
  let h: Harness;
  before(async () => {
    h = await startIntel();
    h.vt.reply(() => ({ delayMs: 60_000, body: {} })); // never answers within the client timeout
  });
  after(() => h.stop());

  test('1000 sessions from 50 addresses: publishing never waits, at most 50 lookups per service', async () => {
    const t0 = performance.now();
    for (let i = 0; i < 1000; i++) {
      const log = h.bus.forSession(identity(`load-${i}`, `198.51.100.${100 + (i % 50)}`));
      log.emit('dicomhawk.session.connect', { listener_port: 11112 });
      log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
    }
    const publishMs = performance.now() - t0;
    assert.ok(publishMs < 1000, `publishing 2000 events took ${publishMs.toFixed(0)} ms`);
    await waitFor(() => {
      const n = h.events().filter((e: HawkEvent) => e.eventid === 'dicomhawk.intel.result' && (e.service === 'abuseipdb' || e.service === 'ipqualityscore')).length;
      return n === 2000;
    }, 20_000);
    assert.equal(h.abuse.requests.length, 50);
    assert.equal(h.ipqs.requests.length, 50);
    assert.ok(h.vt.requests.length <= 50, `${h.vt.requests.length} VirusTotal requests`);
    const scored = new Set(h.events().filter((e) => e.eventid === 'dicomhawk.score.update').map((e) => e.session));
    assert.equal(scored.size, 1000, 'every session got a score at close');
    const t1 = performance.now();
    await h.running.stop();
    assert.ok(performance.now() - t1 < 2000, 'stop does not wait for the hung service');
  });
});
