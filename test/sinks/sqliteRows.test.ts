import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HawkEvent } from '../../src/core/events/catalogue.ts';
import { decodeRows, encodeRows, rowTextBatches, TEXT_COLUMNS, type EncodedRows } from '../../src/sinks/sqliteRows.ts';

type Row = [number, ...Array<string | null>];

function rowsOf(n: number, jsonBytes: number, tag: string): Array<{ event: Readonly<HawkEvent>; json: string }> {
  return Array.from({ length: n }, (_, i) => ({
    event: { eventid: 'dicomhawk.web.request', session: `s-${tag}-${i}`, protocol: 'http', src_ip: i % 3 === 0 ? null : `2001:db8::${i}` } as unknown as HawkEvent,
    json: `{"i":${i},"t":"${tag}","pad":"${'é'.repeat(jsonBytes)}"}`,
  }));
}

function decoded(rows: EncodedRows): Row[] {
  const out: Row[] = [];
  decodeRows(rows, (ts, text) => out.push([ts, ...Array.from({ length: TEXT_COLUMNS }, (_, k) => text(k)?.toString('utf8') ?? null)]));
  return out;
}

const expected = (batch: ReturnType<typeof rowsOf>): Row[] =>
  batch.map((b, i) => [1000 + i, b.event.eventid, b.event.session, b.event.protocol, b.event.src_ip, b.json]);
const msOf = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => 1000 + i);

describe('SQLite rows in shared memory', () => {
  test('round trip, growing past the first buffer for a batch larger than it', () => {
    const big = rowsOf(40, 40_000, 'big'); // ~3.2 MB of UTF-8: more than the 1 MiB the text starts with
    const { rows } = encodeRows(rowTextBatches(), big, msOf(big.length));
    assert.ok(rows.text.buffer instanceof SharedArrayBuffer, 'the text is shared with the writer, not copied');
    assert.ok(rows.text.buffer.byteLength > 1024 * 1024);
    assert.deepEqual(decoded(rows), expected(big));
  });

  test('a batch encoded while the kept memory is lent gets its own: the lent batch stays intact; released, it is reused', () => {
    const batches = rowTextBatches();
    const a = rowsOf(5, 10, 'a');
    const b = rowsOf(7, 20, 'b');
    const first = encodeRows(batches, a, msOf(a.length));
    const second = encodeRows(batches, b, msOf(b.length));
    assert.notEqual(second.rows.text.buffer, first.rows.text.buffer);
    assert.deepEqual(decoded(first.rows), expected(a));
    assert.deepEqual(decoded(second.rows), expected(b));
    first.text.release();
    const third = encodeRows(batches, b, msOf(b.length));
    assert.equal(third.rows.text.buffer, first.rows.text.buffer, 'the memory is reused once released');
    assert.deepEqual(decoded(third.rows), expected(b));
  });
});
