/**
 * `dicomhawk seed` as a user runs it: deterministic per install secret and seed, refuses a non-empty
 * archive without --force, every file parses in DCMTK, canary PDFs come back out of dcm2pdf byte for byte,
 * and honey URLs sit in RetrieveURL of the objects the registry names.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { before, describe, test } from 'node:test';
import { HoneytokenRegistry, type StoredHoneytoken } from '../../src/domain/honeytokens/registry.ts';
import { replanArchive } from '../../src/domain/honeytokens/plant.ts';
import { defaultCanaryPdf } from '../../src/domain/dataset/honeytokens/canaryPdf.ts';
import { buildMinimalPdf } from '../../src/domain/dataset/honeytokens/minimalPdf.ts';
import { UidFactory } from '../../src/domain/dataset/uids.ts';
import { runCli } from '../helpers/cli.ts';
import { loadConfig } from '../../src/core/config/load.ts';
import { silentLogger } from '../../src/core/log.ts';
import { dataPaths } from '../../src/core/storage/dataDir.ts';
import { ensureSeeded, seedArchive, SeedInputError } from '../../src/app/seed.ts';
import { listFilesBelow } from '../helpers/dicomFiles.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'dh-seed-'));
const HONEY = 'http://honey.example.dk:8080/t';
const ARGS = ['seed', '--patients', '2', '--studies', '1-2', '--scale', '0.1', '--seed', 'test-seed', '--date', '20250601'];

function tokens(dataDir: string): StoredHoneytoken[] {
  const r = HoneytokenRegistry.open(join(dataDir, 'dicomhawk.db'));
  try {
    return r.list({ activeOnly: true });
  } finally {
    r.close();
  }
}

function tool(cmd: string, args: string[]): { status: number; out: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function seed(dataDir: string, env: Record<string, string> = {}, extra: string[] = []) {
  const r = runCli([...ARGS, ...extra], { DATA_DIR: dataDir, HONEY_URL: HONEY, HONEYTOKEN_SHARE: '0.5', ...env });
  assert.equal(r.code, 0, r.stderr);
  return r;
}

const a = tmp();
const b = tmp();
const c = tmp();
// An operator's canary PDF (as canarytokens.org would make one), used in the third installation.
const template = buildMinimalPdf({ title: 'Epikrise', lines: ['canarytokens.org template'], canaryUrl: 'http://canarytokens.com/abc/xyz/index.html', creationDate: "D:20240312093000+01'00'" });
before(() => {
  seed(a);
  // Same install secret in another DATA_DIR.
  mkdirSync(b, { recursive: true });
  copyFileSync(join(a, 'secrets.json'), join(b, 'secrets.json'));
  seed(b);
  writeFileSync(join(c, 'canary.pdf'), template);
  seed(c, { CANARY_PDF: join(c, 'canary.pdf'), HONEYTOKEN_SHARE: '1' });
});

describe('dicomhawk seed', () => {
  test('the same install secret and seed give the same archive, byte for byte; another secret gives other UIDs', () => {
    const filesA = listFilesBelow(join(a, 'archive'));
    assert.ok(filesA.length >= 4, `${filesA.length} files`);
    assert.deepEqual(listFilesBelow(join(b, 'archive')), filesA);
    for (const f of filesA) assert.ok(readFileSync(join(a, 'archive', f)).equals(readFileSync(join(b, 'archive', f))), f);
    const uids = (files: string[]) => new Set(files.flatMap((f) => f.replace(/\.dcm$/, '').split('/').slice(1)));
    const uidsA = uids(filesA);
    const uidsC = uids(listFilesBelow(join(c, 'archive')));
    assert.ok(uidsC.size > 0);
    for (const u of uidsC) assert.ok(!uidsA.has(u), `UID ${u} appears in two installations`);
    // The same tokens (listed by creation time, which differs between the two runs: compare them sorted).
    assert.deepEqual(tokens(a).map((t) => t.token).sort(), tokens(b).map((t) => t.token).sort());
  });

  test('refuses a non-empty archive without --force; --force regenerates it identically', () => {
    const before = listFilesBelow(join(a, 'archive'));
    const refused = runCli(ARGS, { DATA_DIR: a, HONEY_URL: HONEY, HONEYTOKEN_SHARE: '0.5' });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^dicomhawk: .*archive already holds \d+ file\(s\); pass --force to replace the archive/);
    assert.deepEqual(listFilesBelow(join(a, 'archive')), before);
    const forced = seed(a, {}, ['--force', '--json']);
    const report = JSON.parse(forced.stdout) as { instances: number; manifest: { files: number } };
    assert.equal(report.instances, before.length);
    assert.equal(report.manifest.files, before.length);
    for (const f of listFilesBelow(join(a, 'archive'))) assert.ok(readFileSync(join(a, 'archive', f)).equals(readFileSync(join(b, 'archive', f))), f);
  });

  test('dcmdump parses every generated file without a warning', () => {
    const files = listFilesBelow(join(a, 'archive')).map((f) => join(a, 'archive', f));
    const r = tool('dcmdump', ['-dc', '-E', '+F', ...files]);
    assert.equal(r.status, 0, r.out.slice(0, 2000));
    assert.deepEqual(r.out.split('\n').filter((l) => /^(W|E|F):/.test(l.trim())), []);
    assert.equal(r.out.split('\n').filter((l) => l.startsWith('# dcmdump')).length, files.length);
  });

  test('honey URLs sit in RetrieveURL and ImageComments of the first image of each series of the selected studies', () => {
    const all = tokens(a);
    const urls = all.filter((t) => t.kind === 'url');
    const studies = new Set(all.map((t) => t.studyInstanceUid));
    const studiesInArchive = new Set(listFilesBelow(join(a, 'archive')).map((f) => f.split('/')[1]));
    assert.equal(studies.size, Math.max(1, Math.round(0.5 * studiesInArchive.size)), 'HONEYTOKEN_SHARE of the studies');
    assert.ok(urls.length >= studies.size);
    const carriers = new Set(urls.map((t) => t.path));
    for (const t of urls) {
      assert.equal(t.url, `${HONEY}/${t.token}`);
      assert.match(t.token, /^[0-9a-f]{24}$/);
      const dump = tool('dcmdump', ['+U8', join(a, 'archive', t.path!)]).out;
      assert.ok(dump.includes(`(0008,1190) UR [${t.url}]`), dump);
      assert.match(dump, /\(0020,4000\) LT \[Svar og tidligere undersøgelser: http:\/\/honey\.example\.dk/);
      assert.ok(t.path!.endsWith(`${t.sopInstanceUid}.dcm`));
    }
    // Only the selected objects carry one.
    for (const f of listFilesBelow(join(a, 'archive'))) {
      if (carriers.has(f)) continue;
      assert.ok(!readFileSync(join(a, 'archive', f)).includes(Buffer.from('honey.example.dk')) || all.some((t) => t.kind === 'pdf' && t.path === f), f);
    }
  });

  test('dcm2pdf extracts the default canary PDF byte for byte (the referral letter linking to HONEY_URL/<token>)', () => {
    const pdfs = tokens(a).filter((t) => t.kind === 'pdf');
    assert.ok(pdfs.length >= 1);
    const secret = (JSON.parse(readFileSync(join(a, 'secrets.json'), 'utf8')) as { installSecret: string }).installSecret;
    const plan = replanArchive({ installSecret: secret, seed: 'test-seed', modalities: ['CT', 'MR', 'US', 'DX'], patients: 2, studiesPerPatient: [1, 2], referenceDate: '20250601' });
    const synth = new UidFactory(secret, 'synth/test-seed');
    for (const t of pdfs) {
      const out = join(a, `${t.token}.pdf`);
      const r = tool('dcm2pdf', [join(a, 'archive', t.path!), out]);
      assert.equal(r.status, 0, r.out);
      const patient = plan.find((p) => p.studies.some((s) => synth.uid('patient', p.index, 'study', s.studyIndex) === t.studyInstanceUid))!;
      const study = patient.studies.find((s) => synth.uid('patient', patient.index, 'study', s.studyIndex) === t.studyInstanceUid)!;
      const description = /\(0008,1030\) LO \[([^\]]*?) *\]/.exec(tool('dcmdump', ['+U8', join(a, 'archive', t.path!)]).out)![1]!;
      const template = defaultCanaryPdf({
        patient: patient.identity,
        hospital: study.hospital.hospital,
        studyInstanceUid: t.studyInstanceUid!,
        seriesInstanceUid: '',
        sopInstanceUid: t.sopInstanceUid!,
        studyDate: study.studyDate,
        studySeconds: study.startSeconds,
        accession: study.accession,
        studyId: study.studyId,
        referring: study.referring,
        studyDescription: description,
        canaryUrl: `${HONEY}/${t.token}`,
      });
      assert.ok(readFileSync(out).equals(template), 'dcm2pdf gives back the template');
      assert.ok(template.includes(Buffer.from(`/URI (${HONEY}/${t.token})`)));
    }
  });

  test('MODALITIES without a generator: seed refuses before touching the archive; serve runs on with an empty one', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'keep.txt'), 'x');
    mkdirSync(join(dir, 'archive'));
    writeFileSync(join(dir, 'archive', 'keep.dcm'), 'existing');
    const { config } = loadConfig({ env: { DATA_DIR: dir, MODALITIES: 'MG,PT' }, cwd: dir });
    const ctx = { config, paths: dataPaths(dir), secrets: { installSecret: 'x'.repeat(64) }, log: silentLogger() };
    await assert.rejects(seedArchive(ctx, { patients: 1, studies: 1, force: true }), (err: Error) => err instanceof SeedInputError && /MODALITIES \(MG,PT\) names no modality/.test(err.message));
    assert.deepEqual(listFilesBelow(join(dir, 'archive')), ['keep.dcm']);
    const empty = tmp();
    mkdirSync(join(empty, 'archive'));
    const emptyCtx = { ...ctx, config: loadConfig({ env: { DATA_DIR: empty, MODALITIES: 'MG' }, cwd: empty }).config, paths: dataPaths(empty) };
    assert.equal(await ensureSeeded(emptyCtx), null);
    const off = { ...emptyCtx, config: { ...emptyCtx.config, seedPatients: 0, modalities: ['CT'] } };
    assert.equal(await ensureSeeded(off), null);
    assert.deepEqual(listFilesBelow(join(empty, 'archive')), []);
  });

  test('the seed settings are checked at start-up, one line per problem', () => {
    const r = runCli(['config'], { SEED_STUDIES: '3-1', SEED_SCALE: '0', HONEYTOKEN_SHARE: '1.5', SEED_PATIENTS: '-1', INTEGRITY_INTERVAL: '1s' });
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n').slice(1);
    assert.equal(lines.length, 5, r.stderr);
    assert.ok(lines.some((l) => /SEED_STUDIES="3-1": expected a whole number or a range min-max from 1 to 100/.test(l)));
    assert.ok(lines.some((l) => /SEED_SCALE="0": expected a number above 0 up to 1/.test(l)));
    assert.ok(lines.some((l) => /HONEYTOKEN_SHARE="1.5": expected a number from 0 to 1/.test(l)));
  });

  test('CANARY_PDF: an operator template is embedded as-is in every selected study and dcm2pdf gives it back byte for byte', () => {
    const pdfs = tokens(c).filter((t) => t.kind === 'pdf');
    const studies = new Set(listFilesBelow(join(c, 'archive')).map((f) => f.split('/')[1]));
    assert.equal(pdfs.length, studies.size, 'HONEYTOKEN_SHARE=1: every study');
    for (const t of pdfs) {
      assert.equal(t.url, null, 'the URL of an operator template is not ours');
      const out = join(c, `${t.token}.pdf`);
      assert.equal(tool('dcm2pdf', [join(c, 'archive', t.path!), out]).status, 0);
      assert.ok(readFileSync(out).equals(template));
    }
    const bad = runCli(['seed', '--patients', '1', '--force'], { DATA_DIR: c, CANARY_PDF: join(c, 'nope.pdf') });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /CANARY_PDF .*nope\.pdf cannot be read: ENOENT/);
  });
});
