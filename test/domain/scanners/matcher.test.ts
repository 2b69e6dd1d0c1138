import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMaltrailDir, parseMaltrail } from '../../../src/domain/scanners/list.ts';
import { ScannerMatcher } from '../../../src/domain/scanners/matcher.ts';
import { FIXTURE_DIR, FULL_LIST_DIR } from './paths.ts';

describe('ScannerMatcher on the fixture excerpt', () => {
  let m: ScannerMatcher;
  before(async () => {
    m = new ScannerMatcher((await loadMaltrailDir(FIXTURE_DIR)).entries);
  });

  it('matches exact addresses with their comment name', () => {
    assert.deepEqual(m.match('129.82.138.12'), {
      entry: '129.82.138.12',
      name: 'pinger1a.netsec.colostate.edu',
      how: 'list',
      source: 'mass_scanner.txt',
      reference: null,
    });
    assert.equal(m.match('184.105.139.101')?.name, 'scan-03g.shadowserver.org');
    assert.equal(m.match('129.82.138.13'), null);
  });

  it('matches CIDR networks up to and including their boundaries, not beyond', () => {
    const cases: [string, string | null][] = [
      ['162.142.125.0', '162.142.125.0/24'],
      ['162.142.125.255', '162.142.125.0/24'],
      ['162.142.124.255', null],
      ['162.142.126.0', null],
      ['104.131.64.0', '104.131.64.0/18'],
      ['104.131.127.255', '104.131.64.0/18'],
      ['104.131.128.0', null],
      ['79.137.65.46', '79.137.65.46/32'],
      ['79.137.65.47', null],
    ];
    for (const [ip, entry] of cases) assert.equal(m.match(ip)?.entry ?? null, entry, ip);
  });

  it('names a nested address by its own line, and an unnamed one by the named network around it', () => {
    assert.equal(m.match('5.63.151.101')?.entry, '5.63.151.101');
    assert.equal(m.match('5.63.151.7')?.entry, '5.63.151.0/24');
    assert.equal(m.match('104.131.64.92')?.entry, '104.131.64.92');
    // 45.33.2.193 is listed without a comment inside "45.33.2.0/24 # 45.33.2.193".
    assert.deepEqual(m.match('45.33.2.193'), { entry: '45.33.2.0/24', name: '45.33.2.193', how: 'list', source: 'mass_scanner_cidr.txt', reference: null });
  });

  it('keeps the preceding Reference URL and null names for comment-less lines', () => {
    const hit = m.match('178.79.181.200');
    assert.equal(hit?.name, null);
    assert.equal(hit?.reference, 'https://twitter.com/bad_packets/status/1105245951327784960');
  });

  it('matches IPv6 entries and IPv4-mapped IPv6 peers', () => {
    assert.equal(m.match('2400:6180:0:d0::1008:2001')?.name, 'binaryedge.ninja');
    assert.equal(m.match('2400:6180:0:D0:0:0:1008:2001')?.name, 'binaryedge.ninja');
    assert.equal(m.match('2400:6180:0:d0::1008:2002'), null);
    assert.equal(m.match('::ffff:129.82.138.12')?.entry, '129.82.138.12');
  });

  it('returns null for junk input', () => {
    for (const ip of ['', 'x', '1.2.3', '999.1.1.1', '1.2.3.4.5', '01.2.3.4', 'fe80::1%lo']) assert.equal(m.match(ip), null, ip);
  });
});

describe('ScannerMatcher interval building', () => {
  it('handles duplicates, nesting several levels deep, and adjacency', () => {
    const text = [
      '10.0.0.0/8 # outer',
      '10.1.0.0/16 # middle',
      '10.1.2.3 # inner',
      '10.1.0.0/16',
      '10.1.0.0/16 # middle-dup',
      '10.2.0.0/16',
      '11.0.0.0/24 # a',
      '11.0.1.0/24 # b',
      '0.0.0.0/32 # zero',
      '255.255.255.255 # top',
    ].join('\n');
    const m = new ScannerMatcher(parseMaltrail(text).entries);
    const cases: [string, string | null][] = [
      ['10.0.0.0', 'outer'],
      ['10.1.0.0', 'middle'],
      ['10.1.2.2', 'middle'],
      ['10.1.2.3', 'inner'],
      ['10.1.2.4', 'middle'],
      ['10.1.255.255', 'middle'],
      ['10.2.3.4', 'outer'], // unnamed /16 yields to the named /8 around it
      ['10.255.255.255', 'outer'],
      ['11.0.0.255', 'a'],
      ['11.0.1.0', 'b'],
      ['11.0.2.0', null],
      ['0.0.0.0', 'zero'],
      ['0.0.0.1', null],
      ['255.255.255.255', 'top'],
    ];
    for (const [ip, name] of cases) assert.equal(m.match(ip)?.name ?? null, name, ip);
    assert.equal(m.match('10.1.0.0')?.entry, '10.1.0.0/16');
  });

  it('handles an empty list', () => {
    const m = new ScannerMatcher([]);
    assert.equal(m.match('1.2.3.4'), null);
    assert.equal(m.match('::1'), null);
  });
});

describe('ScannerMatcher on the full vendored list', () => {
  it('agrees with a linear scan on every listed entry start and end', async () => {
    const { entries } = await loadMaltrailDir(FULL_LIST_DIR);
    const m = new ScannerMatcher(entries);
    for (const e of entries) {
      const hit = m.match(e.entry.split('/')[0]!);
      assert.ok(hit, e.entry);
    }
    assert.equal(m.match('5.63.151.100')?.name, 'scanners.labs.rapid7.com');
    assert.equal(m.match('192.0.2.1'), null);
  });
});
