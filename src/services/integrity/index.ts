/**
 * The integrity surface (INTEGRITY_CHECK=yes): opens no port. It checks the decoy archive against its
 * SHA-256 manifest at start and every INTEGRITY_INTERVAL, reports each modified, added or deleted file once as
 * `dicomhawk.integrity.violation` (protocol `internal`), and restores modified and deleted files from the
 * pristine copy when INTEGRITY_RESTORE=yes. An archive without a manifest (one that predates it) is learned
 * as it is on the first start. Our own seed, import and rotation re-learn the manifest (see
 * domain/integrity), so they are never reported.
 */
import type { AppContext, RunningSurface, Surface } from '../../app/context.ts';
import type { SessionLog } from '../../core/events/sessionLog.ts';
import { checkIntegrity, hasManifest, integrityTarget, learnManifest, type CheckReport, type IntegrityTarget } from '../../domain/integrity/manifest.ts';

/** Emits one event per violation reported for the first time; returns how many were emitted. */
export function emitViolations(log: SessionLog, report: CheckReport): number {
  let n = 0;
  for (const v of report.violations) {
    if (!v.first) continue;
    log.emit('dicomhawk.integrity.violation', { path: v.path.slice(0, 2048), change: v.change, expected_sha256: v.expectedSha256, actual_sha256: v.actualSha256, restored: v.restored });
    n++;
  }
  return n;
}

export interface IntegrityMonitor extends RunningSurface {
  /** Runs one check now (or waits for the one running) and returns its report. */
  checkNow(): Promise<CheckReport | null>;
}

export function startIntegrityMonitor(ctx: Pick<AppContext, 'config' | 'paths' | 'bus' | 'log'>, target: IntegrityTarget = integrityTarget(ctx.paths)): IntegrityMonitor {
  const log = ctx.bus.internal();
  const restore = ctx.config.integrityRestore;
  let running: Promise<CheckReport | null> | null = null;
  let stopped = false;

  const once = async (): Promise<CheckReport | null> => {
    if (!hasManifest(target)) {
      const learned = await learnManifest(target);
      ctx.log.info({ files: learned.files, durationMs: learned.durationMs }, 'integrity: no manifest yet, learned the archive as it is');
      return null;
    }
    const report = await checkIntegrity(target, { restore });
    if (report.skipped === 'maintenance') ctx.log.debug('integrity: archive maintenance under way, check skipped');
    else if (report.skipped === null) {
      const emitted = emitViolations(log, report);
      if (report.violations.length > 0) {
        ctx.log.warn({ violations: report.violations.length, reported: emitted, restored: report.violations.filter((v) => v.restored).length }, 'integrity: the decoy archive was changed');
      } else ctx.log.debug({ files: report.checked, durationMs: report.durationMs }, 'integrity: archive intact');
    }
    return report;
  };
  const tick = (): Promise<CheckReport | null> => {
    if (stopped) return Promise.resolve(null);
    running ??= once()
      .catch((err: unknown) => {
        ctx.log.error({ err }, 'integrity check failed');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void tick(), ctx.config.integrityInterval);
  timer.unref();
  void tick();
  return {
    name: 'integrity',
    checkNow: tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export const integritySurface: Surface = {
  name: 'integrity',
  enabled: (config) => config.integrityCheck,
  async start(ctx) {
    const monitor = startIntegrityMonitor(ctx);
    ctx.log.info({ intervalMs: ctx.config.integrityInterval, restore: ctx.config.integrityRestore }, 'integrity checker started');
    return monitor;
  },
};
