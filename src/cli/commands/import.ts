import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Archive } from '../../domain/archive/index.ts';
import { integrityTarget, withArchiveMaintenance } from '../../domain/integrity/manifest.ts';
import { dataPaths, ensureDataDirs } from '../../core/storage/dataDir.ts';
import { fail, loadOrExit } from '../common.ts';
import { progressLine } from '../progress.ts';

export function registerImport(program: Command): void {
  program
    .command('import')
    .description('add existing DICOM files (recursively, Part 10, any transfer syntax) to the decoy archive and its index')
    .argument('<dir>', 'directory to import from')
    .option('--json', 'print the report as JSON')
    .action(async (dir: string, opts: { json?: boolean }) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`${JSON.stringify(dir)} is not a directory`);
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const paths = dataPaths(config.dataDir);
      ensureDataDirs(paths);
      const archive = Archive.open({ indexDir: join(paths.root, 'archive-index'), archiveRoot: paths.archive });
      const bar = progressLine('importing');
      try {
        // Our own change: the integrity manifest is re-learned afterwards, so the checker never reports it.
        const { result: r } = await withArchiveMaintenance(integrityTarget(paths), () => archive.import(dir, { onProgress: (p) => bar.update(p.done, p.total, p.phase) }));
        bar.done();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ imported: r.import.imported, skipped: r.import.skipped, index: { ...r.index, skipped: r.index.skipped } }, null, 2)}\n`);
        } else {
          process.stdout.write(`imported ${r.import.imported} file(s) into ${paths.archive}\n`);
          process.stdout.write(`index ${r.index.generation}: ${r.index.added} added, ${r.index.updated} updated, ${r.index.removed} removed, ${r.index.unchanged} unchanged\n`);
          for (const s of r.import.skipped) process.stdout.write(`skipped ${s.path}: ${s.reason}\n`);
        }
      } finally {
        archive.close();
      }
    });
}
