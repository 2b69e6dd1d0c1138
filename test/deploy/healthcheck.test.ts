/** `dicomhawk healthcheck` (the container's HEALTHCHECK): a real C-ECHO, exit 0 when answered Success, 1 otherwise. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { test } from 'node:test';
import { BIN } from '../helpers/cli.ts';
import { freePort } from '../helpers/net.ts';
import { startHoneypot } from './lib/honeypot.ts';

/** Runs the real CLI asynchronously (the honeypot under test lives in this process's event loop). */
function healthcheck(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'healthcheck', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('healthcheck C-ECHOes the running honeypot (exit 0), which records it as an ordinary, identifiable session', async () => {
  const hp = await startHoneypot();
  try {
    const r = await healthcheck([], { DICOM_PORT: String(hp.dicomPort), DATA_DIR: hp.dataDir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`C-ECHO 127\\.0\\.0\\.1:${hp.dicomPort} ok in \\d+ ms`));
    await hp.running.ctx.bus.flush();
    const rq = hp.events.find((e) => e.eventid === 'dicomhawk.association.request');
    assert.ok(rq && rq.eventid === 'dicomhawk.association.request');
    assert.equal(rq.calling_ae.text, 'HEALTHCHECK');
    assert.equal(rq.impl_version, 'DH_HEALTHCHECK');
    const echo = hp.events.find((e) => e.eventid === 'dicomhawk.dimse.echo');
    assert.ok(echo && echo.eventid === 'dicomhawk.dimse.echo' && echo.status === 0);
    assert.ok(hp.events.some((e) => e.eventid === 'dicomhawk.association.release'), 'released, not aborted');
  } finally {
    await hp.stop();
  }
});

test('healthcheck exits 1 with a reason when nothing listens, and when the peer does not speak DICOM', async () => {
  const port = await freePort();
  const none = await healthcheck(['--port', String(port), '--timeout', '2000']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /C-ECHO 127\.0\.0\.1:\d+ failed: cannot connect .*ECONNREFUSED/);

  // A server that answers the A-ASSOCIATE-RQ with HTTP text.
  const srv = createServer((s) => s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  try {
    const http = await healthcheck(['--port', String((srv.address() as { port: number }).port), '--timeout', '2000']);
    assert.equal(http.code, 1);
    assert.match(http.stderr, /failed: (malformed answer|unexpected PDU type|the connection closed)/);
  } finally {
    srv.close();
  }

  // A server that accepts and never answers: the timeout ends it.
  const held: Socket[] = [];
  const mute = createServer((s) => void held.push(s));
  await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
  try {
    const silent = await healthcheck(['--port', String((mute.address() as { port: number }).port), '--timeout', '800']);
    assert.equal(silent.code, 1);
    assert.match(silent.stderr, /no answer within 800 ms \(while waiting for the associate response\)/);
  } finally {
    for (const s of held) s.destroy();
    mute.close();
  }
});
