import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readIdentifier, writeIdentifier, type IdentifierElement } from '../../../../src/services/dimse/dataset/identifier.ts';
import { ELE, ILE, elem, itemOf, seq } from '../../../helpers/datasetBytes.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const BIG = '1.2.840.10008.1.2.2';

function read(buf: Buffer, ts: string): { elements: readonly IdentifierElement[]; anomalies: readonly string[]; charset: string } {
  const r = readIdentifier(buf, ts);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return { elements: r.elements, anomalies: r.anomalies, charset: r.charset.decoder };
}

function byKeyword(elements: readonly IdentifierElement[], keyword: string): IdentifierElement | undefined {
  return elements.find((e) => e.keyword === keyword);
}

test('a Study Root C-FIND identifier round-trips in every transfer syntax', () => {
  const keys = [
    { tag: '00100010', value: 'DOE^JOHN*' },
    { tag: '00080052', value: 'STUDY' },
    { tag: '00080020', value: '20240101-20241231' },
    { tag: '00080061', value: ['CT', 'MR'] },
    { tag: '0020000D', value: '' },
    { tag: '00201208', value: null },
    { tag: '00280010', value: 512 },
    { tag: '00000000', vr: 'UL', value: 0 },
    { tag: '00100020', vr: 'LO', value: 'ID1' },
  ];
  for (const ts of [IMPLICIT, EXPLICIT, BIG]) {
    const buf = writeIdentifier(keys, ts);
    const { elements, anomalies } = read(buf, ts);
    assert.deepEqual(
      elements.map((e) => e.tag),
      ['00000000', '00080020', '00080052', '00080061', '00100010', '00100020', '0020000D', '00201208', '00280010'],
      'sorted by tag',
    );
    assert.equal(byKeyword(elements, 'PatientName')?.value, 'DOE^JOHN*');
    assert.equal(byKeyword(elements, 'PatientName')?.rawValue.toString('latin1'), 'DOE^JOHN* ', 'space padded to even');
    assert.equal(byKeyword(elements, 'QueryRetrieveLevel')?.value, 'STUDY');
    assert.deepEqual(byKeyword(elements, 'ModalitiesInStudy')?.values, ['CT', 'MR']);
    assert.equal(byKeyword(elements, 'StudyInstanceUID')?.value, '');
    assert.equal(byKeyword(elements, 'StudyInstanceUID')?.vr, 'UI');
    assert.equal(byKeyword(elements, 'Rows')?.value, '512');
    assert.equal(byKeyword(elements, 'PatientID')?.value, 'ID1');
    for (const e of elements) assert.equal(e.rawValue.length % 2, 0, `${e.tag} even`);
    assert.deepEqual(anomalies, []);
  }
});

test('UIDs are NUL padded, and a one-level sequence is decoded item by item', () => {
  const buf = writeIdentifier(
    [
      { tag: '00080005', value: 'ISO_IR 100' },
      {
        tag: '00081110',
        items: [
          [
            { tag: '00081150', value: '1.2.840.10008.3.1.2.3.1' },
            { tag: '00081155', value: '1.2.3' },
          ],
          [{ tag: '00100010', value: 'Ærø^Jørgen' }],
        ],
      },
    ],
    EXPLICIT,
  );
  const { elements } = read(buf, EXPLICIT);
  const sq = byKeyword(elements, 'ReferencedStudySequence');
  assert.equal(sq?.vr, 'SQ');
  assert.equal(sq?.sequence?.length, 2);
  const uid = sq?.sequence?.[0]?.find((e) => e.keyword === 'ReferencedSOPInstanceUID');
  assert.equal(uid?.value, '1.2.3');
  assert.equal(uid?.rawValue.toString('latin1'), '1.2.3\0');
  assert.equal(sq?.sequence?.[1]?.[0]?.value, 'Ærø^Jørgen');
});

test('decodes text with the identifier Specific Character Set', () => {
  const pn = (bytes: Buffer, cs: string | null, enc = ELE): Buffer =>
    Buffer.concat([...(cs === null ? [] : [elem(enc, 0x00080005, 'CS', cs)]), elem(enc, 0x00100010, 'PN', bytes)]);
  const utf8 = read(pn(Buffer.from('山田^太郎 ', 'utf8'), 'ISO_IR 192'), EXPLICIT);
  assert.equal(byKeyword(utf8.elements, 'PatientName')?.value, '山田^太郎');
  assert.equal(utf8.charset, 'utf8');

  const latin1 = read(pn(Buffer.from('Müller^Åse ', 'latin1'), 'ISO_IR 100'), EXPLICIT);
  assert.equal(byKeyword(latin1.elements, 'PatientName')?.value, 'Müller^Åse');

  const iso2022 = read(pn(Buffer.from('\x1b-AM\xfcller^\x1b(BX ', 'latin1'), 'ISO 2022 IR 6\\ISO 2022 IR 100 '), EXPLICIT);
  assert.equal(byKeyword(iso2022.elements, 'PatientName')?.value, 'Müller^X');
  assert.equal(iso2022.charset, 'iso2022');

  const unknown = readIdentifier(pn(Buffer.from('\xc0\xc1', 'latin1'), 'ISO_IR 144'), EXPLICIT);
  assert.ok(unknown.ok);
  assert.equal(unknown.charset.known, false);
  assert.equal(unknown.charset.decoder, 'latin1');
  assert.equal(unknown.charset.declared, 'ISO_IR 144');
  assert.ok(unknown.anomalies.some((a) => a.includes("unsupported SpecificCharacterSet term 'ISO_IR 144'")));

  const defaultHigh = read(pn(Buffer.from('J\xf8rgen', 'latin1'), null, ILE), IMPLICIT);
  assert.equal(byKeyword(defaultHigh.elements, 'PatientName')?.value, 'Jørgen');
  assert.ok(defaultHigh.anomalies.some((a) => a.includes('non-ASCII bytes in PN value')));

  const badUtf8 = read(pn(Buffer.from([0x41, 0xff, 0x42, 0x20]), 'ISO_IR 192'), EXPLICIT);
  assert.ok(badUtf8.anomalies.some((a) => a.includes('invalid UTF-8')));
  const escape = read(pn(Buffer.from('\x1b$BAB', 'latin1'), 'ISO 2022 IR 6\\ISO 2022 IR 87'), EXPLICIT);
  assert.ok(escape.anomalies.some((a) => a.includes('unsupported')));
});

