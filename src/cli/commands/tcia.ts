/**
 * `dicomhawk tcia sync [--dry-run] [--json]`: one TCIA rotation from the command line, with a progress bar
 * (series and bytes). `--dry-run` lists what it would fetch and changes nothing. A `serve` running on the same
 * DATA_DIR picks the new archive generation up on its next query.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { createBus } from '../../app/sinks.ts';
import { createLogger } from '../../core/log.ts';
import { loadOrCreateSecrets } from '../../core/secrets.ts';
import { dataPaths, ensureDataDirs } from '../../core/storage/dataDir.ts';
import { Archive } from '../../domain/archive/index.ts';
import { rotate, RotationError, servingTcia, type RotationProgress, type RotationReport } from '../../domain/tcia/rotation.ts';
import { credentialsNote, effectiveSettings, rotationOptions } from '../../services/tcia/rotationDeps.ts';
import { loadOrExit } from '../common.ts';
import { progressLine } from '../progress.ts';

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function printDryRun(r: RotationReport): void {
  const out: string[] = [];
  if (r.resumed) out.push(`an interrupted rotation (${r.set}) would be resumed with its ${r.selected.length} series`);
  for (const m of r.modalities) {
    out.push(`${m.modality}: ${m.listed} series listed, ${m.outOfRange} outside the image-count range, ${m.alreadyServed} of studies served before; would take ${m.studies} stud${m.studies === 1 ? 'y' : 'ies'}, ${m.series} series`);
  }
  for (const s of r.selected) out.push(`  ${s.modality.padEnd(3)} ${s.collection.padEnd(24)} study ${s.studyInstanceUid}  series ${s.seriesInstanceUid}  ${s.imageCount} images${s.fileSize > 0 ? `  ${mb(s.fileSize)}` : ''}`);
  const total = r.selected.reduce((n, s) => n + s.fileSize, 0);
  out.push(`would fetch ${r.selected.length} series${total > 0 ? ` (${mb(total)})` : ''}; nothing was downloaded or changed (dry run)`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerTcia(program: Command): void {
  const tcia = program.command('tcia').description('real studies from The Cancer Imaging Archive');
  tcia
    .command('sync')
    .description('run one TCIA rotation now: fetch a new set of studies, re-identify them, and swap the decoy archive to it')
    .option('--dry-run', 'only list what would be fetched')
    .option('--json', 'print the report as JSON')
    .action(async (o: { dryRun?: boolean; json?: boolean }) => {
      const { config: loaded } = loadOrExit(program.opts<{ config?: string }>().config);
      const note = credentialsNote(loaded);
      if (note !== null) process.stderr.write(`dicomhawk: ${note}\n`);
      const config = effectiveSettings(loaded);
      const paths = dataPaths(config.dataDir);
      ensureDataDirs(paths);
      const { secrets } = loadOrCreateSecrets(paths.secrets);
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const bus = o.dryRun ? null : await createBus({ ...config, eventsStdout: false }, paths, log);
      const archive = Archive.open({ indexDir: join(paths.root, 'archive-index'), archiveRoot: paths.archive });
      const bar = progressLine(o.dryRun ? 'listing' : 'tcia');
      const ac = new AbortController();
      const onSignal = (): void => ac.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let code = 0;
      try {
        await archive.ensureBuilt();
        const r = await rotate({
          ...rotationOptions(config, paths, secrets.installSecret, archive, 'cli'),
          dryRun: o.dryRun === true,
          signal: ac.signal,
          ...(bus ? { events: bus.internal() } : {}),
          onProgress: (p: RotationProgress) => {
            const bytes = p.bytesTotal > 0 ? `${mb(p.bytes)}/${mb(p.bytesTotal)}` : mb(p.bytes);
            bar.update(p.seriesDone, p.seriesTotal, `${p.phase} ${bytes}`);
          },
        });
        bar.done();
        if (o.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else if (r.dryRun) printDryRun(r);
        else {
          process.stdout.write(
            `set ${r.set} in service: ${r.studies} studies, ${r.series} series, ${r.instances} objects (${mb(r.bytes)}; ${mb(r.downloadedBytes)} downloaded${r.resumed ? ', resumed' : ''}), ${r.honeytokens} honeytoken(s)\n`,
          );
          for (const s of r.rejectedSeries) process.stdout.write(`series ${s.series} dropped: ${s.reason}\n`);
          for (const f of r.rejectedFiles) process.stdout.write(`file ${f.file} of series ${f.series} dropped: ${f.reason}\n`);
        }
      } catch (err) {
        bar.done();
        if (!(err instanceof RotationError)) throw err;
        process.stderr.write(`dicomhawk: TCIA sync failed (${err.stage}): ${err.message}; still serving ${servingTcia(archive) ? `the TCIA set ${archive.root.split('/').pop() ?? ''}` : 'the synthetic archive'}\n`);
        code = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        archive.close();
        await bus?.stop();
      }
      if (code !== 0) process.exit(code);
    });
}
