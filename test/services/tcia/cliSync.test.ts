/** `dicomhawk tcia sync` as a user runs it (bin/dicomhawk.js), against a fake NBIA server on loopback. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from '../../helpers/cli.ts';
import { startFakeNbia, type FakeNbia, type FakeSeries } from '../../helpers/fakeNbia.ts';
import { fakeSeries, tellsOf, walk } from '../../domain/tcia/helpers.ts';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = startCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('dicomhawk tcia sync', () => {
  let nbia: FakeNbia;
  let dir: string;
  let series: FakeSeries[];
  let env: Record<string, string>;
  before(async () => {
    series = [fakeSeries('QIN-HEADNECK', 30, 1, 1, 3), fakeSeries('QIN-HEADNECK', 31, 1, 1, 2)];
    nbia = await startFakeNbia({ series });
    dir = mkdtempSync(join(tmpdir(), 'dh-tcia-cli-'));
    env = { DATA_DIR: join(dir, 'data'), TCIA_API_URL: nbia.url, MODALITIES: 'CT', TCIA_STUDIES_PER_MODALITY: '1', MINIMUM_TCIA_FILES_IN_SERIE: '2', SEED_PATIENTS: '0', HOME: dir };
  });
  after(async () => {
    await nbia.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--dry-run lists what it would fetch and changes nothing', async () => {
    const r = await cli(['tcia', 'sync', '--dry-run'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /CT: 2 series listed, 0 outside the image-count range, 0 of studies served before; would take 1 study, 1 series/);
    assert.match(r.stdout, /would fetch 1 series .*nothing was downloaded or changed \(dry run\)/);
    assert.equal(nbia.requests.filter((q) => q.path.endsWith('/getImage')).length, 0);
    assert.equal(existsSync(join(dir, 'data', 'archive', '.sets')), false);
  });

  it('runs one rotation and reports it; the new files are re-identified (dcmdump)', async () => {
    const r = await cli(['tcia', 'sync'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^set tcia-\d{8}T\d{6}Z in service: 1 studies, 1 series, \d objects \(/m);
    const sets = readdirSync(join(dir, 'data', 'archive', '.sets'));
    assert.equal(sets.length, 1);
    const files = walk(join(dir, 'data', 'archive', '.sets', sets[0]!));
    const dicom = files.filter((f) => f.endsWith('.dcm'));
    assert.ok(dicom.length >= 2);
    assert.equal(files.filter((f) => f.endsWith('/LICENSE')).length, 1);
    const dump = execFileSync('dcmdump', [join(dir, 'data', 'archive', '.sets', sets[0]!, dicom[0]!)], { encoding: 'latin1' });
    for (const s of series) for (const t of tellsOf(s)) assert.ok(!dump.toLowerCase().includes(t.toLowerCase()), `${t} in\n${dump}`);
    assert.doesNotMatch(dump, /\(0012,|\(0013,/, 'no de-identification or private CTP elements');
    assert.match(dump, /\(0010,0020\) LO \[\d{10}\]/);
  });

  it('fails with one clear line and exit code 1 when nothing is left to fetch', async () => {
    await cli(['tcia', 'sync'], env); // the second study
    const r = await cli(['tcia', 'sync'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dicomhawk: TCIA sync failed \(select\): no TCIA series left to fetch .*; still serving the TCIA set tcia-\d{8}T\d{6}Z\n$/);
  });
});
