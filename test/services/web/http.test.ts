import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { Browser, PATIENTS, startWeb, type WebServer } from './harness.ts';

const run = promisify(execFile);
let s: WebServer;
before(async () => {
  s = await startWeb();
});
after(async () => {
  await s.stop();
});

/** curl as a scanner would use it: the path exactly as written (no normalisation). */
async function curl(path: string, extra: string[] = []): Promise<{ status: number; headers: string; body: string }> {
  const { stdout } = await run('curl', ['-s', '-i', '--path-as-is', ...extra, `${s.url}${path}`]);
  const [head = '', ...rest] = stdout.split('\r\n\r\n');
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), headers: head.toLowerCase(), body: rest.join('\r\n\r\n') };
}

test('unknown paths get a product-looking 404 page and are logged with path and query as sent', async () => {
  for (const p of ['/.env', '/cgi-bin/luci/;stok=/locale', '/v1/agent/self', '/wp-login.php?x=1']) {
    const r = await curl(p);
    assert.equal(r.status, 404, p);
    assert.match(r.headers, /content-type: text\/html/);
    assert.match(r.body, /Page not found/);
    assert.match(r.body, /ImageVault PACS/);
  }
  const ev = s.eventsOf('dicomhawk.web.request').at(-1)!;
  assert.equal(ev.path, '/wp-login.php');
  assert.equal(ev.query, 'x=1');
  assert.equal(ev.status, 404);
  assert.equal(ev.protocol, 'http');
});

test('no framework tells: no X-Powered-By, no fastify JSON errors, even for bad input', async () => {
  const cases = [await curl('/'), await curl('/login', ['-X', 'POST', '-H', 'content-type: application/json', '--data', '{bad json']), await curl('/%zz'), await curl('/login', ['-X', 'POST', '-H', 'content-type: text/x-weird', '--data', 'x'])];
  for (const r of cases) {
    assert.doesNotMatch(r.headers, /x-powered-by|fastify/);
    assert.doesNotMatch(r.body, /"statusCode"|FST_ERR|Route .* not found|fastify/i);
  }
  assert.ok([400, 415, 403].includes(cases[1]!.status), `bad JSON → ${cases[1]!.status}`);
  assert.equal(cases[2]!.status, 400);
  assert.equal(cases[3]!.status, 415);
});

test('a malformed HTTP request gets a plain HTML 400, not framework JSON', async () => {
  const reply = await new Promise<string>((resolve) => {
    const port = Number(new URL(s.url).port);
    const sock = connect(port, '127.0.0.1', () => sock.write('GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n'));
    let data = '';
    sock.on('data', (d) => (data += d.toString()));
    sock.on('close', () => resolve(data));
  });
  assert.match(reply, /^HTTP\/1\.1 400 Bad request/);
  assert.doesNotMatch(reply, /"statusCode"|application\/json/);
});

test('a wrong method on a known path is 405 with an Allow header', async () => {
  const r = await curl('/login', ['-X', 'DELETE']);
  assert.equal(r.status, 405);
  assert.match(r.headers, /allow: get, post, head/);
  const t = await curl('/robots.txt', ['-X', 'PUT']);
  assert.equal(t.status, 405);
  assert.match(t.headers, /allow: get, head/);
});

test('path traversal never leaves the portal: encoded, doubled and backslash forms are 404 or 400', async () => {
  const b = new Browser(s.url);
  await b.login('test', 'test');
  const cookie = ['-H', `cookie: ${b.cookie}`];
  for (const p of [
    '/static/../../../../etc/passwd',
    '/static/..%2f..%2f..%2fetc%2fpasswd',
    '/static/%2e%2e/%2e%2e/etc/passwd',
    '/static/..\\..\\etc\\passwd',
    '/download/studies/..%2f..%2f..%2fetc%2fpasswd',
    `/download/studies/${PATIENTS[0]!.studyUid}/series/..%2f..%2f/instances/x`,
    '/studies/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/t/..%2f..%2fetc%2fpasswd',
    '/..%2f..%2f..%2fetc/passwd',
  ]) {
    const r = await curl(p, cookie);
    assert.ok(r.status === 404 || r.status === 400, `${p} → ${r.status}`);
    assert.doesNotMatch(r.body, /root:x:0:0/);
  }
});

