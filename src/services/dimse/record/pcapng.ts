/**
 * The on-disk form of the PDU record: pcapng (the IETF draft "PCAP Next Generation Dump File Format", Wireshark's
 * native format), little-endian, one interface of link type LINKTYPE_RAW (101), microsecond timestamps. Wireshark,
 * tshark and tcpdump ≥ 4.1 open it directly and decode the DICOM upper layer on it. Pure: no files, no clock.
 *
 * Why pcapng, and one file for many sessions: an analyst's first tool for a captured session is Wireshark, so the
 * record is a capture; and a file per session costs a file creation per association (about a millisecond of
 * kernel time here, more than the whole association), so sessions share rotating files like a real capture of the
 * port. pcapng lets every packet carry a comment (`opt_comment`): it is the session id, which is how the reader
 * (and a Wireshark filter `frame.comment == "<session>"`) picks one session out.
 *
 * The TCP/IP layer is synthetic, built from the session's real addresses and ports:
 * - a SYN (client → server) and a SYN-ACK open every session, so tools (and our reader) know who the client is;
 * - every PDU is one TCP segment with PSH|ACK, in order, with consistent sequence numbers per session; a PDU longer
 *   than SEGMENT_PAYLOAD bytes is split into several segments carrying the same timestamp;
 * - the IPv4 header checksum is correct; the TCP checksum is left 0 (Wireshark does not verify it by default);
 * - a session cut by a byte cap ends with a packet whose captured length is shorter than its original length.
 * Timestamps are the moment the PDU's last byte was received (in) or the moment it was written (out).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export const LINKTYPE_RAW = 101;
export const BlockType = { SHB: 0x0a0d0d0a, IDB: 0x00000001, EPB: 0x00000006 } as const;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
/** Largest TCP payload in one synthetic segment (fits the IPv4 and IPv6 length fields). */
export const SEGMENT_PAYLOAD = 65000;
const TCP_HEADER = 20;
const EPB_FIXED = 28; // type, length, interface, ts high, ts low, captured, original
const EPB_TRAILER = 4;

export const TcpFlag = { FIN: 0x01, SYN: 0x02, PSH: 0x08, ACK: 0x10 } as const;

export interface Endpoint {
  ip: string;
  port: number;
}

/** Both ends of a session as 4- or 16-byte addresses (IPv4 only when both are IPv4; else IPv4-mapped IPv6). */
export interface Endpoints {
  v6: boolean;
  client: { addr: Buffer; port: number };
  server: { addr: Buffer; port: number };
}

const DOTTED = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function addrBytes(ip: string, v6: boolean): Buffer {
  const m = v6 ? null : DOTTED.exec(ip);
  if (m) return Buffer.from([Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]);
  if (isIP(ip) === 0) return Buffer.alloc(v6 ? 16 : 4); // unknown address: zeros; the port still tells the sides apart
  const a = ipaddr.parse(ip);
  if (!v6) return Buffer.from(a.toByteArray());
  return Buffer.from(a.kind() === 'ipv4' ? (a as ipaddr.IPv4).toIPv4MappedAddress().toByteArray() : a.toByteArray());
}

export function endpoints(client: Endpoint, server: Endpoint): Endpoints {
  const v6 = isIP(client.ip) === 6 || isIP(server.ip) === 6;
  return {
    v6,
    client: { addr: addrBytes(client.ip, v6), port: client.port & 0xffff },
    server: { addr: addrBytes(server.ip, v6), port: server.port & 0xffff },
  };
}

