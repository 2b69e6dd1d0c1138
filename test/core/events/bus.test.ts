import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventBus } from '../../../src/core/events/bus.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { MemorySink } from '../../helpers/collect.ts';
import { waitFor } from '../../helpers/net.ts';

const identity = { session: 's-1', protocol: 'dimse' as const, src_ip: '203.0.113.7', src_port: 40000, dst_ip: '127.0.0.1', dst_port: 11112 };

describe('event bus', () => {
  test('fans every event out to every sink, in order, as frozen objects', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    const a = new MemorySink('a');
    const b = new MemorySink('b');
    await bus.addSink(a);
    await bus.addSink(b);
    const log = bus.forSession(identity);
    for (let i = 0; i < 2500; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    for (const s of [a, b]) {
      const ids = s.events.map((e) => (e as { message_id: number }).message_id);
      assert.deepEqual(ids, Array.from({ length: 2500 }, (_, i) => i));
      assert.ok(Object.isFrozen(s.events[0]));
    }
  });

  test('publish never waits for a sink, and a slow sink does not delay the others', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    const slow = new MemorySink('slow', { delayMs: 300 });
    const fast = new MemorySink('fast');
    await bus.addSink(slow);
    await bus.addSink(fast);
    const log = bus.forSession(identity);
    const t0 = performance.now();
    log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    assert.ok(performance.now() - t0 < 50, 'emit returned at once');
    // The slow sink takes 300 ms per batch; the fast one must have its event well before that.
    await waitFor(() => fast.events.length === 1, 250, 5);
    assert.equal(slow.events.length, 0, 'the fast sink got the event while the slow one was still writing');
    await bus.flush();
    assert.equal(slow.events.length, 1);
  });

  test('a dead sink does not stop the others, and its failures are counted', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    const dead = new MemorySink('dead', { fail: true });
    const ok = new MemorySink('ok');
    await bus.addSink(dead);
    await bus.addSink(ok);
    bus.forSession(identity).emit('dicomhawk.dimse.cancel', { message_id: 3 });
    await bus.flush();
    assert.equal(ok.events.length, 1);
    const stats = bus.stats().sinks.find((s) => s.name === 'dead')!;
    assert.ok(stats.failedBatches >= 1);
    assert.equal(stats.dropped, 1);
  });

  test('a sink that fails to start is skipped; the bus runs without it', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    assert.equal(await bus.addSink(new MemorySink('broken', { failStart: true })), false);
    const ok = new MemorySink('ok');
    assert.equal(await bus.addSink(ok), true);
    bus.forSession(identity).emit('dicomhawk.dimse.cancel', { message_id: 3 });
    await bus.flush();
    assert.equal(ok.events.length, 1);
    assert.deepEqual(bus.stats().sinks.map((s) => s.name), ['ok']);
  });

  test('a full queue sheds to the sink overflow when it has one, and counts drops otherwise', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger(), queueLimit: 100 });
    const spilled: string[] = [];
    const spilling = Object.assign(new MemorySink('spilling', { delayMs: 200 }), {
      overflow: (batch: readonly { json: string }[]) => {
        spilled.push(...batch.map((b) => b.json));
        return true;
      },
    });
    const dropping = new MemorySink('dropping', { delayMs: 200 });
    await bus.addSink(spilling);
    await bus.addSink(dropping);
    const log = bus.forSession(identity);
    for (let i = 0; i < 1000; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    const [s, d] = bus.stats().sinks;
    assert.ok(s!.spilled > 0 && s!.dropped === 0);
    assert.equal(s!.spilled + s!.written, 1000);
    assert.ok(d!.dropped > 0);
    assert.equal(d!.dropped + d!.written, 1000);
    assert.equal(spilled.length, s!.spilled);
  });

  test('events after stop are counted, not thrown', async () => {
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    await bus.addSink(new MemorySink());
    await bus.stop();
    bus.forSession(identity).emit('dicomhawk.dimse.cancel', { message_id: 1 });
    assert.equal(bus.stats().droppedAfterStop, 1);
  });
});
