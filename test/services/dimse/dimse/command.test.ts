import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandField, DimseDecodeError, NO_DATASET, decodeCommand, encodeCommand, type DimseCommand } from '../../../../src/services/dimse/dimse/command.ts';

/** Implicit VR LE element: group, element, length, value — written by hand. */
function el(group: number, element: number, value: Buffer, length = value.length): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(group, 0);
  h.writeUInt16LE(element, 2);
  h.writeUInt32LE(length >>> 0, 4);
  return Buffer.concat([h, value]);
}
const us = (n: number): Buffer => Buffer.from([n & 0xff, n >> 8]);
const ul = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
function withGroupLength(...elements: Buffer[]): Buffer {
  const rest = Buffer.concat(elements);
  return Buffer.concat([el(0, 0, ul(rest.length)), rest]);
}

function ok(buf: Buffer): DimseCommand {
  const r = decodeCommand(buf);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.command;
}

function err(buf: Buffer): DimseDecodeError {
  const r = decodeCommand(buf);
  assert.ok(!r.ok, 'expected a decode error');
  return r.error;
}

test('decodes a hand-written C-ECHO-RQ', () => {
  const buf = withGroupLength(el(0, 0x0002, Buffer.from('1.2.840.10008.1.1\0')), el(0, 0x0100, us(0x30)), el(0, 0x0110, us(7)), el(0, 0x0800, us(NO_DATASET)));
  const c = ok(buf);
  assert.equal(c.commandName, 'C-ECHO-RQ');
  assert.equal(c.affectedSopClassUid, '1.2.840.10008.1.1');
  assert.equal(c.messageId, 7);
  assert.equal(c.hasDataset, false);
  assert.equal(c.groupLength, buf.length - 12);
  assert.deepEqual(c.anomalies, []);
});

test('round trip: encode writes ascending elements, even values and the right group length', () => {
  const cases = [
    {
      commandField: CommandField.C_FIND_RQ,
      messageId: 1,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.1',
      priority: 0,
      hasDataset: true,
    },
    {
      commandField: CommandField.C_MOVE_RQ,
      messageId: 65535,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.1.2',
      moveDestination: 'EVIL',
      priority: 2,
      hasDataset: true,
    },
    {
      commandField: CommandField.C_GET_RSP,
      messageIdBeingRespondedTo: 9,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.3',
      status: 0xff00,
      remaining: 3,
      completed: 1,
      failed: 0,
      warning: 0,
      hasDataset: false,
    },
    {
      commandField: CommandField.C_STORE_RSP,
      messageIdBeingRespondedTo: 2,
      affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      affectedSopInstanceUid: '1.2.3.4.5',
      status: 0xa700,
      offendingElement: [0x00100010, 0x0020000d],
      errorComment: 'Out of resources',
      errorId: 5,
      moveOriginatorAe: 'MOVER',
      moveOriginatorMessageId: 4,
      hasDataset: false,
    },
  ] as const;
  for (const init of cases) {
    const buf = encodeCommand(init);
    assert.equal(buf.readUInt32LE(8), buf.length - 12, 'group length');
    const c = ok(buf);
    assert.deepEqual(c.anomalies, []);
    let previous = -1;
    for (const e of c.elements) {
      assert.ok(e.element > previous, 'ascending');
      assert.equal(e.length % 2, 0, 'even');
      previous = e.element;
    }
    for (const [k, v] of Object.entries(init)) {
      if (k === 'hasDataset') assert.equal(c.hasDataset, v);
      else if (k === 'moveOriginatorAe') assert.equal(c.moveOriginatorAe, v);
      else assert.deepEqual((c as unknown as Record<string, unknown>)[k], v, k);
    }
  }
});

test('pads odd UIDs with NUL and odd text with a space', () => {
  const buf = encodeCommand({ commandField: CommandField.C_MOVE_RQ, affectedSopClassUid: '1.2.3', moveDestination: 'ABC', hasDataset: true });
  const c = ok(buf);
  const uid = c.elements.find((e) => e.element === 0x0002);
  const aeEl = c.elements.find((e) => e.element === 0x0600);
  assert.equal(uid?.raw.toString('latin1'), '1.2.3\0');
  assert.equal(aeEl?.raw.toString('latin1'), 'ABC ');
  assert.equal(c.moveDestination, 'ABC');
});

