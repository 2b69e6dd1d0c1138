// The ipset + iptables/ip6tables blackhole on the real kernel, in two throwaway network namespaces joined by a veth
// pair with test-only addresses (10.202.x.0/29 and fd00:db8:x::/64, configured ONLY inside these namespaces). Both
// families, only the honeypot ports, an atomic reload, and nothing of ours left after uninstall; the host's own
// iptables, ip6tables, ipset and nftables state must not change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { spawnRunner } from '../../../src/domain/scanners/blackhole.ts';
import { IpsetBlackhole } from '../../../src/domain/scanners/blackholeIpset.ts';
import { loadMaltrailDir } from '../../../src/domain/scanners/list.ts';
import { FULL_LIST_DIR } from './paths.ts';
import { netnsPair, netnsSkipReason, sh, type NetnsPair } from '../../helpers/netns.ts';

const skip = netnsSkipReason(['ip', 'ipset', 'iptables', 'ip6tables', 'nft'], 'iptables rules');

/** iptables-save output without its timestamped comment lines. */
const saved = (argv: string[]): string => sh(argv).split('\n').filter((l) => !l.startsWith('#')).join('\n');

describe('ipset + iptables blackhole in a network namespace', { skip: skip ?? false }, () => {
  const x = randomInt(0, 256);
  const v4 = { listed: `10.202.${x}.1`, server: `10.202.${x}.2`, unlisted: `10.202.${x}.3` };
  const v6 = { listed: `fd00:db8:${x.toString(16)}::1`, server: `fd00:db8:${x.toString(16)}::2`, unlisted: `fd00:db8:${x.toString(16)}::3` };
  const dicomPort = 7000 + randomInt(0, 500);
  const webPort = dicomPort + 500;
  const otherPort = dicomPort + 1000;
  let ns: NetnsPair;
  const host: Record<string, string> = {};
  let serverNsBefore = '';
  let bh: IpsetBlackhole;

  const hostState = (): Record<string, string> => ({
    nft: sh(['nft', 'list', 'ruleset']),
    iptables: saved(['iptables-save']),
    ip6tables: saved(['ip6tables-save']),
    ipset: sh(['ipset', 'list', '-n']),
  });
  const serverNsState = (): string =>
    [saved(['ip', 'netns', 'exec', ns.server, 'iptables-save']), saved(['ip', 'netns', 'exec', ns.server, 'ip6tables-save']), sh(['ip', 'netns', 'exec', ns.server, 'ipset', 'list', '-n'])].join('\n--\n');

  /**
   * 0 when a TCP connect from `from` to the server's `port` succeeds within `timeoutMs`, 2 on a timeout (dropped).
   * A connect expected to succeed gets 2.5 s (a first IPv6 neighbour discovery on a loaded machine can take a while);
   * one expected to be dropped is given 700 ms.
   */
  function connect(from: string, to: string, port: number, timeoutMs = 2500): number {
    return ns.connect(to, port, timeoutMs, from);
  }

  before(async () => {
    Object.assign(host, hostState());
    ns = await netnsPair({
      prefix: 'dh-ips',
      client: [`${v4.listed}/29`, `${v4.unlisted}/29`, `${v6.listed}/64`, `${v6.unlisted}/64`],
      server: [`${v4.server}/29`, `${v6.server}/64`],
      listen: { host: '::', ports: [dicomPort, webPort, otherPort] },
    });
    serverNsBefore = serverNsState();
    bh = new IpsetBlackhole({ run: spawnRunner(['ip', 'netns', 'exec', ns.server]), ports: [dicomPort, webPort] });
  });

  after(() => {
    ns?.destroy();
  });

  it('drops listed IPv4 and IPv6 sources on the honeypot ports only; unlisted sources and other ports pass', async () => {
    for (const [from, to] of [[v4.listed, v4.server], [v6.listed, v6.server]]) assert.equal(connect(from!, to!, dicomPort), 0, `${from} connects before blocking`);
    const list = await loadMaltrailDir(FULL_LIST_DIR);
    const loaded = await bh.apply([...list.entries.map((e) => e.range), v4.listed, `${v6.listed}/128`]);
    assert.ok(loaded.v4 > 10 && loaded.v6 > 1, JSON.stringify(loaded));
    assert.match(await bh.listSet(4), /5\.63\.151\.0\/24/);
    for (const port of [dicomPort, webPort]) {
      assert.equal(connect(v4.listed, v4.server, port, 700), 2, `listed IPv4 → ${port} dropped`);
      assert.equal(connect(v6.listed, v6.server, port, 700), 2, `listed IPv6 → ${port} dropped`);
      assert.equal(connect(v4.unlisted, v4.server, port), 0, `unlisted IPv4 → ${port} open`);
      assert.equal(connect(v6.unlisted, v6.server, port), 0, `unlisted IPv6 → ${port} open`);
    }
    assert.equal(connect(v4.listed, v4.server, otherPort), 0, 'a port that is not the honeypot’s is left alone');
    assert.equal(connect(v6.listed, v6.server, otherPort), 0);
  });

  it('a reload swaps the sets atomically and leaves exactly one jump per family', async () => {
    const list = await loadMaltrailDir(FULL_LIST_DIR);
    await bh.apply([...list.entries.map((e) => e.range), `${v6.listed}/128`]); // the IPv4 client is no longer listed
    assert.equal(connect(v4.listed, v4.server, dicomPort), 0, 'IPv4 client unblocked by the new list');
    assert.equal(connect(v6.listed, v6.server, dicomPort, 700), 2, 'IPv6 client still listed');
    for (const tool of ['iptables-save', 'ip6tables-save']) {
      const rules = sh(['ip', 'netns', 'exec', ns.server, tool]);
      assert.equal(rules.split('\n').filter((l) => l === '-A INPUT -j DICOMHAWK').length, 1, tool);
    }
    const sets = sh(['ip', 'netns', 'exec', ns.server, 'ipset', 'list', '-n']).split('\n').filter(Boolean).sort();
    assert.deepEqual(sets, ['dicomhawk_v4', 'dicomhawk_v6'], 'no leftover *_new set');
  });

  it('uninstall removes every rule, chain and set of ours, and the host never changed', async () => {
    await bh.uninstall();
    assert.equal(await bh.exists(), false);
    // iptables-nft keeps the (empty, ACCEPT) filter table it created on first use; nothing else of ours may stay.
    const after = serverNsState();
    assert.equal(serverNsBefore.includes('-A '), false);
    assert.deepEqual(after.split('\n').filter((l) => l.startsWith('-A') || (l.startsWith(':') && !/^:(INPUT|FORWARD|OUTPUT) ACCEPT /.test(l))), [], after);
    assert.ok(!after.includes('DICOMHAWK') && !after.includes('dicomhawk'), after);
    assert.equal(connect(v6.listed, v6.server, dicomPort), 0);
    assert.deepEqual(hostState(), host, 'host iptables, ip6tables, ipset and nftables unchanged');
  });
});

if (skip) console.log(`# ipset blackhole netns test skipped: ${skip}`);
