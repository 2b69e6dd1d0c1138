import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DimseAssembler, fragment, pDataFragments, type AssemblerResult } from '../../../../src/services/dimse/dimse/assembler.ts';
import { CommandField, encodeCommand } from '../../../../src/services/dimse/dimse/command.ts';
import { PduFramer } from '../../../../src/services/dimse/net/framer.ts';
import { decodePData, type Pdv } from '../../../../src/services/dimse/pdu/pData.ts';

const echo = encodeCommand({ commandField: CommandField.C_ECHO_RQ, messageId: 1, affectedSopClassUid: '1.2.840.10008.1.1', hasDataset: false });
const store = encodeCommand({
  commandField: CommandField.C_STORE_RQ,
  messageId: 2,
  affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
  affectedSopInstanceUid: '1.2.3',
  priority: 0,
  hasDataset: true,
});

function pdvOf(contextId: number, command: boolean, last: boolean, data: Buffer): Pdv {
  return { contextId, command, last, controlHeader: (command ? 1 : 0) | (last ? 2 : 0), data, offset: 6 };
}

function chunks(b: Buffer, n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < b.length; i += n) out.push(b.subarray(i, i + n));
  return out;
}

test('a command without a data set completes in one fragment', () => {
  const a = new DimseAssembler({ maxDatasetBytes: 1024 });
  const r = a.push(pdvOf(1, true, true, echo));
  assert.equal(r.kind, 'message');
  if (r.kind === 'message') {
    assert.equal(r.message.command.commandName, 'C-ECHO-RQ');
    assert.equal(r.message.dataset, null);
    assert.equal(r.message.contextId, 1);
  }
  assert.equal(a.idle, true);
});

test('command fragments then data set fragments make one message', () => {
  const a = new DimseAssembler({ maxDatasetBytes: 10_000 });
  const parts = chunks(store, 20);
  const dataset = Buffer.alloc(3000, 0x5a);
  const results: AssemblerResult['kind'][] = [];
  parts.forEach((p, i) => results.push(a.push(pdvOf(3, true, i === parts.length - 1, p)).kind));
  const dparts = chunks(dataset, 1000);
  let last: AssemblerResult | null = null;
  dparts.forEach((p, i) => {
    last = a.push(pdvOf(3, false, i === dparts.length - 1, p));
    results.push(last.kind);
  });
  assert.deepEqual(results, [...parts.slice(1).map(() => 'pending'), 'command', 'pending', 'pending', 'message']);
  const m = last as AssemblerResult | null;
  assert.ok(m && m.kind === 'message');
  assert.deepEqual(m.message.dataset, dataset);
  assert.deepEqual(m.message.commandBytes, store);
  assert.equal(a.bufferedBytes, 0);
});

test('protocol violations are typed errors, and the assembler stays failed', () => {
  const cases: [string, (a: DimseAssembler) => AssemblerResult][] = [
    ['dataset-without-command', (a) => a.push(pdvOf(1, false, true, Buffer.alloc(4)))],
    ['dataset-before-command-end', (a) => (a.push(pdvOf(1, true, false, store.subarray(0, 10))), a.push(pdvOf(1, false, true, Buffer.alloc(4))))],
    ['command-during-dataset', (a) => (a.push(pdvOf(1, true, true, store)), a.push(pdvOf(1, true, true, echo)))],
    ['mixed-contexts', (a) => (a.push(pdvOf(1, true, false, store.subarray(0, 10))), a.push(pdvOf(3, true, true, store.subarray(10))))],
    ['mixed-contexts', (a) => (a.push(pdvOf(1, true, true, store)), a.push(pdvOf(5, false, true, Buffer.alloc(2))))],
    ['bad-command', (a) => a.push(pdvOf(1, true, true, Buffer.from('GET / HTTP/1.1\r\n\r\n')))],
    ['unknown-context', (a) => a.push(pdvOf(7, true, true, echo))],
  ];
  for (const [reason, act] of cases) {
    const a = new DimseAssembler({ maxDatasetBytes: 1024, isAcceptedContext: (id) => id !== 7 });
    const r = act(a);
    assert.equal(r.kind, 'error', reason);
    if (r.kind === 'error') assert.equal(r.error.reason, reason);
    const again = a.push(pdvOf(1, true, true, echo));
    assert.ok(again.kind === 'error' && again.error.reason === 'failed');
  }
  const bad = new DimseAssembler({ maxDatasetBytes: 1 }).push(pdvOf(1, true, true, Buffer.alloc(28, 0xff)));
  assert.ok(bad.kind === 'error' && bad.error.decodeError?.reason === 'element-outside-group-0000');
});