test('a 28-byte message declaring a huge length is a typed error, without a big allocation', () => {
  // The kind of message that makes dcmjs allocate 4 GB: a plausible header, an absurd length.
  const evil = Buffer.concat([el(0, 0, ul(0xfffffff0)), el(0, 0x0100, Buffer.from([0x30, 0, 0, 0, 0, 0, 0, 0]), 0xfffffff0)]);
  assert.equal(evil.length, 28);
  const before = process.memoryUsage().arrayBuffers;
  const e = err(evil);
  const grown = process.memoryUsage().arrayBuffers - before;
  assert.equal(e.reason, 'element-length-exceeds-buffer');
  assert.equal(e.offset, 12);
  assert.ok(grown < 1024 * 1024, `grew ${grown} bytes`);
});

test('absurd declared lengths anywhere are refused at that element', () => {
  for (const length of [9, 0x7fffffff, 0xfffffffe]) {
    const buf = Buffer.concat([el(0, 0x0100, us(0x30)), el(0, 0x0110, us(1), length)]);
    const e = err(buf);
    assert.equal(e.reason, 'element-length-exceeds-buffer');
    assert.equal(e.offset, 10);
  }
  assert.equal(err(el(0, 0x0100, us(0x30), 0xffffffff)).reason, 'undefined-length');
});

test('garbage and malformed command sets give typed errors with offsets', () => {
  assert.equal(err(Buffer.alloc(0)).reason, 'empty-command-set');
  assert.equal(err(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n12')).reason, 'element-outside-group-0000');
  assert.equal(err(Buffer.concat([el(0, 0x0100, us(0x30)), Buffer.from([0, 0, 1])])).reason, 'truncated-element-header');
  assert.equal(err(Buffer.concat([el(0, 0x0100, us(0x30)), el(8, 0x0016, Buffer.from('1.2\0'))])).offset, 10);
  assert.equal(err(el(0, 0x0110, us(1))).reason, 'missing-command-field');
  assert.equal(err(el(0, 0x0100, Buffer.from([1]))).reason, 'missing-command-field');
  assert.equal(decodeCommand(Buffer.alloc(70000)).ok, false);
  const many = Buffer.concat(Array.from({ length: 300 }, () => el(0, 0x4000, Buffer.alloc(0))));
  assert.equal(err(many).reason, 'too-many-elements');
  for (const e of [err(Buffer.alloc(3)), err(Buffer.from('GET / HTTP/1.1'))]) {
    assert.ok(e instanceof DimseDecodeError);
    assert.match(e.message, /at offset/);
  }
});

test('keeps unknown elements raw and lists oddities as anomalies', () => {
  const buf = Buffer.concat([
    el(0, 0, ul(999)),
    el(0, 0x0110, us(3)),
    el(0, 0x0100, us(0x20)),
    el(0, 0x0100, us(0x30)),
    el(0, 0x0700, Buffer.from([0, 0, 0, 0])),
    el(0, 0x4000, Buffer.from('ACR-NEMA')),
    el(0, 0x0902, Buffer.from('odd')),
  ]);
  const c = ok(buf);
  assert.equal(c.commandField, 0x20, 'first value kept');
  assert.equal(c.priority, null);
  assert.equal(c.hasDataset, false);
  const unknown = c.elements.find((e) => e.element === 0x4000);
  assert.equal(unknown?.keyword, null);
  assert.equal(unknown?.raw.toString(), 'ACR-NEMA');
  for (const a of [
    'CommandGroupLength 999 but',
    'element (0000,0100) out of ascending order',
    'duplicate element (0000,0100)',
    '(0000,0700) US length 4 (expected 2)',
    'unknown command element (0000,4000)',
    '(0000,0902) odd value length 3',
    'missing CommandDataSetType (0000,0800)',
  ]) {
    assert.ok(c.anomalies.some((x) => x.startsWith(a)), `${a} in ${JSON.stringify(c.anomalies)}`);
  }
  assert.equal(c.errorComment, 'odd');
});
