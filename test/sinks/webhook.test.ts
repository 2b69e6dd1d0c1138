/**
 * The webhook sink against receivers on loopback: signatures verify (checked with openssl as well), the rate
 * limit and deduplication hold, Slack bodies are inert, and a receiver that never answers delays no DICOM client.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EventBus } from '../../src/core/events/bus.ts';
import type { EventId, EventFields } from '../../src/core/events/catalogue.ts';
import { silentLogger } from '../../src/core/log.ts';
import type { SessionLog } from '../../src/core/events/sessionLog.ts';
import { signBody, verifySignature, WebhookSink, type WebhookSinkOptions } from '../../src/sinks/webhook.ts';
import { waitFor } from '../helpers/net.ts';
import { oneAssociation } from '../../bench/lib/echoScu.ts';
import { cEcho } from '../../src/services/dimse/scu/echoScu.ts';
import { startHoneypot } from '../deploy/lib/honeypot.ts';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/** A webhook receiver on loopback: records every POST; `hang` leaves requests unanswered. */
class Receiver {
  readonly got: Received[] = [];
  readonly hanging: ServerResponse[] = [];
  private server: Server | null = null;
  hang = false;
  status = 204;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
        if (this.hang) this.hanging.push(res);
        else res.writeHead(this.status).end();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hook`;
    return this;
  }

  async stop(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  bodies(): Array<Record<string, unknown>> {
    return this.got.map((g) => JSON.parse(g.body) as Record<string, unknown>);
  }
}

const SECRET = 'test-webhook-secret-0123456789';

async function sinkOn(url: string, over: Partial<WebhookSinkOptions> = {}): Promise<{ bus: EventBus; sink: WebhookSink; peer(ip: string, session?: string): SessionLog }> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-webhook-'));
  const sink = new WebhookSink({
    url,
    secret: SECRET,
    format: 'json',
    alerts: ['honeytoken_triggered', 'honey_credential_login', 'executable_upload', 'move_unknown_ae', 'new_client_fingerprint'],
    rateLimits: [{ limit: 100, intervalMs: 60_000 }],
    dedupWindowMs: 3_600_000,
    timeoutMs: 2000,
    fingerprintFile: join(dir, 'fingerprints.txt'),
    log: silentLogger(),
    backoffMs: 50,
    ...over,
  });
  const bus = new EventBus({ sensor: 'hook-test', log: silentLogger() });
  await bus.addSink(sink);
  let n = 0;
  return {
    bus,
    sink,
    peer: (ip, session) => bus.forSession({ session: session ?? `s-${++n}`, protocol: 'http', src_ip: ip, src_port: 40000 + n, dst_ip: '127.0.0.1', dst_port: 3000 }),
  };
}

function trigger(log: SessionLog, token: string): void {
  const f: EventFields<'dicomhawk.honeytoken.triggered'> = { token, kind: 'url', issued_session: 'issued-1', requester_ip: log.identity.src_ip, headers: [{ name: 'user-agent', value: 'curl/8' }] };
  log.emit('dicomhawk.honeytoken.triggered' satisfies EventId, f);
}

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('webhook sink', () => {
  test('each alert is signed over its body with a timestamp; the receiver (and openssl) verify it, a changed body does not', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const { bus, peer } = await sinkOn(rx.url);
    trigger(peer('198.51.100.7'), 'tok-sig');
    await bus.flush();
    await waitFor(() => rx.got.length === 1);
    const { headers, body } = rx.got[0]!;
    const sig = headers['x-dicomhawk-signature'] as string;
    const now = Math.floor(Date.now() / 1000);
    assert.ok(verifySignature(SECRET, body, sig, now), `signature ${sig} verifies`);
    assert.ok(!verifySignature('another-secret-0000000000', body, sig, now), 'a different key fails');
    assert.ok(!verifySignature(SECRET, body.replace('tok-sig', 'tok-sIg'), sig, now), 'a changed body fails');
    assert.ok(!verifySignature(SECRET, body, sig, now + 3600), 'an old timestamp fails (replay)');
    // Independent implementation: openssl over "<t>.<body>".
    const t = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig)!;
    const ossl = execFileSync('openssl', ['dgst', '-sha256', '-hmac', SECRET, '-r'], { input: `${t[1]}.${body}` }).toString().split(' ')[0];
    assert.equal(ossl, t[2]);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['x-dicomhawk-alert'], 'honeytoken_triggered');
    const j = JSON.parse(body) as { alert: string; severity: string; src_ip: string; event: { eventid: string; token: string } };
    assert.equal(j.alert, 'honeytoken_triggered');
    assert.equal(j.severity, 'critical');
    assert.equal(j.src_ip, '198.51.100.7');
    assert.equal(j.event.eventid, 'dicomhawk.honeytoken.triggered');
    assert.equal(j.event.token, 'tok-sig');
    assert.equal(signBody(SECRET, body, Number(t[1])), sig);
    await bus.stop();
  });

  test('the same alert is sent once per window; another address or token is another alert', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const { bus, sink, peer } = await sinkOn(rx.url);
    const a = peer('203.0.113.5');
    for (let i = 0; i < 5; i++) trigger(a, 'tok-A');
    trigger(peer('203.0.113.5'), 'tok-A'); // new session, same token and address: still a duplicate
    trigger(peer('203.0.113.6'), 'tok-A');
    trigger(a, 'tok-B');
    await bus.flush();
    await waitFor(() => sink.stats().outbox === 0 && rx.got.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    const subjects = rx.bodies().map((b) => `${(b.event as { token: string }).token}@${b.src_ip as string}`);
    assert.deepEqual(subjects.sort(), ['tok-A@203.0.113.5', 'tok-A@203.0.113.6', 'tok-B@203.0.113.5']);
    assert.equal(sink.stats().duplicates, 5);
    await bus.stop();
  });

  test('the rate limit holds: 3/s lets 3 of 10 through; the next alert reports what was held back', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const { bus, sink, peer } = await sinkOn(rx.url, { rateLimits: [{ limit: 3, intervalMs: 1000 }] });
    for (let i = 0; i < 10; i++) trigger(peer(`192.0.2.${i + 1}`), `tok-${i}`);
    await bus.flush();
    await waitFor(() => sink.stats().outbox === 0 && rx.got.length >= 3);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rx.got.length, 3, 'three within the first second');
    assert.equal(sink.stats().rateLimited, 7);
    await new Promise((r) => setTimeout(r, 1100));
    trigger(peer('192.0.2.99'), 'tok-late');
    await bus.flush();
    await waitFor(() => rx.got.length === 4);
    assert.deepEqual(rx.bodies()[3]!.held_back, { duplicates: 0, rateLimited: 7 });
    await bus.stop();
  });

  test('only the chosen kinds alert; honey and leaked logins do, other logins and plain uploads do not', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const { bus, peer } = await sinkOn(rx.url, { alerts: ['honey_credential_login', 'executable_upload'] });
    const p = peer('198.51.100.20');
    p.emit('dicomhawk.web.login.success', { username: 'radiolog', password: 'x', credential_kind: 'honey' });
    p.emit('dicomhawk.web.login.success', { username: 'pacsadmin', password: 'y', credential_kind: 'leaked' });
    p.emit('dicomhawk.web.login.success', { username: 'guest', password: 'z', credential_kind: 'other' });
    const file = (name: string) => ({ name, size: 10, sha256: (name.length.toString(16) + 'a'.repeat(64)).slice(0, 64), quarantine_id: null, accepted: true, reason: null });
    p.emit('dicomhawk.web.upload', { files: [file('scan.dcm')] });
    p.emit('dicomhawk.web.upload', { files: [file('scan.dcm'), file('payload.EXE')] });
    // C-STORE of bytes that are an executable (content verdict from the quarantine), and one that is a plain dataset.
    const dimse = bus.forSession({ session: 'dimse-1', protocol: 'dimse', src_ip: '198.51.100.21', src_port: 4000, dst_ip: '127.0.0.1', dst_port: 104 });
    const store = (sha: string, content: { kind: 'pe' | 'dicom-dataset'; polyglot: boolean; embedded: null; executable: boolean }) =>
      dimse.emit('dicomhawk.dimse.store', { message_id: 1, sop_class: '1.2.840.10008.5.1.4.1.1.7', sop_instance: '1.2.3', transfer_syntax: '1.2.840.10008.1.2.1', size: 10, sha256: sha, quarantine_id: null, status: 0, content });
    store('c'.repeat(64), { kind: 'pe', polyglot: false, embedded: null, executable: true });
    store('d'.repeat(64), { kind: 'dicom-dataset', polyglot: false, embedded: null, executable: false });
    trigger(p, 'not-wanted');
    await bus.flush();
    await waitFor(() => rx.got.length >= 4);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(rx.bodies().map((b) => b.alert), ['honey_credential_login', 'honey_credential_login', 'executable_upload', 'executable_upload']);
    assert.match(rx.bodies()[2]!.title as string, /"payload\.EXE"/);
    assert.match(rx.bodies()[3]!.title as string, /Executable content \(pe\) uploaded by C-STORE from 198\.51\.100\.21/);
    await bus.stop();
  });

  test('Slack format: text and blocks, attacker text cannot form links or mentions', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    const { bus, peer } = await sinkOn(rx.url, { format: 'slack' });
    peer('198.51.100.30').emit('dicomhawk.web.login.success', { username: '<https://evil.example|click> <!channel> & co', password: 'p', credential_kind: 'honey' });
    await bus.flush();
    await waitFor(() => rx.got.length === 1);
    const b = JSON.parse(rx.got[0]!.body) as { text: string; blocks: Array<{ type: string }> };
    assert.ok(verifySignature(SECRET, rx.got[0]!.body, rx.got[0]!.headers['x-dicomhawk-signature'] as string, Math.floor(Date.now() / 1000)));
    assert.ok(b.blocks.length >= 2 && b.blocks[0]!.type === 'section');
    assert.ok(!/<https?:|<!channel>/.test(rx.got[0]!.body), 'no live link or mention in the body');
    assert.match(b.text, /&lt;https:\/\/evil\.example\|click&gt; &lt;!channel&gt; &amp; co/);
    await bus.stop();
  });

  test('a receiver that answers 500 is retried, then the alert is counted as failed; a 4xx is not retried', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    rx.status = 500;
    const { bus, sink, peer } = await sinkOn(rx.url, { attempts: 3 });
    trigger(peer('198.51.100.40'), 'tok-500');
    await bus.flush();
    await waitFor(() => sink.stats().failed === 1);
    assert.equal(rx.got.length, 3);
    rx.status = 403;
    trigger(peer('198.51.100.41'), 'tok-403');
    await bus.flush();
    await waitFor(() => sink.stats().failed === 2);
    assert.equal(rx.got.length, 4);
    await bus.stop();
  });
});

test('a client fingerprint alerts the first time only, also across restarts (remembered in the fingerprint file)', async () => {
  const rx = await new Receiver().start();
  cleanups.push(() => rx.stop());
  const file = join(mkdtempSync(join(tmpdir(), 'dh-fp-')), 'fingerprints.txt');
  const associate = (bus: EventBus, ip: string, fp: string) =>
    bus.forSession({ session: `a-${ip}-${fp}`, protocol: 'dimse', src_ip: ip, src_port: 1234, dst_ip: '127.0.0.1', dst_port: 104 }).emit('dicomhawk.association.request', {
      called_ae: { text: 'PACS', hex: '50414353' }, calling_ae: { text: 'X', hex: '58' }, app_context: '1.2.840.10008.3.1.1.1', protocol_version: 1, max_pdu: 16384,
      impl_class_uid: '1.2.3', impl_version: 'V', async_ops: null, contexts: [], roles: [], ext_neg: [], user_identity: null, unknown_items: [], anomalies: [],
      client_fp: fp, client_guess: null, client_guess_reason: null,
    });
  const first = await sinkOn(rx.url, { fingerprintFile: file, dedupWindowMs: 0 });
  associate(first.bus, '198.51.100.50', 'fp-aaaa');
  associate(first.bus, '198.51.100.51', 'fp-aaaa'); // same software, another address: not new
  associate(first.bus, '198.51.100.52', 'fp-bbbb');
  await first.bus.flush();
  await waitFor(() => rx.got.length === 2);
  await first.bus.stop();
  assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n'), ['fp-aaaa', 'fp-bbbb']);
  const second = await sinkOn(rx.url, { fingerprintFile: file, dedupWindowMs: 0 });
  associate(second.bus, '198.51.100.53', 'fp-aaaa');
  associate(second.bus, '198.51.100.54', 'fp-cccc');
  await second.bus.flush();
  await waitFor(() => rx.got.length === 3);
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(rx.bodies().map((b) => (b.event as { client_fp: string }).client_fp), ['fp-aaaa', 'fp-bbbb', 'fp-cccc']);
  await second.bus.stop();
});

describe('webhook sink inside the honeypot', () => {
  test('a hanging receiver delays no DICOM client: echoscu round trips while alerts wait, and shutdown is bounded', async () => {
    const rx = await new Receiver().start();
    cleanups.push(() => rx.stop());
    rx.hang = true;
    const hp = await startHoneypot({ WEBHOOK_URL: rx.url, WEBHOOK_TIMEOUT: '30s', WEBHOOK_DEDUP_WINDOW: '0s', WEBHOOK_RATE_LIMIT: '1000/min' });
    cleanups.push(async () => hp.stop());
    // WEBHOOK_SECRET unset: generated once into DATA_DIR/webhook.secret, mode 0600.
    const secretFile = join(hp.dataDir, 'webhook.secret');
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    const secret = readFileSync(secretFile, 'utf8').trim();
    // echoscu runs as a child process (asynchronously: the honeypot lives in this test's event loop).
    const echo = async (aet: string): Promise<number> => {
      const t = process.hrtime.bigint();
      await promisify(execFile)('echoscu', ['-aet', aet, '-to', '5', '127.0.0.1', String(hp.dicomPort)], { env: { ...process.env, TCP_NODELAY: '1' }, timeout: 10_000 });
      return Number(process.hrtime.bigint() - t) / 1e6;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const tenEchoes = async (tag: string): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 10; i++) out.push(await echo(`${tag}${i}`));
      return out;
    };
    // Reference: the first association (echoscu's fingerprint is new → an alert, answered), then ten C-ECHOs.
    const before = await tenEchoes('BEFORE');
    await waitFor(() => rx.got.length === 1, 10_000);
    assert.equal(JSON.parse(rx.got[0]!.body).alert, 'new_client_fingerprint');
    assert.ok(verifySignature(secret, rx.got[0]!.body, rx.got[0]!.headers['x-dicomhawk-signature'] as string, Math.floor(Date.now() / 1000)), 'signed with the generated key');
    // Another client software (the benchmark SCU: another fingerprint) → an alert the receiver takes and never answers.
    rx.hang = true;
    await oneAssociation(hp.dicomPort);
    await waitFor(() => rx.hanging.length === 1, 10_000);
    // While that delivery hangs (30 s timeout), echoscu's C-ECHOs go through.
    const during = await tenEchoes('DURING');
    assert.equal(rx.hanging.length, 1, 'the receiver held the delivery unanswered throughout');
    // The receiver lets go (the retry is answered), then the same C-ECHOs again.
    rx.hang = false;
    for (const r of rx.hanging.splice(0)) r.destroy();
    await waitFor(() => rx.got.length >= 3, 15_000);
    const after = await tenEchoes('AFTER');
    console.log(
      `echoscu round trip (process start included), median of 10: ${median(before).toFixed(1)} ms before, ${median(during).toFixed(1)} ms while the webhook receiver hangs ` +
        `(max ${Math.max(...during).toFixed(1)} ms), ${median(after).toFixed(1)} ms after it let go; during/after ratio ${(median(during) / median(after)).toFixed(2)}`,
    );
    // Liveness, not speed: no C-ECHO waited for the hanging delivery (whose timeout is 30 s).
    assert.ok(Math.max(...during) < 15_000, `every C-ECHO completed while the delivery hung (max ${Math.max(...during).toFixed(0)} ms)`);
    assert.equal(hp.events.filter((e) => e.eventid === 'dicomhawk.dimse.echo').length, 31);
    // A new client (the healthcheck's SCU has its own fingerprint) → an alert the receiver holds again; shutdown
    // gives it a short grace (3 s), not its 30 s timeout, then abandons it.
    rx.hang = true;
    await cEcho({ host: '127.0.0.1', port: hp.dicomPort, calledAe: 'PACS', timeoutMs: 10_000 });
    await waitFor(() => rx.hanging.length === 1, 15_000);
    const t = Date.now();
    await hp.stop();
    assert.ok(Date.now() - t < 20_000, `stopped in ${Date.now() - t} ms, not after the 30 s delivery timeout`);
  });
});
