import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CommandRunner } from '../../../src/domain/scanners/blackhole.ts';
import { Blackhole, buildRuleset, parseSetElements, parseTargets, subtract, toNftElements } from '../../../src/domain/scanners/blackhole.ts';
import { parseRange } from '../../../src/domain/scanners/ipnum.ts';

function recordingRunner(stdout: (argv: readonly string[]) => string = () => ''): CommandRunner & { calls: { argv: readonly string[]; stdin: string | undefined }[] } {
  const calls: { argv: readonly string[]; stdin: string | undefined }[] = [];
  const run = (async (argv: readonly string[], stdin?: string) => {
    calls.push({ argv, stdin });
    return { code: 0, stdout: stdout(argv), stderr: '' };
  }) as CommandRunner & { calls: typeof calls };
  run.calls = calls;
  return run;
}

const r = (s: string) => parseRange(s)!;

describe('nftables ruleset text', () => {
  it('builds one table with two interval sets and a priority -10 input drop chain, replacing only our table', () => {
    const text = buildRuleset({ v4: ['1.2.3.4', '5.6.7.0/24'], v6: [] });
    assert.equal(
      text,
      [
        'table inet dicomhawk {}',
        'delete table inet dicomhawk',
        'table inet dicomhawk {',
        '\tset scanners_v4 {',
        '\t\ttype ipv4_addr',
        '\t\tflags interval',
        '\t\tauto-merge',
        '\t\telements = {',
        '\t\t\t1.2.3.4, 5.6.7.0/24',
        '\t\t}',
        '\t}',
        '\tset scanners_v6 {',
        '\t\ttype ipv6_addr',
        '\t\tflags interval',
        '\t\tauto-merge',
        '\t}',
        '\tchain input {',
        '\t\ttype filter hook input priority -10; policy accept;',
        '\t\tip saddr @scanners_v4 counter drop',
        '\t\tip6 saddr @scanners_v6 counter drop',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
    assert.ok(!/flush ruleset|delete table (?!inet dicomhawk)/.test(text));
  });

  it('refuses odd table names and priorities', () => {
    assert.throws(() => buildRuleset({ v4: [], v6: [] }, 'x; flush ruleset'), /invalid nft table name/);
    assert.throws(() => buildRuleset({ v4: [], v6: [] }, 'dicomhawk', 1.5), /priority/);
    assert.throws(() => new Blackhole({ run: recordingRunner(), table: 'a b' }), /invalid nft table name/);
  });

  it('merges overlapping and adjacent ranges into minimal CIDR elements', () => {
    const els = toNftElements([r('10.0.0.0/25'), r('10.0.0.128/25'), r('10.0.0.7'), r('10.0.1.1'), r('10.0.1.2'), r('2001:db8::/64'), r('2001:db8::5')]);
    assert.deepEqual(els, { v4: ['10.0.0.0/24', '10.0.1.1', '10.0.1.2'], v6: ['2001:db8::/64'] });
  });

  it('validates every target before it can reach an nft script', () => {
    assert.throws(() => parseTargets(['1.2.3.4 }; flush ruleset; {']), /not an IP address or network/);
    assert.throws(() => parseTargets(['example.com']), /not an IP/);
  });

  it('subtracts ranges and reads nft JSON set listings', () => {
    assert.deepEqual(subtract(r('10.0.0.0/29'), [r('10.0.0.3')]), [
      { family: 4, first: 0x0a000000n, last: 0x0a000002n },
      { family: 4, first: 0x0a000004n, last: 0x0a000007n },
    ]);
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { set: { family: 'inet', name: 'scanners_v4', elem: ['1.1.1.1', { prefix: { addr: '5.63.151.0', len: 24 } }, { range: ['10.200.1.1', '10.200.1.2'] }, { elem: { val: '9.9.9.9', counter: {} } }] } },
      ],
    });
    assert.deepEqual(parseSetElements(json, 4).map((e) => e.text), ['1.1.1.1', '5.63.151.0/24', '10.200.1.1-10.200.1.2', '9.9.9.9']);
  });
});

