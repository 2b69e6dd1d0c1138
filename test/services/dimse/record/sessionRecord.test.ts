/**
 * Every PDU of a DICOM session kept raw with timestamps: a real DCMTK findscu session, watched through a TCP
 * relay that keeps what really crossed the wire, leaves a record whose PDUs parse back with our own codecs
 * and whose bytes are exactly the wire's, named by the session's `dicomhawk.session.closed` event; a flood of
 * large association requests from many addresses cannot push the records past their caps.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EventBus } from '../../../../src/core/events/bus.ts';
import type { HawkEvent } from '../../../../src/core/events/catalogue.ts';
import { hawkEventSchema } from '../../../../src/core/events/catalogue.ts';
import { silentLogger } from '../../../../src/core/log.ts';
import { loadPersona } from '../../../../src/domain/dicom/persona.ts';
import { decodePdu } from '../../../../src/services/dimse/pdu/decode.ts';
import { printSessionPdus } from '../../../../src/services/dimse/record/printPdus.ts';
import { decodePcapng } from '../../../../src/services/dimse/record/pcapng.ts';
import { readSessionRecord } from '../../../../src/services/dimse/record/readRecord.ts';
import { PduRecordStore, type PduRecordLimits } from '../../../../src/services/dimse/record/recordStore.ts';
import { DimseListeners } from '../../../../src/services/dimse/server/listener.ts';
import { ServiceRegistry } from '../../../../src/services/dimse/services/registry.ts';
import { dimseServices } from '../../../../src/services/dimse/surface.ts';
import { appContext, implClassUid, item, maxLength, pcRq, rqPdu, UID, userInfo } from '../../../fixtures/pdu.ts';
import { MemorySink } from '../../../helpers/collect.ts';
import { run, TEST_LIMITS } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';

type Closed = Extract<HawkEvent, { eventid: 'dicomhawk.session.closed' }>;

interface Sensor {
  dataDir: string;
  port: number;
  store: PduRecordStore;
  events(): HawkEvent[];
  stop(): Promise<void>;
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function startSensor(limits: PduRecordLimits, proxyProtocol = false): Promise<Sensor> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-rec-'));
  dirs.push(dataDir);
  const bus = new EventBus({ sensor: 'test', log: silentLogger() });
  const sink = new MemorySink('memory');
  await bus.addSink(sink);
  const store = new PduRecordStore(join(dataDir, 'pdu'), limits);
  const listeners = new DimseListeners({
    host: '127.0.0.1',
    ports: [0],
    proxyProtocol,
    persona: loadPersona('hospital-pacs'),
    aeTitle: 'PACS',
    limits: TEST_LIMITS,
    services: new ServiceRegistry(dimseServices()),
    bus,
    diag: silentLogger(),
    record: store,
  });
  await listeners.start();
  return {
    dataDir,
    port: listeners.boundPorts[0]!,
    store,
    events: () => sink.events.map((e) => hawkEventSchema.parse(e) as HawkEvent),
    async stop() {
      await listeners.stop();
      await store.settled();
      await bus.stop();
    },
  };
}

/** A TCP relay that keeps every byte each way: what was really on the wire. */
async function startRelay(target: number): Promise<{ port: number; toServer: Buffer[]; toClient: Buffer[]; server: Server }> {
  const toServer: Buffer[] = [];
  const toClient: Buffer[] = [];
  const server = createServer((c: Socket) => {
    const up = connect({ host: '127.0.0.1', port: target });
    c.on('data', (d: Buffer) => {
      toServer.push(Buffer.from(d));
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      toClient.push(Buffer.from(d));
      c.write(d);
    });
    c.on('end', () => up.end());
    up.on('end', () => c.end());
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, toServer, toClient, server };
}

describe('the session PDU record', () => {
  let sensor: Sensor;
  before(async () => {
    sensor = await startSensor({ maxBytesPerSession: 1 << 20, maxBytesPerIp: 1 << 24, maxBytesTotal: 1 << 26 });
  });
  after(async () => sensor.stop());

  test('a DCMTK findscu session: its record parses back with our codecs and its bytes are the wire bytes', async () => {
    const relay = await startRelay(sensor.port);
    try {
      const r = await run('findscu', ['-v', '-S', '-aet', 'RECORDSCU', '-aec', 'ANY-SCP', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'PatientName=J*', '-k', 'StudyInstanceUID', '127.0.0.1', String(relay.port)]);
      assert.match(r.stdout + r.stderr, /Association Accepted|Releasing Association|Received Final Find Response/i, r.stdout + r.stderr);
      await waitFor(() => sensor.events().some((e) => e.eventid === 'dicomhawk.session.closed'));
    } finally {
      relay.server.close();
    }
    const closed = sensor.events().find((e): e is Closed => e.eventid === 'dicomhawk.session.closed')!;
    const rec = closed.pdu_record!;
    assert.ok(rec, 'the closed event names the record');
    assert.equal(rec.truncated, false);
    assert.match(rec.file!, /^pdu\/\d{4}-\d{2}-\d{2}\/\d{9}-\d+-\d{4}\.pcapng$/);
    assert.equal(rec.pdus, closed.pdus_in + closed.pdus_out);
    await sensor.store.settled();
    const inFile = decodePcapng(readFileSync(join(sensor.dataDir, rec.file!))).filter((p) => p.session === closed.session);
    assert.equal(inFile.reduce((t, p) => t + p.block.length, 0), rec.bytes, 'the file holds the bytes the event reports');

    const listed = await readSessionRecord(sensor.dataDir, closed.session);
    assert.ok(listed);
    assert.deepEqual(listed.files, rec.files);
    const pdus = listed.pdus;
    assert.equal(pdus.length, rec.pdus);
    const wireIn = Buffer.concat(relay.toServer);
    const wireOut = Buffer.concat(relay.toClient);
    assert.ok(Buffer.concat(pdus.filter((p) => p.direction === 'in').map((p) => p.raw)).equals(wireIn), 'client → sensor bytes match the wire');
    assert.ok(Buffer.concat(pdus.filter((p) => p.direction === 'out').map((p) => p.raw)).equals(wireOut), 'sensor → client bytes match the wire');
    const names = pdus.map((p) => `${p.direction} ${p.typeName}`);
    assert.equal(names[0], 'in A-ASSOCIATE-RQ');
    assert.equal(names[1], 'out A-ASSOCIATE-AC');
    assert.ok(names.includes('in P-DATA-TF') && names.includes('out P-DATA-TF'));
    assert.deepEqual(names.slice(-2), ['in A-RELEASE-RQ', 'out A-RELEASE-RP']);
    for (const p of pdus) {
      const d = decodePdu({ type: p.type, body: p.raw.subarray(6), raw: p.raw });
      assert.ok(d.ok, `PDU ${p.index} (${p.typeName}) decodes: ${d.ok ? '' : d.error.message}`);
    }
    const rq = decodePdu({ type: 1, body: pdus[0]!.raw.subarray(6), raw: pdus[0]!.raw });
    assert.ok(rq.ok && rq.pdu.pdu === 'A-ASSOCIATE-RQ' && rq.pdu.callingAe.text === 'RECORDSCU');
    const opened = Date.parse(sensor.events().find((e) => e.eventid === 'dicomhawk.session.connect')!.timestamp);
    const ended = Date.parse(closed.timestamp);
    for (let i = 0; i < pdus.length; i += 1) {
      assert.ok(pdus[i]!.timeMs >= opened - 1 && pdus[i]!.timeMs <= ended + 1, 'timestamps fall inside the session');
      if (i > 0) assert.ok(pdus[i]!.timeMs >= pdus[i - 1]!.timeMs, 'timestamps are in order');
    }

    let text = '';
    assert.equal(await printSessionPdus(sensor.dataDir, closed.session, {}, (s) => (text += s), () => undefined), 0);
    assert.match(text, /A-ASSOCIATE-RQ/);
    assert.match(text, /← out\s+A-RELEASE-RP/);
    assert.equal(text.trim().split('\n').length, 1 + pdus.length);
    let json = '';
    await printSessionPdus(sensor.dataDir, closed.session, { json: true }, (s) => (json += s), () => undefined);
    const first = JSON.parse(json.split('\n')[0]!) as { type_name: string; hex: string; direction: string };
    assert.deepEqual([first.type_name, first.direction, first.hex], ['A-ASSOCIATE-RQ', 'in', pdus[0]!.raw.toString('hex')]);
    let err = '';
    assert.equal(await printSessionPdus(sensor.dataDir, '0190ffff-0000-7000-8000-000000000000', {}, () => undefined, (s) => (err += s)), 1);
    assert.match(err, /no PDU record for session/);
    assert.equal(await printSessionPdus(sensor.dataDir, '../../etc/passwd', {}, () => undefined, () => undefined), 2, 'a path is not a session id');
    const exported = join(sensor.dataDir, 'one-session.pcapng');
    assert.equal(await printSessionPdus(sensor.dataDir, closed.session, { pcapOut: exported }, () => undefined, () => undefined), 0);
    const alone = decodePcapng(readFileSync(exported));
    assert.equal(alone.length, inFile.length);
    assert.ok(alone.every((p) => p.session === closed.session));
  });
});

const SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
function proxyHeader(a: number, b: number): Buffer {
  return Buffer.from([...SIGNATURE, 0x21, 0x11, 0x00, 0x0c, 198, 51, a, b, 127, 0, 0, 1, 0x9c, 0x40, 0x2b, 0x68]);
}

/** An A-ASSOCIATE-RQ of about 40 KiB: a Verification context and one large unknown item. */
const BIG_RQ = rqPdu({
  items: [
    appContext(),
    pcRq(1, UID.VERIFICATION, [UID.IMPLICIT_LE]),
    item(0x77, Buffer.alloc(40_000, 0x41)),
    userInfo(maxLength(16384), implClassUid('2.25.1')),
  ],
});

async function sendAndClose(port: number, bytes: Buffer): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.on('connect', () => {
      s.write(bytes);
      setTimeout(() => s.end(), 30);
    });
    s.on('data', () => undefined);
  });
}

