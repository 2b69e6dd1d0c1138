import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive } from '../../../src/domain/dataset/synth/archive.ts';
import type { ArchiveSummary } from '../../../src/domain/dataset/synth/archive.ts';
import { UnsupportedModalityError } from '../../../src/domain/dataset/synth/generators.ts';
import { readPart10 } from '../../../src/domain/dataset/dicom/part10Reader.ts';
import type { DicomDataset } from '../../../src/domain/dataset/dicom/dataset.ts';
import { getString, getStrings } from '../../../src/domain/dataset/dicom/dataset.ts';
import { ageString } from '../../../src/domain/dataset/dicom/dates.ts';
import { parseCpr } from '../../../src/domain/dataset/cpr.ts';
import { findDeidTells } from '../../../src/domain/dataset/deidTells.ts';
import { isValidUid } from '../../../src/domain/dataset/uids.ts';
import { dcmdump, problems, run, tempDir } from './dcmtk.ts';

const SOP_CLASS: Readonly<Record<string, readonly string[]>> = {
  CT: ['1.2.840.10008.5.1.4.1.1.2'],
  MR: ['1.2.840.10008.5.1.4.1.1.4'],
  DX: ['1.2.840.10008.5.1.4.1.1.1.1'],
  CR: ['1.2.840.10008.5.1.4.1.1.1'],
  US: ['1.2.840.10008.5.1.4.1.1.6.1', '1.2.840.10008.5.1.4.1.1.3.1'],
};

const tmp = tempDir('archive');
const outDir = join(tmp.path, 'archive');
let summary: ArchiveSummary;
const loaded = new Map<string, DicomDataset>();

before(async () => {
  summary = await generateArchive({
    outDir,
    installSecret: 'install-a',
    seed: 'archive-test',
    modalities: ['CT', 'MR', 'DX', 'US', 'CR'],
    patients: 2,
    studiesPerPatient: 3,
    scale: 0.15,
    referenceDate: '20250601',
  });
  for (const f of summary.files) loaded.set(f.path, readPart10(readFileSync(join(outDir, f.path))).dataset);
});
after(() => tmp.remove());

function datasets(modality?: string): DicomDataset[] {
  return summary.files.filter((f) => !modality || f.modality === modality).map((f) => loaded.get(f.path) as DicomDataset);
}

function num(ds: DicomDataset, keyword: string): number {
  return Number(getString(ds, keyword));
}

