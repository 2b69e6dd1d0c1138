/**
 * Seeding the decoy archive (`dicomhawk seed`, and `serve` on an empty archive): the synthetic studies for
 * MODALITIES with the persona's implementation identity, honeytokens planted in a share of them and recorded
 * in the registry, the archive index rebuilt, and the integrity manifest learned — all as one archive
 * maintenance, so the integrity checker never reports our own writing.
 *
 * Deterministic: every byte of the archive derives from the install secret, the seed, the options, the
 * reference date (the newest study date; default today) and the settings that shape objects (persona,
 * HONEY_URL, CANARY_PDF, HONEYTOKEN_SHARE). The character set (ISO_IR 100 or ISO_IR 192) is chosen per
 * installation from the install secret.
 *
 * The generator (phantoms, faker's Danish name lists, dcmjs) is loaded only when a seed really runs, so that
 * `serve` on a seeded archive and every other command start without it.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../core/config/settings.ts';
import type { Logger } from '../core/log.ts';
import type { Secrets } from '../core/secrets.ts';
import type { DataPaths } from '../core/storage/dataDir.ts';
import { ensureDataDirs } from '../core/storage/dataDir.ts';
import { Archive, type IndexReport } from '../domain/archive/index.ts';
import type { Charset } from '../domain/dataset/dicom/charset.ts';
import { isValidDA, todayDA } from '../domain/dataset/dicom/dates.ts';
import { Rng, deriveKey } from '../domain/dataset/rng.ts';
import type { ArchiveSummary } from '../domain/dataset/synth/archive.ts';
import { defaultHoneyUrlBase } from '../domain/honeytokens/tokens.ts';
import { HoneytokenRegistry } from '../domain/honeytokens/registry.ts';
import type { PlantReport } from '../domain/honeytokens/plant.ts';
import { integrityTarget, withArchiveMaintenance, type LearnReport } from '../domain/integrity/manifest.ts';
import { loadPersona } from '../domain/dicom/persona.ts';

/** The seed used when none is given (serve's automatic seeding and `dicomhawk seed` without --seed). */
export const DEFAULT_SEED = '1';
/** Registry origin of the tokens a seed plants (re-seeding retires the previous ones). */
export const SEED_TOKEN_ORIGIN = 'seed';
/** Present while a seed is writing the archive: an interrupted seed is redone on the next start. */
const SEEDING_MARKER = '.seeding';

export interface SeedContext {
  readonly config: Config;
  readonly paths: DataPaths;
  readonly secrets: Pick<Secrets, 'installSecret'>;
  readonly log?: Logger;
}

export interface SeedOptions {
  readonly patients: number;
  readonly studies: number | readonly [number, number];
  readonly seed?: string;
  readonly scale?: number;
  /** Newest possible study date (DA, YYYYMMDD); default today (UTC). */
  readonly referenceDate?: string;
  /** Replace a non-empty archive (otherwise refused). */
  readonly force?: boolean;
  readonly onProgress?: (p: SeedProgress) => void;
}

export interface SeedProgress {
  readonly phase: 'generate' | 'honeytokens' | 'index' | 'manifest';
  readonly done: number;
  readonly total: number;
  readonly detail?: string;
}

export interface SeedReport {
  readonly seed: string;
  readonly referenceDate: string;
  readonly charset: Charset;
  readonly patients: number;
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly skippedModalities: readonly string[];
  readonly honeytokens: { readonly studies: number; readonly pdf: number; readonly url: number; readonly honeyUrlBase: string; readonly honeyUrlDefault: boolean; readonly canaryTemplate: string | null };
  readonly index: IndexReport;
  readonly manifest: LearnReport;
  readonly durationMs: number;
}

/** Refused: the archive is not empty and --force was not given. */
export class SeedRefusedError extends Error {
  constructor(
    readonly archiveDir: string,
    readonly files: number,
  ) {
    super(`${archiveDir} already holds ${files} file(s); pass --force to replace the archive with a seeded one`);
    this.name = 'SeedRefusedError';
  }
}

