import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { portalCredentials } from '../../../src/services/web/login/credentials.ts';
import { Browser, SECRETS, startWeb, type WebServer } from './harness.ts';

let s: WebServer;
before(async () => {
  s = await startWeb({ API_LOGIN_MAX_FAILURES: '3', API_LOGIN_LOCKOUT: '10m' });
});
after(async () => {
  await s.stop();
});

test('the start page sends a visitor to the sign-in page, which sets an HttpOnly SameSite session cookie', async () => {
  const b = new Browser(s.url);
  const r = await b.req('/');
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/login');
  const login = await b.req('/login');
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^IVWSESSION=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; HttpOnly; SameSite=Lax$/);
  const page = await login.text();
  assert.match(page, /<form method="post" action="\/login"/);
  assert.match(page, /name="_csrf" value="[\w-]{20,}"/);
});

test('test/test signs in: 303 to /search, login.success with the password and credential_kind honey', async () => {
  const b = new Browser(s.url);
  const r = await b.login('test', 'test');
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/search');
  const search = await b.req('/search');
  assert.equal(search.status, 200);
  assert.match(await search.text(), /Search archive/);
  const ok = s.eventsOf('dicomhawk.web.login.success').at(-1)!;
  assert.equal(ok.username, 'test');
  assert.equal(ok.password, 'test');
  assert.equal(ok.credential_kind, 'honey');
  assert.equal(ok.protocol, 'http');
  assert.equal(ok.src_ip, '127.0.0.1');
});

test('the developer pair left in the sign-in page source opens only the "Under development" page', async () => {
  const b = new Browser(s.url);
  const html = await (await b.req('/login')).text();
  const m = /<!--[^]*?user: (\S+)\s+pass: (\S+)/.exec(html);
  assert.ok(m, 'the comment with the QA account is in the page source');
  const leaked = portalCredentials(SECRETS.jwtKey).leaked;
  assert.deepEqual([m[1], m[2]], [leaked.username, leaked.password]);
  const r = await b.login(m[1]!, m[2]!);
  assert.equal(r.status, 303);
  assert.equal(r.headers.get('location'), '/dev');
  const dev = await b.req('/dev');
  assert.equal(dev.status, 200);
  assert.match(await dev.text(), /under development/i);
  const search = await b.req('/search');
  assert.equal(search.status, 403, 'the QA account has no access to the archive');
  const ev = s.eventsOf('dicomhawk.web.login.success').at(-1)!;
  assert.equal(ev.credential_kind, 'leaked');
  assert.equal(ev.username, leaked.username);
});

test('wrong credentials: 401 with the form again, login.failed with what was typed', async () => {
  const b = new Browser(s.url);
  const r = await b.login('admin', 'hunter2');
  assert.equal(r.status, 401);
  assert.match(await r.text(), /Invalid user name or password/);
  const ev = s.eventsOf('dicomhawk.web.login.failed').at(-1)!;
  assert.deepEqual([ev.username, ev.password, ev.credential_kind, ev.reason], ['admin', 'hunter2', 'other', 'bad_credentials']);
  const req = s.eventsOf('dicomhawk.web.request').at(-1)!;
  assert.equal(req.status, 401);
  assert.equal(req.method, 'POST');
  assert.ok(req.body_size > 0);
  assert.match(req.body_sha256 ?? '', /^[0-9a-f]{64}$/);
});

test('a sign-in without the CSRF token is refused with 403 and recorded as login.failed', async () => {
  const r = await fetch(`${s.url}/login`, { method: 'POST', body: new URLSearchParams({ username: 'test', password: 'test' }), redirect: 'manual' });
  assert.equal(r.status, 403);
  const ev = s.eventsOf('dicomhawk.web.login.failed').at(-1)!;
  assert.equal(ev.reason, 'csrf_token_missing_or_invalid');
  assert.equal(ev.credential_kind, 'honey');
  const b = new Browser(s.url);
  await b.csrf();
  const wrong = await b.req('/login', { method: 'POST', body: new URLSearchParams({ _csrf: 'forged', username: 'test', password: 'test' }) });
  assert.equal(wrong.status, 403);
});

test('after 3 failures for one user name the account is locked: further attempts get 429 with Retry-After and a lockout message', async () => {
  const b = new Browser(s.url);
  for (let i = 0; i < 3; i++) assert.equal((await b.login('lockme', `guess${i}`)).status, 401);
  const locked = await b.login('lockme', 'guess9');
  assert.equal(locked.status, 429);
  assert.ok(Number(locked.headers.get('retry-after')) > 500);
  assert.match(await locked.text(), /locked/);
  assert.equal(s.eventsOf('dicomhawk.web.login.failed').at(-1)!.reason, 'locked_out');
});

test('no open redirect: next only ever leads to a local path', async () => {
  for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x=1']) {
    const b = new Browser(s.url);
    const r = await b.login('test', 'test', { next });
    assert.equal(r.status, 303);
    const loc = r.headers.get('location')!;
    assert.ok(loc.startsWith('/') && !loc.startsWith('//') && !loc.includes('\\') && !loc.includes('evil'), `next=${next} → ${loc}`);
  }
  const b = new Browser(s.url);
  const r = await b.login('test', 'test', { next: '/studies/1.2.3' });
  assert.equal(r.headers.get('location'), '/studies/1.2.3');
});

test('sign-out needs the CSRF token, ends the session and clears the cookie', async () => {
  const b = new Browser(s.url);
  await b.login('test', 'test');
  const page = await (await b.req('/search')).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
  const forged = await b.req('/logout', { method: 'POST', body: new URLSearchParams({}) });
  assert.equal(forged.status, 403);
  const old = b.cookie;
  const out = await b.req('/logout', { method: 'POST', body: new URLSearchParams({ _csrf: csrf }) });
  assert.equal(out.status, 303);
  assert.equal(b.cookie, null);
  const again = await fetch(`${s.url}/search`, { headers: { cookie: old! }, redirect: 'manual' });
  assert.equal(again.status, 302, 'the old cookie no longer opens the portal');
});

test('pages need a signed-in session: a browser GET is sent to sign in, a POST gets 401', async () => {
  const r = await fetch(`${s.url}/search?level=study`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/login?next=%2Fsearch%3Flevel%3Dstudy');
  const p = await fetch(`${s.url}/upload`, { method: 'POST', redirect: 'manual' });
  assert.equal(p.status, 401);
  assert.match(p.headers.get('content-type') ?? '', /text\/html/);
});