describe('synthetic archive', () => {
  it('writes every modality in the documented layout', () => {
    assert.equal(summary.patients, 2);
    assert.equal(summary.studies, 6);
    assert.deepEqual(new Set(summary.files.map((f) => f.modality)), new Set(['CT', 'MR', 'DX', 'US', 'CR']));
    assert.equal(summary.instances, summary.files.length);
    assert.equal(summary.bytes, summary.files.reduce((n, f) => n + f.bytes, 0));
    for (const f of summary.files) {
      assert.equal(f.path, `${f.patientId}/${f.studyInstanceUid}/${f.seriesInstanceUid}/${f.sopInstanceUid}.dcm`);
      assert.equal(statSync(join(outDir, f.path)).size, f.bytes);
      assert.ok(SOP_CLASS[f.modality]!.includes(f.sopClassUid), `${f.modality} ${f.sopClassUid}`);
      for (const uid of [f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid]) assert.ok(isValidUid(uid), uid);
    }
  });

  it('produces files DCMTK parses without warnings or errors', () => {
    // One dcmdump run over every file (each gets a "# dcmdump (n/N): file" header with +F).
    const strict = run('dcmdump', ['-dc', '-E', '+F', ...summary.files.map((f) => join(outDir, f.path))]);
    assert.equal(strict.status, 0, strict.stderr);
    assert.deepEqual(problems(strict), []);
    assert.equal(strict.stdout.split('\n').filter((l) => l.startsWith('# dcmdump')).length, summary.files.length);
  });

  it('produces images dcm2pnm renders', () => {
    const pngDir = join(tmp.path, 'png');
    run('mkdir', ['-p', pngDir]);
    const oneFilePerSeries = new Map(summary.files.map((f) => [f.seriesInstanceUid, f]));
    for (const f of oneFilePerSeries.values()) {
      const png = join(pngDir, `${f.sopInstanceUid}.png`);
      const r = run('dcm2pnm', ['+on', '+Wm', join(outDir, f.path), png]);
      assert.equal(r.status, 0, `${f.path}: ${r.stderr}`);
      assert.deepEqual(problems(r), [], f.path);
      const bytes = readFileSync(png);
      assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(bytes.length > 2000, 'not a flat image');
    }
  });

  it('carries our file meta identity and the archive character set, not dcmjs defaults', () => {
    const first = summary.files[0]!;
    const dump = dcmdump(join(outDir, first.path)).stdout;
    assert.doesNotMatch(dump, /dcmjs|2\.25\.80302813137786398554742050926734630921603366648225212145404/);
    assert.match(dump, /\(0002,0013\) SH \[IMGARCH_5_2_1\]/);
    assert.match(dump, /\(0002,0016\) AE \[[A-Z]+(CT|MR|DX|CR|US)\d\d\]/);
    const raw = readFileSync(join(outDir, first.path));
    assert.ok(raw.includes(Buffer.from('ISO_IR 100')));
    for (const ds of datasets()) assert.deepEqual(findDeidTells(ds), []);
  });

  it('keeps one Danish identity per patient across studies, with consistent ages', () => {
    const byPatient = new Map<string, Set<string>>();
    for (const ds of datasets()) {
      const id = getString(ds, 'PatientID');
      const cpr = parseCpr(id);
      assert.ok(cpr, `PatientID ${id} is a CPR number`);
      assert.equal(cpr.birthDate, getString(ds, 'PatientBirthDate'));
      assert.equal(cpr.sex, getString(ds, 'PatientSex'));
      assert.equal(getString(ds, 'PatientAge'), ageString(getString(ds, 'PatientBirthDate'), getString(ds, 'StudyDate')));
      const identity = [getString(ds, 'PatientName'), getString(ds, 'PatientBirthDate'), getString(ds, 'PatientAddress'), getString(ds, 'PatientTelephoneNumbers')].join('|');
      byPatient.set(id, (byPatient.get(id) ?? new Set()).add(identity));
    }
    assert.equal(byPatient.size, 2);
    for (const identities of byPatient.values()) assert.equal(identities.size, 1);
  });

  it('keeps dates, times and numbering coherent within each study', () => {
    const studies = new Map<string, DicomDataset[]>();
    for (const ds of datasets()) studies.set(getString(ds, 'StudyInstanceUID'), [...(studies.get(getString(ds, 'StudyInstanceUID')) ?? []), ds]);
    const accessions = new Set<string>();
    for (const members of studies.values()) {
      const study = members[0]!;
      const date = getString(study, 'StudyDate');
      assert.ok(date < '20250601' && date > '20210101', date);
      accessions.add(getString(study, 'AccessionNumber'));
      for (const ds of members) {
        for (const k of ['StudyDate', 'SeriesDate', 'AcquisitionDate', 'ContentDate', 'InstanceCreationDate']) assert.equal(getString(ds, k), date, k);
        for (const k of ['AccessionNumber', 'StudyID', 'StudyDescription', 'InstitutionName', 'ReferringPhysicianName', 'PatientID']) {
          assert.equal(getString(ds, k), getString(study, k), k);
        }
        const studyTime = num(ds, 'StudyTime');
        assert.ok(num(ds, 'SeriesTime') >= studyTime);
        assert.ok(num(ds, 'AcquisitionTime') >= num(ds, 'SeriesTime'));
        assert.ok(num(ds, 'ContentTime') >= num(ds, 'AcquisitionTime'));
        assert.match(getString(ds, 'AccessionNumber'), /^[A-Z]{2,4}\d{8}$/);
        assert.equal(getString(ds, 'AccessionNumber').slice(-8, -6), date.slice(2, 4));
        assert.match(getString(ds, 'StationName'), /^[A-Z]{2,4}(CT|MR|DX|CR|US)\d\d$/);
        for (const k of ['Manufacturer', 'ManufacturerModelName', 'InstitutionAddress', 'InstitutionalDepartmentName', 'DeviceSerialNumber', 'SoftwareVersions']) assert.ok(getString(ds, k), k);
      }
    }
    assert.equal(accessions.size, studies.size, 'one accession number per study');
  });

  it('gives CT and MR a usable image plane and CT Hounsfield units that contain anatomy', () => {
    for (const ds of [...datasets('CT'), ...datasets('MR')]) {
      assert.ok(getString(ds, 'FrameOfReferenceUID'));
      assert.equal(getStrings(ds, 'ImagePositionPatient').length, 3);
      assert.equal(getStrings(ds, 'ImageOrientationPatient').length, 6);
      assert.equal(getStrings(ds, 'PixelSpacing').length, 2);
      assert.ok(num(ds, 'SliceThickness') > 0);
      assert.ok(getString(ds, 'WindowCenter') !== '' && num(ds, 'WindowWidth') > 0);
      assert.equal(getString(ds, 'PatientPosition'), 'HFS');
    }
    const axial = datasets('CT').filter((ds) => getStrings(ds, 'ImageType').includes('AXIAL') && getString(ds, 'SeriesNumber') === '2');
    const mid = axial[Math.floor(axial.length / 2)]!;
    assert.equal(num(mid, 'RescaleIntercept'), -1024);
    const px = new Uint16Array((mid['7FE00010']!.Value![0] as ArrayBuffer).slice(0));
    const hu = Array.from(px, (v) => v - 1024);
    const share = (lo: number, hi: number): number => hu.filter((v) => v >= lo && v < hi).length / hu.length;
    assert.ok(share(-1100, -950) > 0.1, 'air around the body');
    assert.ok(share(-950, -600) > 0.03, 'lungs');
    assert.ok(share(-150, -50) > 0.01, 'fat');
    assert.ok(share(0, 120) > 0.04, 'soft tissue');
    assert.ok(share(300, 2000) > 0.002, 'bone');
    const locations = new Set(axial.map((ds) => getString(ds, 'SliceLocation')));
    assert.ok(locations.size >= 4, 'slices at different positions');
    const mr = datasets('MR');
    assert.ok(new Set(mr.map((ds) => getString(ds, 'SequenceName'))).size >= 4, 'T1, T2, FLAIR, DWI');
    for (const ds of mr) {
      assert.ok(num(ds, 'EchoTime') > 0 && num(ds, 'RepetitionTime') > 0 && num(ds, 'MagneticFieldStrength') > 0);
    }
  });

  it('gives radiographs views and ultrasound a cine loop with its region calibration', () => {
    const views = datasets('DX').map((ds) => getString(ds, 'ViewPosition'));
    assert.ok(views.includes('PA'));
    for (const ds of datasets('DX')) assert.equal(getString(ds, 'PresentationIntentType'), 'FOR PRESENTATION');
    for (const ds of datasets('CR')) assert.equal(getString(ds, 'PhotometricInterpretation'), 'MONOCHROME1');
    const us = datasets('US');
    const cine = us.filter((ds) => getString(ds, 'SOPClassUID') === '1.2.840.10008.5.1.4.1.1.3.1');
    assert.equal(cine.length, 1);
    assert.ok(num(cine[0]!, 'NumberOfFrames') >= 4);
    assert.equal(num(cine[0]!, 'FrameTime'), 40);
    for (const ds of us) assert.equal((ds['00186011']?.Value ?? []).length, 1, 'SequenceOfUltrasoundRegions');
  });

  it('refuses modalities it cannot synthesise, or skips them on request', async () => {
    await assert.rejects(
      generateArchive({ outDir: join(tmp.path, 'mg'), installSecret: 'x', seed: 'y', modalities: ['CT', 'MG', 'PT'], patients: 1, studiesPerPatient: 1, scale: 0.1 }),
      (e: unknown) => e instanceof UnsupportedModalityError && /MG, PT/.test(e.message),
    );
    assert.ok(!existsSync(join(tmp.path, 'mg')), 'nothing written before refusing');
    const skipped = await generateArchive({
      outDir: join(tmp.path, 'skip'), installSecret: 'x', seed: 'y', modalities: ['US', 'MG'], patients: 1, studiesPerPatient: 1,
      scale: 0.1, referenceDate: '20250601', onUnsupported: 'skip',
    });
    assert.deepEqual(skipped.skippedModalities, ['MG']);
    assert.ok(skipped.files.every((f) => f.modality === 'US'));
  });
});

