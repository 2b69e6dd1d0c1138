import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeIdentifier } from '../../../src/services/dimse/dataset/identifier.ts';
import { walkDataset, type WalkResult } from '../../../src/domain/dicom/walker.ts';
import { EBE, ELE, ILE, UNDEFINED, elem, itemDelimiter, itemHeader, itemOf, nested, seq, seqDelimiter, type Enc } from '../../helpers/datasetBytes.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';
const JPEG = '1.2.840.10008.1.2.4.50';

function tsOf(enc: Enc): string {
  return !enc.explicit ? IMPLICIT : enc.le ? EXPLICIT : BIG;
}

function failed(r: WalkResult): { offset: number; reason: string } {
  assert.equal(r.ok, false, 'expected the walk to fail');
  if (r.ok) throw new Error('unreachable');
  return r;
}

const query = [
  { tag: '00080052', value: 'STUDY' },
  { tag: '00100010', value: 'DOE^J*' },
  { tag: '00100020', value: '' },
  { tag: '0020000D', value: '' },
  { tag: '00081110', items: [[{ tag: '00081150', value: '1.2.3' }, { tag: '00081155', value: '4.5.6.7' }], []] },
  { tag: '00280010', value: 512 },
];

test('walks good data sets written by our own writer, in every supported transfer syntax', () => {
  for (const ts of [IMPLICIT, EXPLICIT, BIG, JPEG]) {
    const r = walkDataset(writeIdentifier(query, ts), ts);
    assert.ok(r.ok, ts);
    assert.equal(r.elements, 8);
    assert.equal(r.items, 2);
    assert.equal(r.maxDepth, 1);
    assert.deepEqual(r.anomalies, []);
  }
  const empty = walkDataset(Buffer.alloc(0), EXPLICIT);
  assert.ok(empty.ok && empty.elements === 0 && empty.maxDepth === 0);
});

test('walks undefined-length sequences and items', () => {
  for (const enc of [ILE, ELE, EBE]) {
    const ds = Buffer.concat([
      elem(enc, 0x00080052, 'CS', 'STUDY '),
      seq(enc, 0x00081110, [itemOf(enc, elem(enc, 0x00081150, 'UI', '1.2\0'), true), itemOf(enc, elem(enc, 0x00081155, 'UI', '1.3\0'))], true),
      elem(enc, 0x00100010, 'PN', 'A^B '),
    ]);
    const r = walkDataset(ds, tsOf(enc));
    assert.ok(r.ok, `${JSON.stringify(enc)} ${r.ok ? '' : r.reason}`);
    assert.equal(r.elements, 5);
    assert.equal(r.items, 2);
  }
});

test('a truncated data set fails with an offset at every cut point, and never throws', () => {
  const ds = writeIdentifier(query, EXPLICIT);
  let failures = 0;
  for (let cut = 0; cut < ds.length; cut++) {
    const r = walkDataset(ds.subarray(0, cut), EXPLICIT);
    if (!r.ok) {
      failures++;
      assert.ok(r.offset >= 0 && r.offset <= cut);
    }
  }
  assert.ok(failures > ds.length / 2);
  const f = failed(walkDataset(ds.subarray(0, 12), EXPLICIT));
  assert.match(f.reason, /exceeds|truncated/);
});

test('an overlong element length fails at that element without allocating', () => {
  for (const enc of [ILE, ELE, EBE]) {
    const first = elem(enc, 0x00080052, 'CS', 'STUDY ');
    const ds = Buffer.concat([first, elem(enc, 0x00100010, 'UT', 'x', 0xfffffff0)]);
    const f = failed(walkDataset(ds, tsOf(enc)));
    assert.equal(f.offset, first.length);
    assert.match(f.reason, /\(0010,0010\) length 4294967280 exceeds/);
  }
  const shortLength = Buffer.concat([elem(ELE, 0x00100010, 'PN', 'abc', 0xfffe)]);
  assert.match(failed(walkDataset(shortLength, EXPLICIT)).reason, /exceeds/);
  const itemTooLong = seq(ELE, 0x00081110, [itemHeader(ELE, 1000)]);
  assert.match(failed(walkDataset(itemTooLong, EXPLICIT)).reason, /item length 1000 exceeds/);
});

test('nesting deeper than the limit fails; the depth reached is reported', () => {
  for (const undef of [false, true]) {
    const ok = walkDataset(nested(ELE, 16, undef), EXPLICIT);
    assert.ok(ok.ok && ok.maxDepth === 16);
    assert.match(failed(walkDataset(nested(ELE, 17, undef), EXPLICIT)).reason, /deeper than 16/);
    const raised = walkDataset(nested(ILE, 40, undef), IMPLICIT, { maxDepth: 64 });
    assert.ok(raised.ok && raised.maxDepth === 40);
  }
  // A thousand levels of undefined-length nesting is refused early, not by exhausting the stack.
  assert.match(failed(walkDataset(nested(ELE, 1000, true), EXPLICIT, { maxDepth: 100000 })).reason, /deeper than 256/);
});

test('item and element counts are capped', () => {
  const items = Array.from({ length: 20 }, () => itemOf(ELE, Buffer.alloc(0)));
  assert.match(failed(walkDataset(seq(ELE, 0x00081110, items), EXPLICIT, { maxItems: 10 })).reason, /more than 10 items/);
  const many = Buffer.concat(Array.from({ length: 50 }, (_, i) => elem(ELE, 0x00090000 + i + 0x1000, 'LO', 'ab')));
  assert.match(failed(walkDataset(many, EXPLICIT, { maxElements: 20 })).reason, /more than 20 elements/);
});

