import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMaltrail } from '../../../src/domain/scanners/list.ts';
import { ScannerMatcher } from '../../../src/domain/scanners/matcher.ts';
import type { RdnsResolver } from '../../../src/domain/scanners/rdns.ts';
import { matchRdns, suffixFor, DEFAULT_RDNS_SUFFIXES } from '../../../src/domain/scanners/rdns.ts';

/** A resolver answering from fixed tables; records what it was asked. */
function fakeResolver(ptr: Record<string, string[]>, fwd: Record<string, string[]>, hang = false): RdnsResolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    reverse: (ip) => {
      asked.push(`PTR ${ip}`);
      if (hang) return new Promise(() => {});
      return ptr[ip] ? Promise.resolve(ptr[ip]!) : Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
    },
    resolve: (host) => {
      asked.push(`A ${host}`);
      return Promise.resolve(fwd[host] ?? []);
    },
  };
}

describe('reverse-DNS scanner matching', () => {
  it('matches known suffixes, case- and trailing-dot-insensitively, not look-alikes', () => {
    const cases: [string, string | null][] = [
      ['census1.shodan.io', 'Shodan'],
      ['CENSUS1.SHODAN.IO.', 'Shodan'],
      ['shodan.io', 'Shodan'],
      ['scanner-23.ch1.censys-scanner.com', 'Censys'],
      ['scan-02h.shadowserver.org', 'Shadowserver'],
      ['abc.binaryedge.ninja', 'BinaryEdge'],
      ['worker.internet-measurement.com', 'Driftnet (internet-measurement.com)'],
      ['zg-0607a-12.stretchoid.com', 'Stretchoid'],
      ['evilshodan.io', null],
      ['shodan.io.evil.com', null],
      ['example.com', null],
    ];
    for (const [host, name] of cases) assert.equal(suffixFor(host, DEFAULT_RDNS_SUFFIXES)?.name ?? null, name, host);
  });

  it('requires forward confirmation by default', async () => {
    const spoofed = fakeResolver({ '203.0.113.5': ['census9.shodan.io'] }, { 'census9.shodan.io': ['198.20.69.74'] });
    assert.equal(await matchRdns('203.0.113.5', { resolver: spoofed }), null);
    assert.deepEqual(spoofed.asked, ['PTR 203.0.113.5', 'A census9.shodan.io']);

    const real = fakeResolver({ '198.20.69.74': ['census9.shodan.io.'] }, { 'census9.shodan.io': ['198.20.69.74'] });
    assert.deepEqual(await matchRdns('198.20.69.74', { resolver: real }), { entry: '*.shodan.io', name: 'Shodan', hostname: 'census9.shodan.io', forwardConfirmed: true });
  });

  it('can skip forward confirmation, and confirms IPv6 by value', async () => {
    const r = fakeResolver({ '203.0.113.5': ['x.stretchoid.com'] }, {});
    assert.equal((await matchRdns('203.0.113.5', { resolver: r, forwardConfirm: false }))?.name, 'Stretchoid');
    const v6 = fakeResolver({ '2001:db8::10': ['s.censys-scanner.com'] }, { 's.censys-scanner.com': ['2001:0db8:0:0:0:0:0:0010'] });
    assert.equal((await matchRdns('2001:db8::10', { resolver: v6 }))?.name, 'Censys');
  });

  it('uses custom suffixes and survives DNS errors and timeouts', async () => {
    const r = fakeResolver({ '203.0.113.9': ['probe.lab.example'] }, { 'probe.lab.example': ['203.0.113.9'] });
    assert.equal((await matchRdns('203.0.113.9', { resolver: r, suffixes: [{ suffix: 'lab.example', name: 'Our lab' }] }))?.name, 'Our lab');
    assert.equal(await matchRdns('203.0.113.10', { resolver: r }), null);
    const hang = fakeResolver({}, {}, true);
    assert.equal(await matchRdns('203.0.113.11', { resolver: hang, timeoutMs: 20 }), null);
    assert.equal(await matchRdns('not-an-ip', { resolver: r }), null);
  });

  it('identify(): the list first, rDNS only when the list has no match', async () => {
    const m = new ScannerMatcher(parseMaltrail('198.20.69.74 # census9.shodan.io').entries);
    const r = fakeResolver({ '198.20.70.1': ['census10.shodan.io'] }, { 'census10.shodan.io': ['198.20.70.1'] });
    assert.equal((await m.identify('198.20.69.74', { resolver: r }))?.how, 'list');
    assert.deepEqual(r.asked, []);
    assert.deepEqual(await m.identify('198.20.70.1', { resolver: r }), {
      entry: '*.shodan.io',
      name: 'Shodan',
      how: 'rdns',
      source: 'rdns',
      reference: null,
      hostname: 'census10.shodan.io',
    });
    assert.equal(await m.identify('198.20.70.1'), null);
  });
});