describe('archive determinism', () => {
  async function small(secret: string, dir: string): Promise<ArchiveSummary> {
    return generateArchive({
      outDir: join(tmp.path, dir), installSecret: secret, seed: 'det', modalities: ['DX', 'US'], patients: 1, studiesPerPatient: 2,
      scale: 0.1, referenceDate: '20250601',
    });
  }

  it('repeats byte for byte for the same secret and seed, and differs for another installation', async () => {
    const a = await small('install-a', 'det-a1');
    const again = await small('install-a', 'det-a2');
    assert.deepEqual(again.files.map((f) => f.path), a.files.map((f) => f.path));
    for (const f of a.files) {
      assert.ok(readFileSync(join(tmp.path, 'det-a1', f.path)).equals(readFileSync(join(tmp.path, 'det-a2', f.path))), f.path);
    }
    const b = await small('install-b', 'det-b');
    const uidsA = new Set(a.files.flatMap((f) => [f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid]));
    assert.ok(b.files.every((f) => ![f.studyInstanceUid, f.seriesInstanceUid, f.sopInstanceUid].some((u) => uidsA.has(u))));
    const nameA = getString(readPart10(readFileSync(join(tmp.path, 'det-a1', a.files[0]!.path))).dataset, 'PatientName');
    const nameB = getString(readPart10(readFileSync(join(tmp.path, 'det-b', b.files[0]!.path))).dataset, 'PatientName');
    assert.notEqual(nameA, nameB);
    assert.notEqual(a.files[0]!.patientId, b.files[0]!.patientId);
  });
});
