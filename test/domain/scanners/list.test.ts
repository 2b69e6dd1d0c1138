import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadMaltrailDir, parseMaltrail } from '../../../src/domain/scanners/list.ts';
import { parseRange } from '../../../src/domain/scanners/ipnum.ts';
import { FIXTURE_DIR, FULL_LIST_DIR } from './paths.ts';

describe('maltrail list parsing', () => {
  it('reads addresses, networks, names and references; skips what is not an address', () => {
    const text = [
      '# Copyright line',
      '# Reference: https://example.org/a',
      '1.2.3.4 # scanner-a.example',
      '5.6.7.0/24   # net-b',
      '    ',
      '9.9.9.9',
      '2001:db8::1 # v6',
      '# Reference: https://example.org/c',
      '/w00tw00t.at.ISC.SANS.DFind:)',
      'C91.196.152.28 # typo',
      '1.2.3.4 5.6.7.8 # two',
      '10.0.0.0/33',
      '8.8.8.8\t# tabbed\t',
    ].join('\n');
    const { entries, skipped } = parseMaltrail(text, 'x.txt');
    assert.deepEqual(
      entries.map((e) => [e.entry, e.name, e.reference, e.line]),
      [
        ['1.2.3.4', 'scanner-a.example', 'https://example.org/a', 3],
        ['5.6.7.0/24', 'net-b', 'https://example.org/a', 4],
        ['9.9.9.9', null, 'https://example.org/a', 6],
        ['2001:db8::1', 'v6', 'https://example.org/a', 7],
        ['8.8.8.8', 'tabbed', 'https://example.org/c', 13],
      ],
    );
    assert.deepEqual(
      skipped.map((s) => [s.line, s.reason]),
      [
        [9, 'not an IP address or network'],
        [10, 'not an IP address or network'],
        [11, 'more than one token'],
        [12, 'not an IP address or network'],
      ],
    );
    assert.equal(entries[0]!.source, 'x.txt');
  });

  it('turns entries into inclusive ranges, ignoring host bits and unmapping IPv4-mapped IPv6', () => {
    assert.deepEqual(parseRange('5.63.151.7/24'), { family: 4, first: 0x053f9700n, last: 0x053f97ffn });
    assert.deepEqual(parseRange('::ffff:1.2.3.0/120'), { family: 4, first: 0x01020300n, last: 0x010203ffn });
    assert.deepEqual(parseRange('2001:db8::/127'), { family: 6, first: 0x20010db8n << 96n, last: (0x20010db8n << 96n) | 1n });
    for (const bad of ['1.2.3', '01.2.3.4', '1.2.3.4/', '1.2.3.4/x', 'fe80::1%eth0', '::/129']) assert.equal(parseRange(bad), null, bad);
  });

  it('loads the fixture excerpt', async () => {
    const { entries, skipped } = await loadMaltrailDir(FIXTURE_DIR);
    assert.ok(entries.length > 40);
    assert.deepEqual(skipped.map((s) => s.text), ['/w00tw00t.at.ISC.SANS.DFind:)', '/w00tw00t.at.blackhats.romanian.anti-sec:)', 'C91.196.152.28 # probe.onyphe.net']);
    assert.ok(entries.some((e) => e.source === 'mass_scanner_cidr.txt' && e.entry === '5.63.151.0/24'));
  });

  it('loads the full vendored list (data-files/maltrail)', async () => {
    const { entries, skipped } = await loadMaltrailDir(FULL_LIST_DIR);
    assert.ok(entries.length > 19_000, String(entries.length));
    assert.ok(entries.some((e) => e.range.family === 6));
    assert.ok(skipped.length < 20, JSON.stringify(skipped));
  });
});
