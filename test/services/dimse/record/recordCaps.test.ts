/**
 * The PDU record's bounds: per session, per source address, in total (oldest files pruned first), and in
 * memory while writes are pending. What is on disk is always a readable record.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { uuidv7 } from '../../../../src/core/ids.ts';
import { decodePcapng } from '../../../../src/services/dimse/record/pcapng.ts';
import { readSessionRecord } from '../../../../src/services/dimse/record/readRecord.ts';
import { PduRecordStore, type PduRecordLimits } from '../../../../src/services/dimse/record/recordStore.ts';
import { SessionPduRecorder, type PduRecordSummary } from '../../../../src/services/dimse/record/sessionRecorder.ts';
import { pDataPdu, pdv } from '../../../fixtures/pdu.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A store under <dataDir>/pdu, as the sensor lays it out. */
function store(limits: Partial<PduRecordLimits>): { dataDir: string; s: PduRecordStore } {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-pdu-'));
  dirs.push(dataDir);
  return { dataDir, s: new PduRecordStore(join(dataDir, 'pdu'), { maxBytesPerSession: 1 << 20, maxBytesPerIp: 1 << 24, maxBytesTotal: 1 << 26, ...limits }) };
}

const SERVER = { ip: '192.0.2.10', port: 11112 };
const pdu500 = (fill: number): Buffer => pDataPdu(pdv(1, 0x02, Buffer.alloc(488, fill)));

function record(s: PduRecordStore, ip: string, count: number): { id: string; summary: PduRecordSummary } {
  const id = uuidv7();
  const r = new SessionPduRecorder(s, id, { ip, port: 40000 }, SERVER, Date.now());
  for (let i = 0; i < count; i += 1) r.record(i % 2 === 0, pdu500(i), Date.now());
  return { id, summary: r.close() };
}

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
const totalBytes = (root: string): number => filesUnder(root).reduce((t, f) => t + statSync(f).size, 0);

describe('PDU record caps', () => {
  test('a session stops at its cap: the PDU that passes it is kept cut, and the record reads back', async () => {
    const { dataDir, s } = store({ maxBytesPerSession: 3000 });
    const { id, summary } = record(s, '198.51.100.1', 10);
    const neighbour = record(s, '198.51.100.9', 3);
    await s.settled();
    assert.equal(summary.truncated, true);
    assert.ok(summary.bytes <= 3000, `${summary.bytes} bytes`);
    assert.match(summary.file!, /^pdu\/\d{4}-\d{2}-\d{2}\/\d{9}-\d+-\d{4}\.pcapng$/);
    assert.deepEqual(summary.files, [summary.file]);
    const mine = decodePcapng(readFileSync(join(dataDir, summary.file!))).filter((p) => p.session === id);
    assert.equal(mine.reduce((t, p) => t + p.block.length, 0), summary.bytes, 'the summary counts exactly the bytes stored for the session');
    const rec = (await readSessionRecord(dataDir, id))!;
    assert.equal(rec.pdus.length, summary.pdus);
    assert.ok(rec.pdus.slice(0, -1).every((p, i) => !p.cut && p.raw.equals(pdu500(i))));
    assert.equal(rec.pdus.at(-1)!.cut, true);
    assert.ok(rec.pdus.at(-1)!.raw.length >= 6 && rec.pdus.at(-1)!.raw.length < 500);
    assert.equal((await readSessionRecord(dataDir, neighbour.id))!.pdus.length, 3, 'a session sharing the file is whole');
  });

  test('a session under its cap is whole and not truncated', async () => {
    const { s } = store({});
    const { summary } = record(s, '198.51.100.2', 6);
    await s.settled();
    assert.deepEqual({ pdus: summary.pdus, truncated: summary.truncated }, { pdus: 6, truncated: false });
  });

  test('one source address cannot pass its daily budget however many sessions it opens; another address still can', async () => {
    const { s } = store({ maxBytesPerIp: 8000 });
    const flood = Array.from({ length: 20 }, () => record(s, '198.51.100.66', 4).summary);
    await s.settled();
    const fromFlood = flood.reduce((t, x) => t + x.bytes, 0);
    assert.ok(fromFlood <= 8000, `${fromFlood} bytes recorded for one address`);
    assert.ok(flood.slice(-5).every((x) => x.file === null && x.truncated), 'late sessions of the address are refused outright');
    assert.equal(record(s, '203.0.113.9', 4).summary.truncated, false);
  });

  test('the total stays under its cap: the oldest files are deleted first, the newest sessions kept', async () => {
    const { dataDir, s } = store({ maxBytesTotal: 300_000 });
    const ids: string[] = [];
    for (let i = 0; i < 400; i += 1) {
      ids.push(record(s, `198.51.100.${(i % 200) + 1}`, 4).id);
      if (i % 20 === 0) await s.settled();
    }
    await s.settled();
    const total = totalBytes(join(dataDir, 'pdu'));
    assert.ok(total <= 300_000, `${total} bytes on disk`);
    assert.ok(filesUnder(join(dataDir, 'pdu')).length > 1, 'the record rotated into several files');
    assert.equal((await readSessionRecord(dataDir, ids.at(-1)!))?.pdus.length, 4, 'the newest session is kept');
    assert.equal(await readSessionRecord(dataDir, ids[0]!), null, 'the oldest session is gone');
  });

  test('a store that finds records from an earlier run counts them against the total', async () => {
    const { dataDir, s: s1 } = store({});
    for (let i = 0; i < 10; i += 1) record(s1, '198.51.100.3', 4);
    await s1.settled();
    const before = totalBytes(join(dataDir, 'pdu'));
    const s2 = new PduRecordStore(join(dataDir, 'pdu'), { maxBytesPerSession: 1 << 20, maxBytesPerIp: 1 << 24, maxBytesTotal: 1 << 20 });
    await s2.settled();
    assert.equal(s2.usedBytes, before);
  });

  test('bytes waiting to be written are capped: past the cap a record is cut instead of queued', () => {
    const { s } = store({ maxPendingBytes: 4000 });
    const a = record(s, '198.51.100.5', 4).summary;
    const b = record(s, '198.51.100.6', 4).summary;
    assert.equal(a.truncated, false);
    assert.equal(b.truncated, true);
    assert.ok(s.pendingBytes <= 4000 + 200);
  });
});
