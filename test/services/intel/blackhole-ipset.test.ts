// BLOCK_SCANNERS with the ipset + iptables backend through the intel surface: chosen automatically where nft is
// missing (recorded commands), and forced with BLOCK_SCANNERS_BACKEND=ipset on the real kernel in throwaway network
// namespaces (as root; skipped with the reason otherwise), like blackhole.test.ts does for nftables.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandRunner } from '../../../src/domain/scanners/blackhole.ts';
import { spawnRunner } from '../../../src/domain/scanners/blackhole.ts';
import { waitFor } from '../../helpers/net.ts';
import type { Harness } from './harness.ts';
import { connectAndClose, scannerEvent, startIntel } from './harness.ts';
import { has, netnsPair, netnsSkipReason, sh, type NetnsPair } from '../../helpers/netns.ts';

describe('BLOCK_SCANNERS on a host without nft (recorded commands)', () => {
  test('auto picks ipset + iptables, loads both families limited to the honeypot ports, and removes them at stop', async () => {
    const calls: string[] = [];
    let loaded = false;
    const run: CommandRunner = async (argv, stdin) => {
      const line = argv.join(' ');
      calls.push(stdin ? `${line} <<${stdin.split('\n').length} lines` : line);
      if (argv[0] === 'nft') return { code: 127, stdout: '', stderr: 'spawn nft ENOENT' };
      if (argv.includes('restore')) loaded = true;
      if (line === 'ipset list -n') return { code: 0, stdout: loaded ? 'dicomhawk_v4\ndicomhawk_v6\n' : '', stderr: '' };
      // Our jump and chain exist once loaded, until deleted (-D) and removed (-X).
      const gone = (verb: string): boolean => calls.some((c) => c.startsWith(`${argv[0]} -w ${verb}`));
      if (argv.includes('-C')) return { code: loaded && !gone('-D') ? 0 : 1, stdout: '', stderr: '' };
      if (argv.includes('-S')) return { code: loaded && !gone('-X') ? 0 : 1, stdout: '', stderr: '' };
      return { code: 0, stdout: '', stderr: '' };
    };
    const dir = mkdtempSync(join(tmpdir(), 'dh-intel-ipset-'));
    writeFileSync(join(dir, 'list.txt'), '198.51.100.9 # test scanner\n2001:db8::/64 # test v6 range\n');
    const h = await startIntel({ BLOCK_SCANNERS: 'yes', SCANNER_LISTS: join(dir, 'list.txt'), DICOM_PORT: '104,11112', API_PORT: '8080' }, { nftRunner: run });
    try {
      assert.equal(h.running.blocking(), 'on');
      assert.equal(h.running.blockingBackend(), 'ipset');
      assert.ok(calls.includes('iptables -w -A DICOMHAWK -p tcp -m multiport --dports 104,8080,11112 -m set --match-set dicomhawk_v4 src -j DROP'), calls.join('\n'));
      assert.ok(calls.includes('ip6tables -w -A DICOMHAWK -p tcp -m multiport --dports 104,8080,11112 -m set --match-set dicomhawk_v6 src -j DROP'));
      assert.ok(h.logLines.some((l) => l.includes('scanner blackhole loaded') && l.includes('"backend":"ipset"')));
      connectAndClose(h, 'listed', '198.51.100.9');
      await waitFor(() => scannerEvent(h, 'listed') !== undefined);
      assert.equal(scannerEvent(h, 'listed')!.blocked, true);
      await h.running.stop();
      assert.ok(calls.includes('ipset destroy dicomhawk_v4') && calls.includes('ipset destroy dicomhawk_v6'));
      assert.ok(calls.includes('iptables -w -X DICOMHAWK') && calls.includes('ip6tables -w -X DICOMHAWK'));
      assert.ok(h.logLines.some((l) => l.includes('scanner blackhole removed (ipsets dicomhawk_v4/dicomhawk_v6')));
    } finally {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without the privilege: one line naming the ipset tools, and the sensor runs on', async () => {
    const run: CommandRunner = async (argv) => (argv.includes('--version') ? { code: 0, stdout: 'v', stderr: '' } : { code: 2, stdout: '', stderr: 'ipset v7.17: Kernel error received: Operation not permitted' });
    const h = await startIntel({ BLOCK_SCANNERS: 'yes', BLOCK_SCANNERS_BACKEND: 'ipset' }, { nftRunner: run });
    try {
      assert.equal(h.running.blocking(), 'unavailable');
      const lines = h.logLines.filter((l) => l.includes('BLOCK_SCANNERS=yes but the ipset rules could not be loaded'));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /ipset, iptables and ip6tables commands and CAP_NET_ADMIN.*Operation not permitted.*continuing without kernel blocking/);
    } finally {
      await h.stop();
    }
  });
});

