import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writer } from '../../../../src/services/dimse/net/writer.ts';

test('back-patches nested length fields from what was written', () => {
  const w = new Writer(4);
  const pduLen = w.pduHeader(0x01);
  w.u8(0x10).u8(0);
  const itemLen = w.beginLength('u16be');
  w.ascii('1.2.3');
  assert.equal(w.endLength(itemLen), 5);
  const le = w.beginLength('u32le');
  w.u16le(0xabcd);
  w.endLength(le);
  w.endLength(pduLen);
  const out = w.finish();
  assert.equal(out.toString('hex'), '0100' + '0000000f' + '1000' + '0005' + Buffer.from('1.2.3').toString('hex') + '02000000' + 'cdab');
});

test('finish refuses open length fields and further writes', () => {
  const w = new Writer();
  w.beginLength('u16be');
  assert.throws(() => w.finish(), /still open/);
  const v = new Writer();
  v.u8(1);
  v.finish();
  assert.throws(() => v.u8(2), /finished/);
});

test('out-of-range values and overflowing lengths are RangeErrors', () => {
  const w = new Writer();
  assert.throws(() => w.u8(256), RangeError);
  assert.throws(() => w.u16be(-1), RangeError);
  assert.throws(() => w.u32le(2 ** 32), RangeError);
  assert.throws(() => w.u8(1.5), RangeError);
  const m = w.beginLength('u16be');
  w.zeros(70000);
  assert.throws(() => w.endLength(m), RangeError);
});

test('asciiFixed pads to the width and refuses longer values', () => {
  const w = new Writer();
  w.asciiFixed('ANY-SCP', 16).asciiFixed(Buffer.from('AB'), 4, 0);
  assert.equal(w.finish().toString('latin1'), 'ANY-SCP         AB\0\0');
  assert.throws(() => new Writer().asciiFixed('X'.repeat(17), 16), RangeError);
});

test('grows by doubling past the initial capacity', () => {
  const w = new Writer(16);
  for (let i = 0; i < 10000; i++) w.u16be(i);
  const out = w.finish();
  assert.equal(out.length, 20000);
  assert.equal(out.readUInt16BE(19998), 9999);
});
