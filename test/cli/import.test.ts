import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Archive } from '../../src/domain/archive/index.ts';
import { makeDicomFile } from '../helpers/dicomFiles.ts';
import { runCli } from '../helpers/cli.ts';

describe('dicomhawk import', () => {
  test('adds DICOM files recursively to the archive and index, and reports what it skipped and why', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'dh-import-data-'));
    const src = mkdtempSync(join(tmpdir(), 'dh-import-src-'));
    mkdirSync(join(src, 'nested', 'deeper'), { recursive: true });
    makeDicomFile(join(src, 'nested'), 'a', { patientName: 'Import^One', patientId: 'IMP1', studyUid: '1.2.3.5.1', seriesUid: '1.2.3.5.1.1', sopUid: '1.2.3.5.1.1.1' });
    const b = makeDicomFile(join(src, 'nested', 'deeper'), 'b', { patientName: 'Import^Two', patientId: 'IMP2', studyUid: '1.2.3.5.2', seriesUid: '1.2.3.5.2.1', sopUid: '1.2.3.5.2.1.1' });
    writeFileSync(join(src, 'readme.txt'), 'not dicom');
    writeFileSync(join(src, 'nested', 'truncated.dcm'), readFileSync(b).subarray(0, 200));
    const r = runCli(['import', '--json', src], { DATA_DIR: dataDir });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { imported: number; skipped: Array<{ path: string; reason: string }>; index: { added: number } };
    assert.equal(report.imported, 2);
    assert.equal(report.index.added, 2);
    // the dump2dcm sources left beside the files are not DICOM either
    assert.deepEqual(report.skipped.map((s) => s.path).sort(), ['nested/a.dump', 'nested/deeper/b.dump', 'nested/truncated.dcm', 'readme.txt']);
    for (const s of report.skipped) assert.ok(s.reason.length > 5, `a reason for ${s.path}`);
    const archive = Archive.open({ indexDir: join(dataDir, 'archive-index'), archiveRoot: join(dataDir, 'archive') });
    const found = [...archive.find({ model: 'patient-root', level: 'PATIENT', keys: [{ tag: '00100020', vr: 'LO', value: 'IMP*' }], requesterIp: null, retrieveAeTitle: 'PACS', relational: false, caseInsensitivePN: true })];
    assert.equal(found.length, 2);
    archive.close();
    const text = runCli(['import', src], { DATA_DIR: dataDir });
    assert.match(text.stdout, /skipped readme\.txt: /);
    assert.equal(runCli(['import', join(src, 'nope')], { DATA_DIR: dataDir }).code, 2);
  });
});
