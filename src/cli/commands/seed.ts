import type { Command } from 'commander';
import { DEFAULT_SEED, seedArchive, SeedInputError, SeedRefusedError, type SeedProgress } from '../../app/seed.ts';
import { loadOrCreateSecrets } from '../../core/secrets.ts';
import { dataPaths, ensureDataDirs } from '../../core/storage/dataDir.ts';
import { PersonaError } from '../../domain/dicom/persona.ts';
import { fail, loadOrExit } from '../common.ts';
import { progressLine } from '../progress.ts';

interface SeedOpts {
  patients?: string;
  studies?: string;
  seed: string;
  scale?: string;
  date?: string;
  force?: boolean;
  json?: boolean;
}

function wholeNumber(name: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) fail(`${name} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  return Number(text);
}

function studiesOption(text: string): number | readonly [number, number] {
  const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(text.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
  if (!m || lo < 1 || hi > 100 || hi < lo) fail(`--studies ${JSON.stringify(text)}: expected a count or a range min-max from 1 to 100 (e.g. 2 or 1-3)`);
  return m[2] === undefined ? lo : [lo, hi];
}

function scaleOption(text: string): number {
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n > 0 && n <= 1)) fail(`--scale ${JSON.stringify(text)}: expected a number above 0 up to 1 (1 = clinical image sizes)`);
  return n;
}

const PHASES: Record<SeedProgress['phase'], string> = { generate: 'generating', honeytokens: 'honeytokens', index: 'indexing', manifest: 'manifest' };

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('generate the synthetic decoy archive (Danish patients, MODALITIES, honeytokens) into DATA_DIR/archive and index it')
    .option('-p, --patients <n>', 'number of patients (default: SEED_PATIENTS)')
    .option('-s, --studies <n|min-max>', 'studies per patient, a count or a range (default: SEED_STUDIES)')
    .option('--seed <text>', 'seed: the same install secret and seed give the same archive, byte for byte', DEFAULT_SEED)
    .option('--scale <f>', 'image and series size, above 0 up to 1 (1 = clinical sizes; default: SEED_SCALE)')
    .option('--date <YYYYMMDD>', 'newest study date (default: today, UTC); fix it to reproduce an archive on another day')
    .option('-f, --force', 'replace a non-empty archive')
    .option('--json', 'print the report as JSON')
    .action(async (o: SeedOpts) => {
      const { config } = loadOrExit(program.opts<{ config?: string }>().config);
      const patients = o.patients !== undefined ? wholeNumber('--patients', o.patients, 1, 100_000) : config.seedPatients;
      if (patients === 0) fail('SEED_PATIENTS is 0 (no automatic seeding): pass --patients N');
      const studies = o.studies !== undefined ? studiesOption(o.studies) : config.seedStudies;
      const scale = o.scale !== undefined ? scaleOption(o.scale) : config.seedScale;
      if (o.date !== undefined && !/^\d{8}$/.test(o.date)) fail(`--date ${JSON.stringify(o.date)}: expected YYYYMMDD`);
      const paths = dataPaths(config.dataDir);
      ensureDataDirs(paths);
      const { secrets } = loadOrCreateSecrets(paths.secrets);
      const bar = progressLine('seeding');
      let phase: SeedProgress['phase'] | null = null;
      try {
        const r = await seedArchive(
          { config, paths, secrets },
          {
            patients,
            studies,
            seed: o.seed,
            scale,
            ...(o.date !== undefined ? { referenceDate: o.date } : {}),
            force: o.force === true,
            onProgress: (p) => {
              if (phase !== null && phase !== p.phase) bar.update(1, 1, PHASES[phase]);
              phase = p.phase;
              bar.update(p.done, p.total, `${PHASES[p.phase]}${p.detail ? ` ${p.detail}` : ''}`);
            },
          },
        );
        bar.done();
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ ...r, index: { ...r.index, skipped: r.index.skipped } }, null, 2)}\n`);
          return;
        }
        const mb = (r.bytes / 1024 / 1024).toFixed(1);
        process.stdout.write(
          `seeded ${r.patients} patient(s), ${r.studies} stud${r.studies === 1 ? 'y' : 'ies'}, ${r.series} series, ${r.instances} object(s) (${mb} MiB) into ${paths.archive} in ${(r.durationMs / 1000).toFixed(1)} s\n`,
        );
        process.stdout.write(`seed ${JSON.stringify(r.seed)}, newest study date ${r.referenceDate}, character set ${r.charset}, modalities ${config.modalities.join(',')}\n`);
        if (r.skippedModalities.length > 0) process.stdout.write(`no synthetic generator for ${r.skippedModalities.join(', ')}: skipped (import real studies of those instead)\n`);
        const h = r.honeytokens;
        process.stdout.write(
          `honeytokens in ${h.studies} stud${h.studies === 1 ? 'y' : 'ies'}: ${h.pdf} canary PDF(s) (${h.canaryTemplate ? `template ${h.canaryTemplate}` : 'generated report'}), ${h.url} honey URL(s) under ${h.honeyUrlBase}\n`,
        );
        if (h.honeyUrlDefault && h.pdf + h.url > 0) process.stdout.write(`note: HONEY_URL is not set; set it to the address attackers reach (the portal's /t endpoint) and re-seed\n`);
        process.stdout.write(`index ${r.index.generation}: ${r.index.added} object(s) indexed; integrity manifest: ${r.manifest.files} file(s)\n`);
        for (const s of r.index.skipped) process.stdout.write(`index skipped ${s.path}: ${s.reason}\n`);
      } catch (err) {
        bar.done();
        if (err instanceof SeedRefusedError || err instanceof SeedInputError || err instanceof PersonaError) fail(err.message);
        throw err;
      }
    });
}
