// Source tagging on the bus: a tagger installed once (the intel surface's known-scanner list) marks every event of a
// listed source, whatever surface emitted it, with known_scanner / scanner_entry / scanner_name.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EventBus } from '../../../src/core/events/bus.ts';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { hawkEventSchema } from '../../../src/core/events/catalogue.ts';
import type { SessionIdentity, SourceTagger } from '../../../src/core/events/sessionLog.ts';
import { silentLogger } from '../../../src/core/log.ts';

const who = (session: string, src_ip: string, protocol: SessionIdentity['protocol'] = 'dimse'): SessionIdentity => ({
  session, protocol, src_ip, src_port: 40000, dst_ip: '192.0.2.10', dst_port: 11112,
});

/** A bus whose observers collect every event (validated against the published schema). */
function collectingBus(): { bus: EventBus; events: HawkEvent[] } {
  const bus = new EventBus({ sensor: 'test', log: silentLogger() });
  const events: HawkEvent[] = [];
  bus.subscribe((e) => events.push(hawkEventSchema.parse(e) as HawkEvent));
  return { bus, events };
}

const listed: SourceTagger = (ip) => (ip === '198.51.100.9' || ip === '::ffff:198.51.100.9' ? { entry: '198.51.100.0/24', name: 'scanner.example' } : null);
const tagOf = (e: HawkEvent): unknown => [e.known_scanner, e.scanner_entry, e.scanner_name];

describe('source tagging on the event bus', () => {
  test('every event of a listed source carries the entry; other sources and internal events carry none of the keys', () => {
    const { bus, events } = collectingBus();
    bus.setSourceTagger(listed);
    const dimse = bus.forSession(who('a', '198.51.100.9'));
    const web = bus.forSession(who('b', '198.51.100.9', 'http'));
    const other = bus.forSession(who('c', '203.0.113.7'));
    dimse.emit('dicomhawk.session.connect', { listener_port: 11112 });
    dimse.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    web.emit('dicomhawk.web.login.failed', { username: 'u', password: 'p', credential_kind: 'other', reason: 'bad password' });
    other.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    bus.internal().emit('dicomhawk.dimse.cancel', { message_id: 9 });
    assert.deepEqual(events.slice(0, 3).map(tagOf), Array(3).fill([true, '198.51.100.0/24', 'scanner.example']));
    for (const e of events.slice(3)) {
      for (const k of ['known_scanner', 'scanner_entry', 'scanner_name']) assert.ok(!(k in e), `${e.session} has ${k}`);
    }
  });

  test('an IPv4-mapped IPv6 peer (dual-stack socket) is looked up as the tagger sees it', () => {
    const { bus, events } = collectingBus();
    bus.setSourceTagger(listed);
    bus.forSession(who('m', '::ffff:198.51.100.9')).emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    assert.equal(events[0]!.known_scanner, true);
  });

  test('looked up once per session, not per event', () => {
    const { bus } = collectingBus();
    let calls = 0;
    bus.setSourceTagger((ip) => {
      calls += 1;
      return listed(ip);
    });
    const log = bus.forSession(who('a', '198.51.100.9'));
    for (let i = 0; i < 100; i++) log.emit('dicomhawk.dimse.echo', { message_id: i, status: 0 });
    assert.equal(calls, 1);
  });

  test('sessions bound before the list was loaded, or when it changes, follow the current tagger', () => {
    const { bus, events } = collectingBus();
    const log = bus.forSession(who('early', '198.51.100.9'));
    log.emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    bus.setSourceTagger(listed);
    log.emit('dicomhawk.dimse.echo', { message_id: 2, status: 0 });
    bus.setSourceTagger(() => ({ entry: '198.51.100.9', name: null }));
    log.emit('dicomhawk.dimse.echo', { message_id: 3, status: 0 });
    bus.setSourceTagger(null);
    log.emit('dicomhawk.dimse.echo', { message_id: 4, status: 0 });
    assert.deepEqual(events.map(tagOf), [
      [undefined, undefined, undefined],
      [true, '198.51.100.0/24', 'scanner.example'],
      [true, '198.51.100.9', null],
      [undefined, undefined, undefined],
    ]);
  });

  test('a tagger that throws costs no event; an over-long entry is clipped to the schema bound', () => {
    const { bus, events } = collectingBus();
    bus.setSourceTagger(() => {
      throw new Error('broken list');
    });
    bus.forSession(who('x', '198.51.100.9')).emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.known_scanner, undefined);
    bus.setSourceTagger(() => ({ entry: 'e'.repeat(5000), name: 'n'.repeat(5000) }));
    bus.forSession(who('y', '198.51.100.9')).emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    assert.equal(events[1]!.scanner_entry!.length, 256);
    assert.equal(events[1]!.scanner_name!.length, 256);
  });

  test('the bound lookup wins over same-named fields, and the schema refuses mistyped values', () => {
    const { bus, events } = collectingBus();
    const forged = { message_id: 1, status: 0, known_scanner: true, scanner_entry: '0.0.0.0/0' } as unknown as { message_id: number; status: number };
    bus.setSourceTagger(listed);
    bus.forSession(who('f', '198.51.100.9')).emit('dicomhawk.dimse.echo', forged);
    assert.equal(events[0]!.scanner_entry, '198.51.100.0/24', 'the bound lookup wins over fields');
    const good = events[0]!;
    assert.equal(hawkEventSchema.safeParse({ ...good, known_scanner: false }).success, false);
    assert.equal(hawkEventSchema.safeParse({ ...good, scanner_entry: 5 }).success, false);
  });
});
