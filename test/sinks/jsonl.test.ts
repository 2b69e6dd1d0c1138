import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { EventBus } from '../../src/core/events/bus.ts';
import { hawkEventSchema } from '../../src/core/events/catalogue.ts';
import { silentLogger } from '../../src/core/log.ts';
import { JsonlSink } from '../../src/sinks/jsonl.ts';

describe('JSON-lines sink', () => {
  test('one valid event per line, rotated by size without splitting an event, keeping N files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dh-jsonl-'));
    const path = join(dir, 'events.jsonl');
    const bus = new EventBus({ sensor: 's', log: silentLogger(), batchSize: 64 });
    await bus.addSink(new JsonlSink(path, 20_000, 3));
    const log = bus.forSession({ session: 'x', protocol: 'http', src_ip: '192.0.2.1', src_port: 1, dst_ip: null, dst_port: 3000 });
    for (let i = 0; i < 1000; i += 1) log.emit('dicomhawk.dimse.cancel', { message_id: i });
    await bus.stop();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['events.jsonl', 'events.jsonl.1', 'events.jsonl.2', 'events.jsonl.3']);
    const ids: number[] = [];
    for (const f of ['events.jsonl.3', 'events.jsonl.2', 'events.jsonl.1', 'events.jsonl']) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.ok(text.endsWith('\n'));
      assert.ok(Buffer.byteLength(text) <= 20_000, `${f} is over the limit`);
      for (const line of text.trimEnd().split('\n')) ids.push(hawkEventSchema.parse(JSON.parse(line)).eventid === 'dicomhawk.dimse.cancel' ? JSON.parse(line).message_id : -1);
    }
    // The newest events are all there, in order, and nothing is duplicated; the oldest were rotated away.
    const last = ids.at(-1)!;
    assert.equal(last, 999);
    for (let i = 1; i < ids.length; i += 1) assert.equal(ids[i], ids[i - 1]! + 1);
  });
});
