import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { HawkEvent } from '../../../../src/core/events/catalogue.ts';
import { run, startDimseServer, type TestServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';

const byId = <Id extends HawkEvent['eventid']>(list: HawkEvent[], id: Id) => list.filter((e) => e.eventid === id) as Array<Extract<HawkEvent, { eventid: Id }>>;

describe('interop with DCMTK echoscu', () => {
  let server: TestServer;
  before(async () => {
    server = await startDimseServer();
  });
  after(async () => server.stop());

  for (const [calling, called] of [['ECHOSCU', 'ANY-SCP'], ['ATTACKER', 'ORTHANC'], ['X', 'WHATEVER_AE_16CH']] as const) {
    test(`echoscu -aet ${calling} -aec ${called} succeeds and the session is recorded`, async () => {
      const r = await run('echoscu', ['-v', '-aet', calling, '-aec', called, server.host, String(server.port)]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stderr + r.stdout, /Received Echo Response \(Success\)/);
      await waitFor(() => server.sessionsWhere((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === calling).some((s) => s.some((e) => e.eventid === 'dicomhawk.session.closed')));
      const [session] = server.sessionsWhere((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === calling);
      assert.deepEqual(session!.map((e) => e.eventid), [
        'dicomhawk.session.connect',
        'dicomhawk.association.request',
        'dicomhawk.association.accept',
        'dicomhawk.dimse.echo',
        'dicomhawk.association.release',
        'dicomhawk.session.closed',
      ]);
      const rq = byId(session!, 'dicomhawk.association.request')[0]!;
      assert.equal(rq.called_ae.text, called);
      assert.match(rq.impl_class_uid ?? '', /^1\.2\.276\.0\.7230010\.3\./, 'the client identity is recorded as sent');
      assert.match(rq.client_guess ?? '', /DCMTK/);
      assert.match(rq.client_fp, /^d1_[0-9a-f]{12}$/);
      assert.equal(byId(session!, 'dicomhawk.session.connect')[0]!.listener_port, server.port, 'the port really bound (the listener was asked for port 0)');
      const closed = byId(session!, 'dicomhawk.session.closed')[0]!;
      assert.equal(closed.close_reason, 'released');
      assert.ok(closed.bytes_in > 0 && closed.bytes_out > 0 && closed.pdus_in === 3 && closed.pdus_out === 3);
    });
  }

  test('the A-ASSOCIATE-AC carries the persona identity, never a library default', async () => {
    const r = await run('echoscu', ['-d', server.host, String(server.port)]);
    assert.equal(r.code, 0);
    const text = r.stderr + r.stdout;
    assert.match(text, new RegExp(`Their Implementation Class UID:\\s+${server.persona.implementation.classUid.replace(/\./g, '\\.')}`));
    assert.match(text, new RegExp(`Their Implementation Version Name:\\s+${server.persona.implementation.versionName}`));
    for (const lib of ['1.2.826.0.1.3680043.10.854', '1.2.826.0.1.3680043.9.3811', 'OFFIS_DCMTK']) {
      assert.ok(!new RegExp(`Their Implementation.*${lib}`).test(text), `library identity ${lib} on the wire`);
    }
  });

  test('same client, same fingerprint; AE titles do not change it', async () => {
    await run('echoscu', ['-aet', 'ONE', server.host, String(server.port)]);
    await run('echoscu', ['-aet', 'TWO', '-aec', 'OTHER', server.host, String(server.port)]);
    await waitFor(() => byId(server.events(), 'dicomhawk.association.request').filter((e) => ['ONE', 'TWO'].includes(e.calling_ae.text)).length === 2);
    const fps = byId(server.events(), 'dicomhawk.association.request').filter((e) => ['ONE', 'TWO'].includes(e.calling_ae.text)).map((e) => e.client_fp);
    assert.equal(fps[0], fps[1]);
  });
});

describe('interop with nmap dicom-ping and dicom-brute', () => {
  let server: TestServer;
  before(async () => {
    // nmap's DICOM scripts only run on the well-known DICOM ports; 11112 on a loopback alias avoids clashing with a running sensor.
    server = await startDimseServer({ host: '127.0.0.3', port: 11112 });
  });
  after(async () => server.stop());

  test('nmap reports a DICOM service, and both probes appear as events with AE titles and fingerprint', async () => {
    const r = await run('nmap', ['-Pn', '-n', '-p', '11112', '--script', 'dicom-ping,dicom-brute', '127.0.0.3'], 120_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /11112\/tcp\s+open\s+dicom/);
    assert.match(r.stdout, /DICOM Service Provider discovered/);
    await waitFor(() => byId(server.events(), 'dicomhawk.association.request').length >= 2);
    const rqs = byId(server.events(), 'dicomhawk.association.request');
    for (const rq of rqs) {
      assert.ok(rq.calling_ae.text.length > 0 && rq.called_ae.text.length > 0);
      assert.match(rq.client_fp, /^d1_/);
      assert.match(rq.client_guess ?? '', /nmap/);
    }
  });
});
