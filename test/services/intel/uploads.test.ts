// Uploads judged by their bytes, end to end: real DICOM listeners (C-STORE into a quarantine) on the intel surface's
// bus. The dimse.store event carries `content` (contentKind), and an executable upload raises the session's threat
// score by the documented 30 points with its reason — a file name plays no part on DIMSE.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventOf } from '../../../src/core/events/catalogue.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { openDb } from '../../../src/core/storage/db.ts';
import { Quarantine } from '../../../src/domain/quarantine/quarantine.ts';
import { loadPersona } from '../../../src/domain/dicom/persona.ts';
import { DimseListeners } from '../../../src/services/dimse/server/listener.ts';
import { ServiceRegistry } from '../../../src/services/dimse/services/registry.ts';
import { echoService } from '../../../src/services/dimse/services/echo.ts';
import { storeService } from '../../../src/services/dimse/services/store.ts';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { run, TEST_LIMITS } from '../../helpers/dimseServer.ts';
import { waitFor } from '../../helpers/net.ts';
import type { Harness } from './harness.ts';
import { startIntel } from './harness.ts';
import { rawStore } from './rawDicom.ts';

type Store = EventOf<'dicomhawk.dimse.store'>;
type Score = EventOf<'dicomhawk.score.update'>;

/** A 64-bit ELF header of an x86-64 executable, with some code-like bytes after it. */
function elfExecutable(): Buffer {
  const b = Buffer.alloc(256, 0x90);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0);
  b.writeUInt16LE(2, 16);
  b.writeUInt16LE(0x3e, 18);
  b.writeUInt32LE(1, 20);
  return b;
}

describe('C-STORE uploads judged by content, scored by the intel surface', () => {
  let h: Harness;
  let listeners: DimseListeners;
  let port = 0;
  const dir = mkdtempSync(join(tmpdir(), 'dh-intel-upload-'));
  const stores = (ip: string): Store[] => h.events().filter((e): e is Store => e.eventid === 'dicomhawk.dimse.store' && e.src_ip === ip);
  const lastScore = (session: string): Score | undefined => h.events().filter((e): e is Score => e.eventid === 'dicomhawk.score.update' && e.session === session).at(-1);

  before(async () => {
    h = await startIntel({ SCANNER_LISTS: 'none' });
    const quarantine = new Quarantine(join(dir, 'quarantine'), openDb(join(dir, 'q.db')), { maxBytesPerIp: 1 << 24, maxBytes: 1 << 30 });
    listeners = new DimseListeners({
      host: '127.0.0.1', ports: [0], proxyProtocol: false, persona: loadPersona('hospital-pacs'), aeTitle: 'PACS', limits: TEST_LIMITS,
      services: new ServiceRegistry([echoService, storeService({ quarantine })]), bus: h.bus, diag: silentLogger(),
    });
    await listeners.start();
    port = listeners.boundPorts[0]!;
  });
  after(async () => {
    await listeners?.stop();
    await h?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('storescu (DCMTK) of a real CT image: content is a DICOM data set, nothing executable, no bonus', async () => {
    const file = makeDicomFile(dir, 'ct', { patientName: 'Upload^Plain', patientId: 'U1', studyUid: '1.2.3.9', seriesUid: '1.2.3.9.1', sopUid: '1.2.3.9.1.1' });
    const r = await run('storescu', ['127.0.0.1', String(port), file]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => stores('127.0.0.1').length === 1 && lastScore(stores('127.0.0.1')[0]!.session) !== undefined);
    const e = stores('127.0.0.1')[0]!;
    assert.equal(e.status, 0);
    assert.deepEqual(e.content, { kind: 'dicom-dataset', polyglot: false, embedded: null, executable: false });
    const s = lastScore(e.session)!;
    assert.ok(s.reasons.includes('+60 deepest interaction: C-STORE upload'), s.reasons.join('\n'));
    assert.ok(!s.reasons.some((x) => x.includes('executable/polyglot')));
  });

  test('an ELF program pushed as a C-STORE data set: kept as evidence, flagged executable, +30 to the threat score', async () => {
    await rawStore(port, '127.0.0.9', elfExecutable());
    await waitFor(() => stores('127.0.0.9').length === 1);
    const e = stores('127.0.0.9')[0]!;
    assert.deepEqual(e.content, { kind: 'elf', polyglot: false, embedded: null, executable: true });
    assert.equal(e.status, 0xc000, 'not a data set our walker can read: Cannot understand');
    assert.ok(e.sha256 && e.quarantine_id === e.sha256, 'the bytes are in the quarantine');
    await waitFor(() => lastScore(e.session)?.reasons.includes('+30 executable/polyglot uploaded (×1)') === true);
    const s = lastScore(e.session)!;
    assert.equal(s.threat_score, 90, s.reasons.join('\n'));
  });

  test('a whole Part 10 file sent as the data set with the PE/DICOM polyglot preamble is caught too', async () => {
    const file = makeDicomFile(dir, 'poly', { patientName: 'Upload^Poly', patientId: 'U2', studyUid: '1.2.3.8', seriesUid: '1.2.3.8.1', sopUid: '1.2.3.8.1.1' });
    const bytes = readFileSync(file);
    bytes.write('MZ', 0, 'latin1');
    bytes.writeUInt32LE(0x40, 0x3c);
    bytes.write('PE\0\0', 0x40, 'latin1');
    await rawStore(port, '127.0.0.10', bytes);
    await waitFor(() => stores('127.0.0.10').length === 1);
    assert.deepEqual(stores('127.0.0.10')[0]!.content, { kind: 'dicom', polyglot: true, embedded: 'pe', executable: true });
  });
});
