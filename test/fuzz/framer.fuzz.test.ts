import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PduFramer, type FramerError } from '../../src/services/dimse/net/framer.ts';
import { abortPdu, dcmtkEchoscuRq, pDataPdu, pdu, pdv, releaseRpPdu, releaseRqPdu, rjPdu } from '../fixtures/pdu.ts';
import { chunked, fuzzParams } from './fuzz.ts';

const REASONS = new Set(['unknown-pdu-type', 'pdu-too-long', 'pdu-too-short', 'bad-fixed-length', 'buffer-limit']);

function frame(chunks: readonly Buffer[]): { pdus: string[]; error: FramerError | null; errors: number; buffered: number } {
  const pdus: string[] = [];
  let error: FramerError | null = null;
  let errors = 0;
  const framer = new PduFramer({
    announcedMaxPdu: 4096,
    maxAssociateRqLength: 8192,
    onPdu: (p) => pdus.push(`${p.type}:${p.offset}:${p.raw.toString('hex')}`),
    onError: (e) => {
      error = e;
      errors++;
    },
  });
  for (const c of chunks) framer.push(c);
  return { pdus, error, errors, buffered: framer.bufferedBytes };
}

/** A stream of valid PDUs of every type. */
const validPdu = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((d) => pDataPdu(pdv(1, 3, Buffer.from(d)))),
  fc.constant(releaseRqPdu()),
  fc.constant(releaseRpPdu()),
  fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 6 })).map(([s, r]) => abortPdu(s, r)),
  fc.constant(rjPdu(1, 1, 7)),
  fc.constant(dcmtkEchoscuRq()),
);

test('random bytes in random chunks: only typed errors, and the same outcome however the stream is split', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
      const buf = Buffer.from(bytes);
      const whole = frame([buf]);
      const split = frame(chunked(buf, cuts));
      assert.deepEqual(split, whole);
      assert.ok(whole.errors <= 1);
      if (whole.error) assert.ok(REASONS.has((whole.error as FramerError).reason));
      assert.ok(whole.buffered <= buf.length);
    }),
    fuzzParams,
  );
});

test('valid PDU streams in random chunks are delivered exactly, never desynchronised', () => {
  fc.assert(
    fc.property(fc.array(validPdu, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 20 }), (pdus, cuts) => {
      const stream = Buffer.concat(pdus);
      const r = frame(chunked(stream, cuts));
      assert.equal(r.error, null);
      assert.equal(r.pdus.length, pdus.length);
      let offset = 0;
      pdus.forEach((p, i) => {
        assert.equal(r.pdus[i], `${p[0]}:${offset}:${p.toString('hex')}`);
        offset += p.length;
      });
      assert.equal(r.buffered, 0);
    }),
    fuzzParams,
  );
});

test('valid PDUs followed by garbage: the valid ones arrive, then one typed error or a partial wait', () => {
  fc.assert(
    fc.property(
      fc.array(validPdu, { maxLength: 4 }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (pdus, garbage, cuts) => {
        const good = Buffer.concat(pdus);
        const r = frame(chunked(Buffer.concat([good, Buffer.from(garbage)]), cuts));
        assert.ok(r.pdus.length >= pdus.length);
        for (let i = 0; i < pdus.length; i++) assert.ok(r.pdus[i]?.endsWith((pdus[i] as Buffer).toString('hex')));
        if (r.error) assert.ok(r.error.offset >= good.length);
      },
    ),
    fuzzParams,
  );
});

test('hostile headers are judged on the header alone', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffffffff }), (type, length) => {
      const head = Buffer.concat([pdu(type, Buffer.alloc(0)).subarray(0, 2), Buffer.from([length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff])]);
      const r = frame([head]);
      assert.ok(r.buffered <= 6);
      if (r.error === null) assert.equal(r.buffered, 6);
    }),
    fuzzParams,
  );
});
