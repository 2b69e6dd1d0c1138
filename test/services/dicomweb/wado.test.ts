import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { part10, splitPart10 } from '../../../src/domain/dicom/part10.ts';
import { writeIdentifier } from '../../../src/services/dimse/dataset/identifier.ts';
import { makeDicomFile } from '../../helpers/dicomFiles.ts';
import { HONEY_SOP, HONEY_TOKEN, PATIENTS, parseMultipart, startDicomweb, type DicomwebServer } from './harness.ts';

const P0 = PATIENTS[0]!;
const instanceUrl = (p: (typeof PATIENTS)[number]): string => `/studies/${p.studyUid}/series/${p.seriesUid}/instances/${p.sopUid}`;

async function get(s: DicomwebServer, path: string, accept?: string): Promise<{ status: number; type: string; body: Buffer; headers: Headers }> {
  const r = await fetch(s.base + path, { headers: accept === undefined ? {} : { accept } });
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()), headers: r.headers };
}

describe('WADO-RS', () => {
  let s: DicomwebServer;
  before(async () => {
    s = await startDicomweb();
  });
  after(async () => s.stop());

  test('a study is multipart/related application/dicom: each part is a stored file, byte for byte', async () => {
    const r = await get(s, `/studies/${P0.studyUid}`, 'multipart/related; type="application/dicom"');
    assert.equal(r.status, 200);
    assert.match(r.type, /^multipart\/related; type="application\/dicom"; boundary=/);
    const parts = parseMultipart(r.type, r.body);
    const expected = PATIENTS.filter((p) => p.studyUid === P0.studyUid);
    assert.equal(parts.length, expected.length);
    for (const part of parts) {
      assert.equal(part.headers['content-type'], 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1');
      const sop = splitPart10(part.body)!.sopInstanceUid!;
      assert.deepEqual(part.body, readFileSync(s.fileOf(sop)), sop);
    }
    assert.deepEqual(parts.map((p) => splitPart10(p.body)!.sopInstanceUid).sort(), expected.map((p) => p.sopUid).sort());
    const ev = s.eventsOf('dicomhawk.dicomweb.retrieve').at(-1)!;
    assert.equal(ev.level, 'study');
    assert.equal(ev.count, 3);
    assert.equal(ev.bytes, parts.reduce((n, p) => n + p.body.length, 0));
    assert.equal(ev.status, 200);
  });

  test('series and a single instance; no Accept header and */* get the same', async () => {
    const series = await get(s, `/studies/${P0.studyUid}/series/${P0.seriesUid}`);
    assert.equal(parseMultipart(series.type, series.body).length, 2);
    const one = await get(s, instanceUrl(P0), '*/*');
    const parts = parseMultipart(one.type, one.body);
    assert.equal(parts.length, 1);
    assert.deepEqual(parts[0]!.body, readFileSync(s.fileOf(P0.sopUid)));
    const ts = await get(s, instanceUrl(P0), 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1');
    assert.equal(ts.status, 200, 'the stored transfer syntax asked for by name');
  });

  test('Accept that we cannot honour without transcoding is 406', async () => {
    for (const accept of ['application/dicom', 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50', 'image/jpeg', 'application/zip']) {
      const r = await get(s, instanceUrl(P0), accept);
      assert.equal(r.status, 406, accept);
      assert.match(r.type, /^text\/plain/);
    }
  });

  test('unknown UIDs are 404, malformed ones 400, a series of another study 404', async () => {
    assert.equal((await get(s, '/studies/1.2.3.4.5')).status, 404);
    assert.equal((await get(s, `/studies/${P0.studyUid}/series/1.2.3`)).status, 404);
    assert.equal((await get(s, `/studies/${PATIENTS[3]!.studyUid}/series/${P0.seriesUid}`)).status, 404);
    const bad = await get(s, '/studies/1.2.*');
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /not a valid UID/);
    const ev = s.eventsOf('dicomhawk.dicomweb.retrieve').find((e) => e.status === 404)!;
    assert.deepEqual(ev.uids, ['1.2.3.4.5']);
  });

  test('metadata: DICOM JSON from the stored data sets, text in its character set, pixel data by BulkDataURI', async () => {
    const r = await get(s, `/studies/${P0.studyUid}/metadata`, 'application/dicom+json');
    assert.equal(r.status, 200);
    assert.match(r.type, /^application\/dicom\+json/);
    const list = JSON.parse(r.body.toString('utf8')) as Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>[];
    assert.equal(list.length, 3);
    const one = list.find((d) => d['00080018']?.Value?.[0] === P0.sopUid)!;
    assert.deepEqual(one['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Jensen^Søren' }] }, 'ISO_IR 100 decoded');
    assert.deepEqual(one['00280010'], { vr: 'US', Value: [4] });
    assert.deepEqual(one['00200013'], { vr: 'IS', Value: [1] });
    const uri = one['7FE00010']!.BulkDataURI!;
    assert.equal(uri, `${s.base}${instanceUrl(P0)}/bulkdata/7FE00010`);
    const bulk = await fetch(uri);
    assert.equal(bulk.status, 200);
    const parts = parseMultipart(bulk.headers.get('content-type')!, Buffer.from(await bulk.arrayBuffer()));
    assert.equal(parts[0]!.body.length, 32, '4×4 pixels of 16 bits');
    assert.equal(parts[0]!.body.readUInt16LE(2), 1);
    const utf8 = await get(s, `${instanceUrl(PATIENTS[4]!)}/metadata`);
    assert.deepEqual(JSON.parse(utf8.body.toString())[0]['00100010'], { vr: 'PN', Value: [{ Alphabetic: 'Østergaard^Mette' }] }, 'ISO_IR 192');
    assert.equal((await get(s, `/studies/${P0.studyUid}/metadata`, 'application/dicom+xml')).status, 406);
    const ev = s.eventsOf('dicomhawk.dicomweb.retrieve').find((e) => e.level === 'study_metadata')!;
    assert.equal(ev.count, 3);
  });

  test('frames: native pixel data split per frame as multipart/related application/octet-stream', async () => {
    const r = await get(s, `${instanceUrl(P0)}/frames/1`, 'multipart/related; type="application/octet-stream"');
    assert.equal(r.status, 200);
    const [frame] = parseMultipart(r.type, r.body);
    assert.equal(frame!.headers['content-type'], 'application/octet-stream');
    const file = readFileSync(s.fileOf(P0.sopUid));
    assert.deepEqual(frame!.body, file.subarray(file.length - 32), 'the 4×4×16-bit frame, as stored');
    assert.equal((await get(s, `${instanceUrl(P0)}/frames/2`)).status, 404, 'a single-frame image has no frame 2');
    const bad = await get(s, `${instanceUrl(P0)}/frames/0,x`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.toString(), /frame list/);
    assert.equal((await get(s, `${instanceUrl(P0)}/frames/1`, 'image/jpeg')).status, 406);
    assert.equal(s.eventsOf('dicomhawk.dicomweb.retrieve').filter((e) => e.level === 'frames' && e.status === 200).length, 1);
  });

  test('frames of compressed (encapsulated) pixel data: one fragment per frame, with its transfer syntax', async () => {
    const study = '1.2.826.0.1.3680043.2.44.1';
    const ts = '1.2.840.10008.1.2.4.50';
    const head = writeIdentifier(
      [
        { tag: '00080016', vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.7' },
        { tag: '00080018', vr: 'UI', value: `${study}.1.1` },
        { tag: '00100010', vr: 'PN', value: 'Jpeg^Two' },
        { tag: '00100020', vr: 'LO', value: 'JPEG2' },
        { tag: '0020000D', vr: 'UI', value: study },
        { tag: '0020000E', vr: 'UI', value: `${study}.1` },
        { tag: '00280008', vr: 'IS', value: '2' },
        { tag: '00280010', vr: 'US', value: 8 },
        { tag: '00280011', vr: 'US', value: 8 },
      ],
      '1.2.840.10008.1.2.1',
    );
    const item = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), Buffer.from(Uint32Array.of(b.length).buffer), b]);
    const f1 = Buffer.from('\xff\xd8frame-one\xff\xd9', 'latin1');
    const f2 = Buffer.from('\xff\xd8frame-two!!\xff\xd9', 'latin1');
    const pixel = Buffer.concat([
      Buffer.from([0xe0, 0x7f, 0x10, 0x00]), Buffer.from('OB'), Buffer.from([0, 0, 0xff, 0xff, 0xff, 0xff]),
      item(Buffer.alloc(0)), item(f1), item(f2), Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
    ]);
    const file = part10({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: `${study}.1.1`, transferSyntaxUid: ts, implementationClassUid: '1.2.3.4' }, Buffer.concat([head, pixel]));
    mkdirSync(join(s.archive.archiveRoot, 'enc'), { recursive: true });
    writeFileSync(join(s.archive.archiveRoot, 'enc', 'jpeg.dcm'), file);
    await s.archive.update();
    const url = `/studies/${study}/series/${study}.1/instances/${study}.1.1`;
    const r = await get(s, `${url}/frames/2,1`);
    assert.equal(r.status, 200);
    const parts = parseMultipart(r.type, r.body);
    assert.deepEqual(parts.map((p) => p.body), [f2, f1]);
    assert.equal(parts[0]!.headers['content-type'], `application/octet-stream; transfer-syntax=${ts}`);
    assert.equal((await get(s, `${url}/frames/3`)).status, 404);
    const whole = await get(s, url);
    assert.match(parseMultipart(whole.type, whole.body)[0]!.headers['content-type']!, /transfer-syntax=1\.2\.840\.10008\.1\.2\.4\.50/);
    assert.equal((await get(s, url, 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.1')).status, 406, 'no transcoding');
    const meta = JSON.parse((await get(s, `${url}/metadata`)).body.toString())[0];
    assert.equal(meta['7FE00010'].BulkDataURI, `${s.base}${url}/bulkdata/7FE00010`);
  });

  test('a C-STORE upload (a bare data set in the quarantine) comes back to its uploader as a Part-10 object', async () => {
    const file = readFileSync(makeDicomFile(s.dir, 'cstore', { patientName: 'Bare^Upload', patientId: 'BARE1', studyUid: '1.2.826.0.1.3680043.2.88.1', seriesUid: '1.2.826.0.1.3680043.2.88.1.1', sopUid: '1.2.826.0.1.3680043.2.88.1.1.1' }));
    const dataset = file.subarray(splitPart10(file)!.datasetOffset);
    const put = s.quarantine.put(dataset, { session: 's', srcIp: '127.0.0.1', channel: 'dimse', transferSyntax: '1.2.840.10008.1.2.1' });
    assert.ok(put.ok);
    const added = s.archive.addQuarantinedUpload({ ownerIp: '127.0.0.1', path: put.path, transferSyntax: '1.2.840.10008.1.2.1' });
    assert.ok(added.ok);
    const r = await get(s, '/studies/1.2.826.0.1.3680043.2.88.1');
    assert.equal(r.status, 200);
    const [part] = parseMultipart(r.type, r.body);
    const meta = splitPart10(part!.body)!;
    assert.equal(meta.sopInstanceUid, '1.2.826.0.1.3680043.2.88.1.1.1');
    assert.equal(meta.transferSyntaxUid, '1.2.840.10008.1.2.1');
    assert.deepEqual(part!.body.subarray(meta.datasetOffset), dataset, 'the data set as stored, behind a Part-10 header');
    const out = join(s.dir, 'bare-back.dcm');
    writeFileSync(out, part!.body);
    const dump = execFileSync('dcmdump', ['+P', 'PatientName', '+P', 'ImplementationClassUID', out]).toString();
    assert.match(dump, /Bare\^Upload/);
    assert.match(dump, /1\.2\.208\.176\.7\.1\.4\.2/, "the persona's implementation class UID, not a library's");
  });

  test('an object carrying a honeytoken issues it to the session that retrieved it', async () => {
    const honey = PATIENTS.find((p) => p.sopUid === HONEY_SOP)!;
    const r = await get(s, `/studies/${honey.studyUid}`);
    assert.equal(r.status, 200);
    const issued = s.eventsOf('dicomhawk.honeytoken.issued').filter((e) => e.token === HONEY_TOKEN);
    assert.equal(issued.length, 1);
    assert.equal(issued[0]!.object, HONEY_SOP);
    const retrieve = s.eventsOf('dicomhawk.dicomweb.retrieve').at(-1)!;
    assert.equal(issued[0]!.session, retrieve.session);
    assert.deepEqual(s.honeytokens.issues(HONEY_TOKEN).map((i) => i.session), [retrieve.session]);
    await get(s, `/studies/${P0.studyUid}`);
    assert.equal(s.eventsOf('dicomhawk.honeytoken.issued').length, 1, 'objects without a token issue nothing');
  });
});
