/**
 * Reading a session's PDUs back from the record (for `dicomhawk pdus <session>` and the console): the session's
 * packets picked out of the shared pcapng files by their comment, reassembled into PDUs by the PDUs' own 6-byte
 * headers, each with its direction, timestamp, type and bytes.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PDU_HEADER_LENGTH, PDU_TYPE_NAMES, isPduType } from '../pdu/types.ts';
import { decodePcapng, PcapngFormatError, TcpFlag, type RecordPacket } from './pcapng.ts';
import { RECORD_DAY_DIR, RECORD_FILE } from './recordStore.ts';

export interface RecordedPdu {
  /** 0-based position in the session. */
  index: number;
  direction: 'in' | 'out';
  /** Milliseconds since the epoch (µs precision). */
  timeMs: number;
  type: number;
  /** PS3.8 name, or null for a type byte that is not one. */
  typeName: string | null;
  /** Length on the wire, header included (6 + PDU-length). */
  length: number;
  /** The bytes recorded: all of them unless the record was cut inside this PDU. */
  raw: Buffer;
  /** True when `raw` is shorter than `length` (a cap cut the record here). */
  cut: boolean;
}

export interface SessionRecord {
  /** The files the session's packets were found in. */
  files: string[];
  pdus: RecordedPdu[];
  /** The session's packet blocks as stored (for exporting it as a pcapng of its own). */
  blocks: Buffer[];
}

/** Largest record file the reader loads (the store rotates files at 64 MiB). */
const MAX_RECORD_FILE = 256 * 1024 * 1024;
const SESSION_ID = /^[0-9A-Za-z][0-9A-Za-z-]{0,63}$/;
/** A session is looked for in files started up to this long after it began (its lifetime is capped far below). */
const SEARCH_WINDOW_MS = 24 * 3600_000;

interface Partial {
  at: number;
  parts: Buffer[];
  have: number;
  length: number;
}

/** The PDUs of one session's packets (in file order). Throws PcapngFormatError on packets that are not PDUs. */
export function pdusOfPackets(packets: readonly RecordPacket[]): RecordedPdu[] {
  const out: RecordedPdu[] = [];
  const open: Record<'in' | 'out', Partial | null> = { in: null, out: null };
  let client: string | null = null;
  for (const p of packets) {
    if (client === null && ((p.flags & TcpFlag.SYN) === 0 || (p.flags & TcpFlag.ACK) === 0)) client = p.source;
    if (p.wirePayloadLength === 0) continue; // handshake
    const dir = p.source === client ? 'in' : 'out';
    const cutHere = p.payload.length < p.wirePayloadLength;
    let cur = open[dir];
    if (cur === null) {
      if (p.payload.length < PDU_HEADER_LENGTH) throw new PcapngFormatError('a segment does not start with a PDU header', 0);
      cur = { at: p.timeMs, parts: [], have: 0, length: PDU_HEADER_LENGTH + p.payload.readUInt32BE(2) };
      open[dir] = cur;
    }
    cur.parts.push(p.payload);
    cur.have += p.payload.length;
    if (cutHere || cur.have >= cur.length) {
      const raw = cur.parts.length === 1 ? cur.parts[0]! : Buffer.concat(cur.parts);
      const type = raw[0]!;
      out.push({
        index: out.length,
        direction: dir,
        timeMs: cur.at,
        type,
        typeName: isPduType(type) ? PDU_TYPE_NAMES[type] : null,
        length: cur.length,
        raw: raw.subarray(0, cur.length),
        cut: raw.length < cur.length,
      });
      open[dir] = null;
    }
  }
  return out;
}

/** When a UUIDv7 session id says its session began (ms since the epoch), else null. */
export function sessionStartMs(session: string): number | null {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-/i.exec(session);
  return m ? parseInt(m[1]! + m[2]!, 16) : null;
}

/** Record files (relative to root) that may hold the session, oldest first. */
async function candidateFiles(root: string, startMs: number | null): Promise<string[]> {
  let days: string[];
  try {
    days = (await readdir(root)).filter((d) => RECORD_DAY_DIR.test(d)).sort();
  } catch {
    return [];
  }
  const all: Array<{ rel: string; startedMs: number }> = [];
  for (const day of days) {
    if (startMs !== null) {
      const dayMs = Date.parse(`${day}T00:00:00Z`);
      if (dayMs + 86_400_000 <= startMs - 86_400_000 || dayMs > startMs + SEARCH_WINDOW_MS) continue;
    }
    for (const f of (await readdir(join(root, day)).catch(() => [] as string[])).filter((n) => RECORD_FILE.test(n)).sort()) {
      const t = Date.parse(`${day}T${f.slice(0, 2)}:${f.slice(2, 4)}:${f.slice(4, 6)}.${f.slice(6, 9)}Z`);
      all.push({ rel: join(day, f), startedMs: t });
    }
  }
  if (startMs === null) return all.map((f) => f.rel);
  // The session's first packets are in the last file started at or before it (any process), or a later one.
  const firstIdx = all.findLastIndex((f) => f.startedMs <= startMs);
  return all.slice(Math.max(0, firstIdx)).filter((f) => f.startedMs <= startMs + SEARCH_WINDOW_MS).map((f) => f.rel);
}

/** The session's PDUs as recorded under `<dataDir>/pdu`, or null when it has no record. */
export async function readSessionRecord(dataDir: string, session: string): Promise<SessionRecord | null> {
  if (!SESSION_ID.test(session)) throw new Error(`${JSON.stringify(session)} is not a session id`);
  const root = join(dataDir, 'pdu');
  const packets: RecordPacket[] = [];
  const files: string[] = [];
  let misses = 0;
  for (const rel of await candidateFiles(root, sessionStartMs(session))) {
    const path = join(root, rel);
    const size = (await stat(path)).size;
    if (size > MAX_RECORD_FILE) throw new Error(`${path}: ${size} bytes, larger than any record file this sensor writes`);
    const mine = decodePcapng(await readFile(path)).filter((p) => p.session === session);
    if (mine.length > 0) {
      packets.push(...mine);
      files.push(join('pdu', rel));
      misses = 0;
    } else if (files.length > 0 && ++misses >= 3) break; // three later files without it: the session ended
  }
  if (packets.length === 0) return null;
  return { files, pdus: pdusOfPackets(packets), blocks: packets.map((p) => p.block) };
}
