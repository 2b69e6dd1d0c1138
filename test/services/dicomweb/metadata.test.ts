import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { writeIdentifier } from '../../../src/services/dimse/dataset/identifier.ts';
import { datasetToJson } from '../../../src/services/dicomweb/metadata.ts';

const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

describe('metadata (DICOM JSON from stored bytes)', () => {
  test('implicit VR: VRs from the registry, sequences as nested data sets, numbers as numbers, binary inline or by URI', () => {
    const ds = writeIdentifier(
      [
        { tag: '00080005', vr: 'CS', value: 'ISO_IR 100' },
        { tag: '00080008', vr: 'CS', value: ['ORIGINAL', 'PRIMARY'] },
        { tag: '00100010', vr: 'PN', value: 'Hansen^Jens=Hansen^J' },
        { tag: '00101030', vr: 'DS', value: '72.5' },
        { tag: '00081110', vr: 'SQ', items: [[{ tag: '00081150', vr: 'UI', value: '1.2.3' }, { tag: '00081155', vr: 'UI', value: '4.5.6' }]] },
        { tag: '00280010', vr: 'US', value: 512 },
        { tag: '00291010', vr: 'OB', value: Buffer.from([1, 2, 3, 4]) },
        { tag: '00291011', vr: 'OB', value: Buffer.alloc(4096) },
      ],
      IMPLICIT,
    );
    const r = datasetToJson(ds, IMPLICIT, 'http://x/i');
    assert.ok(r.ok);
    const j = r.dataset;
    assert.deepEqual(j['00080008'], { vr: 'CS', Value: ['ORIGINAL', 'PRIMARY'] });
    assert.deepEqual(j['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Hansen^Jens', Ideographic: 'Hansen^J' }] });
    assert.deepEqual(j['00101030'], { vr: 'DS', Value: [72.5] });
    assert.deepEqual(j['00081110'], { vr: 'SQ', Value: [{ '00081150': { vr: 'UI', Value: ['1.2.3'] }, '00081155': { vr: 'UI', Value: ['4.5.6'] } }] });
    assert.deepEqual(j['00280010'], { vr: 'US', Value: [512] });
    assert.deepEqual(j['00291010'], { vr: 'UN', InlineBinary: 'AQIDBA==' });
    assert.deepEqual(j['00291011'], { vr: 'UN', BulkDataURI: 'http://x/i/bulkdata/00291011' });
  });

  test('a damaged data set is refused with the walker\'s reason, not half-converted', () => {
    const ds = writeIdentifier([{ tag: '00100010', vr: 'PN', value: 'A^B' }], EXPLICIT);
    ds.writeUInt16LE(0xfff0, 6); // declared length far beyond the buffer
    const r = datasetToJson(ds, EXPLICIT, 'http://x/i');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /exceeds the \d+ bytes remaining/);
  });
});
