/** Identifiers: UUIDv7 (RFC 9562) session ids, unique across processes and restarts and sortable by time. */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * Random bytes are drawn from the CSPRNG 4 KiB at a time (256 ids) rather than 16 bytes per id, as Node's own
 * randomUUID does: each draw costs a few µs whatever its size (OpenSSL checks for a fork with getpid()).
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let poolOffset = POOL_BYTES;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7(now: number = Date.now()): string {
  if (poolOffset + 16 > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const r = poolOffset;
  poolOffset += 16;
  // Monotonic within one process: same millisecond → bump a 12-bit counter in rand_a.
  if (now <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    seq = ((pool[r + 6]! << 8) | pool[r + 7]!) & 0x7ff;
  }
  // 48-bit big-endian millisecond timestamp, without 64-bit integer arithmetic.
  const hi = Math.floor(now / 0x1000000);
  const lo = now % 0x1000000;
  const h = HEX;
  return (
    h[(hi >>> 16) & 0xff]! + h[(hi >>> 8) & 0xff]! + h[hi & 0xff]! + h[(lo >>> 16) & 0xff]! +
    '-' + h[(lo >>> 8) & 0xff]! + h[lo & 0xff]! +
    '-' + h[0x70 | ((seq >> 8) & 0x0f)]! + h[seq & 0xff]! +
    '-' + h[(pool[r + 8]! & 0x3f) | 0x80]! + h[pool[r + 9]!]! +
    '-' + h[pool[r + 10]!]! + h[pool[r + 11]!]! + h[pool[r + 12]!]! + h[pool[r + 13]!]! + h[pool[r + 14]!]! + h[pool[r + 15]!]!
  );
}