test('every request is a web.request event: method, headers as sent, body size and SHA-256, duration, web session', async () => {
  const body = 'username=a&password=b';
  await run('curl', ['-s', '-o', '/dev/null', '-A', 'Mozilla/5.0 zgrab/0.x', '-H', 'X-Forwarded-For: 203.0.113.50', '-H', 'Referer: http://evil.example/', '--data', body, `${s.url}/login?from=scan`]);
  const ev = s.eventsOf('dicomhawk.web.request').at(-1)!;
  assert.equal(ev.method, 'POST');
  assert.equal(ev.path, '/login');
  assert.equal(ev.query, 'from=scan');
  assert.equal(ev.user_agent, 'Mozilla/5.0 zgrab/0.x');
  assert.equal(ev.client_guess, 'zgrab', 'the tool the User-Agent names, even behind a browser-like prefix');
  assert.equal(ev.body_size, body.length);
  const { createHash } = await import('node:crypto');
  assert.equal(ev.body_sha256, createHash('sha256').update(body).digest('hex'));
  assert.ok(ev.headers.some((h) => h.name === 'X-Forwarded-For' && h.value === '203.0.113.50'), 'X-Forwarded-For kept as sent');
  assert.ok(ev.headers.some((h) => h.name === 'Referer'));
  assert.equal(ev.src_ip, '127.0.0.1', 'X-Forwarded-For from an untrusted peer is not the source');
  assert.ok(ev.duration_ms >= 0);
  assert.equal(ev.status, 403);
  // A browser with our cookie: its requests carry the web session id.
  const b = new Browser(s.url);
  await b.req('/login');
  const first = s.eventsOf('dicomhawk.web.request').at(-1)!;
  await b.req('/robots.txt');
  const second = s.eventsOf('dicomhawk.web.request').at(-1)!;
  assert.ok(first.web_session);
  assert.equal(second.web_session, first.web_session);
  assert.equal(second.session, first.session);
});

test('a cookie-less client gets one session per TCP connection', async () => {
  // curl with two URLs reuses one connection; a second curl opens another.
  await run('curl', ['-s', '-o', '/dev/null', '-o', '/dev/null', `${s.url}/a1`, `${s.url}/a2`]);
  await run('curl', ['-s', '-o', '/dev/null', `${s.url}/a3`]);
  const ev = s.eventsOf('dicomhawk.web.request');
  const sess = (p: string) => ev.find((e) => e.path === p)!.session;
  assert.equal(sess('/a1'), sess('/a2'));
  assert.notEqual(sess('/a1'), sess('/a3'));
});

test('X-Forwarded-For is believed only from a configured trusted proxy', async () => {
  const proxied = await startWeb({ API_TRUSTED_PROXIES: '127.0.0.1' });
  try {
    await run('curl', ['-s', '-o', '/dev/null', '-H', 'X-Forwarded-For: 198.51.100.1, 203.0.113.9', `${proxied.url}/probe`]);
    const ev = proxied.eventsOf('dicomhawk.web.request').at(-1)!;
    assert.equal(ev.src_ip, '203.0.113.9', 'the right-most untrusted hop');
    assert.equal(ev.src_port, null);
  } finally {
    await proxied.stop();
  }
});

test('pages carry hardening headers', async () => {
  const r = await curl('/login');
  assert.match(r.headers, /x-frame-options: sameorigin/);
  assert.match(r.headers, /x-content-type-options: nosniff/);
  assert.match(r.headers, /content-security-policy: default-src 'self'/);
});

test('DICOMweb is mounted under /dicom-web on the same port, its events on a dicomweb session', async () => {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', '-H', 'Accept: application/dicom+json', `${s.url}/dicom-web/studies?PatientID=010170-1235`]);
  const status = stdout.slice(stdout.lastIndexOf('\n') + 1);
  assert.equal(status, '200');
  const studies = JSON.parse(stdout.slice(0, stdout.lastIndexOf('\n'))) as unknown[];
  assert.equal(studies.length, 1);
  const req = s.eventsOf('dicomhawk.web.request').at(-1)!;
  assert.equal(req.path, '/dicom-web/studies');
  assert.equal(req.protocol, 'dicomweb');
  const q = s.eventsOf('dicomhawk.dicomweb.query').at(-1)!;
  assert.equal(q.session, req.session);
});

test('an unexpected failure is a 500 page; its detail is shown only outside PROD', async () => {
  for (const prod of ['no', 'yes']) {
    const w = await startWeb({ PROD: prod });
    try {
      const b = new Browser(w.url);
      await b.login('test', 'test');
      w.archive.close(); // every archive query now throws
      const r = await b.req('/search?level=study&name=*');
      assert.equal(r.status, 500);
      const html = await r.text();
      assert.match(html, /Internal error/);
      if (prod === 'yes') assert.doesNotMatch(html, /archive is closed|at \S+\.ts:\d+/);
      else assert.match(html, /archive is closed/);
    } finally {
      await w.stop();
    }
  }
});

test('connections beyond API_MAX_CONNECTIONS_PER_IP from one address are closed at once', async () => {
  const w = await startWeb({ API_MAX_CONNECTIONS_PER_IP: '2' });
  const port = Number(new URL(w.url).port);
  const open = () =>
    new Promise<{ closedEarly: Promise<boolean>; end: () => void }>((resolve) => {
      const sock = connect(port, '127.0.0.1', () => {
        const closedEarly = new Promise<boolean>((r) => {
          sock.once('close', () => r(true));
          setTimeout(() => r(false), 500);
        });
        resolve({ closedEarly, end: () => sock.destroy() });
      });
    });
  try {
    const a = await open();
    const b = await open();
    const c = await open();
    assert.equal(await c.closedEarly, true, 'the third connection is closed');
    assert.equal(await a.closedEarly, false);
    assert.equal(await b.closedEarly, false);
    a.end();
    b.end();
  } finally {
    await w.stop();
  }
});
