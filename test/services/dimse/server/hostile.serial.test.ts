/**
 * Hostile input, on loopback and bounded: for each attack the process stays up, memory stays bounded,
 * a concurrent echoscu still succeeds within 200 ms, and an event records what happened.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HawkEvent } from '../../../../src/core/events/catalogue.ts';
import {
  UID, abortPdu, appContext, implClassUid, item, maxLength, pDataPdu, pcRq, pdu, pdv, releaseRqPdu, rjPdu, rqPdu, u16, u32, userIdentity, userInfo,
} from '../../../fixtures/pdu.ts';
import { run, startDimseServer, type TestServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';
import { exchange, openRaw, pduTypes } from '../../../helpers/rawClient.ts';

/** RSS growth allowed over the whole suite (the server runs in this process). */
const RSS_BOUND_MB = 200;
const ECHO_BOUND_MS = 200;

const verificationRq = (extra: Buffer[] = [], contexts: Buffer[] = [pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE])]) =>
  rqPdu({ calling: 'HOSTILE', items: [appContext(), ...contexts, userInfo(maxLength(16384), implClassUid('1.2.3.4'), ...extra)] });

let server: TestServer;
let rss0 = 0;

async function stillServing(): Promise<void> {
  // echoscu's own start-up is part of the measurement; best of three absorbs a scheduler hiccup on a busy 2-core machine.
  let best = Infinity;
  for (let i = 0; i < 3 && best > ECHO_BOUND_MS; i += 1) {
    const r = await run('echoscu', [server.host, String(server.port)]);
    assert.equal(r.code, 0, `echoscu failed: ${r.stderr}`);
    best = Math.min(best, r.ms);
  }
  assert.ok(best <= ECHO_BOUND_MS, `echoscu took ${best.toFixed(0)} ms`);
  const grown = (process.memoryUsage().rss - rss0) / 1024 / 1024;
  assert.ok(grown < RSS_BOUND_MB, `RSS grew by ${grown.toFixed(0)} MB`);
}

const ofSession = (session: string) => server.events().filter((e) => e.session === session);
async function lastSessionClosed(pred: (e: HawkEvent) => boolean): Promise<HawkEvent[]> {
  let found: HawkEvent[] = [];
  await waitFor(() => {
    const s = server.sessionsWhere(pred).at(-1);
    if (!s || !s.some((e) => e.eventid === 'dicomhawk.session.closed')) return false;
    found = ofSession(s[0]!.session);
    return true;
  }, 15_000);
  return found;
}
const ids = (list: HawkEvent[]) => list.map((e) => e.eventid);