test('structural errors: delimiters, stray item tags, undefined lengths where they cannot be', () => {
  const cases: [string, Buffer, RegExp, string?][] = [
    ['sequence without delimiter', Buffer.concat([elem(ELE, 0x00081110, 'SQ', Buffer.alloc(0), UNDEFINED), itemOf(ELE, Buffer.alloc(0))]), /without sequence delimitation/],
    ['item without delimiter', Buffer.concat([elem(ELE, 0x00081110, 'SQ', Buffer.alloc(0), UNDEFINED), itemHeader(ELE, UNDEFINED), elem(ELE, 0x00100010, 'PN', 'AB')]), /without item delimitation/],
    ['delimiter with a length', Buffer.concat([elem(ELE, 0x00081110, 'SQ', Buffer.alloc(0), UNDEFINED), seqDelimiter(ELE, 4), Buffer.alloc(4)]), /non-zero length/],
    ['item delimiter with a length', Buffer.concat([elem(ELE, 0x00081110, 'SQ', Buffer.alloc(0), UNDEFINED), itemHeader(ELE, UNDEFINED), itemDelimiter(ELE, 2)]), /non-zero length/],
    ['item tag at top level', itemOf(ELE, Buffer.alloc(0)), /unexpected \(FFFE,E000\)/],
    ['element inside a sequence', seq(ELE, 0x00081110, [elem(ELE, 0x00100010, 'PN', 'AB')]), /where a sequence item was expected/],
    ['undefined length on a text VR', elem(ELE, 0x00104000, 'UT', Buffer.alloc(0), UNDEFINED), /undefined length on \(0010,4000\) with VR UT/],
    ['invalid VR', Buffer.from([0x10, 0, 0x10, 0, 0x7a, 0x7a, 2, 0, 0x41, 0x42]), /invalid VR 0x7a7a/],
    ['sequence delimiter in a defined-length sequence', seq(ELE, 0x00081110, [seqDelimiter(ELE)]), /defined length/],
    ['truncated header', Buffer.from([0x10, 0, 0x10, 0, 0x50]), /truncated element header/],
    ['deflated transfer syntax', Buffer.alloc(4), /deflated/, '1.2.840.10008.1.2.1.99'],
  ];
  for (const [name, ds, reason, ts] of cases) {
    assert.match(failed(walkDataset(ds, ts ?? EXPLICIT)).reason, reason, name);
  }
});

test('encapsulated pixel data: fragments of defined length ended by a delimiter', () => {
  const pixel = (frags: Buffer[]): Buffer => Buffer.concat([elem(ELE, 0x7fe00010, 'OB', Buffer.alloc(0), UNDEFINED), ...frags]);
  const good = pixel([itemHeader(ELE, 0), itemHeader(ELE, 4), Buffer.from([0xff, 0xd8, 0xff, 0xd9]), seqDelimiter(ELE)]);
  const r = walkDataset(Buffer.concat([elem(ELE, 0x00280010, 'US', Buffer.from([0, 2])), good]), JPEG);
  assert.ok(r.ok && r.items === 2);
  assert.match(failed(walkDataset(pixel([itemHeader(ELE, UNDEFINED)]), JPEG)).reason, /fragment of undefined length/);
  assert.match(failed(walkDataset(pixel([itemHeader(ELE, 4), Buffer.alloc(4)]), JPEG)).reason, /without sequence delimitation/);
  assert.match(failed(walkDataset(pixel([itemHeader(ELE, 40)]), JPEG)).reason, /fragment length 40 exceeds/);
});

test('undefined-length UN holds Implicit VR Little Endian items', () => {
  const inner = itemOf(ILE, elem(ILE, 0x00100010, 'PN', 'AB'), true);
  const ds = Buffer.concat([elem(ELE, 0x00091010, 'UN', Buffer.alloc(0), UNDEFINED), inner, seqDelimiter(ILE)]);
  const r = walkDataset(ds, EXPLICIT);
  assert.ok(r.ok && r.maxDepth === 1 && r.elements === 2);
});

test('implicit VR values that start with an item tag are checked as sequences', () => {
  const good = elem(ILE, 0x00091010, 'UN', itemOf(ILE, elem(ILE, 0x00100010, 'PN', 'AB')));
  const r = walkDataset(good, IMPLICIT);
  assert.ok(r.ok && r.maxDepth === 1);
  const hidden = elem(ILE, 0x00091010, 'UN', itemOf(ILE, elem(ILE, 0x00100010, 'PN', 'AB', 5000)));
  assert.match(failed(walkDataset(hidden, IMPLICIT)).reason, /exceeds/);
});

test('records odd lengths and out-of-order tags as anomalies', () => {
  const ds = Buffer.concat([elem(ELE, 0x00100020, 'LO', 'ABC'), elem(ELE, 0x00100010, 'PN', 'AB')]);
  const r = walkDataset(ds, EXPLICIT);
  assert.ok(r.ok);
  assert.ok(r.anomalies.some((a) => a.includes('odd length 3')));
  assert.ok(r.anomalies.some((a) => a.includes('not in ascending order')));
});
