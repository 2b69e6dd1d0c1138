/**
 * The operator console surface: a token-protected web console on CONSOLE_HOST:CONSOLE_PORT (127.0.0.1:5000 by
 * default), never on an attacker-facing port. It reads the embedded store (roll-ups folded in the background from
 * the events table into DATA_DIR/console.db) and follows the event bus for the Live page.
 */
import type { AppContext, RunningSurface, Surface } from '../../app/context.ts';
import { VERSION } from '../../app/version.ts';
import { buildAssets, type Assets } from './bundle.ts';
import { LiveHub } from './live.ts';
import { buildConsoleApp } from './server.ts';
import { ConsoleStore } from './store/consoleStore.ts';

/**
 * Events folded per transaction, how long one slice of folding may hold the event loop, and the pause after it: while
 * catching up on a large history the fold takes at most about half of the main thread, so the DICOM and web
 * listeners sharing it keep answering promptly; once caught up it runs once a second.
 */
const FOLD_CHUNK = 500;
const FOLD_SLICE_MS = 20;
const FOLD_BUSY_PAUSE_MS = 20;
const FOLD_IDLE_MS = 1000;

export interface RunningConsole extends RunningSurface {
  readonly port: number;
  readonly host: string;
  readonly store: ConsoleStore;
  readonly hub: LiveHub;
}

export const consoleSurface: Surface = {
  name: 'console',
  enabled: (config) => config.consoleEnabled,
  async start(ctx: AppContext): Promise<RunningConsole> {
    const { config, log } = ctx;
    const store = ConsoleStore.open(ctx.paths);
    const hub = new LiveHub();
    const unsubscribe = ctx.bus.subscribe((e) => hub.onEvent(e));
    let assets: Assets | null = null;
    try {
      assets = await buildAssets();
    } catch (err) {
      log.error({ err }, 'console front-end build failed: the API still answers, the pages do not');
    }
    const app = await buildConsoleApp({
      store, hub, token: ctx.secrets.consoleToken, quarantineDir: ctx.paths.quarantine, sensor: ctx.bus.sensor, version: VERSION, assets, log, prod: config.prod,
    });

    // Background folding of new events into the roll-ups.
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    const tick = (): void => {
      timer = null;
      if (stopped) return;
      const t0 = performance.now();
      let busy = false;
      try {
        for (;;) {
          const r = store.fold(FOLD_CHUNK);
          busy = r.folded === FOLD_CHUNK;
          if (!busy || performance.now() - t0 > FOLD_SLICE_MS) break;
        }
      } catch (err) {
        log.error({ err }, 'console roll-up fold failed; retrying');
      }
      timer = setTimeout(tick, busy ? FOLD_BUSY_PAUSE_MS : FOLD_IDLE_MS);
      timer.unref();
    };

    try {
      await app.listen({ host: config.consoleHost, port: config.consolePort });
    } catch (err) {
      unsubscribe();
      hub.stop();
      store.close();
      throw err;
    }
    tick();
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.consolePort;
    log.info({ url: `http://${config.consoleHost.includes(':') ? `[${config.consoleHost}]` : config.consoleHost}:${port}/` }, 'operator console listening');

    let stopping: Promise<void> | null = null;
    return {
      name: 'console',
      port,
      host: config.consoleHost,
      store,
      hub,
      stop(): Promise<void> {
        stopping ??= (async () => {
          stopped = true;
          if (timer) clearTimeout(timer);
          unsubscribe();
          hub.stop();
          await app.close();
          store.close();
        })();
        return stopping;
      },
    };
  },
};
