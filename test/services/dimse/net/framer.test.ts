import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PduFramer, type FramedPdu, type FramerError, type FramerOptions } from '../../../../src/services/dimse/net/framer.ts';
import {
  abortPdu,
  dcmtkEchoscuRq,
  everySplit,
  pDataPdu,
  pdu,
  pdv,
  releaseRqPdu,
  rjPdu,
  trickle,
  u32,
} from '../../../fixtures/pdu.ts';

interface Run {
  pdus: FramedPdu[];
  errors: FramerError[];
  framer: PduFramer;
}

function run(chunks: readonly Buffer[], opts: Partial<FramerOptions> = {}): Run {
  const pdus: FramedPdu[] = [];
  const errors: FramerError[] = [];
  let clock = 1000;
  const framer = new PduFramer({
    now: () => clock++,
    ...opts,
    onPdu: (p) => pdus.push({ ...p, body: Buffer.from(p.body), raw: Buffer.from(p.raw) }),
    onError: (e) => errors.push(e),
  });
  for (const c of chunks) framer.push(c);
  return { pdus, errors, framer };
}

function summary(r: Run): unknown {
  return {
    pdus: r.pdus.map((p) => ({ type: p.type, body: p.body.toString('hex'), raw: p.raw.toString('hex'), offset: p.offset })),
    errors: r.errors.map((e) => ({ reason: e.reason, offset: e.offset, headHex: e.headHex, pduType: e.pduType, declaredLength: e.declaredLength, limit: e.limit })),
    buffered: r.framer.bufferedBytes,
  };
}

/** Every test input is checked whole, at every split point, and trickled one byte at a time. */
function assertSplitInvariant(stream: Buffer, opts: Partial<FramerOptions> = {}): Run {
  const whole = run([stream], opts);
  const expected = summary(whole);
  for (const [a, b, i] of everySplit(stream)) {
    assert.deepEqual(summary(run([a, b], opts)), expected, `split at ${i}`);
  }
  assert.deepEqual(summary(run(trickle(stream), opts)), expected, 'byte-by-byte trickle');
  return whole;
}

const stream = Buffer.concat([
  dcmtkEchoscuRq(),
  pDataPdu(pdv(1, 0x03, Buffer.from('command bytes!'))),
  pDataPdu(pdv(1, 0x00, Buffer.alloc(300, 7)), pdv(1, 0x02, Buffer.alloc(5, 9))),
  releaseRqPdu(),
  abortPdu(2, 1),
]);

test('delivers every PDU of a stream, identically for every split point and a byte-by-byte trickle', () => {
  const r = assertSplitInvariant(stream);
  assert.equal(r.errors.length, 0);
  assert.deepEqual(
    r.pdus.map((p) => p.type),
    [0x01, 0x04, 0x04, 0x05, 0x07],
  );
  assert.equal(r.framer.bufferedBytes, 0);
  assert.equal(r.framer.allocatedBytes, 0);
});

test('hands out the body, the raw bytes, the stream offset and the arrival time', () => {
  const a = releaseRqPdu();
  const b = abortPdu(0, 0);
  const r = assertSplitInvariant(Buffer.concat([a, b]));
  assert.equal(r.pdus[0]?.raw.toString('hex'), a.toString('hex'));
  assert.equal(r.pdus[0]?.body.toString('hex'), '00000000');
  assert.equal(r.pdus[0]?.offset, 0);
  assert.equal(r.pdus[1]?.offset, a.length);
  assert.equal(r.pdus[0]?.receivedAt, 1000);
  assert.equal(r.pdus[1]?.receivedAt, 1001);
});

