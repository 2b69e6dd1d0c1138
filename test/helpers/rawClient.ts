/** A raw TCP peer for hostile-input tests: sends bytes as given and reports what came back and how it ended. */
import { connect, type Socket } from 'node:net';

export interface RawResult {
  received: Buffer;
  /** How the server ended the connection, or 'open' when we closed first. */
  ended: 'closed' | 'open' | 'reset';
  ms: number;
}

export function openRaw(port: number, host = '127.0.0.1', localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends each chunk (with optional delay between), then waits up to `waitMs` for the server to close. */
export async function exchange(port: number, chunks: Buffer[], opts: { waitMs?: number; gapMs?: number; host?: string } = {}): Promise<RawResult> {
  const t0 = performance.now();
  const s = await openRaw(port, opts.host);
  const received: Buffer[] = [];
  let ended: RawResult['ended'] = 'open';
  const done = new Promise<void>((resolve) => {
    s.on('data', (d) => received.push(d));
    s.on('error', () => {
      ended = 'reset';
      resolve();
    });
    s.on('close', () => {
      if (ended === 'open') ended = 'closed';
      resolve();
    });
  });
  for (const c of chunks) {
    if (s.destroyed) break;
    s.write(c);
    if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
  }
  await Promise.race([done, new Promise((r) => setTimeout(r, opts.waitMs ?? 3000))]);
  const wasOpen = ended === 'open';
  s.destroy();
  return { received: Buffer.concat(received), ended: wasOpen ? 'open' : ended, ms: performance.now() - t0 };
}

/** PDU type bytes of every PDU in a byte stream (assumes it is well framed). */
export function pduTypes(buf: Buffer): number[] {
  const out: number[] = [];
  let o = 0;
  while (o + 6 <= buf.length) {
    out.push(buf[o]!);
    o += 6 + buf.readUInt32BE(o + 2);
  }
  return out;
}
