/**
 * DICOM over TLS (PS3.15 B.1): DCMTK's echoscu, built with OpenSSL on Debian, associates over the TLS listener
 * with a throwaway self-signed certificate it is told to trust; the session is recorded as `dimse-tls` and its
 * session.connect carries the negotiated protocol version and cipher.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { once } from 'node:events';
import { Duplex } from 'node:stream';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HawkEvent } from '../../../../src/core/events/catalogue.ts';
import { dcmtkEchoscuRq, releaseRqPdu } from '../../../fixtures/pdu.ts';
import { run, startDimseServer, type TestServer } from '../../../helpers/dimseServer.ts';
import { waitFor } from '../../../helpers/net.ts';
import { openRaw, pduTypes } from '../../../helpers/rawClient.ts';

const byId = <Id extends HawkEvent['eventid']>(list: HawkEvent[], id: Id) => list.filter((e) => e.eventid === id) as Array<Extract<HawkEvent, { eventid: Id }>>;

/** A self-signed certificate for CN=localhost, valid for a day, in a temporary directory. */
function throwawayCertificate(): { dir: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dh-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { dir, certFile, keyFile };
}

describe('DICOM-TLS listener', () => {
  let server: TestServer;
  let tlsPort: number;
  let cert: ReturnType<typeof throwawayCertificate>;

  before(async () => {
    cert = throwawayCertificate();
    server = await startDimseServer({ tls: { port: 0, certFile: cert.certFile, keyFile: cert.keyFile } });
    tlsPort = server.listeners.boundPorts[1]!;
    assert.ok(tlsPort > 0 && tlsPort !== server.port);
  });
  after(async () => {
    await server.stop();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  const sessionOf = (calling: string): HawkEvent[] | undefined =>
    server.sessionsWhere((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === calling).find((s) => s.some((e) => e.eventid === 'dicomhawk.session.closed'));

  test('echoscu over TLS, trusting the server certificate (+cf), succeeds and is recorded as dimse-tls with protocol and cipher', async () => {
    const r = await run('echoscu', ['-v', '+tla', '+cf', cert.certFile, '-aet', 'TLSECHO', server.host, String(tlsPort)]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr + r.stdout, /Received Echo Response \(Success\)/);
    await waitFor(() => sessionOf('TLSECHO') !== undefined);
    const session = sessionOf('TLSECHO')!;
    assert.deepEqual(session.map((e) => e.eventid), [
      'dicomhawk.session.connect',
      'dicomhawk.association.request',
      'dicomhawk.association.accept',
      'dicomhawk.dimse.echo',
      'dicomhawk.association.release',
      'dicomhawk.session.closed',
    ]);
    for (const e of session) assert.equal(e.protocol, 'dimse-tls', e.eventid);
    const connect = byId(session, 'dicomhawk.session.connect')[0]!;
    assert.ok(connect.tls, 'session.connect carries the TLS parameters');
    assert.match(connect.tls.protocol ?? '', /^TLSv1\.[23]$/);
    assert.match(connect.tls.cipher ?? '', /^(TLS_|ECDHE-|DHE-)[A-Z0-9_-]+$/);
    assert.equal(connect.tls.sni, null, 'echoscu sends no SNI');
    assert.equal(connect.proxied, undefined);
    assert.match(byId(session, 'dicomhawk.association.request')[0]!.client_guess ?? '', /DCMTK/);
    assert.equal(byId(session, 'dicomhawk.session.closed')[0]!.close_reason, 'released');
  });

  test('the plain listener alongside records protocol dimse and no tls object', async () => {
    const r = await run('echoscu', ['-aet', 'PLAINECHO', server.host, String(server.port)]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => sessionOf('PLAINECHO') !== undefined);
    const connect = byId(sessionOf('PLAINECHO')!, 'dicomhawk.session.connect')[0]!;
    assert.equal(connect.protocol, 'dimse');
    assert.equal(connect.tls, undefined);
  });

  test('plain DICOM sent to the TLS port fails the handshake, is recorded with the reason, and the listener keeps serving', async () => {
    const before = server.events().length;
    const plain = await run('echoscu', ['-to', '5', '-ta', '5', server.host, String(tlsPort)]);
    assert.notEqual(plain.code, 0);
    // Raw garbage on the TLS port: the handshake fails, the socket is closed.
    await new Promise<void>((resolve, reject) => {
      const s = connect({ host: server.host, port: tlsPort }, () => s.write(Buffer.from('GET / HTTP/1.0\r\n\r\n')));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
      setTimeout(() => reject(new Error('the TLS listener kept a garbage connection open')), 5000).unref();
    });
    const r = await run('echoscu', ['+tla', '+cf', cert.certFile, '-aet', 'AFTERJUNK', server.host, String(tlsPort)]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => sessionOf('AFTERJUNK') !== undefined);
    const failed = server.events().slice(before).filter((e): e is Extract<HawkEvent, { eventid: 'dicomhawk.session.closed' }> => e.eventid === 'dicomhawk.session.closed' && /^TLS handshake failed/.test(e.close_reason));
    assert.equal(failed.length, 2, 'the echoscu attempt and the garbage each left a session with its handshake failure');
    for (const closed of failed) {
      assert.equal(closed.protocol, 'dimse-tls');
      assert.equal(closed.src_ip, '127.0.0.1');
      assert.ok((closed.src_port ?? 0) > 0);
      assert.equal(closed.pdus_in, 0);
      const connect = server.events().find((e) => e.session === closed.session && e.eventid === 'dicomhawk.session.connect');
      assert.ok(connect && connect.eventid === 'dicomhawk.session.connect' && connect.listener_port === tlsPort);
    }
    assert.match(failed.map((e) => e.close_reason).join(' '), /WRONG_VERSION_NUMBER|HTTP_REQUEST|UNKNOWN_PROTOCOL|UNEXPECTED_MESSAGE/i, 'node names why the handshake failed');
  });
});

/** PROXY v2, TCP over IPv4: 203.0.113.60:40100 → 192.0.2.20:2762. */
const PROXY_HEADER = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c,
  203, 0, 113, 60, 192, 0, 2, 20, 0x9c, 0xa4, 0x0a, 0xca,
]);

/**
 * A TLS client behind a "balancer": the PROXY header goes out in clear in the same write as the ClientHello
 * (as haproxy in TCP mode sends it), then TLS runs over the same connection.
 */
async function tlsBehindProxy(port: number, caFile: string): Promise<TLSSocket> {
  const raw = await openRaw(port);
  let first = true;
  const wire = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      raw.write(first ? Buffer.concat([PROXY_HEADER, chunk]) : chunk, cb);
      first = false;
    },
    final(cb) {
      raw.end();
      cb();
    },
  });
  raw.on('data', (d: Buffer) => wire.push(d));
  raw.on('end', () => wire.push(null));
  raw.on('error', () => wire.destroy());
  const tls = tlsConnect({ socket: wire, ca: readFileSync(caFile), servername: 'localhost' });
  await once(tls, 'secureConnect');
  return tls;
}

