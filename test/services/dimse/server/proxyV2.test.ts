/** PROXY v2 address text: IPv6 in RFC 5952 form, as every other part of DICOMHawk writes addresses. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseProxyV2, PROXY_V2_SIGNATURE } from '../../../../src/services/dimse/server/proxyV2.ts';

function v6Header(src: string, dst = '0000:0000:0000:0000:0000:0000:0000:0001'): Buffer {
  const addr = (text: string): Buffer => Buffer.from(text.replace(/:/g, ''), 'hex');
  return Buffer.concat([PROXY_V2_SIGNATURE, Buffer.from([0x21, 0x21, 0x00, 36]), addr(src), addr(dst), Buffer.from([0x9c, 0x41, 0x2b, 0x68])]);
}

const srcOf = (full: string): string | undefined => {
  const r = parseProxyV2(v6Header(full));
  assert.equal(r.kind, 'header');
  return r.kind === 'header' ? r.src?.ip : undefined;
};

describe('PROXY v2 IPv6 addresses as RFC 5952 text', () => {
  test('the longest run of zero groups becomes ::, not the first one', () => {
    assert.equal(srcOf('2001:0000:0000:0001:0000:0000:0000:0001'), '2001:0:0:1::1');
  });
  test('on a tie the first run is shortened', () => {
    assert.equal(srcOf('2001:0db8:0000:0000:0001:0000:0000:0001'), '2001:db8::1:0:0:1');
  });
  test('a single zero group is not shortened; hex is lower case without leading zeros', () => {
    assert.equal(srcOf('2001:0DB8:0000:0001:0001:0001:0001:0001'), '2001:db8:0:1:1:1:1:1');
  });
  test('the unspecified and loopback addresses', () => {
    assert.equal(srcOf('0000:0000:0000:0000:0000:0000:0000:0000'), '::');
    assert.equal(srcOf('0000:0000:0000:0000:0000:0000:0000:0001'), '::1');
  });
  test('an IPv4-mapped address is given as the IPv4 address, as for direct peers', () => {
    assert.equal(srcOf('0000:0000:0000:0000:0000:ffff:cb00:7132'), '203.0.113.50');
  });
});