describe('Blackhole commands (recorded)', () => {
  it('applies atomically through nft -f - and adds elements incrementally', async () => {
    const run = recordingRunner();
    const bh = new Blackhole({ run });
    assert.deepEqual(await bh.apply(['1.2.3.4', '2001:db8::1']), { v4: 1, v6: 1 });
    assert.deepEqual(run.calls[0]!.argv, ['nft', '-f', '-']);
    assert.match(run.calls[0]!.stdin!, /^table inet dicomhawk \{\}\ndelete table inet dicomhawk\n/);
    await bh.add(['9.9.9.9', '2001:db8::2']);
    assert.equal(run.calls[1]!.stdin, 'add element inet dicomhawk scanners_v4 { 9.9.9.9 }\nadd element inet dicomhawk scanners_v6 { 2001:db8::2 }\n');
  });

  it('removes a part of a merged element by deleting it and re-adding the rest in one transaction', async () => {
    const listing = JSON.stringify({ nftables: [{ set: { elem: [{ prefix: { addr: '5.63.151.0', len: 24 } }, '7.7.7.7'] } }] });
    const run = recordingRunner((argv) => (argv.includes('-j') ? listing : ''));
    const bh = new Blackhole({ run, nft: '/usr/sbin/nft' });
    await bh.remove(['5.63.151.7']);
    assert.deepEqual(run.calls[0]!.argv, ['/usr/sbin/nft', '-j', 'list', 'set', 'inet', 'dicomhawk', 'scanners_v4']);
    assert.deepEqual(run.calls[1]!.argv, ['/usr/sbin/nft', '-f', '-']);
    assert.equal(
      run.calls[1]!.stdin,
      'delete element inet dicomhawk scanners_v4 { 5.63.151.0/24 }\n' +
        'add element inet dicomhawk scanners_v4 { 5.63.151.0/30, 5.63.151.4/31, 5.63.151.6, 5.63.151.8/29, 5.63.151.16/28, 5.63.151.32/27, 5.63.151.64/26, 5.63.151.128/25 }\n',
    );
    await bh.remove(['8.8.8.8']); // not in the set: nothing to do
    assert.equal(run.calls.length, 3);
  });

  it('removeTable deletes only our table, and only when it exists', async () => {
    const run = recordingRunner((argv) => (argv[1] === 'list' ? 'table inet filter\ntable inet dicomhawk\n' : ''));
    await new Blackhole({ run }).removeTable();
    assert.deepEqual(run.calls.map((c) => c.argv.join(' ')), ['nft list tables inet', 'nft delete table inet dicomhawk']);
    const none = recordingRunner(() => 'table inet filter\n');
    await new Blackhole({ run: none }).removeTable();
    assert.equal(none.calls.length, 1);
  });

  it('surfaces nft errors', async () => {
    const bh = new Blackhole({ run: async () => ({ code: 1, stdout: '', stderr: 'Error: Could not process rule: Operation not permitted' }) });
    await assert.rejects(bh.apply(['1.2.3.4']), /nft -f - failed \(1\): Error: Could not process rule/);
  });
});

describe('nftables ruleset limited to the honeypot ports', () => {
  it('drops listed sources only on the given TCP ports (sorted, deduplicated), so host traffic passes', () => {
    const text = buildRuleset({ v4: ['1.2.3.4'], v6: ['2001:db8::/64'] }, 'dicomhawk', -10, [11112, 3000, 104, 3000]);
    assert.match(text, /\tip saddr @scanners_v4 tcp dport \{ 104, 3000, 11112 \} counter drop\n/);
    assert.match(text, /\tip6 saddr @scanners_v6 tcp dport \{ 104, 3000, 11112 \} counter drop\n/);
    assert.throws(() => buildRuleset({ v4: [], v6: [] }, 'dicomhawk', -10, []), /ports/);
    assert.throws(() => buildRuleset({ v4: [], v6: [] }, 'dicomhawk', -10, [0]), /ports/);
    assert.throws(() => buildRuleset({ v4: [], v6: [] }, 'dicomhawk', -10, [1.5]), /ports/);
  });

  it('Blackhole passes its ports to the ruleset it loads', async () => {
    const run = recordingRunner();
    await new Blackhole({ run, ports: [11112] }).apply(['1.2.3.4']);
    assert.match(run.calls[0]!.stdin!, /ip saddr @scanners_v4 tcp dport \{ 11112 \} counter drop/);
  });
});
