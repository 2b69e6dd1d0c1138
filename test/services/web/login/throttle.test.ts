import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginThrottle } from '../../../../src/services/web/login/throttle.ts';
import { ClientAddress } from '../../../../src/services/web/http/clientAddress.ts';

test('lockout after N failures for one name and address; it ends after the lockout period', () => {
  let now = 0;
  const t = new LoginThrottle({ maxFailures: 3, lockoutMs: 10_000 }, () => now);
  for (let i = 0; i < 3; i++) {
    assert.equal(t.lockedFor('192.0.2.1', 'Admin'), 0);
    t.failed('192.0.2.1', 'admin');
  }
  assert.equal(t.lockedFor('192.0.2.1', 'ADMIN'), 10_000, 'user names compare case-insensitively');
  assert.equal(t.lockedFor('192.0.2.2', 'admin'), 0, 'another address is not locked');
  assert.equal(t.lockedFor('192.0.2.1', 'other'), 0, 'another name from the address is not locked yet');
  now += 10_000;
  assert.equal(t.lockedFor('192.0.2.1', 'admin'), 0);
});

test('an address spraying many names is locked at four times the per-name limit', () => {
  const t = new LoginThrottle({ maxFailures: 2, lockoutMs: 10_000 });
  for (let i = 0; i < 8; i++) t.failed('192.0.2.9', `user${i}`);
  assert.ok(t.lockedFor('192.0.2.9', 'fresh-name') > 0);
});

test('client address: the TCP peer unless it is a trusted proxy', () => {
  const none = new ClientAddress([]);
  assert.deepEqual(none.resolve('::ffff:192.0.2.1', 5000, '203.0.113.1'), { ip: '192.0.2.1', port: 5000 });
  const trusted = new ClientAddress(['10.0.0.0/8', '192.0.2.1']);
  assert.deepEqual(trusted.resolve('10.1.2.3', 5000, '198.51.100.7, 192.0.2.1'), { ip: '198.51.100.7', port: null });
  assert.deepEqual(trusted.resolve('10.1.2.3', 5000, 'not-an-ip'), { ip: '10.1.2.3', port: 5000 });
  assert.deepEqual(trusted.resolve('198.51.100.2', 5000, '203.0.113.1'), { ip: '198.51.100.2', port: 5000 });
});