test('refuses a declared 2 GB length at the header while buffering only what arrived', () => {
  const header = Buffer.from([0x04, 0x00, 0x80, 0x00, 0x00, 0x00]);
  const input = Buffer.concat([header, Buffer.alloc(64, 0x41)]);
  const r = assertSplitInvariant(input);
  assert.equal(r.errors.length, 1);
  const e = r.errors[0] as FramerError;
  assert.equal(e.reason, 'pdu-too-long');
  assert.equal(e.declaredLength, 0x80000000);
  assert.equal(e.pduType, 0x04);
  assert.equal(e.headHex, '040080000000');
  assert.equal(r.framer.bufferedBytes, 0);
  assert.equal(r.framer.allocatedBytes, 0);

  // Before the header is complete nothing is judged, and only the received bytes are held.
  const partial = run([header.subarray(0, 5)]);
  assert.equal(partial.errors.length, 0);
  assert.equal(partial.framer.bufferedBytes, 5);
  assert.ok(partial.framer.allocatedBytes <= 16);
  partial.framer.push(header.subarray(5));
  assert.equal(partial.errors[0]?.reason, 'pdu-too-long');
});

test('fixed-size PDUs must declare exactly 4 bytes', () => {
  for (const type of [0x03, 0x05, 0x06, 0x07]) {
    for (const length of [0, 3, 5, 0xffffffff]) {
      const r = assertSplitInvariant(Buffer.concat([Buffer.from([type, 0]), u32(length), Buffer.alloc(8)]));
      assert.equal(r.errors.length, 1, `type ${type} length ${length}`);
      assert.equal(r.errors[0]?.reason, 'bad-fixed-length');
      assert.equal(r.errors[0]?.limit, 4);
    }
    assert.equal(run([pdu(type, Buffer.alloc(4))]).errors.length, 0);
  }
  assert.equal(run([rjPdu(1, 1, 7)]).pdus[0]?.type, 0x03);
});

test('rejects an unknown PDU type at the header (an HTTP request, a zero byte, 0x08, 0xff)', () => {
  for (const head of [Buffer.from('GET / HTTP/1.1\r\n'), Buffer.from([0, 0, 0, 0, 0, 4, 0, 0, 0, 0]), pdu(0x08, Buffer.alloc(4)), pdu(0xff, Buffer.alloc(4))]) {
    const r = assertSplitInvariant(head);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]?.reason, 'unknown-pdu-type');
    assert.equal(r.errors[0]?.headHex, head.subarray(0, 6).toString('hex'));
    assert.equal(r.errors[0]?.offset, 0);
  }
});

test('rejects PDUs shorter than their fixed fields', () => {
  const r = assertSplitInvariant(pdu(0x01, Buffer.alloc(10)));
  assert.equal(r.errors[0]?.reason, 'pdu-too-short');
  assert.equal(r.errors[0]?.limit, 68);
  assert.equal(run([pdu(0x04, Buffer.alloc(5))]).errors[0]?.reason, 'pdu-too-short');
});

test('caps A-ASSOCIATE-RQ at 64 KiB by default and P-DATA-TF at the announced max plus slack', () => {
  const bigRq = Buffer.concat([Buffer.from([0x01, 0]), u32(64 * 1024 + 1), Buffer.alloc(20)]);
  const rq = assertSplitInvariant(bigRq);
  assert.equal(rq.errors[0]?.reason, 'pdu-too-long');
  assert.equal(rq.errors[0]?.limit, 65536);

  const opts = { announcedMaxPdu: 1000, pDataSlack: 10 };
  const ok = pDataPdu(pdv(1, 3, Buffer.alloc(1010 - 6)));
  assert.equal(assertSplitInvariant(ok, opts).errors.length, 0);
  const tooBig = pDataPdu(pdv(1, 3, Buffer.alloc(1011 - 6)));
  const r = assertSplitInvariant(tooBig, opts);
  assert.equal(r.errors[0]?.reason, 'pdu-too-long');
  assert.equal(r.errors[0]?.limit, 1010);
});

test('setMaxPDataLength changes the cap for headers not yet seen', () => {
  const input = pDataPdu(pdv(1, 3, Buffer.alloc(2000)));
  for (const [a, b, i] of everySplit(input)) {
    const r = run([], { announcedMaxPdu: 100, pDataSlack: 0 });
    r.framer.setMaxPDataLength(5000);
    r.framer.push(a);
    r.framer.push(b);
    assert.equal(r.errors.length, 0, `split at ${i}`);
    assert.equal(r.pdus.length, 1);
  }
  assert.equal(run([input], { announcedMaxPdu: 100, pDataSlack: 0 }).errors[0]?.reason, 'pdu-too-long');
});

