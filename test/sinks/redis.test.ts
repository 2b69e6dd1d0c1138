import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createClient } from 'redis';
import { EventBus } from '../../src/core/events/bus.ts';
import { silentLogger } from '../../src/core/log.ts';
import { RedisSink } from '../../src/sinks/redis.ts';
import { waitFor } from '../helpers/net.ts';
import { RedisServer } from '../helpers/redisServer.ts';

const identity = { session: 'r', protocol: 'dimse' as const, src_ip: '203.0.113.7', src_port: 40000, dst_ip: '127.0.0.1', dst_port: 11112 };
const servers: RedisServer[] = [];
after(async () => {
  for (const s of servers) await s.stop('SIGKILL');
});

async function listIds(url: string, key: string): Promise<number[]> {
  const c = createClient({ url });
  await c.connect();
  const items = await c.lRange(key, 0, -1);
  await c.close();
  return items.map((i) => (JSON.parse(i) as { message_id: number }).message_id);
}

async function setup(batchSize = 1000) {
  const server = new RedisServer();
  servers.push(server);
  await server.start();
  const spoolDir = mkdtempSync(join(tmpdir(), 'dh-spool-'));
  const bus = new EventBus({ sensor: 's', log: silentLogger(), batchSize });
  const sink = new RedisSink({ url: server.url, key: 'dicomhawk:events', spoolDir, log: silentLogger(), retryMs: 200 });
  await bus.addSink(sink);
  await waitFor(() => (sink as unknown as { healthy: boolean }).healthy, 5000);
  return { server, bus, sink, log: bus.forSession(identity) };
}

describe('Redis sink (real redis-server)', () => {
  test('events arrive in order; while the server is down 10 000 events spool, and all arrive exactly once after it returns', async () => {
    const { server, bus, sink, log } = await setup();
    for (let i = 0; i < 100; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    assert.deepEqual(await listIds(server.url, 'dicomhawk:events'), Array.from({ length: 100 }, (_, i) => i));

    await server.stop();
    for (let i = 100; i < 10_100; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    assert.ok(sink.spooledSegments() > 0, 'events were spooled to disk while Redis was down');

    await server.start();
    await waitFor(() => sink.spooledSegments() === 0, 20_000);
    for (let i = 10_100; i < 10_200; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    await waitFor(async () => (await listIds(server.url, 'dicomhawk:events')).length >= 10_200, 10_000);
    assert.deepEqual(await listIds(server.url, 'dicomhawk:events'), Array.from({ length: 10_200 }, (_, i) => i));
    await bus.stop();
  });

  test('every list element is exactly one event\'s JSON text: non-ASCII, escaped newlines and batches past one RPUSH chunk', async () => {
    const { server, bus, sink } = await setup();
    // User names as an attacker might send them: UTF-8, a line separator, a newline, quotes, NUL.
    const titles = ['Ærø-PACS ✓', 'line\u2028sep', 'two\nlines', 'q"u\\o"te', 'nul\u0000byte', '🦅'];
    const sent: string[] = [];
    const tap = bus.subscribe((e) => sent.push(JSON.stringify(e)));
    const log = bus.forSession({ ...identity, protocol: 'http', session: 'utf8' });
    for (let i = 0; i < 1300; i += 1) {
      const username = `${titles[i % titles.length]!}#${i}`;
      log.emit('dicomhawk.web.login.failed', { username, password: username, credential_kind: 'other', reason: 'unknown user' });
    }
    await bus.flush();
    tap();
    const c = createClient({ url: server.url });
    await c.connect();
    const items = await c.lRange('dicomhawk:events', 0, -1);
    await c.close();
    assert.equal(sink.spooledSegments(), 0);
    assert.equal(items.length, 1300);
    assert.deepEqual(items, sent, 'each element is the JSON text the bus serialised, byte for byte, in order');
    await bus.stop();
  });

  test('a server killed mid-stream (replies lost) still gets every event exactly once and in order', async () => {
    const { server, bus, sink, log } = await setup(50);
    let n = 0;
    const emitSome = async (count: number) => {
      for (let i = 0; i < count; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: n++, status: 0 });
      await new Promise((r) => setImmediate(r));
    };
    for (let k = 0; k < 20; k += 1) await emitSome(100);
    await server.stop('SIGKILL'); // appendfsync always: what it applied survives, what it answered may not have reached us
    for (let k = 0; k < 20; k += 1) await emitSome(100);
    await bus.flush();
    await server.start();
    await waitFor(() => sink.spooledSegments() === 0, 20_000);
    await waitFor(async () => (await listIds(server.url, 'dicomhawk:events')).length >= n, 10_000);
    assert.deepEqual(await listIds(server.url, 'dicomhawk:events'), Array.from({ length: n }, (_, i) => i));
    await bus.stop();
  });

  test('Redis down at start: the sensor starts, spools, and delivers when Redis appears', async () => {
    const server = new RedisServer();
    servers.push(server);
    const { freePort } = await import('../helpers/net.ts');
    server.port = await freePort();
    const bus = new EventBus({ sensor: 's', log: silentLogger() });
    const sink = new RedisSink({ url: server.url, key: 'k', spoolDir: mkdtempSync(join(tmpdir(), 'dh-spool-')), log: silentLogger(), retryMs: 200 });
    assert.equal(await bus.addSink(sink), true);
    const log = bus.forSession(identity);
    for (let i = 0; i < 10; i += 1) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    await bus.flush();
    await server.start();
    await waitFor(async () => (await listIds(server.url, 'k')).length === 10, 15_000);
    assert.deepEqual(await listIds(server.url, 'k'), Array.from({ length: 10 }, (_, i) => i));
    await bus.stop();
  });
});
