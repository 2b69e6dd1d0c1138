import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { SessionLog } from '../../../src/core/events/sessionLog.ts';
import type { FetchLike } from '../../../src/domain/intel/clients/http.ts';
import type { BehaviourSummary } from '../../../src/domain/intel/scores.ts';
import { findHarvestsPhi, isExecutableName, observe, qidoHarvestsPhi } from '../../../src/services/intel/behaviour.ts';
import { userAgentHint } from '../../../src/services/intel/fingerprints.ts';
import { BUILTIN_FILES, ScannerLists, cacheFileFor, listFiles, showUrl } from '../../../src/services/intel/scannerLists.ts';
import { failureFields, flattenSummary } from '../../../src/services/intel/summary.ts';
import { SAMPLE_FIELDS } from '../../fixtures/events.ts';
import { CollectingSink } from '../../helpers/collect.ts';
import { waitFor } from '../../helpers/net.ts';
import { identity, ofSession, startIntel } from './harness.ts';

/** Events of one session as a surface would emit them (validated against the schema). */
function sessionEvents(protocol: 'dimse' | 'http', emit: (log: SessionLog) => void): HawkEvent[] {
  const sink = new CollectingSink();
  emit(new SessionLog(sink, { session: 's', protocol, src_ip: '198.51.100.1', src_port: 1, dst_ip: '192.0.2.1', dst_port: 2 }));
  return sink.events;
}

function summarise(events: HawkEvent[]): BehaviourSummary {
  const b: BehaviourSummary = {};
  for (const e of events) observe(b, e);
  return b;
}

describe('behaviour counts from events', () => {
  test('a DICOM session: connect, association, echo, a harvesting find, get, move, store', () => {
    const b = summarise(
      sessionEvents('dimse', (log) => {
        log.emit('dicomhawk.session.connect', { listener_port: 11112 });
        log.emit('dicomhawk.association.request', SAMPLE_FIELDS['dicomhawk.association.request']);
        log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
        log.emit('dicomhawk.dimse.find', SAMPLE_FIELDS['dicomhawk.dimse.find']);
        log.emit('dicomhawk.dimse.find', { ...SAMPLE_FIELDS['dicomhawk.dimse.find'], keys: [{ tag: '00100020', keyword: 'PatientID', vr: 'LO', value: '12345', match: 'single' }] });
        log.emit('dicomhawk.dimse.get', SAMPLE_FIELDS['dicomhawk.dimse.get']);
        log.emit('dicomhawk.dimse.move', SAMPLE_FIELDS['dicomhawk.dimse.move']);
        log.emit('dicomhawk.dimse.store', SAMPLE_FIELDS['dicomhawk.dimse.store']);
        log.emit('dicomhawk.session.closed', SAMPLE_FIELDS['dicomhawk.session.closed']);
      }),
    );
    assert.deepEqual(b, { connections: 1, associations: 1, echoes: 1, finds: 2, wildcardPhiQueries: 1, retrieves: 2, stores: 1 });
  });

  test('a web session: honey credentials (even failed), downloads, executable uploads, honeytokens, DICOMweb', () => {
    const b = summarise(
      sessionEvents('http', (log) => {
        log.emit('dicomhawk.web.login.failed', { username: 'admin', password: 'x', credential_kind: 'honey', reason: 'locked' });
        log.emit('dicomhawk.web.login.success', SAMPLE_FIELDS['dicomhawk.web.login.success']);
        log.emit('dicomhawk.web.download', SAMPLE_FIELDS['dicomhawk.web.download']);
        log.emit('dicomhawk.web.upload', {
          files: [
            { name: 'payload.EXE', size: 1, sha256: 'a'.repeat(64), quarantine_id: null, accepted: true, reason: null },
            { name: 'scan.dcm', size: 1, sha256: 'b'.repeat(64), quarantine_id: null, accepted: true, reason: null },
          ],
        });
        log.emit('dicomhawk.honeytoken.triggered', SAMPLE_FIELDS['dicomhawk.honeytoken.triggered']);
        log.emit('dicomhawk.dicomweb.query', SAMPLE_FIELDS['dicomhawk.dicomweb.query']);
        log.emit('dicomhawk.dicomweb.retrieve', SAMPLE_FIELDS['dicomhawk.dicomweb.retrieve']);
        log.emit('dicomhawk.dicomweb.store', SAMPLE_FIELDS['dicomhawk.dicomweb.store']);
        log.emit('dicomhawk.web.request', SAMPLE_FIELDS['dicomhawk.web.request']);
      }),
    );
    assert.deepEqual(b, {
      loginAttempts: 2, loginSuccesses: 1, honeyCredentialUses: 2, downloads: 1, uploads: 1, executableUploads: 1, honeytokenTriggers: 1,
      finds: 1, wildcardPhiQueries: 1, retrieves: 1, stores: 1, webRequests: 1,
    });
  });

  test('wildcards count on PatientName / PatientID only, and only with *', () => {
    assert.equal(findHarvestsPhi([{ tag: '00100010', value: 'DOE*' }]), true);
    assert.equal(findHarvestsPhi([{ tag: '00100020', value: '*' }]), true);
    assert.equal(findHarvestsPhi([{ tag: '00100010', value: 'DOE^JOHN' }]), false);
    assert.equal(findHarvestsPhi([{ tag: '00080050', value: '*' }]), false, 'AccessionNumber is not PHI harvesting here');
    assert.equal(qidoHarvestsPhi([{ name: 'patientname', value: 'A*' }]), true);
    assert.equal(qidoHarvestsPhi([{ name: '00100020', value: '*' }]), true);
    assert.equal(qidoHarvestsPhi([{ name: 'StudyDate', value: '*' }]), false);
    assert.equal(isExecutableName('x.ps1 '), true);
    assert.equal(isExecutableName('exe.dcm'), false);
  });
});