test('caps the bytes held while waiting for a PDU', () => {
  const big = pDataPdu(pdv(1, 3, Buffer.alloc(4000)));
  const r = assertSplitInvariant(big.subarray(0, 3000), { maxBufferedBytes: 2048 });
  assert.equal(r.errors[0]?.reason, 'buffer-limit');
  assert.equal(r.errors[0]?.limit, 2048);
  assert.equal(r.framer.bufferedBytes, 0);
});

test('stops consuming after an error and reports it once', () => {
  const r = assertSplitInvariant(Buffer.concat([pdu(0x09, Buffer.alloc(4)), releaseRqPdu(), releaseRqPdu()]));
  assert.equal(r.errors.length, 1);
  assert.equal(r.pdus.length, 0);
  assert.equal(r.framer.hasFailed, true);
  assert.equal(r.framer.bufferedBytes, 0);
});

test('delivers the PDUs before a malformed one, then stops', () => {
  const r = assertSplitInvariant(Buffer.concat([releaseRqPdu(), abortPdu(0, 0), pdu(0x05, Buffer.alloc(9)), releaseRqPdu()]));
  assert.deepEqual(
    r.pdus.map((p) => p.type),
    [0x05, 0x07],
  );
  assert.equal(r.errors[0]?.reason, 'bad-fixed-length');
  assert.equal(r.errors[0]?.offset, 20);
});

test('stop() ends delivery', () => {
  const input = Buffer.concat([releaseRqPdu(), abortPdu(0, 0), releaseRqPdu()]);
  for (const [a, b, i] of everySplit(input)) {
    const pdus: number[] = [];
    const framer: PduFramer = new PduFramer({
      onPdu: (p) => {
        pdus.push(p.type);
        framer.stop();
      },
      onError: () => assert.fail('no error expected'),
    });
    framer.push(a);
    framer.push(b);
    assert.deepEqual(pdus, [0x05], `split at ${i}`);
    assert.equal(framer.bufferedBytes, 0);
  }
});

test('handed-out views stay valid while more data arrives', () => {
  const kept: Buffer[] = [];
  const framer = new PduFramer({ onPdu: (p) => kept.push(p.body), onError: () => assert.fail('no error') });
  const first = pDataPdu(pdv(1, 3, Buffer.alloc(40, 0x11)));
  const second = pDataPdu(pdv(1, 3, Buffer.alloc(4000, 0x22)));
  // first PDU plus part of the second in one chunk, then the rest trickled
  const all = Buffer.concat([first, second]);
  framer.push(all.subarray(0, first.length + 10));
  for (const c of trickle(all.subarray(first.length + 10))) framer.push(c);
  assert.equal(kept.length, 2);
  assert.ok(kept[0]?.subarray(6).every((b) => b === 0x11));
  assert.ok(kept[1]?.subarray(6).every((b) => b === 0x22));
});

test('memory follows bytes received: a trickled 256 KiB P-DATA never holds more than twice what arrived', () => {
  const body = pDataPdu(pdv(1, 0, Buffer.alloc(256 * 1024 - 6, 5)));
  let delivered = 0;
  const framer = new PduFramer({ announcedMaxPdu: 0, onPdu: () => delivered++, onError: () => assert.fail('no error') });
  const started = process.hrtime.bigint();
  for (let i = 0; i < body.length; i++) {
    framer.push(body.subarray(i, i + 1));
    if (framer.bufferedBytes > 0) assert.ok(framer.allocatedBytes <= 2 * framer.bufferedBytes + 16, `allocated ${framer.allocatedBytes} for ${framer.bufferedBytes}`);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(delivered, 1);
  assert.ok(ms < 2000, `trickle took ${ms} ms`);
});

test('push() from inside onPdu is refused', () => {
  const framer: PduFramer = new PduFramer({
    onPdu: () => assert.throws(() => framer.push(releaseRqPdu()), /inside onPdu/),
    onError: () => assert.fail('no error'),
  });
  framer.push(releaseRqPdu());
});
