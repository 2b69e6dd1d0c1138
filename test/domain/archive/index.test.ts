import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Archive, archivePath, importFiles, safeComponent, type Progress } from '../../../src/domain/archive/index.ts';
import { allRows, dump2dcm, dumpText, PATIENTS } from '../../fixtures/archive/fixtureArchive.ts';
import { findAll, fixtureArchive, k, val, values, type TestArchive } from './helpers.ts';

const rows = allRows();
const S = PATIENTS.flatMap((p) => p.studies);

function bumpMtime(file: string, secondsAhead: number): void {
  const when = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(file, when, when);
}

describe('building and updating the index', () => {
  let t: TestArchive;
  beforeEach(async () => {
    t = await fixtureArchive();
  });
  afterEach(() => t.cleanup());

  const studyCount = (): number => findAll(t.archive, { level: 'STUDY', keys: [k('StudyInstanceUID')] }).length;
  const imageCount = (): number => findAll(t.archive, { level: 'IMAGE', relational: true, keys: [k('SOPInstanceUID')] }).length;

  it('builds once from the directory, and reports non-DICOM files with a reason', async () => {
    writeFileSync(join(t.archiveRoot, 'LICENSE'), 'Creative Commons');
    writeFileSync(join(t.archiveRoot, '.hidden'), 'ignored');
    const phases = new Set<string>();
    const report = await t.archive.rebuild({ onProgress: (p: Progress) => phases.add(p.phase) });
    assert.equal(report.added, 12);
    assert.deepEqual(report.skipped, [{ path: 'LICENSE', reason: "not a DICOM Part-10 file (16 bytes, no preamble)" }]);
    assert.deepEqual([...phases].sort(), ['index', 'scan']);
    assert.deepEqual(t.archive.stats(), { generation: report.generation, patients: 5, studies: 6, series: 8, instances: 12, uploads: 0 });
    // Unchanged files are not read again, and a known bad file is not reported again.
    const again = await t.archive.update();
    assert.deepEqual([again.added, again.updated, again.removed, again.unchanged, again.skipped.length], [0, 0, 0, 13, 0]);
  });

  it('adds a new file incrementally', async () => {
    const r = rows.find((x) => x.patient.id === '0303903456')!;
    const added = { ...r, study: { ...r.study, uid: '1.2.826.0.1.3680043.10.543.77', date: '20230303' }, series: { ...r.series, uid: '1.2.826.0.1.3680043.10.543.77.1' }, instance: { ...r.instance, sop: '1.2.826.0.1.3680043.10.543.77.1.1' } };
    dump2dcm(dumpText(added), '', join(t.archiveRoot, 'new.dcm'), 'el');
    const report = await t.archive.update();
    assert.deepEqual([report.added, report.updated, report.removed], [1, 0, 0]);
    assert.equal(studyCount(), 7);
    const p3 = findAll(t.archive, { model: 'patient-root', level: 'PATIENT', keys: [k('PatientID', r.patient.id), k('NumberOfPatientRelatedStudies'), k('NumberOfPatientRelatedInstances')] })[0]!;
    assert.deepEqual([val(p3, 'NumberOfPatientRelatedStudies'), val(p3, 'NumberOfPatientRelatedInstances')], ['2', '3']);
    assert.deepEqual(values(findAll(t.archive, { level: 'STUDY', keys: [k('StudyDate', '20230101-')] }), 'StudyDate'), ['20230303']);
  });

  it('re-indexes a modified file (by size and mtime), moving it between series', async () => {
    const r = rows[0]!; // S1, CT series, instance 1
    const file = t.files[0]!;
    const moved = { ...r, series: { ...r.series, uid: `${r.series.uid}.5`, number: 5, modality: 'SR' }, instance: { ...r.instance, number: 42 } };
    dump2dcm(dumpText(moved), r.patient.charset, file, 'el');
    bumpMtime(file, 5);
    const report = await t.archive.update();
    assert.deepEqual([report.added, report.updated, report.removed], [0, 1, 0]);
    const st = findAll(t.archive, { level: 'STUDY', keys: [k('StudyInstanceUID', r.study.uid), k('NumberOfStudyRelatedSeries'), k('NumberOfStudyRelatedInstances'), k('ModalitiesInStudy')] })[0]!;
    assert.deepEqual([val(st, 'NumberOfStudyRelatedSeries'), val(st, 'NumberOfStudyRelatedInstances'), val(st, 'ModalitiesInStudy')], ['3', '4', 'CT\\PR\\SR']);
    const img = findAll(t.archive, { level: 'IMAGE', keys: [k('StudyInstanceUID', r.study.uid), k('SeriesInstanceUID', moved.series.uid), k('InstanceNumber')] });
    assert.deepEqual(values(img, 'InstanceNumber'), ['42']);
    assert.equal(imageCount(), 12);
  });

  it('forgets removed files and empty entities; a damaged file is dropped and reported once', async () => {
    // Remove the whole of patient 5 (two series of one study).
    for (const f of t.files.filter((f) => f.includes('/p5/'))) unlinkSync(f);
    let report = await t.archive.update();
    assert.deepEqual([report.added, report.updated, report.removed], [0, 0, 2]);
    assert.equal(studyCount(), 5);
    assert.deepEqual(t.archive.stats().patients, 4);
    // Truncate a file: it leaves the index with its reason.
    const victim = t.files[1]!;
    truncateSync(victim, readFileSync(victim).length - 4);
    bumpMtime(victim, 5);
    report = await t.archive.update();
    assert.equal(report.removed, 1);
    assert.equal(report.skipped.length, 1);
    assert.match(report.skipped[0]!.reason, /^truncated: value of \(7FE0,0010\)/);
    assert.equal(imageCount(), 9);
    const s1 = findAll(t.archive, { level: 'STUDY', keys: [k('StudyInstanceUID', S[0]!.uid), k('NumberOfStudyRelatedInstances')] })[0]!;
    assert.equal(val(s1, 'NumberOfStudyRelatedInstances'), '3');
    report = await t.archive.update();
    assert.equal(report.skipped.length, 0, 'an unchanged bad file is not re-read');
    // Repaired: it comes back.
    dump2dcm(dumpText(rows[1]!), rows[1]!.patient.charset, victim, 'el');
    bumpMtime(victim, 10);
    report = await t.archive.update();
    assert.equal(report.added, 1);
    assert.equal(imageCount(), 10);
  });

  it('reports a second file with an instance already indexed', async () => {
    copyFileSync(t.files[0]!, join(t.archiveRoot, 'zz-copy.dcm'));
    const report = await t.archive.update();
    assert.equal(report.added, 0);
    assert.match(report.skipped[0]?.reason ?? '', /^duplicate SOPInstanceUID .* \(already indexed from p1\//);
  });
});

describe('atomic rebuild', () => {
  let t: TestArchive;
  beforeEach(async () => {
    t = await fixtureArchive();
  });
  afterEach(() => t.cleanup());

  it('a query running during a rebuild sees the old index to its end; the next one sees the new', async () => {
    const req = { level: 'IMAGE', relational: true, keys: [k('SOPInstanceUID'), k('PatientName')] } as const;
    const old = t.archive.generation;
    const running = t.archive.find({ ...findDefaults, ...req });
    const first = running.next();
    assert.equal(first.done, false);
    // Change the archive: drop patient 5, add nothing; rebuild while the query is suspended mid-answer.
    for (const f of t.files.filter((f) => f.includes('/p5/'))) unlinkSync(f);
    const seenDuringBuild: number[] = [];
    const report = await t.archive.rebuild({
      onProgress: (p) => {
        if (p.phase === 'index' && p.done === 1) seenDuringBuild.push(findAll(t.archive, req).length);
      },
    });
    assert.notEqual(report.generation, old);
    assert.deepEqual(seenDuringBuild, [12], 'queries during the build answer from the old generation');
    const rest = [];
    let r = running.next();
    while (!r.done) {
      rest.push(r.value);
      r = running.next();
    }
    assert.equal(rest.length + 1, 12, 'the suspended query finished on the old generation');
    assert.ok(!r.done || r.value.generation === old);
    assert.ok(rest.some((x) => val(x, 'PatientName') === 'Hoxlmy^Bo'));
    assert.equal(findAll(t.archive, req).length, 10);
    assert.equal(t.archive.generation, report.generation);
  });

  it('closes a retired generation when its last lease is released', async () => {
    const lease = t.archive.acquire();
    await t.archive.rebuild();
    assert.equal(lease.db.open, true);
    assert.equal(lease.prepare('SELECT count(*) FROM instances').pluck().get(), 12);
    lease.release();
    assert.equal(lease.db.open, false);
  });

  it('a query stopped early (C-CANCEL: return()) gives its generation back', async () => {
    const running = t.archive.find({ ...findDefaults, level: 'STUDY', keys: [k('StudyInstanceUID')] });
    assert.equal(running.next().done, false);
    const lease = t.archive.acquire();
    await t.archive.rebuild();
    lease.release();
    assert.equal(lease.db.open, true, 'still held by the suspended query');
    running.return(undefined as never);
    assert.equal(lease.db.open, false);
  });

  it('another process swapping generations is picked up on the next query', async () => {
    const other = Archive.open({ indexDir: t.indexDir, archiveRoot: t.archiveRoot, pointerCheckMs: 0 });
    try {
      assert.equal(other.generation, t.archive.generation);
      for (const f of t.files.filter((f) => f.includes('/p4/'))) unlinkSync(f);
      const report = await t.archive.rebuild();
      assert.equal(other.generation, report.generation);
      assert.equal(findAll(other, { level: 'STUDY', keys: [k('StudyInstanceUID')] }).length, 5);
    } finally {
      other.close();
    }
  });

  it('keeps the current and previous generation files only, and cleans up a dead build', async () => {
    writeFileSync(join(t.indexDir, 'index-000099.sqlite.building-999999'), 'half-built');
    await t.archive.rebuild();
    await t.archive.rebuild();
    await t.archive.rebuild();
    const reopened = Archive.open({ indexDir: t.indexDir, archiveRoot: t.archiveRoot });
    reopened.close();
    assert.equal(existsSync(join(t.indexDir, 'index-000099.sqlite.building-999999')), false);
    const gens = (await import('node:fs')).readdirSync(t.indexDir).filter((n) => /^index-\d{6}\.sqlite$/.test(n));
    assert.equal(gens.length, 2);
  });
});

const findDefaults = { model: 'study-root', requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true } as const;

describe('importFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-import-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('sanitises path components (and keeps safe UIDs as they are)', () => {
    assert.equal(safeComponent('1.2.840.10008.1'), '1.2.840.10008.1');
    assert.equal(safeComponent('0101701234'), '0101701234');
    assert.match(safeComponent('../../etc'), /^__\.\._etc_[0-9a-f]{8}$/);
    assert.match(safeComponent('P4[x]'), /^P4_x__[0-9a-f]{8}$/);
    assert.notEqual(safeComponent('a/b'), safeComponent('a_b'));
    assert.match(safeComponent(''), /^__[0-9a-f]{8}$/);
    assert.equal(archivePath('P1', '1.2', '1.2.3', '1.2.3.4'), 'P1/1.2/1.2.3/1.2.3.4.dcm');
  });

  it('copies DICOM files into the archive layout and reports what it skipped and why', async () => {
    const src = join(dir, 'incoming');
    const files = (await import('../../fixtures/archive/fixtureArchive.ts')).writeFixtureArchive(src);
    mkdirSync(join(src, 'junk'), { recursive: true });
    writeFileSync(join(src, 'junk', 'notes.txt'), 'radiology notes');
    const truncated = join(src, 'junk', 'cut.dcm');
    copyFileSync(files[0]!, truncated);
    truncateSync(truncated, readFileSync(truncated).length - 5);
    const noStudy = join(src, 'junk', 'nostudy.dcm');
    dump2dcm(dumpText(rows[0]!).replace(/^\(0020,000d\).*\n/m, ''), 'ISO_IR 100', noStudy, 'el');
    copyFileSync(files[3]!, join(src, 'zz-duplicate.dcm'));

    const archiveRoot = join(dir, 'archive');
    const seen: Progress[] = [];
    const report = await importFiles(src, archiveRoot, { onProgress: (p) => seen.push(p) });
    assert.equal(report.imported, 12);
    assert.deepEqual(
      report.skipped.map((s) => [s.path, s.reason.replace(/ at offset.*/, '').replace(/as .*/, 'as …')]),
      [
        ['junk/cut.dcm', 'truncated: value of (7FE0,0010)'],
        ['junk/nostudy.dcm', 'missing StudyInstanceUID (0020,000D)'],
        ['junk/notes.txt', 'not a DICOM Part-10 file (15 bytes, no preamble)'],
        ['zz-duplicate.dcm', 'already in the archive as …'],
      ],
    );
    assert.equal(seen.length, 16);
    assert.deepEqual(seen.at(-1), { phase: 'import', done: 16, total: 16, path: 'zz-duplicate.dcm' });
    const r = rows[0]!;
    assert.ok(report.files.includes(`${r.patient.id}/${r.study.uid}/${r.series.uid}/${r.instance.sop}.dcm`));
    assert.ok(report.files.some((f) => /^P4_x__[0-9a-f]{8}\//.test(f)));
    assert.deepEqual(readFileSync(join(archiveRoot, report.files[0]!)), readFileSync(files[0]!), 'copied byte for byte');

    const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot });
    try {
      const again = await archive.import(src);
      assert.equal(again.import.imported, 0);
      assert.equal(again.import.skipped.length, 16);
      assert.equal(again.index.added, 12);
      assert.equal(findAll(archive, { level: 'STUDY', keys: [k('StudyInstanceUID')] }).length, 6);
    } finally {
      archive.close();
    }
  });
});
