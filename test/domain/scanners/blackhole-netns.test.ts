// Real nftables in throwaway network namespaces: two namespaces joined by a veth pair with test-only addresses
// (10.200.x.0/30, configured ONLY inside the namespaces this test creates). Our table is loaded in the server's
// namespace with the maltrail list plus the client's address, and a TCP connect must fail while blocked and work
// before and after. The host's own ruleset is compared before and after: it must not change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { Blackhole, spawnRunner } from '../../../src/domain/scanners/blackhole.ts';
import { loadMaltrailDir } from '../../../src/domain/scanners/list.ts';
import { FULL_LIST_DIR } from './paths.ts';
import { netnsPair, netnsSkipReason, sh, type NetnsPair } from '../../helpers/netns.ts';

const skip = netnsSkipReason(['ip', 'nft'], 'nftables rules');

describe('blackhole in a network namespace', { skip: skip ?? false }, () => {
  const net = `10.200.${randomInt(0, 256)}`;
  const clientIp = `${net}.1`;
  const serverIp = `${net}.2`;
  const port = 7000 + randomInt(0, 1000);
  let ns: NetnsPair | null = null;
  let hostRulesetBefore = '';
  let bh: Blackhole;

  /** 0 when a TCP connect from the client namespace succeeds within `timeoutMs` (2.5 s when it should; 700 ms when it should be dropped). */
  const connect = (timeoutMs = 2500): number => ns!.connect(serverIp, port, timeoutMs);

  before(async () => {
    hostRulesetBefore = sh(['nft', 'list', 'ruleset']);
    ns = await netnsPair({ prefix: 'dh-test', client: [`${clientIp}/30`], server: [`${serverIp}/30`], listen: { host: serverIp, ports: [port] } });
    bh = new Blackhole({ run: spawnRunner(['ip', 'netns', 'exec', ns.server]) });
  });

  after(() => ns?.destroy());

  it('drops a listed source only while it is in the set, and leaves the host ruleset alone', async () => {
    assert.equal(connect(), 0, 'connect works before blocking');

    const list = await loadMaltrailDir(FULL_LIST_DIR);
    const loaded = await bh.apply([...list.entries.map((e) => e.range), clientIp]);
    assert.ok(loaded.v4 > 10 && loaded.v6 > 0, JSON.stringify(loaded));
    const v4 = await bh.listSet(4);
    assert.match(v4, /5\.63\.151\.0\/24/);
    assert.ok(v4.includes(clientIp), 'client address is in the set');
    assert.match(await bh.listSet(6), /2400:6180:0:d0::1008:2001/);
    assert.equal(connect(700), 2, 'connect times out while blocked');

    await bh.remove([clientIp]);
    assert.ok(!(await bh.listSet(4)).includes(clientIp));
    assert.match(await bh.listSet(4), /5\.63\.151\.0\/24/, 'the rest of the list stays');
    assert.equal(connect(), 0, 'connect works after removal');

    await bh.add([`${net}.0/30`]);
    assert.equal(connect(700), 2, 'blocked again by an added network');

    await bh.apply(list.entries.map((e) => e.range)); // reload without the client: atomic replace
    assert.equal(connect(), 0, 'reload replaced the set');

    await bh.removeTable();
    assert.equal(await bh.exists(), false);
    assert.equal(connect(), 0);
    assert.equal(sh(['nft', 'list', 'ruleset']), hostRulesetBefore, 'host ruleset unchanged');
  });
});

if (skip) console.log(`# blackhole netns test skipped: ${skip}`);
