/**
 * The events rows of a batch on their way to the SQLite writer thread: every text value encoded as UTF-8 into
 * shared memory (a SharedArrayBuffer, kept from batch to batch: utf8Batch.ts), the offsets and timestamps
 * beside it. The writer binds the bytes as they are. Cloning a batch's thousands of strings into the message
 * instead cost the event loop several times more.
 */
import type { HawkEvent } from '../core/events/catalogue.ts';
import { Utf8Batches, type Utf8Batch } from './utf8Batch.ts';

/** The text columns of an events row, in this order: eventid, session, protocol, src_ip, json. */
export const TEXT_COLUMNS = 5;

/** An end offset that marks a null value (src_ip of session-less events); the next value starts where the last one ended. */
const NULL_END = 0xffffffff;

/** `ts` one ts_ms per row; `ends` TEXT_COLUMNS end offsets into `text` (a view of shared memory) per row. */
export interface EncodedRows {
  count: number;
  ts: Float64Array;
  ends: Uint32Array;
  text: Uint8Array;
}

/** Shared memory for the rows' text, kept from batch to batch (1 MiB to start; not kept past 8 MiB). */
export function rowTextBatches(): Utf8Batches {
  return new Utf8Batches((n) => Buffer.from(new SharedArrayBuffer(n)), 1024 * 1024, 8 * 1024 * 1024);
}

/**
 * Encodes the rows (`ts`: each row's ts_ms). The text stays in `text`'s memory until text.release(), once the
 * writer has answered.
 */
export function encodeRows(
  batches: Utf8Batches,
  batch: readonly { readonly event: Readonly<HawkEvent>; readonly json: string }[],
  ts: Float64Array,
): { rows: EncodedRows; text: Utf8Batch } {
  const count = batch.length;
  const text = batches.start();
  const ends = new Uint32Array(count * TEXT_COLUMNS);
  for (let i = 0; i < count; i += 1) {
    const { event: e, json } = batch[i]!;
    const c = i * TEXT_COLUMNS;
    ends[c] = text.put(e.eventid);
    ends[c + 1] = text.put(e.session);
    ends[c + 2] = text.put(e.protocol);
    ends[c + 3] = e.src_ip === null ? NULL_END : text.put(e.src_ip);
    ends[c + 4] = text.put(json);
  }
  return { rows: { count, ts, ends, text: text.bytes() }, text };
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
