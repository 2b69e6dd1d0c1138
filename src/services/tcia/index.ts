/**
 * The TCIA rotation surface (TCIA_ACTIVATED=yes): opens no port. It replaces the decoy archive with real
 * TCIA studies (domain/tcia/rotation.ts) at start when the archive in service is the synthetic one, and
 * every TCIA_PERIOD TCIA_PERIOD_UNIT after the last rotation. A rotation that fails (no network, login
 * refused, nothing left to fetch, damaged downloads) changes nothing that is served: the sensor keeps serving
 * what it has and says why in one diagnostic line, and tries again after min(period, 1 hour).
 *
 * Events `dicomhawk.tcia.sync.start/done/failed` go out on the sensor's internal session. On shutdown the
 * timer is cleared and a rotation under way is interrupted (it resumes from its staging area next time).
 */
import type { AppContext, RunningSurface, Surface } from '../../app/context.ts';
import type { FetchLike } from '../../domain/tcia/nbiaClient.ts';
import { TciaHistory } from '../../domain/tcia/history.ts';
import { rotate, RotationError, servingTcia, type RotationReport, type RotationTrigger } from '../../domain/tcia/rotation.ts';
import { credentialsNote, effectiveSettings, periodMs, rotationOptions } from './rotationDeps.ts';

/** setTimeout's longest delay; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRY_CAP_MS = 3_600_000;

export interface TciaRotator extends RunningSurface {
  /** Runs a rotation now (or waits for the one under way); null when it failed (logged). */
  rotateNow(trigger?: RotationTrigger): Promise<RotationReport | null>;
  /** When the next rotation is due (null once stopped). */
  nextAt(): Date | null;
}

export interface RotatorOptions {
  /** HTTP seam for tests (a fake NBIA is reached through TCIA_API_URL anyway; this only shortens backoff). */
  readonly client?: { fetch?: FetchLike; backoffBaseMs?: number };
}

export async function startTciaRotator(ctx: Pick<AppContext, 'config' | 'paths' | 'secrets' | 'bus' | 'log' | 'data'>, opts: RotatorOptions = {}): Promise<TciaRotator> {
  const { archive } = await ctx.data();
  const config = effectiveSettings(ctx.config);
  const note = credentialsNote(ctx.config);
  if (note !== null) ctx.log.warn(note);
  const events = ctx.bus.internal();
  const period = periodMs(config);
  let running: Promise<RotationReport | null> | null = null;
  let abort: AbortController | null = null;
  let timer: NodeJS.Timeout | null = null;
  let due: number | null = null;
  let stopped = false;

  const schedule = (at: number): void => {
    if (stopped) return;
    due = at;
    if (timer) clearTimeout(timer);
    const wait = Math.max(0, Math.min(at - Date.now(), MAX_TIMER_MS));
    timer = setTimeout(() => {
      timer = null;
      if (Date.now() + 5 < at) schedule(at); // a step of a long wait
      else void run('schedule');
    }, wait);
    timer.unref();
  };

  const run = (trigger: RotationTrigger): Promise<RotationReport | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= (async () => {
      abort = new AbortController();
      try {
        const report = await rotate({ ...rotationOptions(config, ctx.paths, ctx.secrets.installSecret, archive, trigger), events, signal: abort.signal, ...(opts.client ? { client: opts.client } : {}) });
        ctx.log.info(
          { set: report.set, studies: report.studies, series: report.series, instances: report.instances, bytes: report.bytes, rejectedFiles: report.rejectedFiles.length, durationMs: report.durationMs },
          'TCIA rotation done: the archive now serves a new set',
        );
        schedule(Date.now() + period);
        return report;
      } catch (err) {
        const why = err instanceof RotationError ? `${err.stage}: ${err.message}` : (err as Error).message;
        const retry = Date.now() + Math.min(period, RETRY_CAP_MS);
        ctx.log.warn(
          `TCIA rotation failed (${why}); still serving ${servingTcia(archive) ? `the TCIA set ${archive.root.split('/').pop() ?? ''}` : 'the synthetic archive'}; next attempt ${new Date(retry).toISOString()}`,
        );
        schedule(retry);
        return null;
      } finally {
        abort = null;
        running = null;
      }
    })();
    return running;
  };

  // First rotation: now when the synthetic archive is in service or the last rotation is overdue.
  const history = TciaHistory.open(ctx.paths.db);
  const last = history.lastRotation();
  history.close();
  if (!servingTcia(archive)) void run('start');
  else {
    const next = last === null ? Date.now() : Date.parse(last.finishedAt) + period;
    if (next <= Date.now()) void run('start');
    else schedule(next);
  }
  return {
    name: 'tcia',
    rotateNow: (trigger = 'schedule') => run(trigger),
    nextAt: () => (stopped || due === null ? null : new Date(due)),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      abort?.abort();
      await running;
    },
  };
}

export const tciaSurface: Surface = {
  name: 'tcia',
  enabled: (config) => config.tciaActivated,
  async start(ctx) {
    const rotator = await startTciaRotator(ctx);
    ctx.log.info({ api: ctx.config.tciaApiUrl, period: `${ctx.config.tciaPeriod} ${ctx.config.tciaPeriodUnit}`, modalities: ctx.config.modalities }, 'TCIA rotation started');
    return rotator;
  },
};
