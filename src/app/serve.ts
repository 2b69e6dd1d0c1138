/**
 * `dicomhawk serve`: starts every enabled surface on one event bus; on SIGINT/SIGTERM closes the listeners
 * first (so the last sessions' final events are emitted), then flushes and stops every sink.
 */
import { createHash } from 'node:crypto';
import type { LoadedConfig } from '../core/config/load.ts';
import { describeConfig } from '../core/config/load.ts';
import { createLogger, type Logger } from '../core/log.ts';
import { loadOrCreateSecrets } from '../core/secrets.ts';
import { dataPaths, ensureDataDirs } from '../core/storage/dataDir.ts';
import type { AppContext, RunningSurface, Surface } from './context.ts';
import { lazyDecoyData } from './decoyData.ts';
import { ensureSeeded } from './seed.ts';
import { createBus } from './sinks.ts';
import { SURFACES } from './surfaces.ts';
import { VERSION } from './version.ts';

export interface Running {
  ctx: AppContext;
  surfaces: RunningSurface[];
  stop(reason: string): Promise<void>;
}

export async function startServer(loaded: LoadedConfig, opts: { log?: Logger; surfaces?: Surface[] } = {}): Promise<Running> {
  const { config } = loaded;
  const log = opts.log ?? createLogger(config.logLevel);
  const paths = dataPaths(config.dataDir);
  ensureDataDirs(paths);
  const { secrets, created } = loadOrCreateSecrets(paths.secrets);
  if (created) {
    // Printed once, on the first start, for the operator (not a diagnostic log line, not an event).
    process.stderr.write(`\nDICOMHawk generated its secrets in ${paths.secrets} (mode 0600).\nOperator console token: ${secrets.consoleToken}\n\n`);
  }
  const bus = await createBus(config, paths, log);
  const data = lazyDecoyData(config, paths, log);
  const ctx: AppContext = { config, paths, secrets, bus, log, data: data.get };
  const started = Date.now();
  const surfaces: RunningSurface[] = [];
  const wanted = (opts.surfaces ?? SURFACES).filter((s) => s.enabled(config));
  try {
    // First start: an empty archive is seeded before any listener opens.
    await ensureSeeded(ctx);
    for (const s of wanted) surfaces.push(await s.start(ctx));
  } catch (err) {
    for (const s of surfaces.reverse()) await s.stop().catch(() => undefined);
    await data.close();
    await bus.stop();
    throw err;
  }
  const digest = createHash('sha256')
    .update(JSON.stringify(describeConfig(loaded).map((r) => [r.name, r.value])))
    .digest('hex')
    .slice(0, 16);
  const internal = bus.internal();
  internal.emit('dicomhawk.sensor.start', { version: VERSION, surfaces: surfaces.map((s) => s.name), config_digest: digest, pid: process.pid });
  log.info({ surfaces: surfaces.map((s) => s.name), dataDir: paths.root }, 'DICOMHawk started');

  let stopping: Promise<void> | null = null;
  const stop = (reason: string): Promise<void> => {
    stopping ??= (async () => {
      for (const s of [...surfaces].reverse()) {
        try {
          await s.stop();
        } catch (err) {
          log.error({ surface: s.name, err }, 'surface failed to stop cleanly');
        }
      }
      await data.close();
      internal.emit('dicomhawk.sensor.stop', { version: VERSION, reason, uptime_ms: Date.now() - started, dropped_events: bus.droppedTotal() });
      await bus.stop();
      log.info({ reason }, 'DICOMHawk stopped');
    })();
    return stopping;
  };
  return { ctx, surfaces, stop };
}
