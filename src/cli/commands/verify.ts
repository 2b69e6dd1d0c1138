import type { Command } from 'commander';
import { createBus } from '../../app/sinks.ts';
import { silentLogger } from '../../core/log.ts';
import { dataPaths, ensureDataDirs } from '../../core/storage/dataDir.ts';
import { checkIntegrity, hasManifest, integrityTarget, learnManifest } from '../../domain/integrity/manifest.ts';
import { emitViolations } from '../../services/integrity/index.ts';
import { fail, loadOrExit } from '../common.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check the decoy archive against its SHA-256 manifest once; exit 1 when a file was modified, added or deleted')
    .option('--no-restore', 'only report (default: restore modified and deleted files when INTEGRITY_RESTORE=yes)')
    .option('--learn', 'accept the archive as it is now as the new manifest (after a change of your own)')
    .option('--json', 'print the report as JSON')
    .action(async (o: { restore: boolean; learn?: boolean; json?: boolean }) => {
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const paths = dataPaths(config.dataDir);
      ensureDataDirs(paths);
      const target = integrityTarget(paths);
      if (o.learn) {
        const r = await learnManifest(target);
        process.stdout.write(o.json ? `${JSON.stringify(r)}\n` : `manifest learned: ${r.files} file(s), ${(r.bytes / 1024 / 1024).toFixed(1)} MiB\n`);
        return;
      }
      if (!hasManifest(target)) {
        fail('no integrity manifest yet: `dicomhawk seed`, `dicomhawk import` and the first start with INTEGRITY_CHECK=yes learn it; `dicomhawk verify --learn` accepts the archive as it is');
      }
      const restore = o.restore && config.integrityRestore;
      const report = await checkIntegrity(target, { restore });
      if (report.skipped === 'maintenance') fail('the archive is being changed by DICOMHawk itself (seed, import or rotation): try again when it is done');
      // Violations reported for the first time also become events, as the periodic check would emit them.
      const bus = await createBus({ ...config, eventsStdout: false }, paths, silentLogger());
      emitViolations(bus.internal(), report);
      await bus.stop();
      if (o.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else {
        for (const v of report.violations) {
          const note = v.restored ? 'restored' : v.change === 'added' ? 'left in place' : restore ? 'NOT restored (no intact pristine copy)' : 'not restored';
          process.stdout.write(`${v.change.padEnd(8)}  ${v.path}  (${note})\n`);
        }
        process.stdout.write(
          report.violations.length === 0
            ? `archive intact: ${report.checked} file(s) match the manifest\n`
            : `${report.violations.length} violation(s) among ${report.checked} file(s) in the manifest\n`,
        );
      }
      if (report.violations.length > 0) process.exitCode = 1;
    });
}