// ---- real ipset + iptables in network namespaces ----

const skip = netnsSkipReason(['ip', 'ipset', 'iptables', 'ip6tables'], 'iptables rules');

describe('BLOCK_SCANNERS_BACKEND=ipset in a network namespace (real ipset + iptables)', { skip: skip ?? false }, () => {
  const x = randomInt(0, 256);
  const v4 = { listed: `10.203.${x}.1`, server: `10.203.${x}.2`, unlisted: `10.203.${x}.3` };
  const v6 = { listed: `fd00:db9:${x.toString(16)}::1`, server: `fd00:db9:${x.toString(16)}::2`, unlisted: `fd00:db9:${x.toString(16)}::3` };
  const dicomPort = 7000 + randomInt(0, 500);
  const webPort = dicomPort + 500;
  let ns: NetnsPair;
  let hostBefore = '';
  let h: Harness;
  let listDir = '';

  const hostState = (): string => [sh(['iptables-save']), sh(['ip6tables-save']), sh(['ipset', 'list', '-n']), has('nft') ? sh(['nft', 'list', 'ruleset']) : ''].join('\n').split('\n').filter((l) => !l.startsWith('#')).join('\n');

  /** 0 when a TCP connect from `from` to `to`:`port` succeeds within 700 ms, 2 when it is dropped. */
  const connect = (from: string, to: string, port: number): number => ns.connect(to, port, 700, from);

  before(async () => {
    hostBefore = hostState();
    ns = await netnsPair({
      prefix: 'dh-ipi',
      client: [`${v4.listed}/29`, `${v4.unlisted}/29`, `${v6.listed}/64`, `${v6.unlisted}/64`],
      server: [`${v4.server}/29`, `${v6.server}/64`],
      listen: { host: '::', ports: [dicomPort, webPort] },
    });
    listDir = mkdtempSync(join(tmpdir(), 'dh-intel-ipset-netns-'));
    writeFileSync(join(listDir, 'extra.txt'), `${v4.listed} # test-only listed scanner\n${v6.listed} # test-only listed IPv6 scanner\n`);
    h = await startIntel(
      { BLOCK_SCANNERS: 'yes', BLOCK_SCANNERS_BACKEND: 'ipset', SCANNER_LISTS: `builtin,${join(listDir, 'extra.txt')}`, DICOM_PORT: String(dicomPort), API_PORT: String(webPort) },
      { nftRunner: spawnRunner(['ip', 'netns', 'exec', ns.server]) },
    );
  });

  after(async () => {
    await h?.stop();
    ns?.destroy();
    if (listDir) rmSync(listDir, { recursive: true, force: true });
  });

  test('listed IPv4 and IPv6 sources cannot reach the DICOM and web ports; unlisted ones can', async () => {
    assert.equal(h.running.blocking(), 'on');
    assert.equal(h.running.blockingBackend(), 'ipset');
    for (const port of [dicomPort, webPort]) {
      assert.equal(connect(v4.listed, v4.server, port), 2, `listed IPv4 → ${port}`);
      assert.equal(connect(v6.listed, v6.server, port), 2, `listed IPv6 → ${port}`);
      assert.equal(connect(v4.unlisted, v4.server, port), 0, `unlisted IPv4 → ${port}`);
      assert.equal(connect(v6.unlisted, v6.server, port), 0, `unlisted IPv6 → ${port}`);
    }
    connectAndClose(h, 'from-listed-v6', v6.listed);
    await waitFor(() => scannerEvent(h, 'from-listed-v6') !== undefined);
    assert.deepEqual({ how: scannerEvent(h, 'from-listed-v6')!.how, blocked: scannerEvent(h, 'from-listed-v6')!.blocked }, { how: 'list', blocked: true });
  });

  test('stop removes our chains and sets: the listed sources connect again, and the host never changed', async () => {
    await h.running.stop();
    assert.equal(sh(['ip', 'netns', 'exec', ns.server, 'ipset', 'list', '-n']).trim(), '');
    for (const tool of ['iptables-save', 'ip6tables-save']) assert.ok(!sh(['ip', 'netns', 'exec', ns.server, tool]).includes('DICOMHAWK'), tool);
    assert.equal(connect(v4.listed, v4.server, dicomPort), 0);
    assert.equal(connect(v6.listed, v6.server, webPort), 0);
    assert.equal(hostState(), hostBefore, 'host iptables, ip6tables, ipset and nftables unchanged');
  });
});

if (skip) console.log(`# intel ipset blackhole netns test skipped: ${skip}`);
