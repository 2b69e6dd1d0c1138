import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, describeConfig, loadConfig } from '../../../src/core/config/load.ts';

const cwd = mkdtempSync(join(tmpdir(), 'dh-config-intel-'));
const load = (env: Record<string, string>) => loadConfig({ env, cwd });

function problems(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('expected a configuration error');
}

describe('threat-intelligence settings', () => {
  test('defaults: the real services, free-tier quotas, the built-in scanner list, rDNS on, blocking off', () => {
    const { config } = load({});
    assert.equal(config.abuseIpdbUrl, 'https://api.abuseipdb.com');
    assert.equal(config.ipqsUrl, 'https://ipqualityscore.com');
    assert.equal(config.virusTotalUrl, 'https://www.virustotal.com');
    assert.deepEqual(config.abuseIpdbRateLimit, [{ limit: 1000, intervalMs: 86_400_000 }]);
    assert.deepEqual(config.ipqsRateLimit, [{ limit: 160, intervalMs: 86_400_000 }]);
    assert.deepEqual(config.virusTotalRateLimit, [
      { limit: 4, intervalMs: 60_000 },
      { limit: 500, intervalMs: 86_400_000 },
    ]);
    assert.equal(config.intelLookupPrivate, false);
    assert.equal(config.intelCacheTtlMs, 86_400_000);
    assert.equal(config.intelFailureTtlMs, 600_000);
    assert.equal(config.intelTimeoutMs, 10_000);
    assert.equal(config.geoipDb, undefined);
    assert.deepEqual(config.scannerLists, ['builtin']);
    assert.equal(config.scannerListUrls, undefined);
    assert.equal(config.scannerListRefreshMs, 86_400_000);
    assert.equal(config.scannerRdns, true);
    assert.equal(config.blockScanners, false);
    assert.equal(config.abuseIpApiKey, undefined);
  });

  test('values are read with their meaning', () => {
    const { config } = load({
      ABUSEIPDB_URL: 'http://127.0.0.1:9001/',
      IPQS_URL: 'http://127.0.0.1:9002',
      VIRUSTOTAL_URL: 'https://vt.example.org/prefix',
      ABUSEIPDB_RATE_LIMIT: '10/s',
      IPQS_RATE_LIMIT: '5000/month',
      VIRUSTOTAL_RATE_LIMIT: '4 / min, 500/day',
      INTEL_LOOKUP_PRIVATE: 'yes',
      INTEL_CACHE_TTL: '7d',
      INTEL_FAILURE_TTL: '30s',
      INTEL_TIMEOUT: '1500ms',
      GEOIP_DB: '/srv/GeoLite2-City.mmdb,/srv/GeoLite2-ASN.mmdb',
      SCANNER_LISTS: 'builtin,/etc/dicomhawk/extra.txt',
      SCANNER_LIST_URL: 'https://lists.example.org/mass_scanner.txt',
      SCANNER_LIST_REFRESH: '6h',
      SCANNER_RDNS: 'no',
      BLOCK_SCANNERS: 'yes',
    });
    assert.equal(config.abuseIpdbUrl, 'http://127.0.0.1:9001');
    assert.equal(config.virusTotalUrl, 'https://vt.example.org/prefix');
    assert.deepEqual(config.abuseIpdbRateLimit, [{ limit: 10, intervalMs: 1000 }]);
    assert.deepEqual(config.ipqsRateLimit, [{ limit: 5000, intervalMs: 30 * 86_400_000 }]);
    assert.equal(config.virusTotalRateLimit.length, 2);
    assert.equal(config.intelLookupPrivate, true);
    assert.equal(config.intelCacheTtlMs, 7 * 86_400_000);
    assert.equal(config.intelFailureTtlMs, 30_000);
    assert.equal(config.intelTimeoutMs, 1500);
    assert.equal(config.geoipDb, '/srv/GeoLite2-City.mmdb,/srv/GeoLite2-ASN.mmdb');
    assert.deepEqual(config.scannerLists, ['builtin', '/etc/dicomhawk/extra.txt']);
    assert.deepEqual(config.scannerListUrls, ['https://lists.example.org/mass_scanner.txt']);
    assert.equal(config.scannerListRefreshMs, 6 * 3_600_000);
    assert.equal(config.scannerRdns, false);
    assert.equal(config.blockScanners, true);
  });
});

