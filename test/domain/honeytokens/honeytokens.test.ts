import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { openDb } from '../../../src/core/storage/db.ts';
import { SessionLog } from '../../../src/core/events/sessionLog.ts';
import { generateArchive } from '../../../src/domain/dataset/synth/archive.ts';
import { readPart10 } from '../../../src/domain/dataset/dicom/part10Reader.ts';
import { getString } from '../../../src/domain/dataset/dicom/dataset.ts';
import { buildMinimalPdf } from '../../../src/domain/dataset/honeytokens/minimalPdf.ts';
import { setTopLevelElements, DicomEditError } from '../../../src/domain/honeytokens/dicomEdit.ts';
import { defaultHoneyUrlBase, honeyToken, honeyUrl } from '../../../src/domain/honeytokens/tokens.ts';
import { HoneytokenRegistry } from '../../../src/domain/honeytokens/registry.ts';
import { plantHoneytokens, selectStudies } from '../../../src/domain/honeytokens/plant.ts';
import { CollectingSink } from '../../helpers/collect.ts';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'dh-honeytokens-'));

function dcmdump(file: string): { status: number; out: string } {
  const r = spawnSync('dcmdump', ['-dc', '+U8', file], { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

async function smallArchive(dir: string, seed = 'unit') {
  const g = { installSecret: 'secret-a', seed, modalities: ['DX', 'CT'], patients: 1, studiesPerPatient: 2 as const, referenceDate: '20250601' };
  const summary = await generateArchive({ ...g, outDir: dir, scale: 0.1 });
  return { g, summary };
}

describe('honeytokens', () => {
  test('tokens are keyed by secret, seed, kind and object; URLs join cleanly; the default base is the portal /t', () => {
    const t = honeyToken('s1', 'seed', 'url', '1.2.3');
    assert.match(t, /^[0-9a-f]{24}$/);
    assert.equal(honeyToken('s1', 'seed', 'url', '1.2.3'), t);
    for (const other of [honeyToken('s2', 'seed', 'url', '1.2.3'), honeyToken('s1', 'seed2', 'url', '1.2.3'), honeyToken('s1', 'seed', 'pdf', '1.2.3'), honeyToken('s1', 'seed', 'url', '1.2.4')]) assert.notEqual(other, t);
    assert.equal(honeyUrl('https://x.dk/t/', 'abc'), 'https://x.dk/t/abc');
    const lo = [{ address: '127.0.0.1', family: 'IPv4', internal: true }];
    const ifaces = { lo, eth0: [{ address: '198.51.100.7', family: 'IPv4', internal: false }] } as never;
    assert.equal(defaultHoneyUrlBase('0.0.0.0', 3000, { interfaces: ifaces }), 'http://198.51.100.7:3000/t');
    assert.equal(defaultHoneyUrlBase('203.0.113.5', 8080), 'http://203.0.113.5:8080/t');
    assert.equal(defaultHoneyUrlBase('2001:db8::1', 3000), 'http://[2001:db8::1]:3000/t');
    assert.equal(defaultHoneyUrlBase('::', 3000, { interfaces: { lo } as never, hostname: 'pacs01' }), 'http://pacs01:3000/t');
  });

  test('study selection takes the share (at least one) and depends on the secret', () => {
    const uids = Array.from({ length: 20 }, (_, i) => `1.2.${i}`);
    assert.equal(selectStudies('a', 's', uids, 0.3).length, 6);
    assert.equal(selectStudies('a', 's', uids, 0.01).length, 1);
    assert.equal(selectStudies('a', 's', uids, 0).length, 0);
    assert.equal(selectStudies('a', 's', uids, 1).length, 20);
    assert.deepEqual(selectStudies('a', 's', uids, 0.3), selectStudies('a', 's', uids, 0.3));
    assert.notDeepEqual(selectStudies('a', 's', uids, 0.3), selectStudies('b', 's', uids, 0.3));
  });

  test('setTopLevelElements splices elements in (or replaces them) and keeps every other byte', async () => {
    const dir = tmp();
    const { summary } = await smallArchive(dir);
    const f = summary.files.find((x) => x.modality === 'DX')!;
    const path = join(dir, f.path);
    const original = readFileSync(path);
    const once = setTopLevelElements(original, { '00081190': { vr: 'UR', Value: ['http://h/t/1'] }, '00204000': { vr: 'LT', Value: ['Bemærk: ø å'] } }, 'ISO_IR 100');
    writeFileSync(path, once);
    const d = dcmdump(path);
    assert.equal(d.status, 0, d.out);
    assert.deepEqual(d.out.split('\n').filter((l) => /^(W|E|F):/.test(l)), []);
    assert.match(d.out, /\(0008,1190\) UR \[http:\/\/h\/t\/1\]/);
    assert.match(d.out, /\(0020,4000\) LT \[Bemærk: ø å ?\]/);
    const ds = readPart10(once).dataset;
    assert.equal(getString(ds, 'SOPInstanceUID'), f.sopInstanceUid);
    // Replacing gives the same bytes as inserting the new value into the original.
    const twice = setTopLevelElements(once, { '00081190': { vr: 'UR', Value: ['http://h/t/22'] } }, 'ISO_IR 100');
    const direct = setTopLevelElements(original, { '00081190': { vr: 'UR', Value: ['http://h/t/22'] }, '00204000': { vr: 'LT', Value: ['Bemærk: ø å'] } }, 'ISO_IR 100');
    assert.ok(twice.equals(direct));
    // Pixel data untouched: the tail of the file is the same.
    assert.ok(once.subarray(once.length - 1000).equals(original.subarray(original.length - 1000)));
    assert.throws(() => setTopLevelElements(Buffer.from('not dicom'), {}, 'ISO_IR 100'), DicomEditError);
  });

  test('planting: canary with an odd-length operator PDF keeps its real length; URL carriers get RetrieveURL', async () => {
    const dir = tmp();
    const { g, summary } = await smallArchive(dir);
    let pdf = buildMinimalPdf({ title: 'x', lines: ['y'], creationDate: 'D:20240101000000Z' });
    pdf = Buffer.concat([pdf, Buffer.from('%')]); // odd length
    assert.equal(pdf.length % 2, 1);
    const report = await plantHoneytokens({
      archiveDir: dir,
      generated: g,
      summary,
      share: 1,
      honeyUrlBase: 'https://portal.example.dk/t',
      canaryPdf: pdf,
      charset: 'ISO_IR 100',
      implementation: { classUid: '1.2.3.4', versionName: 'TEST_1' },
    });
    assert.equal(report.studies, 2);
    assert.equal(report.canaryFiles.length, 2);
    for (const rel of report.canaryFiles) {
      const ds = readPart10(readFileSync(join(dir, rel))).dataset;
      assert.equal(getString(ds, 'EncapsulatedDocumentLength'), String(pdf.length));
      const doc = Buffer.from(ds['00420011']!.Value![0] as ArrayBuffer);
      assert.ok(doc.subarray(0, pdf.length).equals(pdf));
      assert.equal(doc.length, pdf.length + 1);
      assert.equal(getString(ds, 'PatientID'), summary.files[0]!.patientId);
    }
    const urls = report.tokens.filter((t) => t.kind === 'url');
    assert.equal(urls.length, new Set(summary.files.map((f) => f.seriesInstanceUid)).size, 'one per series');
    for (const t of urls) {
      const ds = readPart10(readFileSync(join(dir, t.path!))).dataset;
      assert.equal(getString(ds, 'RetrieveURL'), t.url);
      assert.equal(getString(ds, 'ImageComments'), `Svar og tidligere undersøgelser: ${t.url}`);
    }
    assert.ok(report.tokens.filter((t) => t.kind === 'pdf').every((t) => t.url === null));
  });

  test('the registry issues a token once per session and retires a previous seed', () => {
    const db = openDb(join(tmp(), 'db.sqlite'));
    let now = Date.parse('2025-06-01T10:00:00Z');
    const reg = new HoneytokenRegistry(db, false, () => now);
    reg.replaceActive('seed', [
      { token: 't1', kind: 'url', sopInstanceUid: '1.1', studyInstanceUid: '1', path: 'a', url: 'http://h/t/t1' },
      { token: 't2', kind: 'pdf', sopInstanceUid: '1.2', studyInstanceUid: '1', path: 'b', url: null },
    ]);
    const sink = new CollectingSink();
    const identity = (session: string) => ({ session, protocol: 'dimse' as const, src_ip: '198.51.100.9', src_port: 4000, dst_ip: '10.0.0.1', dst_port: 104 });
    const s1 = new SessionLog(sink, identity('s1'));
    assert.equal(reg.issue('1.1', s1), 't1');
    assert.equal(reg.issue('1.1', s1), 't1');
    assert.equal(reg.issue('9.9', s1), null);
    now += 1000;
    reg.issue('1.1', new SessionLog(sink, identity('s2')));
    assert.deepEqual(sink.events.map((e) => [e.eventid, e.session, (e as { token?: string }).token]), [
      ['dicomhawk.honeytoken.issued', 's1', 't1'],
      ['dicomhawk.honeytoken.issued', 's2', 't1'],
    ]);
    assert.deepEqual(sink.events[0]! as unknown as Record<string, unknown>, { ...sink.events[0]!, kind: 'url', object: '1.1', study: '1' });
    assert.deepEqual(reg.issues('t1').map((i) => [i.session, i.srcIp]), [['s1', '198.51.100.9'], ['s2', '198.51.100.9']]);
    // A new seed retires what the old one planted (kept for later triggers, no longer issued).
    const created = reg.get('t1')!.createdAt;
    now += 1000;
    reg.replaceActive('seed', [{ token: 't1', kind: 'url', sopInstanceUid: '1.1', studyInstanceUid: '1', path: 'a', url: 'http://h/t/t1' }]);
    assert.equal(reg.get('t1')!.createdAt, created, 're-registering keeps created_at');
    assert.equal(reg.get('t2')!.active, false);
    assert.equal(reg.issue('1.2', s1), null);
    assert.deepEqual(reg.list({ activeOnly: true }).map((t) => t.token), ['t1']);
    // A broken database never throws into the retrieve path.
    db.close();
    let failed = false;
    assert.equal(reg.issue('1.1', s1, () => (failed = true)), null);
    assert.ok(failed);
  });
});
