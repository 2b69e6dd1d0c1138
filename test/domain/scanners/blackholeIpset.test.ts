import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommandRunner } from '../../../src/domain/scanners/blackhole.ts';
import { createBlackhole } from '../../../src/domain/scanners/blackholeBackend.ts';
import { IpsetBlackhole, buildIpsetRestore, ipsetElements } from '../../../src/domain/scanners/blackholeIpset.ts';
import { parseRange } from '../../../src/domain/scanners/ipnum.ts';

type Call = { argv: readonly string[]; stdin: string | undefined };

/** Records every command; `answer` decides the exit code (default 0). */
function recordingRunner(answer: (argv: readonly string[]) => { code?: number; stdout?: string } = () => ({})): CommandRunner & { calls: Call[] } {
  const calls: Call[] = [];
  const run = (async (argv: readonly string[], stdin?: string) => {
    calls.push({ argv, stdin });
    const a = answer(argv);
    return { code: a.code ?? 0, stdout: a.stdout ?? '', stderr: a.code ? 'failed' : '' };
  }) as CommandRunner & { calls: Call[] };
  run.calls = calls;
  return run;
}

const r = (s: string) => parseRange(s)!;

describe('ipset blackhole (recorded commands)', () => {
  it('writes merged CIDR elements; a /0 becomes two halves (hash:net refuses /0)', () => {
    assert.deepEqual(ipsetElements([r('10.0.0.0/25'), r('10.0.0.128/25'), r('2001:db8::/64'), r('2001:db8::9')]), { v4: ['10.0.0.0/24'], v6: ['2001:db8::/64'] });
    assert.deepEqual(ipsetElements([r('0.0.0.0/0'), r('::/0')]), { v4: ['0.0.0.0/1', '128.0.0.0/1'], v6: ['::/1', '8000::/1'] });
  });

  it('fills a fresh set and swaps it with the live one in one ipset restore', () => {
    assert.equal(
      buildIpsetRestore('dicomhawk_v4', 'inet', ['1.2.3.4', '5.6.7.0/24']),
      [
        'create dicomhawk_v4_new hash:net family inet hashsize 1024 maxelem 65536 -exist',
        'flush dicomhawk_v4_new',
        'add dicomhawk_v4_new 1.2.3.4 -exist',
        'add dicomhawk_v4_new 5.6.7.0/24 -exist',
        'create dicomhawk_v4 hash:net family inet hashsize 1024 maxelem 65536 -exist',
        'swap dicomhawk_v4_new dicomhawk_v4',
        'destroy dicomhawk_v4_new',
        '',
      ].join('\n'),
    );
  });

  it('first apply: both sets, our chain in iptables and ip6tables limited to the honeypot ports, one jump from INPUT', async () => {
    // Our chain does not exist yet, nor the jump: -S and -C fail.
    const run = recordingRunner((argv) => ({ code: argv.includes('-S') || argv.includes('-C') ? 1 : 0 }));
    const bh = new IpsetBlackhole({ run, ports: [11112, 104, 3000, 104] });
    assert.deepEqual(await bh.apply(['198.51.100.9', '192.0.2.0/28', '2001:db8::1']), { v4: 2, v6: 1 });
    const lines = run.calls.map((c) => c.argv.join(' '));
    assert.deepEqual(lines, [
      'ipset restore',
      'ipset restore',
      'iptables -w -S DICOMHAWK',
      'iptables -w -N DICOMHAWK',
      'iptables -w -F DICOMHAWK',
      'iptables -w -A DICOMHAWK -p tcp -m multiport --dports 104,3000,11112 -m set --match-set dicomhawk_v4 src -j DROP',
      'iptables -w -C INPUT -j DICOMHAWK',
      'iptables -w -I INPUT 1 -j DICOMHAWK',
      'ip6tables -w -S DICOMHAWK',
      'ip6tables -w -N DICOMHAWK',
      'ip6tables -w -F DICOMHAWK',
      'ip6tables -w -A DICOMHAWK -p tcp -m multiport --dports 104,3000,11112 -m set --match-set dicomhawk_v6 src -j DROP',
      'ip6tables -w -C INPUT -j DICOMHAWK',
      'ip6tables -w -I INPUT 1 -j DICOMHAWK',
    ]);
    assert.match(run.calls[0]!.stdin!, /add dicomhawk_v4_new 192\.0\.2\.0\/28 -exist\nadd dicomhawk_v4_new 198\.51\.100\.9 -exist\n/);
    assert.match(run.calls[1]!.stdin!, /family inet6[\s\S]*add dicomhawk_v6_new 2001:db8::1 -exist/);
  });

  it('a reload with the chains in place only swaps the sets: no second jump, the host chains never flushed', async () => {
    const run = recordingRunner();
    await new IpsetBlackhole({ run, ports: [11112] }).apply(['198.51.100.9']);
    const lines = run.calls.map((c) => c.argv.join(' '));
    assert.equal(lines.filter((l) => /-I INPUT/.test(l)).length, 0);
    assert.ok(lines.every((l) => !/-F INPUT|-X INPUT|-F$| -P /.test(l)), lines.join('\n'));
  });

  it('more than 15 ports are split over several multiport rules', async () => {
    const run = recordingRunner();
    await new IpsetBlackhole({ run, ports: Array.from({ length: 20 }, (_, i) => 2000 + i) }).apply(['198.51.100.9']);
    const rules = run.calls.map((c) => c.argv.join(' ')).filter((l) => l.startsWith('iptables -w -A'));
    assert.equal(rules.length, 2);
    assert.match(rules[1]!, /--dports 2015,2016,2017,2018,2019 /);
  });

  it('uninstall deletes the jump, our chains and our sets, and nothing else', async () => {
    let jumps = { iptables: 1, ip6tables: 1 };
    const run = recordingRunner((argv) => {
      const tool = argv[0] as 'iptables' | 'ip6tables';
      if (argv.includes('-C')) return { code: jumps[tool] > 0 ? 0 : 1 };
      if (argv.includes('-D')) jumps = { ...jumps, [tool]: jumps[tool] - 1 };
      if (argv.join(' ') === 'ipset list -n') return { stdout: 'hostset\ndicomhawk_v4\ndicomhawk_v6\n' };
      return {};
    });
    await new IpsetBlackhole({ run, ports: [11112] }).uninstall();
    assert.deepEqual(run.calls.map((c) => c.argv.join(' ')), [
      'iptables -w -C INPUT -j DICOMHAWK',
      'iptables -w -D INPUT -j DICOMHAWK',
      'iptables -w -C INPUT -j DICOMHAWK',
      'iptables -w -S DICOMHAWK',
      'iptables -w -F DICOMHAWK',
      'iptables -w -X DICOMHAWK',
      'ip6tables -w -C INPUT -j DICOMHAWK',
      'ip6tables -w -D INPUT -j DICOMHAWK',
      'ip6tables -w -C INPUT -j DICOMHAWK',
      'ip6tables -w -S DICOMHAWK',
      'ip6tables -w -F DICOMHAWK',
      'ip6tables -w -X DICOMHAWK',
      'ipset list -n',
      'ipset destroy dicomhawk_v4',
      'ipset destroy dicomhawk_v6',
    ]);
  });

  it('validates targets, names and ports before any command runs', async () => {
    const run = recordingRunner();
    await assert.rejects(new IpsetBlackhole({ run }).apply(['1.2.3.4 -j ACCEPT']), /not an IP address or network/);
    assert.throws(() => new IpsetBlackhole({ run, name: 'x; reboot' }), /invalid ipset name/);
    assert.throws(() => new IpsetBlackhole({ run, ports: [70000] }), /ports/);
    assert.equal(run.calls.length, 0);
  });

  it('surfaces command errors', async () => {
    const run = recordingRunner(() => ({ code: 1 }));
    await assert.rejects(new IpsetBlackhole({ run }).apply(['1.2.3.4']), /ipset restore failed \(1\): failed/);
  });
});

describe('blackhole backend choice (BLOCK_SCANNERS_BACKEND)', () => {
  it('auto takes nftables when nft runs, ipset + iptables when it does not, and nftables when neither does', async () => {
    const withNft = recordingRunner();
    assert.equal((await createBlackhole('auto', { run: withNft, ports: [11112] })).backend, 'nftables');
    const noNft = recordingRunner((argv) => ({ code: argv[0] === 'nft' ? 127 : 0 }));
    assert.equal((await createBlackhole('auto', { run: noNft, ports: [11112] })).backend, 'ipset');
    assert.deepEqual(noNft.calls.map((c) => c.argv.join(' ')), ['nft --version', 'ipset --version', 'iptables --version']);
    const none = recordingRunner(() => ({ code: 127 }));
    assert.equal((await createBlackhole('auto', { run: none, ports: [11112] })).backend, 'nftables');
  });

  it('an explicit choice asks the host nothing', async () => {
    const run = recordingRunner();
    assert.equal((await createBlackhole('ipset', { run, ports: [11112] })).backend, 'ipset');
    assert.equal((await createBlackhole('nftables', { run, ports: [11112] })).backend, 'nftables');
    assert.equal(run.calls.length, 0);
  });
});
