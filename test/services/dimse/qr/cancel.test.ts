import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openDb } from '../../../../src/core/storage/db.ts';
import { Archive } from '../../../../src/domain/archive/index.ts';
import { Quarantine } from '../../../../src/domain/quarantine/quarantine.ts';
import { loadPersona } from '../../../../src/domain/dicom/persona.ts';
import { dimseServices } from '../../../../src/services/dimse/surface.ts';
import { makeManyStudies } from '../../../helpers/dicomFiles.ts';
import { run, startDimseServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';

test('C-CANCEL stops a C-FIND stream: findscu --cancel 1 over 400 studies gets a handful, then Cancel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dh-cancel-'));
  await makeManyStudies(join(dir, 'archive'), 400);
  const archive = Archive.open({ indexDir: join(dir, 'index'), archiveRoot: join(dir, 'archive') });
  await archive.ensureBuilt();
  const persona = loadPersona('hospital-pacs');
  const quarantine = new Quarantine(join(dir, 'q'), openDb(join(dir, 'db.sqlite')), { maxBytesPerIp: 1e6, maxBytes: 1e6 });
  const s = await startDimseServer({ services: dimseServices({ archive, quarantine, persona, moveDestinations: [], uploadsVisibleToUploader: false }) });
  try {
    const r = await run('findscu', ['-v', '-S', '--cancel', '1', '-k', 'QueryRetrieveLevel=STUDY', '-k', 'StudyInstanceUID', s.host, String(s.port)]);
    const got = (r.stderr.match(/Find Response: \d+ \(Pending\)/g) ?? []).length;
    assert.ok(got >= 1 && got < 400, `${got} responses after a cancel`);
    assert.match(r.stderr, /Cancel/);
    await waitFor(() => s.events().some((e) => e.eventid === 'dicomhawk.dimse.find' && e.status === 0xfe00));
    assert.ok(s.events().some((e) => e.eventid === 'dicomhawk.dimse.cancel'));
  } finally {
    await s.stop();
    archive.close();
  }
});
