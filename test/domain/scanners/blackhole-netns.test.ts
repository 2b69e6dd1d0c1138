// Real nftables in throwaway network namespaces: two namespaces joined by a veth pair with test-only addresses
// (10.200.x.0/30, configured ONLY inside the namespaces this test creates). Our table is loaded in the server's
// namespace with the maltrail list plus the client's address, and a TCP connect must fail while blocked and work
// before and after. The host's own ruleset is compared before and after: it must not change.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { Blackhole, spawnRunner } from '../../../src/domain/scanners/blackhole.ts';
import { loadMaltrailDir } from '../../../src/domain/scanners/list.ts';
import { FULL_LIST_DIR } from './paths.ts';
import { netnsSkipReason, sh } from '../../helpers/netns.ts';

const skip = netnsSkipReason(['ip', 'nft'], 'nftables rules');

describe('blackhole in a network namespace', { skip: skip ?? false }, () => {
  const id = randomBytes(3).toString('hex');
  const nsClient = `dh-test-${id}-c`;
  const nsServer = `dh-test-${id}-s`;
  const net = `10.200.${randomInt(0, 256)}`;
  const clientIp = `${net}.1`;
  const serverIp = `${net}.2`;
  const port = 7000 + randomInt(0, 1000);
  let server: ChildProcess | null = null;
  let hostRulesetBefore = '';
  let bh: Blackhole;

  /** 0 when a TCP connect from the client namespace succeeds within `timeoutMs` (2.5 s when it should; 700 ms when it should be dropped). */
  function connect(timeoutMs = 2500): number {
    const script = `const s=require('net').connect({host:'${serverIp}',port:${port}});s.setTimeout(${timeoutMs});s.on('connect',()=>process.exit(0));s.on('timeout',()=>process.exit(2));s.on('error',()=>process.exit(3));`;
    return spawnSync('ip', ['netns', 'exec', nsClient, process.execPath, '-e', script], { timeout: 10_000 }).status ?? -1;
  }

  before(async () => {
    hostRulesetBefore = sh(['nft', 'list', 'ruleset']);
    sh(['ip', 'netns', 'add', nsClient]);
    sh(['ip', 'netns', 'add', nsServer]);
    sh(['ip', '-n', nsClient, 'link', 'add', 'dhc', 'type', 'veth', 'peer', 'name', 'dhs', 'netns', nsServer]);
    sh(['ip', '-n', nsClient, 'addr', 'add', `${clientIp}/30`, 'dev', 'dhc']);
    sh(['ip', '-n', nsServer, 'addr', 'add', `${serverIp}/30`, 'dev', 'dhs']);
    for (const [ns, dev] of [[nsClient, 'dhc'], [nsServer, 'dhs'], [nsClient, 'lo'], [nsServer, 'lo']] as const) sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    const listen = `require('net').createServer((s)=>{s.on('error',()=>{});s.end('hi');}).listen(${port},'${serverIp}',()=>console.log('ready'))`;
    server = spawn('ip', ['netns', 'exec', nsServer, process.execPath, '-e', listen], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
      server!.on('exit', (code) => reject(new Error(`server exited ${code}`)));
    });
    bh = new Blackhole({ run: spawnRunner(['ip', 'netns', 'exec', nsServer]) });
  });

  after(() => {
    server?.kill();
    spawnSync('ip', ['netns', 'del', nsClient]);
    spawnSync('ip', ['netns', 'del', nsServer]);
  });

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
