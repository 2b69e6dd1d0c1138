/**
 * A real `dicomhawk serve` on an empty DATA_DIR: it seeds the archive before the DICOM listener opens, and a
 * getscu of a token-bearing study makes `dicomhawk.honeytoken.issued` events tied to that getscu's session.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { test } from 'node:test';
import { HoneytokenRegistry } from '../../src/domain/honeytokens/registry.ts';
import { openDb } from '../../src/core/storage/db.ts';
import { startCli } from '../helpers/cli.ts';
import { run } from '../helpers/dimseServer.ts';
import { freePort, waitFor } from '../helpers/net.ts';

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

interface Ev {
  eventid: string;
  session: string;
  protocol: string;
  token?: string;
  kind?: string;
  object?: string;
  study?: string;
}

test('serve seeds an empty archive first; getscu of a token-bearing study issues its honeytokens to that session', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dh-honey-'));
  const port = await freePort();
  const env = {
    DATA_DIR: dataDir,
    DICOM_PORT: String(port),
    API_PORT: String(await freePort()),
    DICOM_SERVER_HOST: '127.0.0.1',
    PROD: 'yes',
    CONSOLE_ENABLED: 'no',
    LOG_LEVEL: 'info',
    SEED_PATIENTS: '1',
    SEED_STUDIES: '2',
    SEED_SCALE: '0.1',
    HONEYTOKEN_SHARE: '0.5',
    HONEY_URL: 'https://portal.example.dk/t',
    EVENTS_FLUSH_MS: '0',
  };
  const child = startCli(['serve'], env);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await waitFor(() => listening(port), 45_000, 100);
    // Seeded before the listener opened (the log line may reach the pipe a moment after the port opens).
    await waitFor(() => stderr.includes('"msg":"DICOM listeners started"'), 10_000, 50);
    assert.match(stderr, /"msg":"decoy archive seeded"[\s\S]*"msg":"DICOM listeners started"/);
    const registry = HoneytokenRegistry.open(join(dataDir, 'dicomhawk.db'));
    const all = registry.list({ activeOnly: true });
    registry.close();
    assert.equal(new Set(all.map((t) => t.studyInstanceUid)).size, 1, 'one of the two studies carries tokens');
    const study = all[0]!.studyInstanceUid!;
    const other = readdirSync(join(dataDir, 'archive', readdirSync(join(dataDir, 'archive'))[0]!)).find((s) => s !== study)!;

    const out = mkdtempSync(join(tmpdir(), 'dh-honey-get-'));
    const got = await run('getscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${study}`, '-od', out, '127.0.0.1', String(port)]);
    assert.equal(got.code, 0, got.stderr);
    assert.ok(readdirSync(out).some((f) => f.startsWith('PDF.')), 'the canary PDF was retrieved');
    // A study without tokens issues nothing.
    const plain = await run('getscu', ['-S', '-k', 'QueryRetrieveLevel=STUDY', '-k', `StudyInstanceUID=${other}`, '-od', out, '127.0.0.1', String(port)]);
    assert.equal(plain.code, 0, plain.stderr);

    const query = (): Ev[] => {
      const db = openDb(join(dataDir, 'dicomhawk.db'), { readonly: true });
      try {
        return (db.prepare('SELECT json FROM events ORDER BY id').pluck().all() as string[]).map((j) => JSON.parse(j) as Ev);
      } finally {
        db.close();
      }
    };
    let events: Ev[] = [];
    await waitFor(() => {
      events = query();
      return events.filter((e) => e.eventid === 'dicomhawk.dimse.get').length === 2;
    }, 15_000, 100);
    const issued = events.filter((e) => e.eventid === 'dicomhawk.honeytoken.issued');
    const getSession = events.find((e) => e.eventid === 'dicomhawk.dimse.get')!.session;
    assert.deepEqual(issued.map((e) => e.token).sort(), all.map((t) => t.token).sort(), 'every token of the study, once');
    for (const e of issued) {
      assert.equal(e.session, getSession, 'tied to the getscu session');
      assert.equal(e.protocol, 'dimse');
      assert.equal(e.study, study);
      const t = all.find((x) => x.token === e.token)!;
      assert.equal(e.kind, t.kind);
      assert.equal(e.object, t.sopInstanceUid);
    }
    assert.deepEqual(new Set(issued.map((e) => e.kind)), new Set(['pdf', 'url']));
    const reg = HoneytokenRegistry.open(join(dataDir, 'dicomhawk.db'));
    assert.deepEqual(reg.issues(all[0]!.token).map((i) => i.session), [getSession]);
    reg.close();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
});
