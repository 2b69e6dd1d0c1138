import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPart10 } from '../../../src/domain/dataset/dicom/part10Reader.ts';
import { DEFAULT_IMPLEMENTATION, writePart10 } from '../../../src/domain/dataset/dicom/part10Writer.ts';
import type { DicomDataset } from '../../../src/domain/dataset/dicom/dataset.ts';
import { getString } from '../../../src/domain/dataset/dicom/dataset.ts';
import { ageString, daToDays } from '../../../src/domain/dataset/dicom/dates.ts';
import { createReidentifyContext, noteSourceDataset, reidentifyDataset } from '../../../src/domain/dataset/reidentify.ts';
import type { ReidentifyContext } from '../../../src/domain/dataset/reidentify.ts';
import { findDeidTells } from '../../../src/domain/dataset/deidTells.ts';
import { parseCpr } from '../../../src/domain/dataset/cpr.ts';
import { dcmdump, problems, run, tempDir } from './dcmtk.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'dataset');
const SOURCE_UID_ROOT = '1.3.6.1.4.1.14519';
const tmp = tempDir('reidentify');
let sources: DicomDataset[] = [];

before(() => {
  sources = ['deid-ct-1', 'deid-ct-2'].map((name) => {
    const out = join(tmp.path, `${name}.dcm`);
    const r = run('dump2dcm', [join(FIXTURES, `${name}.dump`), out]);
    assert.equal(r.status, 0, r.stderr);
    return readPart10(readFileSync(out)).dataset;
  });
});
after(() => tmp.remove());

function pipeline(secret: string, charset: 'ISO_IR 100' | 'ISO_IR 192' = 'ISO_IR 100'): { ctx: ReidentifyContext; outputs: DicomDataset[]; files: string[] } {
  const ctx = createReidentifyContext({ installSecret: secret, referenceDate: '20250601', charset });
  for (const ds of sources) noteSourceDataset(ctx, ds);
  const outputs = sources.map((ds) => reidentifyDataset(ds, ctx));
  const files = outputs.map((ds, i) => {
    const file = join(tmp.path, `${secret}-${i}.dcm`);
    writeFileSync(file, writePart10(ds, { charset }));
    return file;
  });
  return { ctx, outputs, files };
}

function uidsIn(dump: string): string[] {
  return [...dump.matchAll(/ UI \[([0-9.]+)\]/g)].map((m) => m[1] as string);
}

