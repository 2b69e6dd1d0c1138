import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Browser, HONEY_TOKEN, PATIENTS, startWeb, type WebServer } from './harness.ts';

let s: WebServer;
before(async () => {
  s = await startWeb();
});
after(async () => {
  await s.stop();
});

test('robots.txt disallows the four hidden paths; reading it is a web.hidden event', async () => {
  const r = await fetch(`${s.url}/robots.txt`);
  assert.equal(r.status, 200);
  const text = await r.text();
  for (const p of ['/admin', '/admin-config', '/secure', '/ensurance_data']) assert.match(text, new RegExp(`^Disallow: ${p}$`, 'm'));
  assert.equal(s.eventsOf('dicomhawk.web.hidden').at(-1)!.resource, 'robots.txt');
});

test('/admin hands out an admin token shaped exactly like a session cookie, registered and issued as a honeytoken', async () => {
  const r = await fetch(`${s.url}/admin`);
  assert.equal(r.status, 200);
  const token = /<pre class="token">([^<]+)<\/pre>/.exec(await r.text())![1]!;
  const b = new Browser(s.url);
  await b.login('test', 'test');
  const cookie = b.cookie!.split('=')[1]!;
  assert.equal(token.length, cookie.length, 'same length as a real session token');
  assert.deepEqual(token.split('.').map((p) => p.length), cookie.split('.').map((p) => p.length), 'same structure');
  assert.equal(token.split('.')[0], cookie.split('.')[0]);
  const hidden = s.eventsOf('dicomhawk.web.hidden').find((e) => e.resource === 'admin')!;
  assert.equal(hidden.token, token);
  const rec = s.honeytokens.get(token)!;
  assert.equal(rec.kind, 'admin_token');
  const issued = s.eventsOf('dicomhawk.honeytoken.issued').find((e) => e.token === token)!;
  assert.equal(issued.kind, 'admin_token');
  assert.equal(issued.session, hidden.session);
  // /admin-config leaks the same token to the same address.
  const cfg = (await (await fetch(`${s.url}/admin-config`)).json()) as { auth: { service_token: string } };
  assert.equal(cfg.auth.service_token, token);
  assert.equal(s.eventsOf('dicomhawk.web.hidden').at(-1)!.resource, 'admin-config');
});

test('using the fake admin token (bearer or cookie) triggers the honeytoken and opens the portal as administrator', async () => {
  const token = /<pre class="token">([^<]+)<\/pre>/.exec(await (await fetch(`${s.url}/admin`)).text())![1]!;
  const issuedTo = s.eventsOf('dicomhawk.honeytoken.issued').filter((e) => e.token === token).at(-1)!.session;
  const r = await fetch(`${s.url}/search?level=patient`, { headers: { authorization: `Bearer ${token}`, 'user-agent': 'python-requests/2.31' }, redirect: 'manual' });
  assert.equal(r.status, 200);
  assert.match(await r.text(), /administrator/);
  const t = s.eventsOf('dicomhawk.honeytoken.triggered').find((e) => e.token === token)!;
  assert.equal(t.kind, 'admin_token');
  assert.equal(t.issued_session, issuedTo);
  assert.equal(t.requester_ip, '127.0.0.1');
  assert.ok(t.headers.some((h) => h.name.toLowerCase() === 'user-agent' && h.value === 'python-requests/2.31'));
  const c = await fetch(`${s.url}/search`, { headers: { cookie: `IVWSESSION=${token}` }, redirect: 'manual' });
  assert.equal(c.status, 200);
  // A token with a forged signature is nobody's session.
  const forged = `${token.slice(0, -4)}AAAA`;
  const f = await fetch(`${s.url}/search`, { headers: { cookie: `IVWSESSION=${forged}` }, redirect: 'manual' });
  assert.equal(f.status, 302);
});

test('/secure lists the archive’s (fake) patients with CPR numbers; the read is recorded', async () => {
  const r = await fetch(`${s.url}/secure`);
  assert.equal(r.status, 200);
  const html = await r.text();
  for (const p of PATIENTS) assert.ok(html.includes(p.patientId), p.patientId);
  const ev = s.eventsOf('dicomhawk.web.hidden').at(-1)!;
  assert.equal(ev.resource, 'secure');
  assert.equal(ev.records, new Set(PATIENTS.map((p) => p.patientId)).size);
});

test('/ensurance_data is a claims export (CSV) of the archive’s studies, stable between reads', async () => {
  const r = await fetch(`${s.url}/ensurance_data`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
  const csv = await r.text();
  const lines = csv.trim().split('\r\n');
  assert.match(lines[0]!, /^claim_id;cpr;patient_name/);
  const studies = new Set(PATIENTS.map((p) => p.studyUid)).size;
  assert.equal(lines.length, 1 + studies);
  assert.ok(lines.some((l) => l.includes('010170-1235') && l.includes('Jensen, Søren')));
  assert.equal(await (await fetch(`${s.url}/ensurance_data`)).text(), csv);
  assert.equal(s.eventsOf('dicomhawk.web.hidden').at(-1)!.records, studies);
});

test('/t/<token> answers like an image and records honeytoken.triggered with the session it was issued to', async () => {
  // Issue the token to a portal session by downloading its object.
  const b = new Browser(s.url);
  await b.login('test', 'test');
  const p = PATIENTS[3]!;
  const dl = await b.req(`/download/studies/${p.studyUid}/series/${p.seriesUid}/instances/${p.sopUid}`);
  assert.equal(dl.status, 200);
  await dl.arrayBuffer();
  const issued = s.eventsOf('dicomhawk.honeytoken.issued').find((e) => e.token === HONEY_TOKEN)!;
  assert.ok(issued, 'the download issued the token');
  const r = await fetch(`${s.url}/t/${HONEY_TOKEN}`, { headers: { 'user-agent': 'Microsoft Office/16.0', referer: 'file:///C:/report.docx' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await r.arrayBuffer());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const t = s.eventsOf('dicomhawk.honeytoken.triggered').find((e) => e.token === HONEY_TOKEN)!;
  assert.equal(t.kind, 'url');
  assert.equal(t.issued_session, issued.session);
  assert.equal(t.requester_ip, '127.0.0.1');
  assert.deepEqual(t.headers.find((h) => h.name.toLowerCase() === 'referer')?.value, 'file:///C:/report.docx');
  const unknown = await fetch(`${s.url}/t/0123456789abcdef01234567`);
  assert.equal(unknown.status, 404);
  assert.equal(s.eventsOf('dicomhawk.honeytoken.triggered').filter((e) => e.token === '0123456789abcdef01234567').length, 0);
});
