import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeAssociateRq } from '../../src/services/dimse/pdu/associateRq.ts';
import { decodePdu } from '../../src/services/dimse/pdu/decode.ts';
import { PduDecodeError } from '../../src/services/dimse/pdu/errors.ts';
import { UID, appContext, bodyOf, dcmtkEchoscuRq, implClassUid, implVersionName, item, maxLength, orthancRq, pcRq, pynetdicomRq, rqBody, userIdentity, userInfo } from '../fixtures/pdu.ts';
import { fuzzParams } from './fuzz.ts';

function decodeOrTypedError(body: Buffer): void {
  try {
    decodeAssociateRq(body);
  } catch (e) {
    assert.ok(e instanceof PduDecodeError, `untyped ${String(e)}`);
  }
}

const KNOWN_CODES = new Set([0x10, 0x20, 0x21, 0x30, 0x40, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59]);
/** Item codes that are not PS3.8/PS3.7 items at all. */
const unknownCode = fc.integer({ min: 0, max: 255 }).filter((c) => !KNOWN_CODES.has(c));
const unknownItem = fc.tuple(unknownCode, fc.uint8Array({ maxLength: 40 })).map(([t, v]) => item(t, Buffer.from(v)));

test('random bytes after a plausible header: decoded or a typed error, nothing else', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      decodeOrTypedError(Buffer.from(bytes));
      decodeOrTypedError(Buffer.concat([rqBody({ items: [] }), Buffer.from(bytes)]));
      const raw = Buffer.concat([Buffer.from([1, 0, 0, 0, 0, 0]), Buffer.from(bytes)]);
      const r = decodePdu({ type: 1, body: raw.subarray(6), raw });
      if (!r.ok) assert.ok(r.error instanceof PduDecodeError);
    }),
    fuzzParams,
  );
});

test('mutated real requests: decoded or a typed error', () => {
  const seeds = [dcmtkEchoscuRq(), orthancRq(), pynetdicomRq([UID.VERIFICATION, UID.STUDY_ROOT_FIND])].map(bodyOf);
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: seeds.length - 1 }),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
      fc.nat(),
      (which, flips, cut) => {
        const body = Buffer.from(seeds[which] as Buffer);
        for (const [pos, value] of flips) body[pos % body.length] = value;
        decodeOrTypedError(body);
        decodeOrTypedError(body.subarray(0, cut % (body.length + 1)));
      },
    ),
    fuzzParams,
  );
});

test('unknown items anywhere never make the parser lose its place', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 127 }).map((i) => 2 * i + 1), { minLength: 1, maxLength: 6 }),
      fc.array(unknownItem, { maxLength: 3 }),
      fc.array(unknownItem, { maxLength: 3 }),
      fc.array(unknownItem, { maxLength: 3 }),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 30 }),
      (ids, topJunk, pcJunk, uiJunk, max, identity) => {
        const items = [
          appContext(),
          ...topJunk,
          ...ids.map((id) => pcRq(id, UID.STUDY_ROOT_FIND, [UID.EXPLICIT_LE, UID.IMPLICIT_LE], { extra: pcJunk })),
          ...topJunk,
          userInfo(maxLength(max), ...uiJunk, implClassUid('1.2.3.4'), ...uiJunk, implVersionName('FUZZ'), userIdentity(1, 0, Buffer.from(identity))),
        ];
        const rq = decodeAssociateRq(rqBody({ items }));
        assert.deepEqual(
          rq.contexts.map((c) => c.id),
          ids,
        );
        for (const c of rq.contexts) assert.deepEqual(c.transferSyntaxes, [UID.EXPLICIT_LE, UID.IMPLICIT_LE]);
        assert.equal(rq.maxPdu, max);
        assert.equal(rq.implClassUid, '1.2.3.4');
        assert.equal(rq.implVersionName, 'FUZZ');
        assert.deepEqual(rq.userIdentity?.primary.raw, Buffer.from(identity));
        assert.equal(rq.unknownItemCount, 2 * topJunk.length + ids.length * pcJunk.length + 2 * uiJunk.length);
      },
    ),
    fuzzParams,
  );
});
