/**
 * The record's file format: pcapng blocks checked field by field as a pcapng reader would see them, and read
 * back into one session's PDUs by our own reader.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BlockType, decodePcapng, encodeSegment, endpoints, pcapngFileHeader, SEGMENT_PAYLOAD, segmentFileBytes, TcpFlag } from '../../../../src/services/dimse/record/pcapng.ts';
import { pdusOfPackets } from '../../../../src/services/dimse/record/readRecord.ts';
import { pDataPdu, pdv, releaseRqPdu } from '../../../fixtures/pdu.ts';

const V4 = endpoints({ ip: '203.0.113.50', port: 40000 }, { ip: '192.0.2.10', port: 104 });
const SESSION = Buffer.from('0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee');

function ones(b: Buffer, o: number, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i += 2) sum += b.readUInt16BE(o + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

describe('pcapng framing of the PDU record', () => {
  test('the file header is a little-endian section header and one raw-IP interface', () => {
    const h = pcapngFileHeader('DICOMHawk PDU record');
    assert.equal(h.readUInt32LE(0), 0x0a0d0d0a);
    const shbLen = h.readUInt32LE(4);
    assert.equal(shbLen % 4, 0);
    assert.equal(h.readUInt32LE(shbLen - 4), shbLen, 'block length repeated at the end');
    assert.equal(h.readUInt32LE(8), 0x1a2b3c4d);
    assert.deepEqual([h.readUInt16LE(12), h.readUInt16LE(14)], [1, 0]);
    assert.ok(h.subarray(0, shbLen).includes(Buffer.from('DICOMHawk PDU record')));
    const idb = h.subarray(shbLen);
    assert.equal(idb.readUInt32LE(0), 1);
    assert.equal(idb.readUInt32LE(4), idb.length);
    assert.equal(idb.readUInt16LE(8), 101);
  });

  test('a packet block carries µs time, lengths, an IPv4/TCP packet with a valid header checksum, and the session as comment', () => {
    const payload = releaseRqPdu();
    const b = encodeSegment(V4, { fromClient: true, seq: 7, ack: 9, flags: TcpFlag.PSH | TcpFlag.ACK, timeMs: 1_700_000_000_123.456, payload }, SESSION);
    assert.equal(b.readUInt32LE(0), BlockType.EPB);
    assert.equal(b.readUInt32LE(4), b.length);
    assert.equal(b.readUInt32LE(b.length - 4), b.length);
    assert.equal(b.length, segmentFileBytes(V4, payload.length, SESSION.length));
    const us = (BigInt(b.readUInt32LE(12)) << 32n) | BigInt(b.readUInt32LE(16));
    assert.equal(us, 1_700_000_000_123_456n);
    assert.equal(b.readUInt32LE(20), 40 + payload.length);
    assert.equal(b.readUInt32LE(24), 40 + payload.length);
    const ip = b.subarray(28);
    assert.equal(ip[0], 0x45);
    assert.equal(ip.readUInt16BE(2), 40 + payload.length);
    assert.equal(ones(ip, 0, 20), 0xffff, 'IPv4 header checksum verifies');
    assert.deepEqual([...ip.subarray(12, 20)], [203, 0, 113, 50, 192, 0, 2, 10]);
    assert.deepEqual([ip.readUInt16BE(20), ip.readUInt16BE(22), ip.readUInt32BE(24), ip[33]], [40000, 104, 7, TcpFlag.PSH | TcpFlag.ACK]);
    assert.deepEqual(ip.subarray(40, 40 + payload.length), payload);
    const opt = 28 + ((40 + payload.length + 3) & ~3);
    assert.deepEqual([b.readUInt16LE(opt), b.readUInt16LE(opt + 2)], [1, SESSION.length], 'opt_comment');
    assert.deepEqual(b.subarray(opt + 4, opt + 4 + SESSION.length), SESSION);
    const [p] = decodePcapng(Buffer.concat([pcapngFileHeader(''), b]));
    assert.equal(p!.session, SESSION.toString());
    assert.equal(p!.timeMs, 1_700_000_000_123.456);
  });

  test('IPv6 peers get IPv6 headers; an IPv4 peer beside an IPv6 one is IPv4-mapped', () => {
    const e = endpoints({ ip: '2001:db8::50', port: 1 }, { ip: '10.0.0.1', port: 104 });
    const b = encodeSegment(e, { fromClient: false, seq: 1, ack: 1, flags: TcpFlag.ACK, timeMs: 0, payload: Buffer.from([1, 2]) }, SESSION);
    const ip = b.subarray(28);
    assert.equal(ip[0]! >> 4, 6);
    assert.equal(ip.readUInt16BE(4), 22);
    assert.equal(ip.subarray(8, 24).toString('hex'), '00000000000000000000ffff0a000001', 'source: the server, mapped');
    assert.equal(ip.subarray(24, 40).toString('hex'), '20010db8000000000000000000000050');
  });

  test('a cut packet stores fewer bytes than it declares', () => {
    const b = encodeSegment(V4, { fromClient: true, seq: 1, ack: 1, flags: TcpFlag.ACK, timeMs: 0, payload: Buffer.alloc(1000, 7), captured: 12 }, SESSION);
    assert.equal(b.readUInt32LE(20), 52);
    assert.equal(b.readUInt32LE(24), 1040);
    assert.equal(b.length, segmentFileBytes(V4, 12, SESSION.length));
  });

  test('the reader reassembles a PDU longer than one packet, tells directions apart by the SYN, and keeps sessions apart', () => {
    const big = pDataPdu(pdv(1, 0x02, Buffer.alloc(150_000, 0xab)));
    const other = Buffer.from('0190aaaa-bbbb-7ccc-8ddd-000000000000');
    const seg = (fromClient: boolean, payload: Buffer, timeMs: number, flags: number = TcpFlag.PSH | TcpFlag.ACK, s = SESSION) => encodeSegment(V4, { fromClient, seq: 0, ack: 0, flags, timeMs, payload }, s);
    const parts = [pcapngFileHeader('x'), seg(true, Buffer.alloc(0), 1, TcpFlag.SYN), seg(false, Buffer.alloc(0), 1, TcpFlag.SYN | TcpFlag.ACK)];
    parts.push(seg(true, releaseRqPdu(), 2, undefined, other));
    for (let o = 0; o < big.length; o += SEGMENT_PAYLOAD) parts.push(seg(true, big.subarray(o, o + SEGMENT_PAYLOAD), 5));
    parts.push(seg(false, releaseRqPdu(), 6));
    const packets = decodePcapng(Buffer.concat(parts));
    assert.equal(packets.length, 3 + Math.ceil(big.length / SEGMENT_PAYLOAD) + 1);
    const pdus = pdusOfPackets(packets.filter((p) => p.session === SESSION.toString()));
    assert.equal(pdus.length, 2);
    assert.deepEqual([pdus[0]!.direction, pdus[0]!.typeName, pdus[0]!.length, pdus[0]!.timeMs], ['in', 'P-DATA-TF', big.length, 5]);
    assert.ok(pdus[0]!.raw.equals(big));
    assert.deepEqual([pdus[1]!.direction, pdus[1]!.typeName, pdus[1]!.cut], ['out', 'A-RELEASE-RQ', false]);
  });

  test('a file that is not a record is refused with a clear error; a block cut by a crash ends the file', () => {
    assert.throws(() => decodePcapng(Buffer.from('GIF89a not a capture at all')), /not a pcapng file/);
    const whole = Buffer.concat([pcapngFileHeader('x'), encodeSegment(V4, { fromClient: true, seq: 0, ack: 0, flags: TcpFlag.SYN, timeMs: 0, payload: Buffer.alloc(0) }, SESSION)]);
    assert.equal(decodePcapng(whole.subarray(0, whole.length - 10)).length, 0);
    assert.equal(decodePcapng(whole).length, 1);
  });
});
