import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cursor, PduLengthError } from '../../../../src/services/dimse/pdu/cursor.ts';

test('reads big-endian fields and reports offsets from the PDU start', () => {
  const c = new Cursor(Buffer.from([1, 0, 2, 0, 0, 0, 3, 9]), 0, 8, 6);
  assert.equal(c.offset, 6);
  assert.equal(c.u8('a'), 1);
  assert.equal(c.u16('b'), 2);
  assert.equal(c.u32('c'), 3);
  assert.equal(c.remaining, 1);
  assert.equal(c.offset, 13);
});

test('every read checks what is left and throws a typed PduLengthError', () => {
  const c = new Cursor(Buffer.from([1, 2, 3]), 0, 3, 100);
  c.u8('x');
  assert.throws(
    () => c.u32('presentation-context-ID'),
    (e: unknown) => e instanceof PduLengthError && e.item === 'presentation-context-ID' && e.available === 2 && e.declared === 4 && e.offset === 101,
  );
  assert.throws(() => c.bytes(3, 'uid'), PduLengthError);
  assert.throws(() => c.sub(9, 'item'), PduLengthError);
  assert.equal(c.remaining, 2, 'a failed read does not move the cursor');
});

test('a sub-cursor is confined to its item', () => {
  const c = new Cursor(Buffer.from([0xaa, 0xbb, 0xcc, 0xdd]));
  const sub = c.sub(2, 'item');
  assert.equal(c.offset, 2);
  assert.equal(sub.u16('v'), 0xaabb);
  assert.ok(sub.atEnd);
  assert.throws(() => sub.u8('past the item'), PduLengthError);
  assert.equal(c.rest().toString('hex'), 'ccdd');
});
