// BLOCK_SCANNERS through the intel surface: with a recording nft runner (always), and with real nftables in
// throwaway network namespaces (as root; skipped with the reason otherwise). The namespace test reuses the approach
// of test/domain/scanners/blackhole-netns.test.ts: test-only 10.200.x addresses exist only inside its namespaces,
// and the host's own ruleset must be byte-identical before and after.
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CommandRunner } from '../../../src/domain/scanners/blackhole.ts';
import { spawnRunner } from '../../../src/domain/scanners/blackhole.ts';
import type { RdnsResolver } from '../../../src/domain/scanners/rdns.ts';
import { waitFor } from '../../helpers/net.ts';
import type { Harness } from './harness.ts';
import { connectAndClose, scannerEvent, startIntel } from './harness.ts';
import { netnsPair, netnsSkipReason, sh, type NetnsPair } from '../../helpers/netns.ts';

function runner(answer: (argv: readonly string[]) => { code: number; stdout?: string; stderr?: string }): CommandRunner & { calls: Array<{ argv: readonly string[]; stdin?: string }> } {
  const calls: Array<{ argv: readonly string[]; stdin?: string }> = [];
  const run = (async (argv: readonly string[], stdin?: string) => {
    calls.push({ argv, ...(stdin === undefined ? {} : { stdin }) });
    const a = answer(argv);
    return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  }) as CommandRunner & { calls: typeof calls };
  run.calls = calls;
  return run;
}