describe('threat-intelligence settings: one line per bad value, naming variable, value and what is allowed', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ ABUSEIPDB_URL: 'api.abuseipdb.com' }, /^ABUSEIPDB_URL="api.abuseipdb.com": expected an absolute http:\/\/ or https:\/\/ URL$/],
    [{ IPQS_URL: 'ftp://ipqualityscore.com' }, /^IPQS_URL="ftp:\/\/ipqualityscore.com": expected an absolute http/],
    [{ VIRUSTOTAL_URL: 'not a url' }, /^VIRUSTOTAL_URL="not a url": expected an absolute http/],
    [{ ABUSEIPDB_RATE_LIMIT: '1000' }, /^ABUSEIPDB_RATE_LIMIT="1000": expected quotas like 4\/min,500\/day/],
    [{ IPQS_RATE_LIMIT: '0/day' }, /^IPQS_RATE_LIMIT="0\/day": expected quotas like/],
    [{ VIRUSTOTAL_RATE_LIMIT: '4/min,500/fortnight' }, /^VIRUSTOTAL_RATE_LIMIT="4\/min,500\/fortnight": expected quotas like/],
    [{ VIRUSTOTAL_RATE_LIMIT: ',' }, /^VIRUSTOTAL_RATE_LIMIT=",": expected at least one quota/],
    [{ INTEL_LOOKUP_PRIVATE: 'sometimes' }, /^INTEL_LOOKUP_PRIVATE="sometimes": expected yes\/no, true\/false or 1\/0$/],
    [{ INTEL_CACHE_TTL: '24' }, /^INTEL_CACHE_TTL="24": expected a duration from 1m to 365d with a unit \(ms, s, m, h or d\)/],
    [{ INTEL_CACHE_TTL: '30s' }, /^INTEL_CACHE_TTL="30s": expected a duration from 1m to 365d/],
    [{ INTEL_FAILURE_TTL: '8d' }, /^INTEL_FAILURE_TTL="8d": expected a duration from 1s to 7d/],
    [{ INTEL_TIMEOUT: '10 minutes' }, /^INTEL_TIMEOUT="10 minutes": expected a duration from 500ms to 2m/],
    [{ SCANNER_LISTS: '["builtin",' }, /^SCANNER_LISTS=.*: expected a JSON list like/],
    [{ SCANNER_LIST_URL: 'https://ok.example.org/a.txt,file:///etc/passwd' }, /^SCANNER_LIST_URL=.*: expected a JSON list or a comma list: expected an absolute http/],
    [{ SCANNER_LIST_REFRESH: '10s' }, /^SCANNER_LIST_REFRESH="10s": expected a duration from 1m to 30d/],
    [{ SCANNER_RDNS: 'maybe' }, /^SCANNER_RDNS="maybe": expected yes\/no/],
    [{ BLOCK_SCANNERS: 'please' }, /^BLOCK_SCANNERS="please": expected yes\/no/],
  ];
  for (const [env, want] of cases) {
    test(`${JSON.stringify(env)}`, () => {
      const p = problems(env);
      assert.equal(p.length, 1, p.join('\n'));
      assert.match(p[0]!, want);
    });
  }

  test('an API key is never echoed, in an error or in `dicomhawk config`', () => {
    const keys = { ABUSE_IP_API_KEY: 'abuse-secret-1', IP_QUALITY_SCORE_API_KEY: 'ipqs-secret-2', VIRUS_TOTAL_API_KEY: 'vt-secret-3' };
    const p = problems({ ...keys, INTEL_TIMEOUT: 'x' });
    for (const k of Object.values(keys)) assert.ok(!p.join('\n').includes(k));
    const rows = JSON.stringify(describeConfig(load(keys)));
    for (const k of Object.values(keys)) assert.ok(!rows.includes(k), k);
  });
});
