/**
 * The integrity surface: learns an archive without a manifest, then checks at start and every interval,
 * emitting `dicomhawk.integrity.violation` once per violation on the internal protocol, restoring as set.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/core/config/load.ts';
import { EventBus } from '../../../src/core/events/bus.ts';
import { silentLogger } from '../../../src/core/log.ts';
import { dataPaths } from '../../../src/core/storage/dataDir.ts';
import { SURFACES } from '../../../src/app/surfaces.ts';
import { integritySurface, startIntegrityMonitor } from '../../../src/services/integrity/index.ts';
import { MemorySink } from '../../helpers/collect.ts';
import { waitFor } from '../../helpers/net.ts';

test('the integrity surface reports each change once, restores it, and is enabled by INTEGRITY_CHECK', async () => {
  const root = mkdtempSync(join(tmpdir(), 'dh-integrity-surface-'));
  const { config } = loadConfig({ env: { DATA_DIR: root, INTEGRITY_CHECK: 'yes', INTEGRITY_INTERVAL: '10s' }, cwd: root });
  assert.ok(SURFACES.includes(integritySurface));
  assert.equal(integritySurface.enabled(config), true);
  assert.equal(integritySurface.enabled(loadConfig({ env: {}, cwd: root }).config), false);
  assert.equal(config.integrityInterval, 10_000);
  assert.equal(config.integrityRestore, true);

  const paths = dataPaths(root);
  mkdirSync(join(paths.archive, 'p', 's'), { recursive: true });
  writeFileSync(join(paths.archive, 'p', 's', 'a.dcm'), 'alpha');
  writeFileSync(join(paths.archive, 'p', 's', 'b.dcm'), 'bravo');
  const bus = new EventBus({ sensor: 'test', log: silentLogger() });
  const sink = new MemorySink();
  await bus.addSink(sink);
  const monitor = startIntegrityMonitor({ config: { ...config, integrityInterval: 50 }, paths, bus, log: silentLogger() });
  try {
    // First round: no manifest yet, the archive is learned as it is (nothing reported).
    await monitor.checkNow();
    assert.equal((await monitor.checkNow())?.violations.length, 0);

    appendFileSync(join(paths.archive, 'p', 's', 'a.dcm'), '!');
    writeFileSync(join(paths.archive, 'p', 'dropped.bin'), 'x');
    const violations = () => sink.events.filter((e) => e.eventid === 'dicomhawk.integrity.violation') as Array<{ path: string; change: string; restored: boolean; protocol: string; session: string }>;
    await bus.flush();
    await waitFor(async () => {
      await bus.flush();
      return violations().length >= 2;
    }, 5000);
    // Several more periodic rounds: nothing new is emitted.
    await new Promise((r) => setTimeout(r, 300));
    await monitor.checkNow();
    await bus.flush();
    assert.deepEqual(violations().map((e) => `${e.change} ${e.path} ${e.restored}`).sort(), ['added p/dropped.bin false', 'modified p/s/a.dcm true']);
    assert.ok(violations().every((e) => e.protocol === 'internal' && e.session === bus.runId));
    assert.equal(readFileSync(join(paths.archive, 'p', 's', 'a.dcm'), 'utf8'), 'alpha');
    rmSync(join(paths.archive, 'p', 'dropped.bin'));
    assert.deepEqual((await monitor.checkNow())?.violations, []);
  } finally {
    await monitor.stop();
    await bus.stop();
  }
});