describe('intel.result summaries', () => {
  test('flat, bounded, with the service field names, nested keys dotted and lists joined', () => {
    const s = flattenSummary({
      abuseConfidenceScore: 87, isp: 'x'.repeat(1000), hostnames: ['a.example', 'b.example'], isTor: false, lastReportedAt: null,
      last_analysis_stats: { malicious: 4, suspicious: 2 }, weird: undefined, nan: Number.NaN,
    });
    assert.equal(s.abuseConfidenceScore, 87);
    assert.equal((s.isp as string).length, 256);
    assert.equal(s.hostnames, 'a.example,b.example');
    assert.equal(s.isTor, false);
    assert.equal(s.lastReportedAt, null);
    assert.equal(s['last_analysis_stats.malicious'], 4);
    assert.equal(s.nan, null);
    assert.ok(!('weird' in s));
  });

  test('every string is scrubbed of the keys, and failures keep their kind and numbers', () => {
    assert.deepEqual(flattenSummary({ host: 'leak-SECRET-1.example' }, ['SECRET-1']), { host: 'leak-[REDACTED].example' });
    const f = failureFields({ kind: 'quota', status: 429, retryAfterMs: 5000, message: 'quota for SECRET-1 exceeded' }, ['SECRET-1']);
    assert.deepEqual(f, { summary: { kind: 'quota', status: 429, retry_after_ms: 5000 }, error: 'quota: quota for [REDACTED] exceeded' });
  });
});

describe('scanner fingerprints', () => {
  test('self-identifying research scanners by their product token only', () => {
    assert.equal(userAgentHint('Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)')?.name, 'Censys');
    assert.equal(userAgentHint('Expanse, a Palo Alto Networks company, searches across the global IPv4 space')?.name, 'Palo Alto Networks Cortex Xpanse');
    assert.equal(userAgentHint('Mozilla/5.0 zgrab/0.x')?.name, 'ZGrab');
    assert.equal(userAgentHint('curl/8.5.0'), null);
    assert.equal(userAgentHint('I am not CensysInspect'), null);
    assert.equal(userAgentHint('evil zgrab/0.x'), null, 'zgrab only as the documented prefix');
    assert.equal(userAgentHint(null), null);
  });
});

describe('scanner lists', () => {
  test('builtin is the vendored Maltrail list, with its licence beside it', () => {
    assert.deepEqual(listFiles(['builtin']), [...BUILTIN_FILES]);
    assert.deepEqual(listFiles(['none']), []);
    for (const f of BUILTIN_FILES) assert.ok(existsSync(f), f);
    const dir = join(BUILTIN_FILES[0]!, '..');
    assert.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /The MIT License/);
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /Maltrail developers/);
  });

  test('a URL list is fetched and kept; a bad answer keeps the last good copy; credentials never reach a log line', async () => {
    const cacheDir = join(mkdtempSync(join(tmpdir(), 'dh-lists-')), 'scanners');
    const url = 'https://user:pw@lists.example.org/scan.txt?token=abc';
    let body = '198.51.100.200 # from url\n';
    let status = 200;
    const fetch: FetchLike = async () => new Response(body, { status });
    const lists = new ScannerLists({ items: ['none'], urls: [url], cacheDir, fetch });
    const before = await lists.load(false);
    assert.equal(before.entries.length, 0);
    assert.deepEqual(before.problems, ['https://lists.example.org/scan.txt: not fetched yet']);
    const first = await lists.load(true);
    assert.deepEqual(first.entries.map((e) => [e.entry, e.name, e.source]), [['198.51.100.200', 'from url', 'https://lists.example.org/scan.txt']]);
    assert.ok(existsSync(cacheFileFor(cacheDir, url)));
    body = '<html>captive portal</html>';
    const second = await lists.load(true);
    assert.equal(second.entries.length, 1, 'last good copy kept');
    assert.equal(second.digest, first.digest);
    assert.match(second.problems[0]!, /^https:\/\/lists\.example\.org\/scan\.txt: fetch failed \(no address or network in the answer\); keeping the last good copy$/);
    status = 503;
    assert.match((await lists.load(true)).problems[0]!, /fetch failed \(HTTP 503\)/);
    assert.equal(showUrl(url), 'https://lists.example.org/scan.txt');
  });

  test('the surface tags from a fetched list and re-applies the blackhole when the list changes', async () => {
    const fetch: FetchLike = async () => new Response('203.0.113.250 # url-listed\n');
    const scripts: string[] = [];
    const h = await startIntel(
      { SCANNER_LISTS: 'none', SCANNER_LIST_URL: 'https://lists.example.org/scan.txt', BLOCK_SCANNERS: 'yes' },
      {
        fetch,
        nftRunner: async (_argv, stdin) => {
          if (stdin) scripts.push(stdin);
          return { code: 0, stdout: '', stderr: '' };
        },
      },
    );
    try {
      await waitFor(() => scripts.length === 2);
      assert.ok(!scripts[0]!.includes('203.0.113.250'), 'started with the (empty) list at hand');
      assert.ok(scripts[1]!.includes('203.0.113.250'), 're-applied with the fetched list');
      const log = h.bus.forSession(identity('url-1', '203.0.113.250'));
      log.emit('dicomhawk.session.connect', { listener_port: 11112 });
      await waitFor(() => ofSession(h.events(), 'url-1', 'dicomhawk.scanner.identified').length === 1);
      const e = ofSession(h.events(), 'url-1', 'dicomhawk.scanner.identified')[0] as HawkEvent & { name: string; blocked: boolean };
      assert.equal(e.name, 'url-listed');
      assert.equal(e.blocked, true);
    } finally {
      await h.stop();
    }
  });
});
