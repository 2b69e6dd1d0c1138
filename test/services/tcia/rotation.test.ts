/**
 * The rotation surface with a running DICOM listener: the first rotation at start replaces the synthetic
 * archive; DCMTK's findscu then sees only the new Danish patients, and every object getscu retrieves is free
 * of TCIA tells. Without a reachable NBIA the sensor keeps serving and says why in one line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { AppContext } from '../../../src/app/context.ts';
import type { DecoyData } from '../../../src/app/decoyData.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import type { HawkEvent } from '../../../src/core/events/catalogue.ts';
import { openDb } from '../../../src/core/storage/db.ts';
import { HoneytokenRegistry } from '../../../src/domain/honeytokens/registry.ts';
import { Quarantine } from '../../../src/domain/quarantine/quarantine.ts';
import { loadPersona } from '../../../src/domain/dicom/persona.ts';
import { dimseServices } from '../../../src/services/dimse/surface.ts';
import { startTciaRotator } from '../../../src/services/tcia/index.ts';
import { findResponses } from '../../helpers/dcmqrscp.ts';
import { run, startDimseServer, type TestServer } from '../../helpers/dimseServer.ts';
import { startFakeNbia, type FakeNbia, type FakeSeries } from '../../helpers/fakeNbia.ts';
import { dataDirWithSyntheticArchive, fakeSeries, SECRET, tellsIn, tellsOf, type DataDir } from '../../domain/tcia/helpers.ts';

function captureLog(): { log: pino.Logger; lines: () => Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      cb();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines: () => lines };
}

function context(d: DataDir, env: Record<string, string>, log: pino.Logger, server: TestServer | null): AppContext {
  const { config } = loadConfig({ env: { DATA_DIR: d.paths.root, TCIA_ACTIVATED: 'yes', MODALITIES: 'CT,MR', TCIA_STUDIES_PER_MODALITY: '1', MINIMUM_TCIA_FILES_IN_SERIE: '2', MAXIMUM_TCIA_FILES_IN_SERIE: '20', TCIA_RETRIES: '0', ...env }, cwd: d.dir });
  const db = openDb(d.paths.db);
  const data: DecoyData = { archive: d.archive, quarantine: new Quarantine(d.paths.quarantine, db, { maxBytesPerIp: 1 << 20, maxBytes: 1 << 24 }), honeytokens: new HoneytokenRegistry(db), close: () => db.close() };
  const bus = server?.bus ?? null;
  return {
    config,
    paths: d.paths,
    secrets: { installSecret: SECRET, consoleToken: 'x', jwtKey: 'y' } as AppContext['secrets'],
    bus: bus as AppContext['bus'],
    log: log as unknown as AppContext['log'],
    data: async () => data,
  };
}

describe('TCIA rotation surface', () => {
  let nbia: FakeNbia;
  let d: DataDir;
  let server: TestServer;
  let series: FakeSeries[];
  before(async () => {
    series = [fakeSeries('LIDC-IDRI', 7, 1, 1, 3), fakeSeries('LIDC-IDRI', 7, 1, 2, 2), fakeSeries('TCGA-GBM', 8, 1, 1, 2, 'MR')];
    nbia = await startFakeNbia({ series });
    d = await dataDirWithSyntheticArchive();
    const db = openDb(join(d.dir, 'q.sqlite'));
    server = await startDimseServer({ services: dimseServices({ archive: d.archive, quarantine: new Quarantine(join(d.dir, 'q'), db, { maxBytesPerIp: 1 << 20, maxBytes: 1 << 24 }), persona: loadPersona('hospital-pacs'), moveDestinations: [], uploadsVisibleToUploader: false }) });
  });
  after(async () => {
    await server?.stop();
    await nbia?.stop();
    d?.cleanup();
  });

  it('rotates at start over a synthetic archive; findscu then sees only the new Danish patients and no object carries a tell', async () => {
    const find = async (): Promise<string[]> => {
      const r = await run('findscu', ['-v', '-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', 'PatientName', '-k', 'PatientID', server.host, String(server.port)]);
      assert.equal(r.code, 0, r.stderr);
      return findResponses(r.stderr + r.stdout);
    };
    const before = await find();
    assert.deepEqual(before.length, 2);
    assert.ok(before.some((b) => b.includes('Hansen^Karen')));

    const { log, lines } = captureLog();
    const ctx = context(d, { TCIA_API_URL: nbia.url }, log, server);
    const rotator = await startTciaRotator(ctx, { client: { backoffBaseMs: 5 } });
    const report = await rotator.rotateNow(); // the one started at start
    assert.ok(report, JSON.stringify(lines()));
    assert.equal(report.studies, 2, 'one CT and one MR study');
    assert.ok(rotator.nextAt()!.getTime() > Date.now() + 6 * 86_400_000, 'next rotation a week later (default period)');

    const after = await find();
    assert.equal(after.length, 2, 'two new patients');
    for (const b of after) {
      assert.ok(!b.includes('Hansen^Karen') && !b.includes('Larsen^Peter'), 'no synthetic patient any more');
      assert.match(b, /\(0010,0010\) \[[^\]^]+\^[^\]]+\]/, `a Danish family^given name: ${b}`);
      assert.match(b, /\(0010,0020\) \[\d{10}\]/, `a CPR-style patient ID: ${b}`);
      for (const s of series) assert.deepEqual(tellsOf(s).filter((t) => b.toLowerCase().includes(t.toLowerCase())), [], b);
    }

    // Every object a client can take: retrieved with getscu, searched byte for byte.
    const out = mkdtempSync(join(tmpdir(), 'dh-getscu-'));
    try {
      for (const b of after) {
        const id = /\(0010,0020\) \[(\d+)\]/.exec(b)?.[1] ?? '';
        const g = await run('getscu', ['-P', '-k', 'QueryRetrieveLevel=PATIENT', '-k', `PatientID=${id}`, '-od', out, server.host, String(server.port)]);
        assert.equal(g.code, 0, g.stderr);
      }
      const files = readdirSync(out);
      assert.equal(files.length, report.instances, 'every served object retrieved');
      for (const f of files) for (const s of series) assert.deepEqual(tellsIn(join(out, f), tellsOf(s)), [], f);
      assert.ok(files.every((f) => !readFileSync(join(out, f)).toString('latin1').includes('Creative Commons')), 'no LICENSE text is served');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }

    const ev = server.events().filter((e: HawkEvent) => e.eventid.startsWith('dicomhawk.tcia.'));
    assert.deepEqual(ev.map((e) => e.eventid), ['dicomhawk.tcia.sync.start', 'dicomhawk.tcia.sync.done']);
    assert.equal((ev[0] as HawkEvent & { trigger: string }).trigger, 'start');
    assert.equal(ev[1]?.protocol, 'internal');
    await rotator.stop();
  });

  it('without network keeps serving the last set and says why in one line', async () => {
    const served = d.archive.generation;
    const { log, lines } = captureLog();
    const ctx = context(d, { TCIA_API_URL: 'http://127.0.0.1:9/nbia-api', TCIA_PERIOD_UNIT: 'minutes', TCIA_PERIOD: '1' }, log, server);
    const rotator = await startTciaRotator(ctx, { client: { backoffBaseMs: 5 } });
    // The last set is recent: nothing runs at start; force one.
    assert.equal(await rotator.rotateNow(), null);
    await rotator.stop();
    assert.equal(d.archive.generation, served);
    const warn = lines().filter((l) => l.level === 40);
    assert.equal(warn.length, 1);
    assert.match(warn[0]!.msg, /^TCIA rotation failed \(list: cannot reach 127\.0\.0\.1:9: .+\); still serving the TCIA set tcia-\d{8}T\d{6}Z; next attempt /);
  });
});