describe('re-identification of de-identified data', () => {
  it('starts from input full of de-identification tells', () => {
    const tells = findDeidTells(sources[0]!);
    const reasons = tells.map((t) => `${t.path} ${t.reason}`).join('\n');
    for (const expected of ['(0012,0062)', '(0012,0064)', '(0013,0010)', '(0013,1010)', '(0018,A001)', '(0028,0303)', '(0010,0010)', '(0008,1030)']) {
      assert.ok(reasons.includes(expected), `expected a tell at ${expected}:\n${reasons}`);
    }
  });

  it('leaves no tell behind, as DCMTK sees the written file', () => {
    const { outputs, files } = pipeline('install-a');
    for (const [i, file] of files.entries()) {
      assert.deepEqual(findDeidTells(outputs[i]!), []);
      const dump = dcmdump(file, '+L');
      assert.equal(dump.status, 0, dump.stderr);
      assert.deepEqual(problems(dump), []);
      const text = dump.stdout;
      for (const gone of ['(0012,', '(0013,', '(0009,', '(0400,', '(fffa,', '(0018,a001)', '(0028,0303)', '(0010,1000)', '(0010,4000)']) {
        assert.ok(!text.includes(gone), `${gone} survived in file ${i}`);
      }
      for (const word of [/CTP/, /LIDC/i, /IDRI/i, /anonymi[sz]ed/i, /ANONYMOUS/i, /DEIDENTIFIED/i, /\bRemoved\b/i, /TCIA/i, /POSDA/, /\[YES\]/, /MODIFIED/]) {
        assert.doesNotMatch(text, word, `${word} survived in file ${i}`);
      }
      assert.ok(!text.includes('1.3.6.1.4.1.22213'), 'the source implementation class UID is gone');
    }
  });

  it('gives one Danish identity per source patient, with dates shifted together', () => {
    const { outputs } = pipeline('install-a');
    const [a, b] = outputs as [DicomDataset, DicomDataset];
    assert.equal(getString(a, 'PatientID'), getString(b, 'PatientID'));
    assert.equal(getString(a, 'PatientName'), getString(b, 'PatientName'));
    const cpr = parseCpr(getString(a, 'PatientID'));
    assert.ok(cpr, 'PatientID is a CPR number');
    assert.equal(cpr.birthDate, getString(a, 'PatientBirthDate'));
    assert.equal(cpr.sex, 'M');
    assert.match(getString(a, 'PatientName'), /^[^^]+\^[^^]+$/);
    const d1 = getString(a, 'StudyDate');
    const d2 = getString(b, 'StudyDate');
    assert.equal(daToDays(d2) - daToDays(d1), 74, 'the 74 days between the studies survive');
    assert.ok(d2 < '20250601' && d1 > '20200101', `${d1} … ${d2} placed before the reference date`);
    assert.equal(getString(b, 'AcquisitionDateTime').slice(0, 8), d2);
    assert.equal(getString(b, 'AcquisitionDateTime').slice(8), '104512.000000', 'time of day kept');
    for (const ds of outputs) assert.equal(getString(ds, 'PatientAge'), ageString(getString(ds, 'PatientBirthDate'), getString(ds, 'StudyDate')));
    assert.ok(Number(getString(a, 'PatientAge').slice(0, 3)) >= 64, 'age follows the source age');
    for (const ds of outputs) {
      assert.match(getString(ds, 'AccessionNumber'), /^[A-Z]{2,4}\d{8}$/);
      assert.match(getString(ds, 'StudyID'), /^\d{5,6}$/);
      assert.ok(getString(ds, 'InstitutionName').length > 0);
      assert.ok(getString(ds, 'ReferringPhysicianName').includes('^'));
      assert.ok(getString(ds, 'StudyDescription').startsWith('CT'));
    }
    assert.notEqual(getString(a, 'AccessionNumber'), getString(b, 'AccessionNumber'));
  });

  it('remaps every UID, references included, the same way in every file', () => {
    const { files } = pipeline('install-a');
    const [d1, d2] = files.map((f) => dcmdump(f).stdout) as [string, string];
    for (const dump of [d1, d2]) {
      for (const uid of uidsIn(dump)) {
        assert.ok(!uid.startsWith(SOURCE_UID_ROOT), `source UID ${uid} survived`);
        assert.ok(uid.startsWith('1.2.840.10008.') || uid.startsWith('2.25.'), uid);
        assert.ok(uid.length <= 64);
      }
    }
    const first = readPart10(readFileSync(files[0]!)).dataset;
    const second = readPart10(readFileSync(files[1]!)).dataset;
    const sop1 = getString(first, 'SOPInstanceUID');
    const refImage = (second['00081140']?.Value as DicomDataset[])[0]!;
    const srcImage = (second['00082112']?.Value as DicomDataset[])[0]!;
    const refSeries = (second['00081115']?.Value as DicomDataset[])[0]!;
    assert.equal(getString(refImage, 'ReferencedSOPInstanceUID'), sop1);
    assert.equal(getString(srcImage, 'ReferencedSOPInstanceUID'), sop1);
    assert.equal(getString(refImage, 'ReferencedSOPClassUID'), '1.2.840.10008.5.1.4.1.1.2');
    assert.equal(getString(refSeries, 'SeriesInstanceUID'), getString(first, 'SeriesInstanceUID'));
    assert.equal(getString(first, 'FrameOfReferenceUID'), getString(second, 'FrameOfReferenceUID'));
    assert.notEqual(getString(first, 'StudyInstanceUID'), getString(second, 'StudyInstanceUID'));
  });

  it('is repeatable for one installation and disjoint between two', () => {
    const a1 = pipeline('install-a');
    const a2 = pipeline('install-a');
    const b = pipeline('install-b');
    assert.deepEqual(readFileSync(a1.files[0]!), readFileSync(a2.files[0]!));
    // The implementation class UID is the product's, the same everywhere; everything else must differ.
    const minted = (u: string): boolean => u.startsWith('2.25.') && u !== DEFAULT_IMPLEMENTATION.classUid;
    const uidsA = new Set(a1.files.flatMap((f) => uidsIn(dcmdump(f).stdout)).filter(minted));
    const uidsB = new Set(b.files.flatMap((f) => uidsIn(dcmdump(f).stdout)).filter(minted));
    assert.ok(uidsA.size >= 5);
    assert.ok([...uidsA].every((u) => !uidsB.has(u)), 'no shared UIDs between installations');
    assert.notEqual(getString(a1.outputs[0]!, 'PatientID'), getString(b.outputs[0]!, 'PatientID'));
  });

  it('does not modify its input', () => {
    const before = JSON.stringify(sources[0], (_k, v: unknown) => (v instanceof ArrayBuffer ? v.byteLength : v));
    pipeline('install-c');
    assert.equal(JSON.stringify(sources[0], (_k, v: unknown) => (v instanceof ArrayBuffer ? v.byteLength : v)), before);
  });

  it('writes the new identity in UTF-8 too', () => {
    const { files, outputs } = pipeline('install-a', 'ISO_IR 192');
    const dump = dcmdump(files[0]!);
    assert.deepEqual(problems(dump), []);
    assert.ok(dump.stdout.includes(getString(outputs[0]!, 'PatientName')));
  });
});
