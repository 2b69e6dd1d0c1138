import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDb } from '../../../src/core/storage/db.ts';
import { Quarantine } from '../../../src/domain/quarantine/quarantine.ts';

function setup(limits = { maxBytesPerIp: 1000, maxBytes: 2500 }) {
  const dir = mkdtempSync(join(tmpdir(), 'dh-q-'));
  const db = openDb(join(dir, 'db.sqlite'));
  return new Quarantine(join(dir, 'quarantine'), db, limits);
}
const meta = (srcIp: string) => ({ session: 's', srcIp, channel: 'dimse' as const, sopClass: '1.2', sopInstance: '1.2.3', transferSyntax: '1.2.840.10008.1.2' });

describe('quarantine', () => {
  test('stores the exact bytes content-addressed by SHA-256, not readable by others', () => {
    const q = setup();
    const bytes = Buffer.from('DICM and then some evil');
    const r = q.put(bytes, meta('198.51.100.1'));
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.sha256, Quarantine.sha256(bytes));
    assert.deepEqual(readFileSync(r.path), bytes);
    assert.equal(statSync(r.path).mode & 0o007, 0, 'not world-readable');
    const again = q.put(bytes, meta('198.51.100.2'));
    assert.ok(again.ok && again.duplicate && again.path === r.path);
  });

  test('per-IP and total quotas refuse before writing', () => {
    const q = setup();
    assert.ok(q.put(Buffer.alloc(600, 1), meta('a')).ok);
    const over = q.put(Buffer.alloc(600, 2), meta('a'));
    assert.deepEqual([over.ok, !over.ok && over.reason], [false, 'quota_per_ip']);
    assert.ok(q.put(Buffer.alloc(600, 1), meta('a')).ok, 'the same object again costs nothing');
    assert.ok(q.put(Buffer.alloc(900, 3), meta('b')).ok);
    assert.ok(q.put(Buffer.alloc(900, 4), meta('c')).ok);
    const total = q.put(Buffer.alloc(900, 5), meta('d'));
    assert.deepEqual([total.ok, !total.ok && total.reason], [false, 'quota_total']);
    assert.equal(q.totalBytes(), 2400);
  });
});
