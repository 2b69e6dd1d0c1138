import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EventBus } from '../../../src/core/events/bus.ts';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { checkIntegrity, integrityTarget } from '../../../src/domain/integrity/manifest.ts';
import { HoneytokenRegistry } from '../../../src/domain/honeytokens/registry.ts';
import { TciaHistory } from '../../../src/domain/tcia/history.ts';
import { rotate, RotationError, servingTcia, stagingDir } from '../../../src/domain/tcia/rotation.ts';
import { LICENSE_TEXT, startFakeNbia, type FakeNbia, type FakeSeries } from '../../helpers/fakeNbia.ts';
import { dataDirWithSyntheticArchive, fakeSeries, rotationOptions, servedFiles, settings, tellsIn, tellsOf, walk, type DataDir } from './helpers.ts';

function bus(): { bus: EventBus; events: () => HawkEvent[] } {
  const seen: HawkEvent[] = [];
  const b = new EventBus({ sensor: 'test', log: silentLogger() });
  b.subscribe((e) => void seen.push(e as HawkEvent));
  return { bus: b, events: () => seen };
}

describe('TCIA rotation against a fake NBIA server', () => {
  let A: FakeSeries; // LIDC-IDRI study 1, two series
  let A2: FakeSeries;
  let B: FakeSeries; // another study
  let C: FakeSeries; // a third study
  let small: FakeSeries; // 1 image: below the minimum
  let big: FakeSeries; // listed with 500 images: above the maximum
  before(() => {
    A = fakeSeries('LIDC-IDRI', 1, 1, 1, 3);
    A2 = fakeSeries('LIDC-IDRI', 1, 1, 2, 2);
    B = fakeSeries('TCGA-LUAD', 2, 1, 1, 2);
    C = fakeSeries('NSCLC-Radiomics', 3, 1, 1, 2);
    small = fakeSeries('LIDC-IDRI', 4, 1, 1, 1);
    big = { ...fakeSeries('LIDC-IDRI', 5, 1, 1, 2), imageCount: 500 };
  });

  let nbia: FakeNbia;
  let d: DataDir;
  after(async () => {
    await nbia?.stop();
    d?.cleanup();
  });

  it('replaces the synthetic archive with re-identified TCIA studies, LICENSE beside each series and never served; no study twice', async () => {
    nbia = await startFakeNbia({ series: [A, A2, B, C, small, big] });
    d = await dataDirWithSyntheticArchive();
    const { bus: b, events } = bus();
    const synthetic = servedFiles(d.archive);
    assert.equal(servingTcia(d.archive), false);

    const r1 = await rotate(rotationOptions(d, settings(nbia.url), { events: b.internal() }));
    assert.equal(servingTcia(d.archive), true);
    assert.equal(r1.studies, 1, 'budget: one study per modality');
    const served1 = servedFiles(d.archive);
    assert.ok(served1.length >= 2);
    assert.ok(served1.every((f) => !synthetic.includes(f)), 'no synthetic file is served any more');
    // Never the series outside [min, max].
    const downloaded = nbia.requests.filter((q) => q.path.endsWith('/getImage')).map((q) => q.query.SeriesInstanceUID);
    assert.ok(!downloaded.includes(small.seriesInstanceUid) && !downloaded.includes(big.seriesInstanceUid));

    // LICENSE saved beside every served series, never indexed.
    const seriesDirs = new Set(served1.map((f) => join(f, '..')));
    for (const dir of seriesDirs) assert.equal(readFileSync(join(dir, 'LICENSE'), 'utf8'), LICENSE_TEXT);
    assert.ok(served1.every((f) => !f.endsWith('LICENSE')));

    // The integrity checker sees no change of ours.
    const check = await checkIntegrity(integrityTarget(d.paths), { restore: false });
    assert.equal(check.skipped, null);
    assert.deepEqual(check.violations, []);

    // A honey URL in the first object of the (share = 1) series, registered.
    const reg = HoneytokenRegistry.open(d.paths.db);
    const tokens = reg.list({ activeOnly: true }).filter((t) => t.origin === 'tcia');
    reg.close();
    assert.equal(tokens.length, r1.series);
    for (const t of tokens) assert.ok(readFileSync(join(d.paths.archive, t.path ?? 'missing')).toString('latin1').includes(t.url ?? 'no url'));

    const ev = events().filter((e) => e.eventid.startsWith('dicomhawk.tcia.'));
    assert.deepEqual(ev.map((e) => e.eventid), ['dicomhawk.tcia.sync.start', 'dicomhawk.tcia.sync.done']);
    const done = ev[1] as HawkEvent & { instances: number; bytes: number };
    assert.equal(done.instances, served1.length);
    assert.ok(done.bytes > 0);

    // Second rotation: another study; the first set's files are gone from disk and from the index.
    const firstStudy = r1.selected[0]?.studyInstanceUid;
    const r2 = await rotate(rotationOptions(d, settings(nbia.url)));
    assert.notEqual(r2.selected[0]?.studyInstanceUid, firstStudy);
    const served2 = servedFiles(d.archive);
    assert.ok(served2.every((f) => !served1.includes(f)));
    assert.ok(served1.every((f) => !existsSync(f)), 'the replaced set is removed');
    assert.deepEqual(readdirSync(join(d.paths.archive, '.sets')), [r2.set]);
    assert.deepEqual((await checkIntegrity(integrityTarget(d.paths), { restore: false })).violations, []);

    // Third: the last study left; fourth: nothing left → refused, archive unchanged.
    await rotate(rotationOptions(d, settings(nbia.url)));
    const history = TciaHistory.open(d.paths.db);
    assert.equal(history.servedCount(), 3);
    history.close();
    const before4 = { gen: d.archive.generation, files: servedFiles(d.archive) };
    await assert.rejects(rotate(rotationOptions(d, settings(nbia.url))), (e: unknown) => e instanceof RotationError && e.stage === 'select');
    assert.equal(d.archive.generation, before4.gen);
    assert.deepEqual(servedFiles(d.archive), before4.files);
    // No tell in any served file of any set.
    for (const f of servedFiles(d.archive)) for (const s of [A, A2, B, C]) assert.deepEqual(tellsIn(f, tellsOf(s)), [], f);
  });

  for (const mode of ['corrupt', 'truncated'] as const) {
    it(`rejects a ${mode} download without touching the served archive, and fetches it again next time`, async () => {
      const s = fakeSeries('CPTAC-CCRCC', 10, 1, 1, 3);
      const srv = await startFakeNbia({ series: [s] });
      const dd = await dataDirWithSyntheticArchive();
      try {
        srv.mode(s.seriesInstanceUid, mode, 1);
        const before = { gen: dd.archive.generation, files: servedFiles(dd.archive), disk: walk(dd.paths.archive) };
        const { bus: b, events } = bus();
        await assert.rejects(rotate(rotationOptions(dd, settings(srv.url, { tciaRetries: 0 }), { events: b.internal() })), (e: unknown) => e instanceof RotationError && /ZIP|zip/.test(e.message));
        assert.equal(dd.archive.generation, before.gen);
        assert.deepEqual(servedFiles(dd.archive), before.files);
        assert.deepEqual(walk(dd.paths.archive), before.disk, 'not one file of the archive directory changed');
        const failed = events().find((e) => e.eventid === 'dicomhawk.tcia.sync.failed') as (HawkEvent & { stage: string; serving: string }) | undefined;
        assert.equal(failed?.stage, 'build');
        assert.equal(failed?.serving, 'synthetic');
        // The next attempt resumes the same plan and downloads the series again (now intact).
        const r = await rotate(rotationOptions(dd, settings(srv.url)));
        assert.equal(r.resumed, true);
        assert.equal(r.instances, 3);
        assert.equal(srv.downloads(s.seriesInstanceUid).length, 2);
      } finally {
        await srv.stop();
        dd.cleanup();
      }
    });
  }

  it('a rotation interrupted mid-download leaves the old archive served and resumes where it stopped', async () => {
    const s1 = fakeSeries('RIDER-Lung', 20, 1, 1, 4);
    const s2 = fakeSeries('RIDER-Lung', 20, 1, 2, 3);
    const srv = await startFakeNbia({ series: [s1, s2] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      srv.mode(s2.seriesInstanceUid, 'stall', 1);
      const ctl = new AbortController();
      const before = { gen: dd.archive.generation, files: servedFiles(dd.archive), disk: walk(dd.paths.archive) };
      const running = rotate(rotationOptions(dd, settings(srv.url, { tciaTimeoutMs: 30_000, tciaConcurrency: 2 }), { signal: ctl.signal }));
      // Interrupt once s1 is complete and s2 is half-way.
      const part = join(stagingDir(dd.paths), 'current', 'downloads', `${s2.seriesInstanceUid}.zip.part`);
      const done1 = join(stagingDir(dd.paths), 'current', 'downloads', `${s1.seriesInstanceUid}.zip`);
      for (let i = 0; i < 200 && !(existsSync(done1) && existsSync(part) && readFileSync(part).length > 0); i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(existsSync(done1) && readFileSync(part).length > 0, 'one series complete, one partial');
      // Meanwhile queries see the old archive only.
      assert.deepEqual(servedFiles(dd.archive), before.files);
      ctl.abort();
      await assert.rejects(running, (e: unknown) => e instanceof RotationError && /interrupted/.test(e.message));
      assert.equal(dd.archive.generation, before.gen);
      assert.deepEqual(walk(dd.paths.archive), before.disk);

      const r = await rotate(rotationOptions(dd, settings(srv.url)));
      assert.equal(r.resumed, true);
      assert.equal(srv.downloads(s1.seriesInstanceUid).length, 1, 'the completed series is not downloaded again');
      const resumedReq = srv.downloads(s2.seriesInstanceUid).at(-1);
      assert.match(resumedReq?.range ?? '', /^bytes=\d+-$/, 'the partial download continues with a Range request');
      assert.equal(r.instances, 7);
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });

  it('without network keeps serving what is there and says why', async () => {
    const dd = await dataDirWithSyntheticArchive();
    try {
      const before = servedFiles(dd.archive);
      await assert.rejects(rotate(rotationOptions(dd, settings('http://127.0.0.1:9/nbia-api', { tciaRetries: 0 }))), (e: unknown) => e instanceof RotationError && e.stage === 'list' && /cannot reach 127\.0\.0\.1:9/.test(e.message));
      assert.deepEqual(servedFiles(dd.archive), before);
    } finally {
      dd.cleanup();
    }
  });
});

describe('TCIA rotation swap', () => {
  it('keeps the replaced set on disk while a query still holds it, and removes it after', async () => {
    const s1 = fakeSeries('HCC-TACE-Seg', 40, 1, 1, 2);
    const s2 = fakeSeries('HCC-TACE-Seg', 41, 1, 1, 2);
    const srv = await startFakeNbia({ series: [s1, s2] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      await rotate(rotationOptions(dd, settings(srv.url)));
      const oldFiles = servedFiles(dd.archive);
      const oldGen = dd.archive.generation;
      const lease = dd.archive.acquire(); // a C-GET in progress on the first set
      const running = rotate(rotationOptions(dd, settings(srv.url)));
      for (let i = 0; i < 400 && dd.archive.generation === oldGen; i++) await new Promise((r) => setTimeout(r, 10));
      assert.notEqual(dd.archive.generation, oldGen, 'the new generation is in service');
      await new Promise((r) => setTimeout(r, 200));
      assert.ok(oldFiles.every((f) => existsSync(f)), 'the held set is still readable');
      assert.equal(lease.archiveRoot, join(oldFiles[0]!.split('/.sets/')[0]!, '.sets', oldFiles[0]!.split('/.sets/')[1]!.split('/')[0]!));
      lease.release();
      await running;
      assert.ok(oldFiles.every((f) => !existsSync(f)), 'removed once released');
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });

  it('two rotations within the same second never share a set directory', async () => {
    const srv = await startFakeNbia({ series: [fakeSeries('CMMD', 70, 1, 1, 2), fakeSeries('CMMD', 71, 1, 1, 2)] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      const at = () => new Date('2026-11-28T12:00:00.000Z');
      const r1 = await rotate(rotationOptions(dd, settings(srv.url), { now: at }));
      const first = servedFiles(dd.archive);
      const r2 = await rotate(rotationOptions(dd, settings(srv.url), { now: at }));
      assert.equal(r1.set, 'tcia-20261128T120000Z');
      assert.equal(r2.set, 'tcia-20261128T120000Z-2');
      const second = servedFiles(dd.archive);
      assert.ok(second.length > 0 && second.every((f) => existsSync(f) && f.includes(`/.sets/${r2.set}/`)));
      assert.ok(first.every((f) => !existsSync(f)));
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });

  it('a forced re-seed that clears the archive directory brings the archive root back into service', async () => {
    const s = fakeSeries('Prostate-MRI', 60, 1, 1, 2);
    const srv = await startFakeNbia({ series: [s] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      const synthetic = servedFiles(dd.archive).map((f) => f.slice(dd.paths.archive.length + 1));
      await rotate(rotationOptions(dd, settings(srv.url)));
      assert.equal(servingTcia(dd.archive), true);
      // What `dicomhawk seed --force` does: clear the directory, write, rebuild without naming a root.
      const { cpSync, mkdtempSync: mk } = await import('node:fs');
      const keep = mk(join(dd.dir, 'keep-'));
      for (const rel of synthetic) cpSync(join(dd.paths.archive, rel), join(keep, rel), { recursive: true });
      rmSync(dd.paths.archive, { recursive: true, force: true });
      cpSync(keep, dd.paths.archive, { recursive: true });
      await dd.archive.rebuild();
      assert.equal(servingTcia(dd.archive), false);
      assert.deepEqual(servedFiles(dd.archive).map((f) => f.slice(dd.paths.archive.length + 1)), synthetic);
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });

  it('rolls back when the integrity manifest cannot be learned: the old archive stays in service, the new set is gone', async () => {
    const s = fakeSeries('Pancreas-CT', 50, 1, 1, 2);
    const srv = await startFakeNbia({ series: [s] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      // The pristine store cannot take the new files: a plain file sits where its directory should be.
      const { renameSync, writeFileSync } = await import('node:fs');
      renameSync(join(dd.paths.root, 'pristine'), join(dd.paths.root, 'pristine.saved'));
      writeFileSync(join(dd.paths.root, 'pristine'), 'in the way');
      const before = { gen: dd.archive.generation, files: servedFiles(dd.archive), disk: walk(dd.paths.archive) };
      await assert.rejects(rotate(rotationOptions(dd, settings(srv.url))), (e: unknown) => e instanceof RotationError && e.stage === 'swap');
      assert.equal(dd.archive.generation, before.gen);
      assert.deepEqual(servedFiles(dd.archive), before.files);
      assert.deepEqual(walk(dd.paths.archive).filter((f) => !f.startsWith('.sets')), before.disk);
      assert.deepEqual(readdirSync(join(dd.paths.archive, '.sets')), []);
      const history = TciaHistory.open(dd.paths.db);
      assert.equal(history.servedCount(), 0, 'a study of a failed rotation does not count as served');
      history.close();
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });
});

describe('TCIA listing', () => {
  it('asks collection by collection (never the whole archive at once), or only TCIA_COLLECTIONS when set', async () => {
    const srv = await startFakeNbia({ series: [fakeSeries('LIDC-IDRI', 80, 1, 1, 2), fakeSeries('TCGA-LUAD', 81, 1, 1, 2), fakeSeries('CPTAC-PDA', 82, 1, 1, 2), fakeSeries('CPTAC-PDA', 83, 1, 1, 2, 'MR')] });
    const dd = await dataDirWithSyntheticArchive();
    try {
      const dry = await rotate(rotationOptions(dd, settings(srv.url), { dryRun: true }));
      const lists = srv.requests.filter((q) => q.path.endsWith('/getSeries'));
      assert.equal(srv.requests.filter((q) => q.path.endsWith('/getCollectionValues')).length, 1);
      assert.ok(lists.length >= 1 && lists.every((q) => q.query.Collection !== undefined && q.query.Modality === 'CT'));
      assert.equal(lists.length, 1, 'the budget (1 study) is met by the first collection asked');
      assert.equal(dry.selected.length, 1);
      assert.equal(srv.requests.filter((q) => q.path.endsWith('/getImage')).length, 0, 'a dry run downloads nothing');

      const n = srv.requests.length;
      const only = await rotate(rotationOptions(dd, settings(srv.url, { tciaCollections: ['CPTAC-PDA'], modalities: ['CT', 'MR'] }), { dryRun: true }));
      const asked = srv.requests.slice(n);
      assert.deepEqual(asked.map((q) => `${q.path.split('/').pop()} ${q.query.Modality} ${q.query.Collection}`), ['getSeries CT CPTAC-PDA', 'getSeries MR CPTAC-PDA']);
      assert.deepEqual(only.selected.map((x) => x.collection), ['CPTAC-PDA', 'CPTAC-PDA']);
    } finally {
      await srv.stop();
      dd.cleanup();
    }
  });
});
