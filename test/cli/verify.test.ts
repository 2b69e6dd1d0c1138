/**
 * `dicomhawk verify` against a seeded archive: clean → exit 0; modified, added and deleted files → each
 * reported exactly once, exit 1, events recorded once; restored when INTEGRITY_RESTORE=yes; our own import is
 * learned, never reported.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../src/core/storage/db.ts';
import { listFilesBelow, makeDicomFile } from '../helpers/dicomFiles.ts';
import { runCli } from '../helpers/cli.ts';

test('verify: each modified, added and deleted file is reported exactly once with exit 1, restored when configured; clean (after our own import) exits 0', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-verify-'));
  const archive = join(dataDir, 'archive');
  const noRestore = { DATA_DIR: dataDir, INTEGRITY_RESTORE: 'no' };
  assert.equal(runCli(['seed', '--patients', '1', '--studies', '2', '--scale', '0.1'], { DATA_DIR: dataDir }).code, 0);

  const files = listFilesBelow(archive);
  const [modified, deleted] = [files[0]!, files[files.length - 1]!];
  const original = { modified: readFileSync(join(archive, modified)), deleted: readFileSync(join(archive, deleted)) };
  appendFileSync(join(archive, modified), 'tampered');
  rmSync(join(archive, deleted));
  mkdirSync(join(archive, 'dropped'));
  writeFileSync(join(archive, 'dropped', 'payload.dcm'), 'MZ not dicom');
  const added = 'dropped/payload.dcm';

  const report = runCli(['verify'], noRestore);
  assert.equal(report.code, 1, report.stderr);
  const lines = report.stdout.trim().split('\n');
  assert.equal(lines.length, 4, report.stdout);
  for (const [change, path] of [['modified', modified], ['deleted', deleted], ['added', added]] as const) {
    assert.equal(lines.filter((l) => l.includes(path)).length, 1, `${path} reported once`);
    assert.match(lines.find((l) => l.includes(path))!, new RegExp(`^${change}\\s.*\\(${change === 'added' ? 'left in place' : 'not restored'}\\)$`));
  }
  assert.match(lines[3]!, /^3 violation\(s\) among \d+ file\(s\)/);
  assert.ok(!existsSync(join(archive, deleted)), 'INTEGRITY_RESTORE=no leaves the archive as it is');

  // With restore (the default): modified and deleted files come back byte for byte; the added one stays.
  const restoring = runCli(['verify'], { DATA_DIR: dataDir });
  assert.equal(restoring.code, 1);
  assert.equal(restoring.stdout.trim().split('\n').length, 4, restoring.stdout);
  assert.match(restoring.stdout, /^modified .* \(restored\)$/m);
  assert.match(restoring.stdout, /^deleted .* \(restored\)$/m);
  assert.match(restoring.stdout, /^added .* \(left in place\)$/m);
  assert.ok(readFileSync(join(archive, modified)).equals(original.modified));
  assert.ok(readFileSync(join(archive, deleted)).equals(original.deleted));
  assert.ok(existsSync(join(archive, added)));


  // Events: each violation once (the second run re-reported only the now-restored ones), protocol internal.
  const db = openDb(join(dataDir, 'dicomhawk.db'), { readonly: true });
  const rows = db.prepare("SELECT json FROM events WHERE eventid = 'dicomhawk.integrity.violation' ORDER BY id").pluck().all() as string[];
  db.close();
  const events = rows.map((l) => JSON.parse(l) as { path: string; change: string; restored: boolean; protocol: string; expected_sha256: string | null; actual_sha256: string | null });
  const seen = events.map((e) => `${e.change} ${e.restored} ${e.path}`);
  assert.deepEqual(seen.slice(0, 3).sort(), [`added false ${added}`, `deleted false ${deleted}`, `modified false ${modified}`]);
  assert.deepEqual(seen.slice(3).sort(), [`deleted true ${deleted}`, `modified true ${modified}`]);
  assert.ok(events.every((e) => e.protocol === 'internal'));
  assert.equal(events.find((e) => e.change === 'deleted')!.actual_sha256, null);
  assert.equal(events.find((e) => e.change === 'added')!.expected_sha256, null);
  assert.match(events.find((e) => e.change === 'modified')!.actual_sha256!, /^[0-9a-f]{64}$/);

  // The intruder's file removed and our own import added: the import is learned, never reported, and the
  // archive verifies clean (exit 0).
  rmSync(join(archive, 'dropped'), { recursive: true });
  const src = mkdtempSync(join(tmpdir(), 'dh-verify-src-'));
  makeDicomFile(src, 'x', { patientName: 'Import^One', patientId: 'IMP1', studyUid: '1.2.3.9.1', seriesUid: '1.2.3.9.1.1', sopUid: '1.2.3.9.1.1.1' });
  assert.equal(runCli(['import', src], { DATA_DIR: dataDir }).code, 0);
  const imported = runCli(['verify'], { DATA_DIR: dataDir });
  assert.equal(imported.code, 0, imported.stdout);
  assert.equal(imported.stdout, `archive intact: ${files.length + 1} file(s) match the manifest\n`);
});
