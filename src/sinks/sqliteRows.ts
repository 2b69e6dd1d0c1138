/**
 * The events rows of a batch on their way to the SQLite writer thread, in shared memory: the main thread encodes
 * every text value as UTF-8 into one SharedArrayBuffer, posts views of it, and the writer decodes them. The
 * buffer is reused for the next batch once the writer has answered (one batch is in flight at a time).
 *
 * Why: cloning a batch's thousands of strings into a message, or encoding them into a fresh buffer per batch
 * (new pages, zeroed by the kernel on first touch), cost the event loop several times more than encoding into
 * memory that is already mapped (about 0.1 µs per event here).
 *
 * Layout of one batch: ts (Float64 × count) | ends (Uint32 × count × TEXT_COLUMNS) | text (UTF-8).
 */
import type { HawkEvent } from '../core/events/catalogue.ts';

/** The text columns of an events row, in this order: eventid, session, protocol, src_ip, json. */
export const TEXT_COLUMNS = 5;

/** An end offset that marks a null value (src_ip of session-less events); the next value starts where the last one ended. */
const NULL_END = 0xffffffff;

const HEAD_BYTES_PER_ROW = 8 + 4 * TEXT_COLUMNS;
const INITIAL_BYTES = 1024 * 1024;
/** A buffer that grew past this for one large batch is dropped afterwards instead of being kept. */
const KEEP_BYTES = 8 * 1024 * 1024;

/** Views on shared memory: `ts` one ts_ms per row, `ends` TEXT_COLUMNS end offsets into `text` per row. */
export interface EncodedRows {
  count: number;
  ts: Float64Array;
  ends: Uint32Array;
  text: Uint8Array;
}

export class RowEncoder {
  private sab: SharedArrayBuffer | null = null;
  private lent = false;

  /**
   * Encodes the rows into the kept buffer, which is then lent until release() (while it is lent: into a buffer
   * of their own, `lent` false). `ms` gives each row's ts_ms.
   */
  encode(batch: readonly { readonly event: Readonly<HawkEvent>; readonly json: string }[], ms: (i: number) => number): { rows: EncodedRows; lent: boolean } {
    const count = batch.length;
    const head = count * HEAD_BYTES_PER_ROW;
    const own = this.lent;
    let sab = own ? null : this.sab;
    if (sab === null || sab.byteLength < head + 64 * count) sab = new SharedArrayBuffer(Math.max(INITIAL_BYTES, head + 512 * count));
    let text = Buffer.from(sab, head);
    let off = 0;
    const ends = new Uint32Array(count * TEXT_COLUMNS);
    const put = (s: string): number => {
      if (off + s.length * 3 > text.length) {
        // Grow: twice the size, or enough for this value; what is written so far moves along.
        const bigger = new SharedArrayBuffer(Math.max(sab!.byteLength * 2, head + off + s.length * 3 + 1024));
        new Uint8Array(bigger).set(new Uint8Array(sab!, head, off), head);
        sab = bigger;
        text = Buffer.from(sab, head);
      }
      off += text.write(s, off, 'utf8');
      return off;
    };
    for (let i = 0; i < count; i += 1) {
      const { event: e, json } = batch[i]!;
      const c = i * TEXT_COLUMNS;
      ends[c] = put(e.eventid);
      ends[c + 1] = put(e.session);
      ends[c + 2] = put(e.protocol);
      ends[c + 3] = e.src_ip === null ? NULL_END : put(e.src_ip);
      ends[c + 4] = put(json);
    }
    const ts = new Float64Array(sab, 0, count);
    for (let i = 0; i < count; i += 1) ts[i] = ms(i);
    const sharedEnds = new Uint32Array(sab, count * 8, count * TEXT_COLUMNS);
    sharedEnds.set(ends);
    if (!own) {
      this.sab = sab.byteLength > KEEP_BYTES ? null : sab;
      this.lent = true;
    }
    return { rows: { count, ts, ends: sharedEnds, text: new Uint8Array(sab, head, off) }, lent: !own };
  }

  /** The writer has answered the batch that holds the kept buffer (or is gone): it may be written again. */
  release(): void {
    this.lent = false;
  }
}

/**
 * The writer's side: calls `row` once per row, in order, with its ts_ms and a reader of its text values as UTF-8
 * bytes (views of the shared memory, valid during the call), which must be read in column order
 * (k = 0 … TEXT_COLUMNS - 1). The writer binds the bytes as they are (CAST(? AS TEXT)): no string is made.
 */
export function decodeRows(rows: EncodedRows, row: (ts: number, text: (k: number) => Buffer | null) => void): void {
  const text = Buffer.from(rows.text.buffer, rows.text.byteOffset, rows.text.byteLength);
  const { ends, ts, count } = rows;
  let off = 0;
  let base = 0;
  const value = (k: number): Buffer | null => {
    const end = ends[base + k]!;
    if (end === NULL_END) return null;
    const v = text.subarray(off, end);
    off = end;
    return v;
  };
  for (let r = 0; r < count; r += 1) {
    base = r * TEXT_COLUMNS;
    row(ts[r]!, value);
  }
}