describe('hostile input', () => {
  before(async () => {
    server = await startDimseServer({ limits: { artimMs: 1500, minBytesPerSec: 100, slowWindowMs: 500, maxConnectionsPerIp: 64 } });
    rss0 = process.memoryUsage().rss;
  });
  after(async () => server.stop());

  test('random bytes: malformed PDU event, abort, connection closed', async () => {
    const r = await exchange(server.port, [Buffer.concat([Buffer.from([0x42, 0]), randomBytes(200)])]);
    assert.notEqual(r.ended, 'open');
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.pdu.malformed' && e.pdu_type === 0x42);
    const m = s.find((e) => e.eventid === 'dicomhawk.pdu.malformed')!;
    assert.equal(m.eventid === 'dicomhawk.pdu.malformed' && m.head_hex.startsWith('4200'), true);
    await stillServing();
  });

  test('A-RELEASE-RQ before any association is aborted, never answered with a release', async () => {
    const r = await exchange(server.port, [releaseRqPdu()]);
    assert.deepEqual(pduTypes(r.received), [0x07], 'an A-ABORT, not an A-RELEASE-RP');
    assert.notEqual(r.ended, 'open');
    await stillServing();
  });

  for (const [name, bytes] of [
    ['P-DATA-TF', pDataPdu(pdv(1, 3, Buffer.alloc(10)))],
    ['A-ASSOCIATE-AC', pdu(0x02, Buffer.alloc(68))],
    ['A-ASSOCIATE-RJ', rjPdu(1, 1, 1)],
    ['A-RELEASE-RP', pdu(0x06, Buffer.alloc(4))],
  ] as const) {
    test(`${name} before association: abort and close`, async () => {
      const r = await exchange(server.port, [bytes]);
      assert.ok(pduTypes(r.received).every((t) => t === 0x07));
      assert.notEqual(r.ended, 'open');
      await stillServing();
    });
  }

  test('A-ABORT before association: the connection is closed at once', async () => {
    const r = await exchange(server.port, [abortPdu(0, 0)], { waitMs: 2000 });
    assert.equal(r.received.length, 0);
    assert.notEqual(r.ended, 'open');
    assert.ok(r.ms < 1500);
    await stillServing();
  });

  test('out-of-state PDUs after association (a second A-ASSOCIATE-RQ) are aborted', async () => {
    const r = await exchange(server.port, [verificationRq(), verificationRq()], { gapMs: 50 });
    assert.deepEqual(pduTypes(r.received), [0x02, 0x07]);
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.abort' && e.by === 'local');
    assert.ok(ids(s).includes('dicomhawk.association.abort'));
    await stillServing();
  });

  test('A-ABORT after association: the server closes the socket (does not keep it)', async () => {
    const r = await exchange(server.port, [verificationRq(), abortPdu(0, 0)], { gapMs: 50, waitMs: 2000 });
    assert.notEqual(r.ended, 'open');
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.abort' && e.by === 'peer');
    assert.ok(ids(s).includes('dicomhawk.association.abort'));
    await stillServing();
  });

  test('truncated PDU then close: recorded, no crash', async () => {
    const full = verificationRq();
    const r = await exchange(server.port, [full.subarray(0, 40)], { waitMs: 200 });
    assert.equal(r.ended, 'open');
    await lastSessionClosed((e) => e.eventid === 'dicomhawk.session.connect');
    await stillServing();
  });

  test('an A-ASSOCIATE-RQ over the 64 KiB cap is refused at its header', async () => {
    const r = await exchange(server.port, [Buffer.concat([Buffer.from([1, 0]), u32(70_000)])]);
    assert.notEqual(r.ended, 'open');
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.pdu.malformed' && /64|65536|too long|over/i.test(e.reason));
    assert.ok(s.length > 0);
    await stillServing();
  });

  test('a declared 2 GB P-DATA-TF is refused at its header and allocates nothing', async () => {
    const before = process.memoryUsage().rss;
    const r = await exchange(server.port, [verificationRq(), Buffer.concat([Buffer.from([4, 0]), u32(0x7fffffff), randomBytes(64 * 1024)])], { gapMs: 50 });
    assert.notEqual(r.ended, 'open');
    assert.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024);
    await lastSessionClosed((e) => e.eventid === 'dicomhawk.pdu.malformed' && e.pdu_type === 4);
    await stillServing();
  });

  test('unknown items are kept raw and do not lose the parser its place', async () => {
    const rq = rqPdu({
      calling: 'UNKNOWNS',
      items: [item(0x77, Buffer.from('junk item')), appContext(), item(0x99, Buffer.alloc(3)), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]), userInfo(item(0x5f, 'x'), maxLength(8192), implClassUid('1.2.3.4.5'))],
    });
    const r = await exchange(server.port, [rq], { waitMs: 300 });
    assert.deepEqual(pduTypes(r.received), [0x02], 'accepted');
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === 'UNKNOWNS');
    const req = s.find((e) => e.eventid === 'dicomhawk.association.request')!;
    assert.ok(req.eventid === 'dicomhawk.association.request');
    if (req.eventid !== 'dicomhawk.association.request') return;
    assert.deepEqual(req.unknown_items.map((u) => u.type).sort((a, b) => a - b), [0x5f, 0x77, 0x99]);
    assert.equal(req.max_pdu, 8192, "the client's own max PDU, not a default");
    assert.equal(req.impl_class_uid, '1.2.3.4.5');
    await stillServing();
  });

  test('a request without max length or implementation UID is reported as missing, not defaulted', async () => {
    const rq = rqPdu({ calling: 'BARE', items: [appContext(), pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE])] });
    await exchange(server.port, [rq], { waitMs: 300 });
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === 'BARE');
    const req = s.find((e) => e.eventid === 'dicomhawk.association.request');
    assert.ok(req && req.eventid === 'dicomhawk.association.request' && req.max_pdu === null && req.impl_class_uid === null);
  });

  test('context IDs out of order are all negotiated (legal requests are not dropped)', async () => {
    const rq = rqPdu({ calling: 'ORDER', items: [appContext(), pcRq(5, UID.VERIFICATION, [UID.IMPLICIT_LE]), pcRq(1, UID.STUDY_ROOT_FIND, [UID.EXPLICIT_LE]), pcRq(3, UID.CT_IMAGE_STORAGE, [UID.IMPLICIT_LE]), userInfo(maxLength(16384))] });
    await exchange(server.port, [rq], { waitMs: 300 });
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === 'ORDER');
    const acc = s.find((e) => e.eventid === 'dicomhawk.association.accept');
    assert.ok(acc && acc.eventid === 'dicomhawk.association.accept');
    if (acc?.eventid !== 'dicomhawk.association.accept') return;
    assert.deepEqual(acc.contexts.map((c) => [c.id, c.result]), [[5, 0], [1, 0], [3, 0]]);
  });

  test('0 presentation contexts: rejected with a correct A-ASSOCIATE-RJ', async () => {
    const r = await exchange(server.port, [rqPdu({ calling: 'ZERO', items: [appContext(), userInfo(maxLength(16384))] })]);
    assert.deepEqual(pduTypes(r.received), [0x03]);
    assert.deepEqual([...r.received.subarray(7, 10)], [1, 1, 1], 'permanent, service-user, no-reason-given');
    await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.reject');
    await stillServing();
  });

  test('128 presentation contexts are all answered', async () => {
    const contexts = Array.from({ length: 128 }, (_, i) => pcRq(2 * i + 1, i % 2 ? UID.VERIFICATION : '1.2.3.4.5.6', [UID.IMPLICIT_LE]));
    const r = await exchange(server.port, [rqPdu({ calling: 'MANY', items: [appContext(), ...contexts, userInfo(maxLength(16384))] })], { waitMs: 300 });
    assert.deepEqual(pduTypes(r.received), [0x02]);
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === 'MANY');
    const acc = s.find((e) => e.eventid === 'dicomhawk.association.accept');
    assert.ok(acc?.eventid === 'dicomhawk.association.accept' && acc.contexts.length === 128);
    if (acc?.eventid === 'dicomhawk.association.accept') assert.equal(acc.contexts.filter((c) => c.result === 3).length, 64);
  });

  test('binary user identity is recorded as hex beside its text', async () => {
    const secret = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x41]);
    const rq = verificationRq([userIdentity(2, 1, 'admin', secret)]);
    await exchange(server.port, [rq], { waitMs: 300 });
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.association.request' && e.user_identity !== null);
    const req = s.find((e) => e.eventid === 'dicomhawk.association.request');
    assert.ok(req?.eventid === 'dicomhawk.association.request' && req.user_identity);
    if (req?.eventid !== 'dicomhawk.association.request' || !req.user_identity) return;
    assert.equal(req.user_identity.type, 2);
    assert.equal(req.user_identity.primary.text, 'admin');
    assert.equal(req.user_identity.secondary?.hex, secret.toString('hex'));
  });

  test('a garbage DIMSE command is an event and an A-ABORT, never silence', async () => {
    const garbage = pDataPdu(pdv(1, 0x03, Buffer.concat([u16(0x0008), u16(0x0010), u32(0xfffffff0), randomBytes(20)])));
    const r = await exchange(server.port, [verificationRq(), garbage], { gapMs: 50 });
    assert.deepEqual(pduTypes(r.received), [0x02, 0x07]);
    const s = await lastSessionClosed((e) => e.eventid === 'dicomhawk.dimse.malformed');
    assert.ok(ids(s).includes('dicomhawk.association.abort'));
    await stillServing();
  });

  test('a 28-byte message claiming 4 GB does not allocate it', async () => {
    const before = process.memoryUsage().rss;
    const msg = pDataPdu(pdv(1, 0x03, Buffer.concat([u16(0), u16(0), u32(4), u32(0xffffffff), u16(0), u16(0x0100), u32(0xffffffff)])));
    await exchange(server.port, [verificationRq(), msg], { gapMs: 50 });
    assert.ok(process.memoryUsage().rss - before < 50 * 1024 * 1024);
    await lastSessionClosed((e) => e.eventid === 'dicomhawk.dimse.malformed');
    await stillServing();
  });

  test('slowloris: a PDU trickled below the minimum rate is cut and recorded', async () => {
    const rq = verificationRq();
    const s = await openRaw(server.port);
    const closed = new Promise<void>((r) => s.once('close', () => r()));
    s.on('error', () => undefined);
    let i = 0;
    const t = setInterval(() => {
      if (i < rq.length && !s.destroyed) s.write(rq.subarray(i, ++i));
    }, 400);
    await Promise.race([closed, new Promise((r) => setTimeout(r, 8000))]);
    clearInterval(t);
    assert.ok(s.destroyed || s.readableEnded, 'the slow sender was cut');
    s.destroy();
    await lastSessionClosed((e) => e.eventid === 'dicomhawk.limit.refused' && e.limit === 'min_bytes_per_sec');
    await stillServing();
  });

  test('500 idle connections: each is cut by ARTIM with an event, and echo keeps working meanwhile', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 500; i += 1) {
      // spread over loopback source addresses, as a botnet would be spread over hosts
      const s = await openRaw(server.port, '127.0.0.1', `127.0.${1 + Math.floor(i / 50)}.${2 + (i % 50)}`);
      s.on('error', () => undefined);
      sockets.push(s);
    }
    await stillServing();
    await waitFor(() => sockets.every((s) => s.destroyed || s.readableEnded), 15_000);
    for (const s of sockets) s.destroy();
    await waitFor(() => server.events().filter((e) => e.eventid === 'dicomhawk.limit.refused' && e.limit === 'associate_timeout_ms').length >= 500, 15_000);
    await stillServing();
  });

  test('connections over the per-IP cap are refused with an event', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 66; i += 1) {
      const s = await openRaw(server.port, '127.0.0.1', '127.0.99.9');
      s.on('error', () => undefined);
      sockets.push(s);
    }
    await waitFor(() => server.events().some((e) => e.eventid === 'dicomhawk.limit.refused' && e.limit === 'max_connections_per_ip' && e.src_ip === '127.0.99.9'));
    for (const s of sockets) s.destroy();
    await stillServing();
  });
});