describe('BLOCK_SCANNERS through the intel surface (recorded nft commands)', () => {
  test('loads exactly the list entries, limited to the honeypot ports, and deletes only our table at stop', async () => {
    let tableLoaded = false;
    const nft = runner((argv) => {
      if (argv.includes('-f')) tableLoaded = true;
      if (argv.join(' ') === 'nft list tables inet') return { code: 0, stdout: tableLoaded ? 'table inet filter\ntable inet dicomhawk\n' : 'table inet filter\n' };
      return { code: 0 };
    });
    const dir = mkdtempSync(join(tmpdir(), 'dh-intel-list-'));
    writeFileSync(join(dir, 'list.txt'), '# Reference: https://example.org/list\n198.51.100.9 # test scanner\n192.0.2.0/28 # test range\n');
    const h = await startIntel({ BLOCK_SCANNERS: 'yes', SCANNER_LISTS: join(dir, 'list.txt'), DICOM_PORT: '104,11112', API_PORT: '8080' }, { nftRunner: nft });
    try {
      assert.equal(h.running.blocking(), 'on');
      assert.equal(h.running.blockingBackend(), 'nftables', 'auto: the nft command answered');
      assert.deepEqual(nft.calls[0]!.argv, ['nft', '--version']);
      const script = nft.calls.find((c) => c.argv.includes('-f'))!.stdin!;
      assert.match(script, /elements = \{\n\t\t\t192\.0\.2\.0\/28, 198\.51\.100\.9\n/);
      assert.match(script, /ip saddr @scanners_v4 tcp dport \{ 104, 8080, 11112 \} counter drop/);
      assert.ok(!/flush ruleset/.test(script));
      connectAndClose(h, 'listed', '198.51.100.9');
      await waitFor(() => scannerEvent(h, 'listed') !== undefined);
      assert.equal(scannerEvent(h, 'listed')!.blocked, true);
      await h.running.stop();
      assert.deepEqual(nft.calls.at(-1)!.argv, ['nft', 'delete', 'table', 'inet', 'dicomhawk']);
      assert.equal(h.running.blocking(), 'off');
    } finally {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('without the privilege: one diagnostic line, the sensor runs on, scanners are tagged with blocked: false', async () => {
    const nft = runner(() => ({ code: 1, stderr: 'Error: Could not process rule: Operation not permitted\n' }));
    const h = await startIntel({ BLOCK_SCANNERS: 'yes' }, { nftRunner: nft });
    try {
      assert.equal(h.running.blocking(), 'unavailable');
      const lines = h.logLines.filter((l) => l.includes('BLOCK_SCANNERS=yes but the nftables rules could not be loaded'));
      assert.equal(lines.length, 1);
      assert.match(lines[0]!, /CAP_NET_ADMIN.*Operation not permitted.*continuing without kernel blocking/);
      connectAndClose(h, 'listed', '129.82.138.12');
      await waitFor(() => scannerEvent(h, 'listed') !== undefined);
      assert.deepEqual({ how: scannerEvent(h, 'listed')!.how, blocked: scannerEvent(h, 'listed')!.blocked }, { how: 'list', blocked: false });
      const calls = nft.calls.length;
      await h.running.stop();
      assert.equal(nft.calls.length, calls, 'nothing to remove when nothing was loaded');
    } finally {
      await h.stop();
    }
  });

  test('with no nft command at all the surface starts too', async () => {
    // The prefix makes the spawned program one that does not exist: spawn fails with ENOENT (code 127).
    const h = await startIntel({ BLOCK_SCANNERS: 'yes' }, { nftRunner: spawnRunner(['/nonexistent/dicomhawk-test/no-such-command']) });
    try {
      assert.equal(h.running.blocking(), 'unavailable');
      assert.ok(h.logLines.some((l) => /nftables rules could not be loaded.*ENOENT/.test(l)));
    } finally {
      await h.stop();
    }
  });
});

// ---- real nftables in network namespaces ----

const skip = netnsSkipReason(['ip', 'nft'], 'nftables rules');

describe('BLOCK_SCANNERS in a network namespace (real nftables)', { skip: skip ?? false }, () => {
  const net = `10.201.${randomInt(0, 256)}`;
  const listed = `${net}.1`;
  const server = `${net}.2`;
  const unlisted = `${net}.3`;
  const rdnsOnly = `${net}.4`;
  const dicomPort = 7000 + randomInt(0, 500);
  const webPort = dicomPort + 500;
  const otherPort = dicomPort + 1000;
  let ns: NetnsPair;
  let hostRulesetBefore = '';
  let h: Harness;
  let listDir = '';

  /** 0 when a TCP connect from `from` (in the client namespace) to the server's `port` succeeds within 700 ms. */
  const connect = (from: string, port: number): number => ns.connect(server, port, 700, from);

  const resolver: RdnsResolver = {
    reverse: async (ip) => (ip === rdnsOnly ? ['probe-4.shodan.io'] : []),
    resolve: async (name) => (name === 'probe-4.shodan.io' ? [rdnsOnly] : []),
  };

  before(async () => {
    hostRulesetBefore = sh(['nft', 'list', 'ruleset']);
    ns = await netnsPair({
      prefix: 'dh-intel',
      client: [listed, unlisted, rdnsOnly].map((a) => `${a}/29`),
      server: [`${server}/29`],
      listen: { host: server, ports: [dicomPort, webPort, otherPort] },
    });
    listDir = mkdtempSync(join(tmpdir(), 'dh-intel-netns-'));
    writeFileSync(join(listDir, 'extra.txt'), `${listed} # test-only listed scanner\n`);
    h = await startIntel(
      { BLOCK_SCANNERS: 'yes', SCANNER_LISTS: `builtin,${join(listDir, 'extra.txt')}`, SCANNER_RDNS: 'yes', DICOM_PORT: String(dicomPort), API_PORT: String(webPort) },
      { nftRunner: spawnRunner(['ip', 'netns', 'exec', ns.server]), rdnsResolver: resolver },
    );
  });

  after(async () => {
    await h?.stop();
    ns?.destroy();
    if (listDir) rmSync(listDir, { recursive: true, force: true });
  });

  test('a listed source cannot reach the DICOM and web ports; unlisted and rDNS-only sources can; other ports stay open', async () => {
    assert.equal(h.running.blocking(), 'on');
    assert.equal(connect(listed, dicomPort), 2, 'listed → DICOM port dropped');
    assert.equal(connect(listed, webPort), 2, 'listed → web port dropped');
    assert.equal(connect(listed, otherPort), 0, 'listed → a port that is not the honeypot’s is left alone');
    assert.equal(connect(unlisted, dicomPort), 0, 'unlisted → DICOM port open');

    connectAndClose(h, 'from-listed', listed);
    connectAndClose(h, 'from-rdns', rdnsOnly);
    await waitFor(() => scannerEvent(h, 'from-listed') !== undefined && scannerEvent(h, 'from-rdns') !== undefined);
    assert.deepEqual({ how: scannerEvent(h, 'from-listed')!.how, blocked: scannerEvent(h, 'from-listed')!.blocked }, { how: 'list', blocked: true });
    assert.deepEqual({ how: scannerEvent(h, 'from-rdns')!.how, blocked: scannerEvent(h, 'from-rdns')!.blocked }, { how: 'rdns', blocked: false });
    const set = sh(['ip', 'netns', 'exec', ns.server, 'nft', 'list', 'set', 'inet', 'dicomhawk', 'scanners_v4']);
    assert.ok(set.includes(listed), 'the listed address is in the set');
    assert.ok(!set.includes(rdnsOnly), 'an rDNS-only scanner is never blocked');
    assert.equal(connect(rdnsOnly, dicomPort), 0);
  });

  test('stop removes our table: the listed source connects again, and the host ruleset never changed', async () => {
    await h.running.stop();
    assert.ok(!sh(['ip', 'netns', 'exec', ns.server, 'nft', 'list', 'tables']).includes('dicomhawk'));
    assert.equal(connect(listed, dicomPort), 0);
    assert.equal(sh(['nft', 'list', 'ruleset']), hostRulesetBefore, 'host ruleset unchanged');
  });
});

if (skip) console.log(`# intel blackhole netns test skipped: ${skip}`);
