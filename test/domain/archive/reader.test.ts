import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeText, responseCharset } from '../../../src/domain/archive/charset.ts';
import { readDicomBuffer, readDicomFile } from '../../../src/domain/archive/reader.ts';
import { allRows, dump2dcm, dumpText, TS_UID } from '../../fixtures/archive/fixtureArchive.ts';

describe('bounded DICOM reader', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dh-reader-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const rows = allRows();
  const p1 = rows[0]!;
  const p2 = rows.find((r) => r.patient.charset === 'ISO_IR 192')!;

  for (const ts of ['el', 'il', 'eb', 'df'] as const) {
    it(`reads ${ts} files: transfer syntax, charset-decoded text, binary values, data set offset`, () => {
      const file = join(dir, `p1-${ts}.dcm`);
      dump2dcm(dumpText(p1), p1.patient.charset, file, ts);
      const { result, sha256 } = readDicomFile(file, { hash: true });
      assert.ok(result.ok, !result.ok ? result.reason : '');
      const h = result.header;
      assert.equal(h.transferSyntax, TS_UID[ts]);
      assert.equal(h.part10, true);
      assert.equal(h.specificCharacterSet, 'ISO_IR 100');
      assert.equal(h.values.get('00100010'), 'Sørensen^Jørgen');
      assert.equal(h.values.get('00080090'), 'Læge^Ole');
      assert.equal(h.values.get('0020000D'), p1.study.uid);
      assert.equal(h.values.get('00280010'), '2');
      assert.equal(h.values.get('00080008'), 'ORIGINAL\\PRIMARY');
      assert.equal(h.mediaStorageSopInstanceUid, p1.instance.sop);
      assert.match(sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(h.datasetOffset > 132);
    });
  }

  it('decodes ISO_IR 192 text as UTF-8', () => {
    const file = join(dir, 'p2.dcm');
    dump2dcm(dumpText(p2), 'ISO_IR 192', file, 'el');
    const { result } = readDicomFile(file);
    assert.ok(result.ok);
    assert.equal(result.header.values.get('00100010'), 'Ærø^Åse');
  });

  it('reads a bare data set (a C-STORE upload as received) when told its transfer syntax', () => {
    const file = join(dir, 'bare');
    dump2dcm(dumpText(p1), p1.patient.charset, file, 'il', { dataset: true });
    const without = readDicomFile(file).result;
    assert.equal(without.ok, false);
    const { result } = readDicomFile(file, { transferSyntax: TS_UID.il });
    assert.ok(result.ok);
    assert.equal(result.header.part10, false);
    assert.equal(result.header.datasetOffset, 0);
    assert.equal(result.header.values.get('00080018'), p1.instance.sop);
  });

  it('walks sequences of undefined length and skips them', () => {
    const file = join(dir, 'sq.dcm');
    const extra = ['(0008,1110) SQ (Sequence with undefined length #=1)', '  (fffe,e000) na (Item with undefined length #=1)', '    (0008,1155) UI [1.2.3]', '  (fffe,e00d) na (ItemDelimitationItem)', '(fffe,e0dd) na (SequenceDelimitationItem)'];
    for (const ts of ['el', 'il', 'eb'] as const) {
      dump2dcm(dumpText(p1, extra), p1.patient.charset, file, ts, { undefinedLengths: true });
      assert.ok(readFileSync(file).includes(Buffer.from(ts === 'eb' ? [0xff, 0xfe, 0xe0, 0xdd] : [0xfe, 0xff, 0xdd, 0xe0])), 'written with a sequence delimiter');
      const { result } = readDicomFile(file);
      assert.ok(result.ok, !result.ok ? result.reason : '');
      assert.equal(result.header.values.get('00100020'), p1.patient.id);
    }
    // Cut inside the item: the missing delimiter is reported.
    const bytes = readFileSync(file);
    const cut = readDicomBuffer(bytes.subarray(0, bytes.indexOf(Buffer.from('1.2.3', 'latin1')) + 5));
    assert.equal(cut.ok, false);
  });

  it('keeps going after the sequence', () => {
    const file = join(dir, 'sq.dcm');
    const { result } = readDicomFile(file);
    assert.ok(result.ok, !result.ok ? result.reason : '');
    assert.equal(result.header.values.get('00100020'), p1.patient.id);
  });

  it('reports non-DICOM, empty, truncated and damaged input with a reason', () => {
    const file = join(dir, 'p1-el.dcm');
    const bytes = readFileSync(file);
    const reason = (b: Buffer): string => {
      const r = readDicomBuffer(b);
      assert.equal(r.ok, false);
      return r.ok ? '' : r.reason;
    };
    assert.match(reason(Buffer.alloc(0)), /empty/);
    assert.match(reason(Buffer.from('hello, not a DICOM file')), /not a DICOM Part-10 file/);
    assert.match(reason(Buffer.concat([Buffer.alloc(128), Buffer.from('PNG!'), Buffer.alloc(64)])), /no 'DICM'/);
    assert.match(reason(bytes.subarray(0, bytes.length - 3)), /^truncated: value of \(7FE0,0010\)/);
    assert.match(reason(bytes.subarray(0, 200)), /^truncated/);
    const badVr = Buffer.from(bytes);
    badVr.write('\x01\x02', bytes.indexOf(Buffer.from('CS', 'latin1'), 400), 'latin1');
    assert.match(reason(badVr), /^damaged: invalid VR/);
    // A declared length of 0xFFFFFFF0 on an element near the end does not allocate: it is reported.
    const huge = Buffer.from(bytes);
    const pos = huge.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]));
    huge.writeUInt32LE(0xfffffff0, pos + 8);
    assert.match(reason(huge), /^truncated: value of \(7FE0,0010\) .* needs 4294967280 bytes/);
  });
});

describe('charset helpers', () => {
  it('decodes the European repertoires and ISO 2022 escapes', () => {
    assert.equal(decodeText(Buffer.from([0x53, 0xf8, 0x72, 0x65, 0x6e]), 'PN', 'ISO_IR 100'), 'Søren');
    assert.equal(decodeText(Buffer.from('Søren', 'utf8'), 'PN', 'ISO_IR 192'), 'Søren');
    assert.equal(decodeText(Buffer.from([0xb1]), 'LO', 'ISO_IR 101'), 'ą');
    assert.equal(decodeText(Buffer.from([0x41, 0x1b, 0x2d, 0x41, 0xe6]), 'PN', 'ISO 2022 IR 6\\ISO 2022 IR 100'), 'Aæ');
    assert.equal(decodeText(Buffer.from([0xe6]), 'CS', 'ISO_IR 192'), 'æ', 'non-text VRs are not charset-dependent');
  });

  it('keeps the stored charset when it holds the answer, else moves to UTF-8', () => {
    assert.equal(responseCharset(['ISO_IR 100'], ['Søren']), 'ISO_IR 100');
    assert.equal(responseCharset([''], ['Hansen']), '');
    assert.equal(responseCharset([''], ['Søren']), 'ISO_IR 192');
    assert.equal(responseCharset(['', 'ISO_IR 100'], ['Søren']), 'ISO_IR 100');
    assert.equal(responseCharset(['ISO_IR 100', 'ISO_IR 192'], ['Ω']), 'ISO_IR 192');
  });
});