/** A problem with the seed's inputs (CANARY_PDF, MODALITIES …). */
export class SeedInputError extends Error {
  override name = 'SeedInputError';
}

/** The installation's one character set, chosen from the install secret (most Danish PACS send Latin-1). */
export function installCharset(installSecret: string): Charset {
  return new Rng(deriveKey(installSecret, 'dicomhawk/charset/v1')).chance(0.75) ? 'ISO_IR 100' : 'ISO_IR 192';
}

/** How many regular files the archive holds (stops counting at `limit`). */
export async function countArchiveFiles(dir: string, limit = Infinity): Promise<number> {
  let n = 0;
  const visit = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      if (n >= limit) return;
      if (e.isDirectory()) await visit(join(d, e.name));
      else n++;
    }
  };
  await visit(dir);
  return n;
}

function readCanaryTemplate(path: string): Buffer {
  let pdf: Buffer;
  try {
    pdf = readFileSync(path);
  } catch (err) {
    throw new SeedInputError(`CANARY_PDF ${path} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new SeedInputError(`CANARY_PDF ${path} is not a PDF (it does not start with %PDF-)`);
  if (pdf.length > 64 * 1024 * 1024) throw new SeedInputError(`CANARY_PDF ${path} is larger than 64 MiB`);
  return pdf;
}

function clearDir(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

/** Generates the synthetic archive into DATA_DIR/archive (see the module comment). */
export async function seedArchive(ctx: SeedContext, opts: SeedOptions): Promise<SeedReport> {
  const started = Date.now();
  const { config, paths } = ctx;
  const secret = ctx.secrets.installSecret;
  const seed = opts.seed ?? DEFAULT_SEED;
  const scale = opts.scale ?? config.seedScale;
  const referenceDate = opts.referenceDate ?? todayDA();
  if (!isValidDA(referenceDate)) throw new SeedInputError(`reference date ${JSON.stringify(referenceDate)} is not a date (YYYYMMDD)`);
  if (!Number.isInteger(opts.patients) || opts.patients < 1) throw new SeedInputError('the number of patients must be a whole number of at least 1');
  const [{ generateArchive }, { isSynthModality, SUPPORTED_SYNTH_MODALITIES }, { plantHoneytokens }] = await Promise.all([
    import('../domain/dataset/synth/archive.ts'),
    import('../domain/dataset/synth/generators.ts'),
    import('../domain/honeytokens/plant.ts'),
  ]);
  if (!config.modalities.some((m) => isSynthModality(m.trim().toUpperCase()))) {
    throw new SeedInputError(`MODALITIES (${config.modalities.join(',')}) names no modality the generator makes; supported: ${SUPPORTED_SYNTH_MODALITIES.join(', ')}`);
  }
  const canary = config.canaryPdf ? readCanaryTemplate(config.canaryPdf) : undefined;
  const persona = loadPersona(config.dicomPersona);
  const implementation = { classUid: persona.implementation.classUid, versionName: persona.implementation.versionName };
  const charset = installCharset(secret);
  const honeyUrlBase = config.honeyUrl ?? defaultHoneyUrlBase(config.apiHost, config.apiPort);

  ensureDataDirs(paths);
  const marker = join(paths.root, SEEDING_MARKER);
  const existing = await countArchiveFiles(paths.archive);
  if (existing > 0 && !opts.force && !existsSync(marker)) throw new SeedRefusedError(paths.archive, existing);

  const target = integrityTarget(paths);
  const progress = opts.onProgress;
  const { result, learned } = await withArchiveMaintenance(
    target,
    async () => {
      writeFileSync(marker, `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), seed })}\n`);
      clearDir(paths.archive);
      const summary: ArchiveSummary = await generateArchive({
        outDir: paths.archive,
        installSecret: secret,
        seed,
        modalities: config.modalities,
        patients: opts.patients,
        studiesPerPatient: opts.studies,
        scale,
        charset,
        implementation,
        referenceDate,
        onUnsupported: 'skip',
        onProgress: (p) => progress?.({ phase: 'generate', done: p.studiesDone, total: p.studiesTotal, detail: `${p.instancesWritten} objects` }),
      });
      progress?.({ phase: 'generate', done: summary.studies, total: summary.studies, detail: `${summary.instances} objects` });
      const planted: PlantReport = await plantHoneytokens({
        archiveDir: paths.archive,
        generated: { installSecret: secret, seed, modalities: config.modalities, patients: opts.patients, studiesPerPatient: opts.studies, referenceDate },
        summary,
        share: config.honeytokenShare,
        honeyUrlBase,
        ...(canary ? { canaryPdf: canary } : {}),
        charset,
        implementation,
        onProgress: (done, total) => progress?.({ phase: 'honeytokens', done, total }),
      });
      const registry = HoneytokenRegistry.open(paths.db);
      try {
        registry.replaceActive(SEED_TOKEN_ORIGIN, planted.tokens);
      } finally {
        registry.close();
      }
      const archive = Archive.open({ indexDir: join(paths.root, 'archive-index'), archiveRoot: paths.archive });
      let index: IndexReport;
      try {
        index = await archive.rebuild({ onProgress: (p) => progress?.({ phase: 'index', done: p.done, total: p.total }) });
      } finally {
        archive.close();
      }
      progress?.({ phase: 'manifest', done: 0, total: 1 });
      return { summary, planted, index };
    }
  );
  rmSync(marker, { force: true });
  progress?.({ phase: 'manifest', done: 1, total: 1 });
  const { summary, planted, index } = result;
  return {
    seed,
    referenceDate,
    charset,
    patients: summary.patients,
    studies: summary.studies,
    series: summary.series + planted.canaryFiles.length,
    instances: summary.instances + planted.canaryFiles.length,
    bytes: learned.bytes,
    skippedModalities: summary.skippedModalities,
    honeytokens: {
      studies: planted.studies,
      pdf: planted.canaryFiles.length,
      url: planted.urlFiles.length,
      honeyUrlBase,
      honeyUrlDefault: config.honeyUrl === undefined,
      canaryTemplate: config.canaryPdf ?? null,
    },
    index,
    manifest: learned,
    durationMs: Date.now() - started,
  };
}

/**
 * `serve`'s first start: seeds the archive with SEED_PATIENTS / SEED_STUDIES / SEED_SCALE when it is empty
 * (or when an earlier seed was interrupted). Does nothing when SEED_PATIENTS is 0 or the archive holds files.
 */
export async function ensureSeeded(ctx: SeedContext): Promise<SeedReport | null> {
  const { config, paths, log } = ctx;
  if (config.seedPatients === 0) return null;
  const interrupted = existsSync(join(paths.root, SEEDING_MARKER));
  if (!interrupted && (await countArchiveFiles(paths.archive, 1)) > 0) return null;
  log?.info(
    { patients: config.seedPatients, studies: config.seedStudies, scale: config.seedScale, modalities: config.modalities, interrupted },
    interrupted ? 'an earlier seed was interrupted: seeding the decoy archive again' : 'the decoy archive is empty: seeding it',
  );
  let report: SeedReport;
  try {
    report = await seedArchive(ctx, { patients: config.seedPatients, studies: config.seedStudies, scale: config.seedScale, force: true });
  } catch (err) {
    // A configuration the generator cannot follow leaves the archive empty; the sensor still runs and records.
    if (!(err instanceof SeedInputError)) throw err;
    log?.error({ reason: err.message }, 'the decoy archive cannot be seeded; running with an empty archive');
    return null;
  }
  log?.info(
    {
      patients: report.patients,
      studies: report.studies,
      instances: report.instances,
      bytes: report.bytes,
      honeytokens: report.honeytokens.pdf + report.honeytokens.url,
      durationMs: report.durationMs,
      ...(report.skippedModalities.length ? { skippedModalities: report.skippedModalities } : {}),
    },
    'decoy archive seeded',
  );
  if (report.honeytokens.honeyUrlDefault && report.honeytokens.pdf + report.honeytokens.url > 0) {
    log?.warn({ honeyUrl: report.honeytokens.honeyUrlBase }, 'HONEY_URL is not set: honey URLs point at this address; set HONEY_URL to the name attackers reach');
  }
  return report;
}