test('an item may override the Specific Character Set for its own text', () => {
  const buf = Buffer.concat([
    elem(ELE, 0x00080005, 'CS', 'ISO_IR 100'),
    seq(ELE, 0x00081120, [itemOf(ELE, Buffer.concat([elem(ELE, 0x00080005, 'CS', 'ISO_IR 192'), elem(ELE, 0x00100010, 'PN', Buffer.from('Ø^Å ', 'utf8'))]))]),
    elem(ELE, 0x00100010, 'PN', Buffer.from('Ø^Å ', 'latin1')),
  ]);
  const { elements } = read(buf, EXPLICIT);
  assert.equal(byKeyword(elements, 'PatientName')?.value, 'Ø^Å');
  const item = byKeyword(elements, 'ReferencedPatientSequence')?.sequence?.[0];
  assert.equal(item?.find((e) => e.keyword === 'PatientName')?.value, 'Ø^Å');
});

test('sequences nested deeper than one level stay raw, with an anomaly', () => {
  const inner = seq(ELE, 0x00081115, [itemOf(ELE, elem(ELE, 0x0020000e, 'UI', '1.2\0'))]);
  const buf = seq(ELE, 0x00081110, [itemOf(ELE, inner)], true);
  const r = readIdentifier(buf, EXPLICIT);
  assert.ok(r.ok);
  const nestedEl = r.elements[0]?.sequence?.[0]?.[0];
  assert.equal(nestedEl?.keyword, 'ReferencedSeriesSequence');
  assert.equal(nestedEl?.sequence, undefined);
  assert.deepEqual(nestedEl?.rawValue, inner.subarray(12));
  assert.ok(r.anomalies.includes('1 sequence(s) nested deeper than one level kept raw'));
});

test('implicit VR: VRs come from the dictionary, unknown tags are UN, AT and numbers decode', () => {
  const buf = Buffer.concat([
    elem(ILE, 0x00080052, 'CS', 'SERIES'),
    elem(ILE, 0x00090010, 'LO', 'ACME 1.0'),
    elem(ILE, 0x00091001, 'UN', Buffer.from([1, 2, 3, 4])),
    elem(ILE, 0x00201209, 'IS', '12'),
  ]);
  const { elements } = read(buf, IMPLICIT);
  assert.deepEqual(
    elements.map((e) => [e.tag, e.vr, e.value]),
    [
      ['00080052', 'CS', 'SERIES'],
      ['00090010', 'LO', 'ACME 1.0'],
      ['00091001', 'UN', undefined],
      ['00201209', 'IS', '12'],
    ],
  );
  const at = read(writeIdentifier([{ tag: '00209165', vr: 'AT', value: ['00100010', '0020000D'] }, { tag: '00189219', vr: 'SS', value: [-2, 7] }], BIG), BIG);
  assert.equal(at.elements[0]?.value, '-2\\7', 'signed values in big endian');
  assert.deepEqual(at.elements[1]?.values, ['00100010', '0020000D']);
});

test('malformed identifiers fail with an offset instead of throwing', () => {
  const bad = Buffer.concat([elem(ELE, 0x00080052, 'CS', 'STUDY '), elem(ELE, 0x00100010, 'PN', 'A', 0x7fff)]);
  const r = readIdentifier(bad, EXPLICIT);
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.offset, 14);
  assert.equal(readIdentifier(Buffer.alloc(4), '1.2.840.10008.1.2.1.99').ok, false);
});

test('writeIdentifier refuses what it cannot encode', () => {
  assert.throws(() => writeIdentifier([{ tag: 'nonsense', value: 'x' }], EXPLICIT), RangeError);
  assert.throws(() => writeIdentifier([{ tag: '00100010', value: 'x'.repeat(70000) }], EXPLICIT), RangeError);
  assert.equal(writeIdentifier([{ tag: '00100010', value: 'x'.repeat(70000) }], IMPLICIT).length, 8 + 70000);
  assert.throws(() => writeIdentifier([], '1.2.840.10008.1.2.1.99'), RangeError);
});

test('writeIdentifier encodes charset-dependent text as UTF-8 under ISO_IR 192', () => {
  const buf = writeIdentifier(
    [
      { tag: '00080005', value: 'ISO_IR 192' },
      { tag: '00100010', value: 'Jørgen' },
      { tag: '00080052', value: 'STUDY' },
    ],
    EXPLICIT,
  );
  assert.ok(buf.includes(Buffer.from('Jørgen', 'utf8')));
  const { elements } = read(buf, EXPLICIT);
  assert.equal(byKeyword(elements, 'PatientName')?.value, 'Jørgen');
});
