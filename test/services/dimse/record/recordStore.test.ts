import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pcapngFileHeader } from '../../../../src/services/dimse/record/pcapng.ts';
import { PduRecordStore } from '../../../../src/services/dimse/record/recordStore.ts';
import { mulberry32 } from '../../../helpers/mulberry32.ts';

const MiB = 1024 * 1024;

describe('PDU record store', () => {
  test('blocks written through reused write buffers land byte for byte, in order, across many flushes still in flight', async () => {
    const root = mkdtempSync(join(tmpdir(), 'dh-recstore-'));
    const store = new PduRecordStore(root, { maxBytesPerSession: 1024 * MiB, maxBytesPerIp: 1024 * MiB, maxBytesTotal: 1024 * MiB, maxPendingBytes: 256 * MiB });
    const rand = mulberry32(20261128);
    const expected: Buffer[] = [pcapngFileHeader('DICOMHawk PDU record')];
    const now = Date.UTC(2026, 10, 28, 12);
    let total = 0;
    for (let i = 0; total < 6 * MiB; i += 1) {
      // Mostly packet-sized blocks, now and then one larger than a write buffer.
      const size = i % 997 === 500 ? 400 * 1024 + 3 : 40 + Math.floor(rand() * 4000);
      const block = Buffer.alloc(size);
      for (let j = 0; j < size; j += 1) block[j] = Math.floor(rand() * 256);
      assert.ok(store.reserve('203.0.113.9', size));
      store.writeBlock(size, (buf, at) => block.copy(buf, at), now);
      expected.push(block);
      total += size;
      // Sometimes let appends finish (buffers return for reuse), usually not (several flushes in flight at once).
      if (i % 211 === 0) await new Promise((r) => setImmediate(r));
    }
    await store.settled();
    const days = readdirSync(root);
    assert.deepEqual(days, ['2026-11-28']);
    const files = readdirSync(join(root, days[0]!));
    assert.equal(files.length, 1, 'no rotation below the rotation size');
    const written = readFileSync(join(root, days[0]!, files[0]!));
    const want = Buffer.concat(expected);
    assert.equal(written.length, want.length);
    assert.ok(written.equals(want), 'the file holds exactly the blocks, in order');
    assert.equal(store.pendingBytes, 0);
  });
});
