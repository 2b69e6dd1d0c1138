import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { IntelCache } from '../../../src/domain/intel/cache.ts';

describe('IntelCache', () => {
  it('creates intel_cache with the documented columns', () => {
    const db = new Database(':memory:');
    new IntelCache(db);
    const cols = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('intel_cache')").all().map((c) => c.name);
    assert.deepEqual(cols, ['service', 'ip', 'fetched_at', 'expires_at', 'ok', 'json']);
  });

  it('stores successes and failures, hides expired rows, overwrites, purges', () => {
    const db = new Database(':memory:');
    const c = new IntelCache(db);
    c.putSuccess('abuseipdb', '1.2.3.4', { abuseConfidenceScore: 9 }, 1000, 500);
    c.putFailure('virustotal', '1.2.3.4', { kind: 'http', status: 404, code: 'NotFoundError', message: 'nf' }, 1000, 100);
    assert.deepEqual(c.get('abuseipdb', '1.2.3.4', 1499), { ok: true, fetchedAt: 1000, expiresAt: 1500, summary: { abuseConfidenceScore: 9 } });
    assert.equal(c.get('abuseipdb', '1.2.3.4', 1500), null);
    const f = c.get('virustotal', '1.2.3.4', 1050);
    assert.ok(f && !f.ok && f.error.kind === 'http');
    c.putSuccess('virustotal', '1.2.3.4', { x: 1 }, 2000, 100);
    assert.ok(c.get('virustotal', '1.2.3.4', 2050)?.ok);
    assert.equal(c.purgeExpired(10_000), 2);
  });

  it('treats an unreadable row as a miss', () => {
    const db = new Database(':memory:');
    const c = new IntelCache(db);
    db.prepare("INSERT INTO intel_cache VALUES ('ipqs', '5.5.5.5', 0, 9999, 1, '{broken')").run();
    assert.equal(c.get('ipqs', '5.5.5.5', 1), null);
  });
});
