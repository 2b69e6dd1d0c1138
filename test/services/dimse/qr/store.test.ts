import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDb } from '../../../../src/core/storage/db.ts';
import { splitPart10 } from '../../../../src/domain/dicom/part10.ts';
import { Quarantine } from '../../../../src/domain/quarantine/quarantine.ts';
import { echoService } from '../../../../src/services/dimse/services/echo.ts';
import { storeService, type StoredUpload } from '../../../../src/services/dimse/services/store.ts';
import { makeDicomFile } from '../../../helpers/dicomFiles.ts';
import { run, startDimseServer, type TestServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';

describe('C-STORE into the quarantine (storescu)', () => {
  let server: TestServer;
  let quarantine: Quarantine;
  const stored: StoredUpload[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'dh-store-'));
  before(async () => {
    quarantine = new Quarantine(join(dir, 'quarantine'), openDb(join(dir, 'db.sqlite')), { maxBytesPerIp: 1500, maxBytes: 1 << 30 });
    server = await startDimseServer({ services: [echoService, storeService({ quarantine, onStored: (u) => stored.push(u) })] });
  });
  after(async () => server.stop());

  test('storescu -v -d HOST PORT file: quarantined byte for byte, hash recorded in the event', async () => {
    const file = makeDicomFile(dir, 'upload', { patientName: 'Evil^Upload', patientId: 'X1', studyUid: '1.2.3.1', seriesUid: '1.2.3.1.1', sopUid: '1.2.3.1.1.1' });
    const r = await run('storescu', ['-v', '-d', server.host, String(server.port), file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /Received Store Response[\s\S]*Success|DIMSE Status\s+: 0x0000: Success/);
    await waitFor(() => server.events().some((e) => e.eventid === 'dicomhawk.dimse.store'));
    const ev = server.events().find((e) => e.eventid === 'dicomhawk.dimse.store');
    assert.ok(ev?.eventid === 'dicomhawk.dimse.store');
    if (ev?.eventid !== 'dicomhawk.dimse.store') return;
    const original = readFileSync(file);
    const sent = original.subarray(splitPart10(original)!.datasetOffset);
    assert.equal(ev.sha256, Quarantine.sha256(sent), 'the data set as sent (storescu keeps the file transfer syntax)');
    assert.equal(ev.status, 0);
    assert.equal(ev.sop_instance, '1.2.3.1.1.1');
    assert.deepEqual(readFileSync(quarantine.pathOf(ev.sha256!)), sent);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.srcIp, '127.0.0.1');
  });

  test('past the per-IP quota the answer is 0xA700 (Out of Resources), not a silent drop', async () => {
    const files = [0, 1, 2, 3, 4, 5].map((i) => makeDicomFile(dir, `q${i}`, { patientName: 'Q^Q', patientId: `Q${i}`, studyUid: `1.9.${i}`, seriesUid: `1.9.${i}.1`, sopUid: `1.9.${i}.1.1` }));
    const r = await run('storescu', ['-v', server.host, String(server.port), ...files]);
    assert.match(r.stderr + r.stdout, /OutOfResources|Out of Resources|0xa700/i);
    await waitFor(() => server.events().some((e) => e.eventid === 'dicomhawk.dimse.store' && e.status === 0xa700));
  });
});