/** Section Header Block and Interface Description Block: what every record file starts with. */
export function pcapngFileHeader(application: string): Buffer {
  const app = Buffer.from(application.slice(0, 200), 'utf8');
  const appOpt = app.length > 0 ? 4 + pad4(app.length) + 4 : 0; // shb_userappl (4), then endofopt
  const shbLen = 28 + appOpt;
  const shb = Buffer.alloc(shbLen);
  shb.writeUInt32LE(BlockType.SHB, 0);
  shb.writeUInt32LE(shbLen, 4);
  shb.writeUInt32LE(BYTE_ORDER_MAGIC, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeUInt16LE(0, 14);
  shb.writeBigInt64LE(-1n, 16); // section length not given
  if (appOpt > 0) {
    shb.writeUInt16LE(4, 24);
    shb.writeUInt16LE(app.length, 26);
    app.copy(shb, 28);
    // endofopt: already zero
  }
  shb.writeUInt32LE(shbLen, shbLen - 4);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(BlockType.IDB, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(LINKTYPE_RAW, 8);
  idb.writeUInt32LE(0, 12); // snaplen: no limit
  idb.writeUInt32LE(20, 16);
  return Buffer.concat([shb, idb]);
}

const pad4 = (n: number): number => (n + 3) & ~3;

function ipv4Checksum(b: Buffer, o: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += b.readUInt16BE(o + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Segment {
  fromClient: boolean;
  seq: number;
  ack: number;
  flags: number;
  /** Milliseconds since the epoch (fractions kept to the microsecond). */
  timeMs: number;
  /** The TCP payload as it was on the wire. */
  payload: Uint8Array;
  /** How many payload bytes to store (the rest is cut: captured < original). Default: all. */
  captured?: number;
}

/** Bytes one segment with `captured` payload bytes takes in the file, for a comment of `commentBytes` (UTF-8). */
export function segmentFileBytes(e: Endpoints, captured: number, commentBytes: number): number {
  return EPB_FIXED + pad4((e.v6 ? 40 : 20) + TCP_HEADER + captured) + 4 + pad4(commentBytes) + 4 + EPB_TRAILER;
}

/** One Enhanced Packet Block: IP header, TCP header and payload, with the session id as the packet's comment. */
export function encodeSegment(e: Endpoints, s: Segment, comment: Buffer): Buffer {
  const b = Buffer.allocUnsafe(segmentFileBytes(e, Math.min(s.payload.length, s.captured ?? s.payload.length), comment.length));
  encodeSegmentInto(b, 0, e, s, comment);
  return b;
}

const TWO_32 = 2 ** 32;

/**
 * Writes the block of `encodeSegment` into `b` at `at` (segmentFileBytes(…) bytes, every one of them written:
 * `b` may hold anything) — the record store encodes straight into its write buffer.
 */
export function encodeSegmentInto(b: Buffer, at: number, e: Endpoints, s: Segment, comment: Buffer): void {
  const ipLen = e.v6 ? 40 : 20;
  const wire = ipLen + TCP_HEADER + s.payload.length;
  const captured = Math.min(s.payload.length, s.captured ?? s.payload.length);
  const incl = ipLen + TCP_HEADER + captured;
  const total = segmentFileBytes(e, captured, comment.length);
  b.fill(0, at, at + EPB_FIXED + ipLen + TCP_HEADER); // headers; payload, padding and options are written below
  b.writeUInt32LE(BlockType.EPB, at);
  b.writeUInt32LE(total, at + 4);
  b.writeUInt32LE(0, at + 8); // interface 0
  const us = Math.round(s.timeMs * 1000); // exact: microseconds since 1970 stay far below 2^53
  const high = Math.floor(us / TWO_32);
  b.writeUInt32LE(high, at + 12);
  b.writeUInt32LE(us - high * TWO_32, at + 16);
  b.writeUInt32LE(incl, at + 20);
  b.writeUInt32LE(wire, at + 24);
  const src = s.fromClient ? e.client : e.server;
  const dst = s.fromClient ? e.server : e.client;
  let o = at + EPB_FIXED;
  if (e.v6) {
    b.writeUInt32BE(0x60000000, o);
    b.writeUInt16BE(TCP_HEADER + s.payload.length, o + 4);
    b[o + 6] = 6; // next header: TCP
    b[o + 7] = 64;
    src.addr.copy(b, o + 8);
    dst.addr.copy(b, o + 24);
  } else {
    b[o] = 0x45;
    b.writeUInt16BE(wire, o + 2);
    b.writeUInt16BE(0x4000, o + 6); // DF
    b[o + 8] = 64;
    b[o + 9] = 6;
    src.addr.copy(b, o + 12);
    dst.addr.copy(b, o + 16);
    b.writeUInt16BE(ipv4Checksum(b, o), o + 10);
  }
  o += ipLen;
  b.writeUInt16BE(src.port, o);
  b.writeUInt16BE(dst.port, o + 2);
  b.writeUInt32BE(s.seq >>> 0, o + 4);
  b.writeUInt32BE(s.ack >>> 0, o + 8);
  b[o + 12] = 5 << 4;
  b[o + 13] = s.flags;
  b.writeUInt16BE(0xffff, o + 14);
  o += TCP_HEADER;
  b.set(s.payload.subarray(0, captured), o);
  o = at + EPB_FIXED + pad4(incl);
  b.fill(0, at + EPB_FIXED + incl, o); // padding of the packet data
  b.writeUInt16LE(OPT_COMMENT, o);
  b.writeUInt16LE(comment.length, o + 2);
  comment.copy(b, o + 4);
  b.fill(0, o + 4 + comment.length, o + 4 + pad4(comment.length));
  o += 4 + pad4(comment.length);
  b.writeUInt32LE(OPT_ENDOFOPT, o); // opt_endofopt: code 0, length 0
  b.writeUInt32LE(total, at + total - 4);
}

/** A packet read back from a record file. */
export interface RecordPacket {
  timeMs: number;
  /** The packet's comment: the session id. */
  session: string;
  /** "<source address hex>/<source port>", to tell the two sides of a session apart. */
  source: string;
  flags: number;
  /** TCP payload as stored. */
  payload: Buffer;
  /** TCP payload length on the wire (payload.length when not cut). */
  wirePayloadLength: number;
  /** The whole Enhanced Packet Block (for exporting one session). */
  block: Buffer;
}

export class PcapngFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'PcapngFormatError';
  }
}

/**
 * Reads a record file (little-endian pcapng of raw IPv4/IPv6 TCP packets, as `encodeSegment` writes). Blocks of
 * other types are skipped; a file cut short by a crash ends at its last whole block.
 */
export function decodePcapng(file: Buffer): RecordPacket[] {
  if (file.length < 12 || file.readUInt32LE(0) !== BlockType.SHB) throw new PcapngFormatError('not a pcapng file', 0);
  if (file.readUInt32LE(8) !== BYTE_ORDER_MAGIC) throw new PcapngFormatError('not a little-endian pcapng section', 8);
  const out: RecordPacket[] = [];
  let o = 0;
  while (o + 12 <= file.length) {
    const type = file.readUInt32LE(o);
    const len = file.readUInt32LE(o + 4);
    if (len < 12 || len % 4 !== 0) throw new PcapngFormatError(`block of length ${len}`, o);
    if (o + len > file.length) break; // a block still being written, or cut by a crash
    if (type === BlockType.SHB && file.readUInt32LE(o + 8) !== BYTE_ORDER_MAGIC) throw new PcapngFormatError('not a little-endian pcapng section', o + 8);
    if (type === BlockType.IDB && file.readUInt16LE(o + 8) !== LINKTYPE_RAW) throw new PcapngFormatError(`link type ${file.readUInt16LE(o + 8)}, expected raw IP`, o + 8);
    if (type === BlockType.EPB) out.push(readEpb(file.subarray(o, o + len), o));
    o += len;
  }
  return out;
}

function readEpb(b: Buffer, at: number): RecordPacket {
  if (b.length < EPB_FIXED + EPB_TRAILER) throw new PcapngFormatError('short packet block', at);
  const us = (BigInt(b.readUInt32LE(12)) << 32n) | BigInt(b.readUInt32LE(16));
  const incl = b.readUInt32LE(20);
  const orig = b.readUInt32LE(24);
  if (EPB_FIXED + pad4(incl) + EPB_TRAILER > b.length) throw new PcapngFormatError(`packet of ${incl} bytes overruns its block`, at);
  const pkt = b.subarray(EPB_FIXED, EPB_FIXED + incl);
  const version = (pkt[0] ?? 0) >> 4;
  const ipLen = version === 6 ? 40 : version === 4 ? ((pkt[0] ?? 0) & 0x0f) * 4 : -1;
  if (ipLen < 20 || pkt.length < ipLen + TCP_HEADER || (version === 4 && pkt[9] !== 6) || (version === 6 && pkt[6] !== 6)) {
    throw new PcapngFormatError('packet is not TCP over IPv4/IPv6', at);
  }
  const srcAddr = version === 6 ? pkt.subarray(8, 24) : pkt.subarray(12, 16);
  const dataOffset = (pkt[ipLen + 12]! >> 4) * 4;
  if (dataOffset < TCP_HEADER || ipLen + dataOffset > pkt.length) throw new PcapngFormatError('bad TCP header length', at);
  let session = '';
  for (let o = EPB_FIXED + pad4(incl); o + 4 <= b.length - EPB_TRAILER; ) {
    const code = b.readUInt16LE(o);
    const len = b.readUInt16LE(o + 2);
    if (code === OPT_ENDOFOPT || o + 4 + len > b.length - EPB_TRAILER) break;
    if (code === OPT_COMMENT) session = b.toString('utf8', o + 4, o + 4 + len);
    o += 4 + pad4(len);
  }
  const headers = ipLen + dataOffset;
  return {
    timeMs: Number(us) / 1000,
    session,
    source: `${srcAddr.toString('hex')}/${pkt.readUInt16BE(ipLen)}`,
    flags: pkt[ipLen + 13]!,
    payload: pkt.subarray(headers),
    wirePayloadLength: Math.max(0, orig - headers),
    block: b,
  };
}