test('command and data set sizes are capped without holding more than the cap', () => {
  const a = new DimseAssembler({ maxCommandBytes: 100, maxDatasetBytes: 1000 });
  assert.equal(a.push(pdvOf(1, true, false, Buffer.alloc(90))).kind, 'pending');
  const r = a.push(pdvOf(1, true, false, Buffer.alloc(20)));
  assert.ok(r.kind === 'error' && r.error.reason === 'command-too-large');
  assert.equal(a.bufferedBytes, 0);

  const b = new DimseAssembler({ maxDatasetBytes: 1000 });
  b.push(pdvOf(1, true, true, store));
  for (let i = 0; i < 9; i++) assert.equal(b.push(pdvOf(1, false, false, Buffer.alloc(100))).kind, 'pending');
  assert.ok(b.bufferedBytes <= 1000);
  const over = b.push(pdvOf(1, false, false, Buffer.alloc(101)));
  assert.ok(over.kind === 'error' && over.error.reason === 'dataset-too-large');
});

test('fragment() respects the peer maximum and reassembles through framer, decoder and assembler', () => {
  const dataset = Buffer.from(Array.from({ length: 50_000 }, (_, i) => i & 0xff));
  for (const maxPdu of [7, 100, 4096, 16384, 0]) {
    const pdus = fragment(store, dataset, 3, maxPdu);
    const framed: Buffer[] = [];
    const framer = new PduFramer({ announcedMaxPdu: 0, onPdu: (p) => framed.push(Buffer.from(p.body)), onError: (e) => assert.fail(e.message) });
    for (const p of pdus) {
      if (maxPdu > 0) assert.ok(p.readUInt32BE(2) <= maxPdu, `PDU length ${p.readUInt32BE(2)} > ${maxPdu}`);
      framer.push(p);
    }
    const a = new DimseAssembler({ maxDatasetBytes: 100_000 });
    let message: AssemblerResult | null = null;
    for (const body of framed) for (const r of a.pushAll(decodePData(body).pdvs)) if (r.kind === 'message') message = r;
    assert.ok(message && message.kind === 'message', `maxPdu ${maxPdu}`);
    assert.deepEqual(message.message.dataset, dataset);
    assert.deepEqual(message.message.commandBytes, store);
  }
  assert.equal(fragment(store, dataset, 1, 0).length, 2, 'unlimited: one PDU per part');
  const big = Buffer.alloc(3 * 1024 * 1024);
  for (const maxPdu of [0, 0xffffffff]) {
    const pdus = fragment(store, big, 1, maxPdu);
    assert.equal(pdus.length, 1 + 3, 'data set in 1 MiB fragments even when the peer allows more');
    assert.equal(pdus[1]?.readUInt32BE(2), 1024 * 1024 + 6);
  }
});

test('pDataFragments is lazy and validates its arguments', () => {
  const huge = Buffer.alloc(8 * 1024 * 1024);
  const gen = pDataFragments(echo, huge, 1, 16384);
  const first = gen.next();
  assert.equal(first.done, false);
  assert.equal((first.value as Buffer)[11], 0x03, 'command + last');
  const second = gen.next().value as Buffer;
  assert.equal(second[11], 0x00, 'data set, not last');
  assert.equal(second.length, 16384 + 6);
  assert.throws(() => fragment(echo, null, 1, 6), RangeError);
  assert.throws(() => fragment(echo, null, 0, 100), RangeError);
  assert.throws(() => fragment(echo, null, 1, -1), RangeError);
  const empty = fragment(echo, Buffer.alloc(0), 1, 100);
  assert.equal(empty[empty.length - 1]?.[11], 0x02, 'an empty data set still sends one last fragment');
});
