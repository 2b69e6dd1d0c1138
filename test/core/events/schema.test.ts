import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { EVENT_IDS, hawkEventSchema, type EventId } from '../../../src/core/events/catalogue.ts';
import { MESSAGES } from '../../../src/core/events/messages.ts';
import { SessionLog } from '../../../src/core/events/sessionLog.ts';
import { clip } from '../../../src/core/events/bounded.ts';
import { renderEventDoc, renderEventSchema } from '../../../scripts/write-event-schema.ts';
import { SAMPLE_FIELDS } from '../../fixtures/events.ts';
import { CollectingSink } from '../../helpers/collect.ts';

const identity = { session: 's-1', protocol: 'dimse' as const, src_ip: '203.0.113.7', src_port: 40000, dst_ip: '127.0.0.1', dst_port: 11112 };

describe('event schema', () => {
  for (const id of EVENT_IDS) {
    test(`${id}: a sample emitted through a session log validates and carries the envelope`, () => {
      const sink = new CollectingSink();
      new SessionLog(sink, identity).emit(id, SAMPLE_FIELDS[id] as never);
      const e = sink.events[0]!;
      assert.equal(e.eventid, id);
      assert.match(e.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(e.schema_version, 1);
      assert.equal(e.sensor, 'test-sensor');
      assert.equal(typeof e.message, 'string');
      assert.ok(e.message.length > 0);
    });
  }

  test('every event id is dicomhawk.<area>.<action> and has a message formatter', () => {
    for (const id of EVENT_IDS) {
      assert.match(id, /^dicomhawk\.[a-z]+(\.[a-z]+)+$/);
      assert.equal(typeof MESSAGES[id as EventId], 'function');
    }
  });

  test('docs/EVENTS.md is generated from the catalogue and documents exactly its event ids', () => {
    const doc = readFileSync(new URL('../../../docs/EVENTS.md', import.meta.url), 'utf8');
    assert.equal(doc, renderEventDoc(), 'run `npm run schema` and commit docs/EVENTS.md');
    const documented = new Set([...doc.matchAll(/`(dicomhawk\.[a-z.]+)`/g)].map((m) => m[1]));
    for (const id of EVENT_IDS) assert.ok(documented.has(id), `${id} missing from docs/EVENTS.md`);
    for (const id of documented) assert.ok((EVENT_IDS as string[]).includes(id!), `${id} documented but not in the catalogue`);
  });

  test('the schema rejects unknown fields, wrong types and unbounded strings', () => {
    const sink = new CollectingSink();
    new SessionLog(sink, identity).emit('dicomhawk.dimse.echo', { message_id: 1, status: 0 });
    const good = sink.events[0]!;
    assert.equal(hawkEventSchema.safeParse(good).success, true);
    assert.equal(hawkEventSchema.safeParse({ ...good, extra: 1 }).success, false);
    assert.equal(hawkEventSchema.safeParse({ ...good, status: '0' }).success, false);
    assert.equal(hawkEventSchema.safeParse({ ...good, eventid: 'dicomhawk.nope' }).success, false);
    assert.equal(hawkEventSchema.safeParse({ ...good, sensor: 'x'.repeat(300) }).success, false);
    assert.equal(hawkEventSchema.safeParse({ ...good, timestamp: '2026-11-28 10:00:00' }).success, false);
  });

  test('the published JSON Schema is the one generated from the types', () => {
    const published = readFileSync(new URL('../../../schema/events.schema.json', import.meta.url), 'utf8');
    assert.equal(published, renderEventSchema(), 'run `npm run schema` and commit schema/events.schema.json');
  });
});

describe('session log', () => {
  test('identity fields are authoritative: fields passed later cannot overwrite them', () => {
    const sink = new CollectingSink();
    const log = new SessionLog(sink, identity);
    // A careless caller spreading attacker-derived data must not change the recorded source.
    const fields = { message_id: 1, status: 0, src_ip: '6.6.6.6', session: 'forged' } as unknown as { message_id: number; status: number };
    log.emit('dicomhawk.dimse.echo', fields);
    assert.equal(sink.events[0]!.src_ip, '203.0.113.7');
    const raw: unknown[] = [];
    new SessionLog({ sensor: 's', publish: (e) => raw.push(e) }, identity).emit('dicomhawk.dimse.echo', fields);
    const e = raw[0] as Record<string, unknown>;
    assert.equal(e.src_ip, '203.0.113.7'); // the bound identity wins
    assert.equal(e.session, 's-1');
  });

  test('events after close are marked late', () => {
    const sink = new CollectingSink();
    const log = new SessionLog(sink, identity);
    log.emit('dicomhawk.dimse.cancel', { message_id: 1 });
    log.close();
    log.emit('dicomhawk.dimse.cancel', { message_id: 2 });
    assert.equal(sink.events[0]!.late, undefined);
    assert.equal(sink.events[1]!.late, true);
  });

  test('attacker text in a message is quoted, never interpreted', () => {
    const sink = new CollectingSink();
    new SessionLog(sink, identity).emit('dicomhawk.web.login.failed', { username: '"\n%s%n', password: 'x', credential_kind: 'other', reason: 'bad password' });
    assert.ok(sink.events[0]!.message.includes(JSON.stringify('"\n%s%n')));
    assert.ok(!sink.events[0]!.message.includes('\n'));
  });
});

describe('bounded text', () => {
  test('clip keeps short text and records truncation of long text without splitting a surrogate pair', () => {
    assert.deepEqual(clip('abc', 5), { value: 'abc', truncated: false });
    assert.deepEqual(clip('abcdef', 3), { value: 'abc', truncated: true });
    const s = `ab${'😀'}`;
    assert.deepEqual(clip(s, 3), { value: 'ab', truncated: true });
  });
});
