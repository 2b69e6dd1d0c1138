import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openDb } from '../../../src/core/storage/db.ts';
import { checkIntegrity, hasManifest, learnManifest, pristinePath, withArchiveMaintenance, type IntegrityTarget } from '../../../src/domain/integrity/manifest.ts';

function setup(): IntegrityTarget & { write(rel: string, text: string): void; read(rel: string): string } {
  const root = mkdtempSync(join(tmpdir(), 'dh-integrity-'));
  const t = { db: join(root, 'dicomhawk.db'), archiveRoot: join(root, 'archive'), pristineRoot: join(root, 'pristine') };
  const write = (rel: string, text: string): void => {
    mkdirSync(join(t.archiveRoot, rel, '..'), { recursive: true });
    writeFileSync(join(t.archiveRoot, rel), text);
  };
  write('p1/s1/a.dcm', 'alpha');
  write('p1/s1/b.dcm', 'bravo');
  write('p2/s2/c.dcm', 'charlie');
  write('p2/s2/dup.dcm', 'alpha');
  return { ...t, write, read: (rel) => readFileSync(join(t.archiveRoot, rel), 'utf8') };
}

const summary = (r: Awaited<ReturnType<typeof checkIntegrity>>) => r.violations.map((v) => `${v.change} ${v.path} restored=${v.restored} first=${v.first}`);

describe('integrity manifest', () => {
  test('a check before any manifest is skipped; learning records every file and a content-addressed pristine copy', async () => {
    const t = setup();
    assert.equal(hasManifest(t), false);
    assert.equal((await checkIntegrity(t, { restore: true })).skipped, 'no-manifest');
    const learned = await learnManifest(t);
    assert.equal(learned.files, 4);
    assert.equal(learned.pristineWritten, 3, 'identical contents share one copy');
    assert.equal(hasManifest(t), true);
    const clean = await checkIntegrity(t, { restore: true });
    assert.equal(clean.skipped, null);
    assert.equal(clean.checked, 4);
    assert.deepEqual(clean.violations, []);
  });

  test('modified, added and deleted files are each reported once; restore brings back modified and deleted ones', async () => {
    const t = setup();
    await learnManifest(t);
    appendFileSync(join(t.archiveRoot, 'p1/s1/a.dcm'), '!');
    rmSync(join(t.archiveRoot, 'p2/s2/c.dcm'));
    t.write('p9/.hidden', 'dropped');
    const r1 = await checkIntegrity(t, { restore: false });
    assert.deepEqual(summary(r1), ['modified p1/s1/a.dcm restored=false first=true', 'deleted p2/s2/c.dcm restored=false first=true', 'added p9/.hidden restored=false first=true']);
    const a = r1.violations[0]!;
    assert.match(a.expectedSha256!, /^[0-9a-f]{64}$/);
    assert.notEqual(a.actualSha256, a.expectedSha256);
    // Unchanged since: still violations, no longer first.
    const r2 = await checkIntegrity(t, { restore: false });
    assert.deepEqual(summary(r2), ['modified p1/s1/a.dcm restored=false first=false', 'deleted p2/s2/c.dcm restored=false first=false', 'added p9/.hidden restored=false first=false']);
    // Changed again: first again.
    appendFileSync(join(t.archiveRoot, 'p1/s1/a.dcm'), '!');
    assert.equal((await checkIntegrity(t, { restore: false })).violations[0]!.first, true);
    // Restore: a restore is news; the added file stays and is not news.
    const r3 = await checkIntegrity(t, { restore: true });
    assert.deepEqual(summary(r3), ['modified p1/s1/a.dcm restored=true first=true', 'deleted p2/s2/c.dcm restored=true first=true', 'added p9/.hidden restored=false first=false']);
    assert.equal(t.read('p1/s1/a.dcm'), 'alpha');
    assert.equal(t.read('p2/s2/c.dcm'), 'charlie');
    assert.deepEqual(summary(await checkIntegrity(t, { restore: true })), ['added p9/.hidden restored=false first=false']);
    // Modified again after a restore: first again.
    writeFileSync(join(t.archiveRoot, 'p1/s1/a.dcm'), 'evil');
    assert.equal((await checkIntegrity(t, { restore: false })).violations.find((v) => v.change === 'modified')!.first, true);
  });

  test('a file replaced by a symlink is modified, by a directory deleted; both are restored; a touched pristine copy is not used', async () => {
    const t = setup();
    await learnManifest(t);
    rmSync(join(t.archiveRoot, 'p1/s1/a.dcm'));
    symlinkSync('/etc/passwd', join(t.archiveRoot, 'p1/s1/a.dcm'));
    rmSync(join(t.archiveRoot, 'p1/s1/b.dcm'));
    mkdirSync(join(t.archiveRoot, 'p1/s1/b.dcm'));
    const r = await checkIntegrity(t, { restore: true });
    assert.deepEqual(summary(r), ['modified p1/s1/a.dcm restored=true first=true', 'deleted p1/s1/b.dcm restored=true first=true']);
    assert.equal(r.violations[0]!.actualSha256, null);
    assert.equal(t.read('p1/s1/a.dcm'), 'alpha');
    assert.equal(t.read('p1/s1/b.dcm'), 'bravo');

    const sha = r.violations[1]!.expectedSha256!;
    writeFileSync(pristinePath(t, sha), 'not bravo');
    writeFileSync(join(t.archiveRoot, 'p1/s1/b.dcm'), 'evil');
    const bad = await checkIntegrity(t, { restore: true });
    assert.deepEqual(summary(bad), ['modified p1/s1/b.dcm restored=false first=true']);
    assert.equal(t.read('p1/s1/b.dcm'), 'evil');
  });

  test('our own maintenance is never reported: checks are skipped while it runs, and it re-learns the manifest', async () => {
    const t = setup();
    await learnManifest(t);
    let during: Awaited<ReturnType<typeof checkIntegrity>> | null = null;
    const { learned } = await withArchiveMaintenance(t, async () => {
      t.write('p3/s3/new.dcm', 'new');
      rmSync(join(t.archiveRoot, 'p1/s1/b.dcm'));
      during = await checkIntegrity(t, { restore: true });
    });
    assert.equal(during!.skipped, 'maintenance');
    assert.equal(existsSync(join(t.archiveRoot, 'p1/s1/b.dcm')), false, 'nothing restored during maintenance');
    assert.equal(learned.files, 4);
    assert.deepEqual((await checkIntegrity(t, { restore: true })).violations, []);
    // Pristine copies of content no longer in the archive are dropped.
    const again = await learnManifest(t);
    assert.equal(again.pristineRemoved, 0);
    rmSync(join(t.archiveRoot, 'p3'), { recursive: true });
    assert.equal((await learnManifest(t)).pristineRemoved, 1);
  });

  test('a maintenance left behind by a dead process does not block checks', async () => {
    const t = setup();
    await learnManifest(t);
    const db = openDb(t.db);
    db.prepare("INSERT OR REPLACE INTO integrity_state (key, value) VALUES ('maintenance', ?)").run(JSON.stringify({ pid: 2 ** 22 + 12345, since: Date.now() }));
    db.close();
    rmSync(join(t.archiveRoot, 'p1/s1/a.dcm'));
    const r = await checkIntegrity(t, { restore: false });
    assert.equal(r.skipped, null);
    assert.deepEqual(summary(r), ['deleted p1/s1/a.dcm restored=false first=true']);
  });
});