describe('the PDU record under a flood', () => {
  test('per-session, per-address and total caps hold against 400 sessions of 40 KiB requests from 100 addresses', async () => {
    const limits = { maxBytesPerSession: 4096, maxBytesPerIp: 10_000, maxBytesTotal: 200_000 };
    const s = await startSensor(limits, true);
    try {
      const jobs = Array.from({ length: 400 }, (_, i) => () => sendAndClose(s.port, Buffer.concat([proxyHeader(7, i % 100), BIG_RQ])));
      const workers = Array.from({ length: 16 }, async () => {
        for (let j = jobs.shift(); j; j = jobs.shift()) await j();
      });
      await Promise.all(workers);
      await waitFor(() => s.events().filter((e) => e.eventid === 'dicomhawk.session.closed').length >= 400, 60_000);
      await s.store.settled();
      const closed = s.events().filter((e): e is Closed => e.eventid === 'dicomhawk.session.closed');
      assert.ok(closed.every((e) => e.pdu_record && e.pdu_record.bytes <= limits.maxBytesPerSession), 'no session record passes its cap');
      assert.ok(closed.filter((e) => e.pdu_record!.bytes > 0).every((e) => e.pdu_record!.truncated), 'each 40 KiB request was cut');
      const perIp = new Map<string, number>();
      for (const e of closed) perIp.set(e.src_ip!, (perIp.get(e.src_ip!) ?? 0) + e.pdu_record!.bytes);
      assert.equal(perIp.size, 100);
      assert.ok([...perIp.values()].every((b) => b <= limits.maxBytesPerIp), `largest per address: ${Math.max(...perIp.values())}`);
      const root = join(s.dataDir, 'pdu');
      const onDisk = readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .reduce((t, d) => t + statSync(join(d.parentPath, d.name)).size, 0);
      assert.ok(onDisk <= limits.maxBytesTotal, `${onDisk} bytes on disk`);
      assert.ok(onDisk > limits.maxBytesTotal / 2, 'recording went on (older records were pruned, not everything refused)');
      assert.equal(s.store.pendingBytes, 0);
    } finally {
      await s.stop();
    }
  });
});
