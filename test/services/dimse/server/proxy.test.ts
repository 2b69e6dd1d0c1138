/**
 * PROXY protocol v2 (haproxy's proxy-protocol.txt §2.2) in front of the DICOM listener: the events carry the
 * client and destination the balancer saw, a connection without a valid header is dropped unanswered (and
 * recorded as such, from the connection's own endpoints with `proxied: false`), and the header may arrive in
 * any number of pieces.
 */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HawkEvent } from '../../../../src/core/events/catalogue.ts';
import { dcmtkEchoscuRq, releaseRqPdu, trickle } from '../../../fixtures/pdu.ts';
import { startDimseServer, type TestServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';
import { openRaw, pduTypes } from '../../../helpers/rawClient.ts';

const byId = <Id extends HawkEvent['eventid']>(list: HawkEvent[], id: Id) => list.filter((e) => e.eventid === id) as Array<Extract<HawkEvent, { eventid: Id }>>;

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** The spec's example, byte by byte: PROXY command, TCP over IPv4, 203.0.113.50:40000 → 192.0.2.10:104. */
const IPV4_HEADER = Buffer.from([
  ...SIGNATURE,
  0x21, // version 2, command PROXY
  0x11, // AF_INET, SOCK_STREAM
  0x00, 0x0c, // 12 bytes of addresses follow
  203, 0, 113, 50, // source address
  192, 0, 2, 10, // destination address
  0x9c, 0x40, // source port 40000
  0x00, 0x68, // destination port 104
]);

/** TCP over IPv6: 2001:db8::50 port 40001 → 2001:db8::10 port 11112, 36 bytes of addresses. */
const IPV6_HEADER = Buffer.from([
  ...SIGNATURE,
  0x21, // version 2, command PROXY
  0x21, // AF_INET6, SOCK_STREAM
  0x00, 0x24, // 36
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x50, // source 2001:db8::50
  0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x10, // destination 2001:db8::10
  0x9c, 0x41, // 40001
  0x2b, 0x68, // 11112
]);

/** LOCAL command (the balancer's own health check): no addresses. */
const LOCAL_HEADER = Buffer.from([...SIGNATURE, 0x20, 0x00, 0x00, 0x00]);

interface Outcome {
  /** PDU types received, in order. */
  types: number[];
  /** True when the server closed the connection before we did. */
  closedByServer: boolean;
  bytes: number;
}

/** Writes the chunks (with a gap between them), waits for the A-ASSOCIATE-AC, releases, and closes. */
async function associate(port: number, chunks: Buffer[], gapMs = 0, waitMs = 3000): Promise<Outcome> {
  const s: Socket = await openRaw(port);
  let received = Buffer.alloc(0);
  let closedByServer = false;
  s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
  s.on('error', () => undefined);
  s.on('close', () => (closedByServer = true));
  const has = (type: number) => pduTypes(received).includes(type);
  for (const c of chunks) {
    if (s.destroyed) break;
    s.write(c);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  await waitFor(() => closedByServer || has(0x02) || has(0x03), waitMs).catch(() => undefined);
  if (has(0x02) && !closedByServer) {
    s.write(releaseRqPdu());
    await waitFor(() => closedByServer || has(0x06), waitMs).catch(() => undefined);
  }
  const outcome = { types: pduTypes(received), closedByServer, bytes: received.length };
  s.destroy();
  return outcome;
}

describe('PROXY protocol v2 on the DICOM listener', () => {
  let server: TestServer;
  before(async () => {
    server = await startDimseServer({ proxyProtocol: true });
  });
  after(async () => server.stop());

  const closedSessionOf = (calling: string): HawkEvent[] | undefined =>
    server.sessionsWhere((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === calling).find((s) => s.some((e) => e.eventid === 'dicomhawk.session.closed'));

  async function recorded(calling: string): Promise<HawkEvent[]> {
    await waitFor(() => closedSessionOf(calling) !== undefined);
    return closedSessionOf(calling)!;
  }

  test('IPv4: header and A-ASSOCIATE-RQ in one write; every event carries the real client and destination', async () => {
    const out = await associate(server.port, [Buffer.concat([IPV4_HEADER, dcmtkEchoscuRq('ANY-SCP', 'PROXY4')])]);
    assert.deepEqual(out.types, [0x02, 0x06], 'A-ASSOCIATE-AC, then A-RELEASE-RP');
    const session = await recorded('PROXY4');
    assert.deepEqual(session.map((e) => e.eventid), ['dicomhawk.session.connect', 'dicomhawk.association.request', 'dicomhawk.association.accept', 'dicomhawk.association.release', 'dicomhawk.session.closed']);
    for (const e of session) {
      assert.equal(e.src_ip, '203.0.113.50', e.eventid);
      assert.equal(e.src_port, 40000, e.eventid);
      assert.equal(e.dst_ip, '192.0.2.10', e.eventid);
      assert.equal(e.dst_port, 104, e.eventid);
      assert.equal(e.protocol, 'dimse');
    }
    assert.equal(byId(session, 'dicomhawk.session.connect')[0]!.proxied, true);
    const closed = byId(session, 'dicomhawk.session.closed')[0]!;
    assert.equal(closed.close_reason, 'released');
    assert.equal(closed.pdus_in, 2, 'the PROXY header is not counted as a PDU');
  });

  test('IPv6: the 36-byte address block gives the client and destination in canonical text', async () => {
    const out = await associate(server.port, [IPV6_HEADER, dcmtkEchoscuRq('ANY-SCP', 'PROXY6')]);
    assert.deepEqual(out.types, [0x02, 0x06]);
    const session = await recorded('PROXY6');
    for (const e of session) {
      assert.equal(e.src_ip, '2001:db8::50', e.eventid);
      assert.equal(e.src_port, 40001);
      assert.equal(e.dst_ip, '2001:db8::10');
      assert.equal(e.dst_port, 11112);
    }
    assert.equal(byId(session, 'dicomhawk.session.connect')[0]!.proxied, true);
  });

  test('a header trickled in 1-byte chunks works', async () => {
    const out = await associate(server.port, [...trickle(IPV4_HEADER), dcmtkEchoscuRq('ANY-SCP', 'TRICKLE')], 2);
    assert.deepEqual(out.types, [0x02, 0x06]);
    const session = await recorded('TRICKLE');
    for (const e of session) assert.deepEqual([e.src_ip, e.src_port, e.dst_ip, e.dst_port], ['203.0.113.50', 40000, '192.0.2.10', 104]);
  });

  test('the header and the A-ASSOCIATE-RQ trickled together in 1-byte chunks works', async () => {
    const out = await associate(server.port, trickle(Buffer.concat([IPV6_HEADER, dcmtkEchoscuRq('ANY-SCP', 'TRICKLEALL')])));
    assert.deepEqual(out.types, [0x02, 0x06]);
    const session = await recorded('TRICKLEALL');
    assert.equal(session[0]!.src_ip, '2001:db8::50');
  });

  /** The connect and closed events a connection that never reached the DICOM layer leaves (and nothing else). */
  async function unservedSession(before: number): Promise<HawkEvent[]> {
    await waitFor(() => server.events().slice(before).some((e) => e.eventid === 'dicomhawk.session.closed'));
    await new Promise((r) => setTimeout(r, 100));
    return server.events().slice(before);
  }

  for (const [name, first, reason] of [
    ['no header at all (an A-ASSOCIATE-RQ straight away)', dcmtkEchoscuRq('ANY-SCP', 'NOHEADER'), /^invalid PROXY v2 header: no PROXY v2 signature$/],
    ['a PROXY v1 text header', Buffer.concat([Buffer.from('PROXY TCP4 203.0.113.50 192.0.2.10 40000 104\r\n'), dcmtkEchoscuRq('ANY-SCP', 'V1HEADER')]), /^invalid PROXY v2 header: no PROXY v2 signature$/],
    ['a v2 signature with version 1', Buffer.concat([Buffer.from([...SIGNATURE, 0x11, 0x11, 0x00, 0x0c]), IPV4_HEADER.subarray(16), dcmtkEchoscuRq('ANY-SCP', 'BADVERSION')]), /^invalid PROXY v2 header: PROXY version 1$/],
    ['a v2 header with an unknown command', Buffer.concat([Buffer.from([...SIGNATURE, 0x2f, 0x11, 0x00, 0x0c]), IPV4_HEADER.subarray(16), dcmtkEchoscuRq('ANY-SCP', 'BADCOMMAND')]), /^invalid PROXY v2 header: PROXY command 15$/],
  ] as const) {
    test(`${name}: dropped without an answer; recorded as a session that never reached DICOM, from the connection's own endpoints with proxied false`, async () => {
      const before = server.events().length;
      const out = await associate(server.port, [first]);
      assert.equal(out.closedByServer, true, 'the server dropped the connection');
      assert.equal(out.bytes, 0, 'nothing was answered');
      const events = await unservedSession(before);
      assert.deepEqual(events.map((e) => e.eventid), ['dicomhawk.session.connect', 'dicomhawk.session.closed']);
      assert.equal(events[0]!.session, events[1]!.session);
      const connect = byId(events, 'dicomhawk.session.connect')[0]!;
      assert.equal(connect.proxied, false, 'the address is the connection’s own, not a client the balancer vouched for');
      assert.equal(connect.listener_port, server.port);
      const closed = byId(events, 'dicomhawk.session.closed')[0]!;
      assert.match(closed.close_reason, reason);
      assert.deepEqual([closed.pdus_in, closed.bytes_out], [0, 0]);
      assert.ok(closed.bytes_in >= 16);
    });
  }

  test('a partial header that never completes is dropped after the header deadline, and recorded as such', async () => {
    const before = server.events().length;
    const t0 = performance.now();
    const out = await associate(server.port, [IPV4_HEADER.subarray(0, 20)], 0, 8000);
    const ms = performance.now() - t0;
    assert.equal(out.closedByServer, true);
    assert.ok(ms >= 4000 && ms < 8000, `dropped after ${ms.toFixed(0)} ms`);
    const events = await unservedSession(before);
    assert.deepEqual(events.map((e) => e.eventid), ['dicomhawk.session.connect', 'dicomhawk.session.closed']);
    const closed = byId(events, 'dicomhawk.session.closed')[0]!;
    assert.equal(closed.close_reason, 'no PROXY v2 header within 5000 ms');
    assert.equal(closed.bytes_in, 20);
    assert.ok(closed.duration_ms >= 4000);
  });

  test("LOCAL command (the balancer's health check): the connection's own endpoints are used and proxied is false", async () => {
    const out = await associate(server.port, [Buffer.concat([LOCAL_HEADER, dcmtkEchoscuRq('ANY-SCP', 'HEALTHCHECK')])]);
    assert.deepEqual(out.types, [0x02, 0x06]);
    const session = await recorded('HEALTHCHECK');
    const connect = byId(session, 'dicomhawk.session.connect')[0]!;
    assert.equal(connect.proxied, false);
    assert.equal(connect.src_ip, '127.0.0.1');
  });
});
