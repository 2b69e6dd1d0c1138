import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HawkEvent } from '../../src/core/events/catalogue.ts';
import { decodeRows, RowEncoder, TEXT_COLUMNS, type EncodedRows } from '../../src/sinks/sqliteRows.ts';

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

describe('SQLite rows in shared memory', () => {
  test('round trip, growing past the first buffer for a batch larger than it', () => {
    const enc = new RowEncoder();
    const big = rowsOf(40, 40_000, 'big'); // ~3.2 MB of UTF-8: more than the 1 MiB the encoder starts with
    const { rows, lent } = enc.encode(big, (i) => 1000 + i);
    assert.equal(lent, true);
    assert.ok(rows.text.buffer.byteLength > 1024 * 1024);
    assert.deepEqual(decoded(rows), expected(big));
  });

  test('a batch encoded while the kept buffer is lent gets its own: the lent batch stays intact', () => {
    const enc = new RowEncoder();
    const a = rowsOf(5, 10, 'a');
    const b = rowsOf(7, 20, 'b');
    const first = enc.encode(a, (i) => 1000 + i);
    const second = enc.encode(b, (i) => 1000 + i);
    assert.equal(second.lent, false);
    assert.notEqual(second.rows.text.buffer, first.rows.text.buffer);
    assert.deepEqual(decoded(first.rows), expected(a));
    assert.deepEqual(decoded(second.rows), expected(b));
    enc.release();
    const third = enc.encode(b, (i) => 1000 + i);
    assert.equal(third.lent, true);
    assert.equal(third.rows.text.buffer, first.rows.text.buffer, 'the kept buffer is reused once released');
    assert.deepEqual(decoded(third.rows), expected(b));
  });
});
