import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { put, putTag, getString } from '../../../src/domain/dataset/dicom/dataset.ts';
import type { DicomDataset } from '../../../src/domain/dataset/dicom/dataset.ts';
import { DicomWriteError, formatDS, writePart10 } from '../../../src/domain/dataset/dicom/part10Writer.ts';
import { readPart10 } from '../../../src/domain/dataset/dicom/part10Reader.ts';
import { dcmdump, problems, tempDir } from './dcmtk.ts';

const tmp = tempDir('writer');
after(() => tmp.remove());

function sample(): DicomDataset {
  const ds: DicomDataset = {};
  put(ds, 'SOPClassUID', '1.2.840.10008.5.1.4.1.1.2');
  put(ds, 'SOPInstanceUID', '2.25.12345');
  put(ds, 'PatientName', 'Østergaard^Åse');
  put(ds, 'PatientID', '0101701234');
  put(ds, 'StudyDate', '20240131');
  put(ds, 'StudyTime', '083000.123456');
  put(ds, 'ImageType', ['ORIGINAL', 'PRIMARY', 'AXIAL']);
  put(ds, 'ImagePositionPatient', [-191.6259765625, -191.62597656251, -123.5]);
  put(ds, 'InstanceNumber', 7);
  put(ds, 'Rows', 2);
  put(ds, 'Columns', 2);
  put(ds, 'FrameIncrementPointer', [0x00181063]);
  const ref: DicomDataset = {};
  put(ref, 'ReferencedSOPClassUID', '1.2.840.10008.5.1.4.1.1.2');
  put(ref, 'ReferencedSOPInstanceUID', '2.25.999');
  put(ds, 'ReferencedImageSequence', [ref]);
  put(ds, 'PixelData', new Uint8Array(Uint16Array.of(1, 2, 3, 4000).buffer), 'OW');
  return ds;
}

describe('Part-10 writer', () => {
  it('writes a file DCMTK parses without complaint, with our implementation identity', () => {
    const file = join(tmp.path, 'a.dcm');
    writeFileSync(file, writePart10(sample(), { charset: 'ISO_IR 100', implementation: { classUid: '2.25.42', versionName: 'TESTPACS_1' }, sourceAeTitle: 'RHCT01' }));
    const strict = dcmdump(file, '-dc', '-E');
    assert.equal(strict.status, 0, strict.stderr);
    assert.deepEqual(problems(strict), []);
    const out = dcmdump(file).stdout;
    assert.match(out, /\(0002,0012\) UI \[2\.25\.42\]/);
    assert.match(out, /\(0002,0013\) SH \[TESTPACS_1\]/);
    assert.match(out, /\(0002,0016\) AE \[RHCT01\]/);
    assert.match(out, /\(0008,0005\) CS \[ISO_IR 192\]/, '+U8 relabels after converting from ISO_IR 100');
    assert.match(out, /Østergaard\^Åse/);
    assert.match(out, /\(0028,0009\) AT \(0018,1063\)/);
    assert.match(out, /\(0008,1155\) UI \[2\.25\.999\]/);
    assert.doesNotMatch(out, /dcmjs/i);
    const raw = readFileSync(file);
    assert.equal(raw.subarray(128, 132).toString('latin1'), 'DICM');
    assert.ok(raw.includes(Buffer.from('ISO_IR 100')));
  });

  it('round-trips through dcmjs', () => {
    const bytes = writePart10(sample(), { charset: 'ISO_IR 100' });
    const back = readPart10(bytes).dataset;
    assert.equal(getString(back, 'PatientName'), 'Østergaard^Åse');
    assert.equal(getString(back, 'StudyTime'), '083000.123456');
    const ipp = back['00200032']?.Value as number[];
    assert.equal(ipp.length, 3);
    assert.ok(Math.abs((ipp[1] as number) + 191.62597656251) < 1e-9);
    const seq = back['00081140']?.Value as DicomDataset[];
    assert.equal(getString(seq[0]!, 'ReferencedSOPInstanceUID'), '2.25.999');
  });

  it('is a pure function of its input', () => {
    assert.deepEqual(writePart10(sample(), { charset: 'ISO_IR 192' }), writePart10(sample(), { charset: 'ISO_IR 192' }));
  });

  it('keeps decimal strings within 16 characters', () => {
    for (const n of [0.1 + 0.2, -191.62597656251, 1e-7, 123456789.12345679, -0.000123456789]) {
      const s = formatDS(n);
      assert.ok(s.length <= 16, s);
      assert.ok(Math.abs(Number(s) - n) <= Math.abs(n) * 1e-9 + 1e-12, `${s} vs ${n}`);
    }
  });

  it('refuses values that break their VR', () => {
    const ds = sample();
    put(ds, 'StudyDate', '2024-01-31');
    assert.throws(() => writePart10(ds, { charset: 'ISO_IR 100' }), DicomWriteError);
    const ds2 = sample();
    putTag(ds2, '00100020', 'LO', 'x'.repeat(65));
    assert.throws(() => writePart10(ds2, { charset: 'ISO_IR 100' }), DicomWriteError);
  });

  it('labels data read from implicit VR files as the explicit VR it writes, and refuses big endian', () => {
    const file = join(tmp.path, 'implicit.dcm');
    writeFileSync(file, writePart10(sample(), { charset: 'ISO_IR 100', transferSyntaxUid: '1.2.840.10008.1.2' }));
    const dump = dcmdump(file);
    assert.equal(dump.status, 0, dump.stderr);
    assert.deepEqual(problems(dump), []);
    assert.match(dump.stdout, /\(0002,0010\) UI =LittleEndianExplicit/);
    assert.throws(() => writePart10(sample(), { charset: 'ISO_IR 100', transferSyntaxUid: '1.2.840.10008.1.2.2' }), DicomWriteError);
  });

  it('writes encapsulated pixel data when given a compressed transfer syntax', () => {
    const ds = sample();
    ds['7FE00010'] = { vr: 'OB', Value: [new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 1]).buffer] };
    const file = join(tmp.path, 'encap.dcm');
    writeFileSync(file, writePart10(ds, { charset: 'ISO_IR 100', transferSyntaxUid: '1.2.840.10008.1.2.4.50' }));
    const dump = dcmdump(file);
    assert.equal(dump.status, 0, dump.stderr);
    assert.match(dump.stdout, /PixelSequence/);
    assert.match(dump.stdout, /pi 00\\00|\(fffe,e000\) pi/);
  });
});
