import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventBus } from '../../../../src/core/events/bus.ts';
import { silentLogger } from '../../../../src/core/log.ts';
import { SharedLog } from '../../../../src/services/web/sessions/sharedLog.ts';
import { TokenSigner } from '../../../../src/services/web/sessions/tokens.ts';
import { WebSessions } from '../../../../src/services/web/sessions/webSessions.ts';

const bus = new EventBus({ sensor: 't', log: silentLogger() });
const shared = () => new SharedLog(bus.forSession({ session: 's', protocol: 'http', src_ip: '192.0.2.1', src_port: 1, dst_ip: null, dst_port: null })).retain();

test('a session unused for the idle period is gone, and its log closed when nobody else holds it', () => {
  let now = 1_000_000;
  const sessions = new WebSessions({ idleMs: 60_000, perIp: 10, total: 100 }, () => now);
  const log = shared();
  const s = sessions.create('192.0.2.1', log);
  log.release(); // the connection went away; the session keeps the log open
  assert.equal(log.log.isClosed, false);
  now += 59_000;
  assert.equal(sessions.get(s.id)?.id, s.id);
  now += 61_000;
  assert.equal(sessions.get(s.id), undefined);
  assert.equal(log.log.isClosed, true);
  sessions.close();
});

test('sessions are bounded per address: the least recently used one is closed first', () => {
  const sessions = new WebSessions({ idleMs: 60_000, perIp: 3, total: 100 });
  const ids = [1, 2, 3].map(() => sessions.create('192.0.2.1', shared()).id);
  sessions.get(ids[0]!);
  const fourth = sessions.create('192.0.2.1', shared());
  assert.ok(sessions.get(ids[0]!), 'recently used survives');
  assert.equal(sessions.get(ids[1]!), undefined, 'least recently used is evicted');
  assert.ok(sessions.get(fourth.id));
  sessions.create('192.0.2.2', shared());
  assert.equal(sessions.size, 4);
  sessions.close();
});

test('tokens: same length whatever the role, verified only with our key and before expiry', () => {
  const signer = new TokenSigner('k'.repeat(32));
  const usr = signer.sign({ sid: 'A'.repeat(22), role: 'usr', iat: 1_700_000_000, exp: 1_700_043_200 });
  const adm = signer.sign({ sid: 'B'.repeat(22), role: 'adm', iat: 1_700_000_000, exp: 1_702_592_000 });
  assert.equal(usr.length, adm.length);
  assert.equal(signer.verify(usr, 1_700_000_001_000)?.role, 'usr');
  assert.equal(signer.verify(usr, 1_700_043_200_000), null, 'expired');
  assert.equal(new TokenSigner('other-key-000000').verify(usr, 1_700_000_001_000), null);
  assert.equal(signer.verify(`${usr}x`, 1_700_000_001_000), null);
  assert.equal(signer.verify('a.b.c', 0), null);
});