describe('DICOM-TLS behind a PROXY v2 balancer (header in clear before the handshake)', () => {
  let server: TestServer;
  let tlsPort: number;
  let cert: ReturnType<typeof throwawayCertificate>;

  before(async () => {
    cert = throwawayCertificate();
    server = await startDimseServer({ proxyProtocol: true, tls: { port: 0, certFile: cert.certFile, keyFile: cert.keyFile } });
    tlsPort = server.listeners.boundPorts[1]!;
  });
  after(async () => {
    await server.stop();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  test('the handshake follows the header; the session carries the real client, TLS parameters, SNI and proxied', async () => {
    const tls = await tlsBehindProxy(tlsPort, cert.certFile);
    let received = Buffer.alloc(0);
    tls.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    tls.write(dcmtkEchoscuRq('ANY-SCP', 'TLSPROXY'));
    await waitFor(() => pduTypes(received).includes(0x02));
    tls.write(releaseRqPdu());
    await waitFor(() => pduTypes(received).includes(0x06));
    tls.destroy();
    await waitFor(() => server.sessionsWhere((e) => e.eventid === 'dicomhawk.session.closed').length === 1);
    const [session] = server.sessionsWhere((e) => e.eventid === 'dicomhawk.association.request' && e.calling_ae.text === 'TLSPROXY');
    assert.ok(session);
    for (const e of session) {
      assert.deepEqual([e.protocol, e.src_ip, e.src_port, e.dst_ip, e.dst_port], ['dimse-tls', '203.0.113.60', 40100, '192.0.2.20', 2762], e.eventid);
    }
    const connect = byId(session, 'dicomhawk.session.connect')[0]!;
    assert.equal(connect.proxied, true);
    assert.match(connect.tls?.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok((connect.tls?.cipher ?? '').length > 0);
    assert.equal(connect.tls?.sni, 'localhost');
  });

  test('a TLS client without the header is dropped, recorded as an invalid PROXY header from the connection itself', async () => {
    const before = server.events().length;
    const failed = await new Promise<boolean>((resolve) => {
      const t = tlsConnect({ host: server.host, port: tlsPort, ca: readFileSync(cert.certFile), servername: 'localhost' });
      t.once('secureConnect', () => {
        t.destroy();
        resolve(false);
      });
      t.once('error', () => resolve(true));
      t.once('close', () => resolve(true));
    });
    assert.equal(failed, true);
    await waitFor(() => server.events().slice(before).some((e) => e.eventid === 'dicomhawk.session.closed'));
    const events = server.events().slice(before);
    assert.deepEqual(events.map((e) => e.eventid), ['dicomhawk.session.connect', 'dicomhawk.session.closed']);
    const closed = byId(events, 'dicomhawk.session.closed')[0]!;
    assert.equal(closed.close_reason, 'invalid PROXY v2 header: no PROXY v2 signature');
    assert.equal(byId(events, 'dicomhawk.session.connect')[0]!.proxied, false);
  });

  test('a valid header followed by something that is not TLS is recorded under the real client with the handshake failure', async () => {
    const before = server.events().length;
    await new Promise<void>((resolve) => {
      const s = connect({ host: server.host, port: tlsPort }, () => s.write(Buffer.concat([PROXY_HEADER, Buffer.from('GET / HTTP/1.0\r\n\r\n')])));
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    await waitFor(() => server.events().slice(before).some((e) => e.eventid === 'dicomhawk.session.closed'));
    const events = server.events().slice(before);
    assert.deepEqual(events.map((e) => e.eventid), ['dicomhawk.session.connect', 'dicomhawk.session.closed']);
    for (const e of events) assert.deepEqual([e.protocol, e.src_ip, e.src_port, e.dst_ip, e.dst_port], ['dimse-tls', '203.0.113.60', 40100, '192.0.2.20', 2762]);
    assert.equal(byId(events, 'dicomhawk.session.connect')[0]!.proxied, true);
    assert.match(byId(events, 'dicomhawk.session.closed')[0]!.close_reason, /^TLS handshake failed: /);
  });
});
