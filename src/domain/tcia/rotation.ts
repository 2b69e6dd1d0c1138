/**
 * One TCIA rotation: replace the served archive with a fresh set of real studies, atomically.
 *
 *  1. plan   — list series per modality from NBIA (TCIA_COLLECTIONS, or collections in a random order until
 *              the budget can be met) and select them (selection.ts); the plan
 *              is written to the staging directory, so an interrupted rotation resumes with the same series;
 *  2. fetch  — download each series' ZIP (bounded concurrency, timeouts, retries, Range resume) into
 *              `DATA_DIR/tcia-staging/current/downloads/`; a finished ZIP is kept until the rotation succeeds;
 *  3. build  — unpack each ZIP (zip.ts), validate, re-identify and write every file (convert.ts) into a set
 *              directory in the staging area; a corrupt or truncated ZIP drops its series (and is deleted so
 *              that the next attempt fetches it again);
 *  4. swap   — with integrity checks paused: move the set into `DATA_DIR/archive/.sets/<set>`, index it as a
 *              new generation aside, learn the integrity manifest of the archive as it will be, and swap
 *              `CURRENT` (one rename switches index and files together; queries on the old generation finish
 *              on the old files). On failure the new set is removed and the old one stays in service. After
 *              success the honeytokens are registered, the studies remembered as served, and older sets are
 *              removed once no query holds them.
 *
 * Nothing in the served archive changes before step 4, so a failure or interruption anywhere earlier leaves
 * the archive exactly as it was.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionLog } from '../../core/events/sessionLog.ts';
import type { DataPaths } from '../../core/storage/dataDir.ts';
import type { Archive } from '../archive/index.ts';
import type { Charset } from '../dataset/dicom/charset.ts';
import { todayDA } from '../dataset/dicom/dates.ts';
import type { Implementation } from '../dataset/dicom/part10Writer.ts';
import { createReidentifyContext } from '../dataset/reidentify.ts';
import type { Secret } from '../dataset/rng.ts';
import type { HoneytokenRecord } from '../honeytokens/registry.ts';
import { HoneytokenRegistry } from '../honeytokens/registry.ts';
import { integrityTarget, learnManifest, withMaintenancePaused } from '../integrity/manifest.ts';
import { convertSeries, noteSeriesFiles, SOURCE_TELLS, type ConvertContext } from './convert.ts';
import { TciaHistory } from './history.ts';
import { NbiaClient, NbiaError, type FetchLike, type NbiaSeries } from './nbiaClient.ts';
import { selectSeries, type ModalityCount } from './selection.ts';
import { unzipSeries, ZipError } from './zip.ts';

export type RotationStage = 'login' | 'list' | 'select' | 'download' | 'build' | 'swap';
export type RotationTrigger = 'start' | 'schedule' | 'cli';

export class RotationError extends Error {
  constructor(
    readonly stage: RotationStage,
    message: string,
  ) {
    super(message);
    this.name = 'RotationError';
  }
}

/** The settings a rotation reads (a subset of Config). */
export interface TciaSettings {
  readonly modalities: readonly string[];
  readonly tciaApiUrl: string;
  readonly tciaUserName?: string | undefined;
  readonly tciaPassword?: string | undefined;
  readonly tciaCollections?: readonly string[] | undefined;
  readonly tciaMinFiles: number;
  readonly tciaMaxFiles: number;
  readonly tciaStudiesPerModality: number;
  readonly tciaSeriesPerStudy: number;
  readonly tciaConcurrency: number;
  readonly tciaTimeoutMs: number;
  readonly tciaRetries: number;
  readonly tciaMaxSeriesBytes: number;
  readonly honeytokenShare: number;
}

export interface RotationProgress {
  readonly phase: 'list' | 'download' | 'build' | 'swap';
  readonly seriesDone: number;
  readonly seriesTotal: number;
  readonly bytes: number;
  /** Sum of the sizes NBIA declared for the selected series (0 when unknown). */
  readonly bytesTotal: number;
}

export interface RotationOptions {
  readonly settings: TciaSettings;
  readonly paths: DataPaths;
  readonly archive: Archive;
  readonly installSecret: Secret;
  readonly charset: Charset;
  readonly implementation: Implementation;
  readonly honeyUrlBase: string;
  readonly trigger: RotationTrigger;
  /** Only list and select: nothing is downloaded or changed. */
  readonly dryRun?: boolean;
  readonly events?: SessionLog;
  readonly onProgress?: (p: RotationProgress) => void;
  readonly signal?: AbortSignal;
  /** Test seams for the HTTP client (never set in production). */
  readonly client?: { fetch?: FetchLike; sleep?: (ms: number) => Promise<void>; backoffBaseMs?: number };
  /** Clock for the set name and the reference date (default now). */
  readonly now?: () => Date;
}

export interface RotationReport {
  readonly set: string;
  readonly dryRun: boolean;
  readonly resumed: boolean;
  readonly selected: readonly NbiaSeries[];
  readonly modalities: readonly ModalityCount[];
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly downloadedBytes: number;
  readonly rejectedSeries: readonly { readonly series: string; readonly reason: string }[];
  readonly rejectedFiles: readonly { readonly series: string; readonly file: string; readonly reason: string }[];
  readonly honeytokens: number;
  readonly durationMs: number;
}

interface Plan {
  readonly set: string;
  readonly createdAt: string;
  readonly attempts: number;
  readonly series: readonly NbiaSeries[];
}

/** Where TCIA sets live inside the archive directory (hidden: never walked as part of another root). */
export const SETS_DIR = '.sets';
/** Registry origin of the honeytokens planted in TCIA sets. */
export const TCIA_TOKEN_ORIGIN = 'tcia';
const MAX_PLAN_ATTEMPTS = 3;
/** Collections asked per modality when TCIA_COLLECTIONS is not set. */
const MAX_COLLECTIONS_PER_MODALITY = 25;

function rankOf(seed: string, modality: string, collection: string): string {
  return createHash('sha256').update(`${seed}\0${modality}\0${collection}`).digest('hex');
}
const MAX_PLAN_AGE_MS = 7 * 86_400_000;

export function stagingDir(paths: DataPaths): string {
  return join(paths.root, 'tcia-staging');
}

/** Whether the archive in service is a TCIA set (otherwise the synthetic or imported archive). */
export function servingTcia(archive: Archive): boolean {
  return archive.root.startsWith(`${SETS_DIR}/`);
}

function setName(now: Date): string {
  return `tcia-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

/** An exclusive lock on the staging directory (a `serve` and a `tcia sync` never rotate together). */
function lock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, '.lock');
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
  } catch {
    const pid = Number(readFileSync(path, 'utf8').trim());
    let alive: boolean;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) throw new RotationError('select', `another TCIA rotation is running (pid ${pid})`);
    writeFileSync(path, `${process.pid}\n`);
  }
  return () => rmSync(path, { force: true });
}

function readPlan(path: string, now: number): Plan | null {
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as Plan;
    if (!Array.isArray(p.series) || typeof p.set !== 'string' || !/^tcia-[0-9TZ]+$/.test(p.set)) return null;
    if (now - Date.parse(p.createdAt) > MAX_PLAN_AGE_MS || (p.attempts ?? 0) >= MAX_PLAN_ATTEMPTS) return null;
    return p;
  } catch {
    return null;
  }
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
}

/** Runs one rotation (see the module comment). Throws a RotationError; the served archive is then unchanged. */
export async function rotate(o: RotationOptions): Promise<RotationReport> {
  const started = Date.now();
  const now = o.now ?? (() => new Date());
  const s = o.settings;
  const staging = stagingDir(o.paths);
  const work = join(staging, 'current');
  const planPath = join(work, 'plan.json');
  const downloads = join(work, 'downloads');
  const serving = (): 'tcia' | 'synthetic' => (servingTcia(o.archive) ? 'tcia' : 'synthetic');
  const modalities = [...new Set(s.modalities.map((m) => m.trim().toUpperCase()).filter((m) => m !== ''))];
  const collections = [...new Set((s.tciaCollections ?? []).map((c) => c.trim()).filter((c) => c !== ''))];
  let downloadedBytes = 0;
  let seriesDone = 0;
  let stage: RotationStage = 'list';
  let plan: Plan | null = null;

  const unlock = o.dryRun ? () => undefined : lock(staging);
  try {
    const client = new NbiaClient({
      apiUrl: s.tciaApiUrl,
      username: s.tciaUserName,
      password: s.tciaPassword,
      timeoutMs: s.tciaTimeoutMs,
      retries: s.tciaRetries,
      ...(o.client?.fetch ? { fetch: o.client.fetch } : {}),
      ...(o.client?.sleep ? { sleep: o.client.sleep } : {}),
      ...(o.client?.backoffBaseMs !== undefined ? { backoff: { baseMs: o.client.backoffBaseMs, maxMs: o.client.backoffBaseMs * 8 } } : {}),
    });

    // 1. Plan (or resume the interrupted one).
    const history = TciaHistory.open(o.paths.db);
    let selection: { series: readonly NbiaSeries[]; modalities: readonly ModalityCount[] };
    let resumed = false;
    try {
      const prior = readPlan(planPath, now().getTime()); // a dry run reports the resume a real run would do
      if (prior !== null && prior.series.every((x) => !history.isServed(x.studyInstanceUid))) {
        plan = { ...prior, attempts: prior.attempts + 1 };
        selection = { series: prior.series, modalities: [] };
        resumed = true;
      } else {
        if (modalities.length === 0) throw new RotationError('select', 'MODALITIES is empty');
        if (client.authenticated) {
          stage = 'login';
          await client.accessToken();
        }
        stage = 'list';
        const name = setName(now());
        const rules = { minFiles: s.tciaMinFiles, maxFiles: s.tciaMaxFiles, studiesPerModality: s.tciaStudiesPerModality, seriesPerStudy: s.tciaSeriesPerStudy };
        const served = (uid: string): boolean => history.isServed(uid);
        const listed = new Map<string, NbiaSeries[]>();
        // Without TCIA_COLLECTIONS: collections in a random order (per rotation), each asked for the modality,
        // until the budget can be met — never the whole archive's series list in one answer.
        const all = collections.length === 0 ? await client.getCollections() : [];
        for (const m of modalities) {
          let list: NbiaSeries[] = [];
          if (collections.length > 0) list = (await Promise.all(collections.map((c) => client.getSeries({ modality: m, collection: c })))).flat();
          else {
            const order = [...all].sort((a, b) => (rankOf(name, m, a) < rankOf(name, m, b) ? -1 : 1)).slice(0, MAX_COLLECTIONS_PER_MODALITY);
            for (const c of order) {
              list = list.concat(await client.getSeries({ modality: m, collection: c }));
              if (selectSeries(new Map([[m, list]]), served, rules, name).modalities[0]!.studies >= rules.studiesPerModality) break;
            }
          }
          listed.set(m, list);
          o.onProgress?.({ phase: 'list', seriesDone: 0, seriesTotal: 0, bytes: 0, bytesTotal: 0 });
        }
        stage = 'select';
        selection = selectSeries(listed, served, rules, name);
        plan = { set: name, createdAt: now().toISOString(), attempts: 1, series: selection.series };
      }
    } finally {
      history.close();
    }
    const bytesTotal = plan.series.reduce((n, x) => n + x.fileSize, 0);
    if (o.dryRun) {
      return report(plan, selection.modalities, resumed, true, { studies: new Set(plan.series.map((x) => x.studyInstanceUid)).size, series: plan.series.length, instances: 0, bytes: 0 }, [], [], 0, 0, started);
    }
    if (plan.series.length === 0) {
      rmSync(work, { recursive: true, force: true });
      throw new RotationError('select', 'no TCIA series left to fetch (every matching study was served before, or none fits MINIMUM/MAXIMUM_TCIA_FILES_IN_SERIE)');
    }
    mkdirSync(downloads, { recursive: true });
    writeFileSync(planPath, `${JSON.stringify(plan, null, 1)}\n`);
    o.events?.emit('dicomhawk.tcia.sync.start', { modalities, collections: collections.map((c) => c.slice(0, 256)), budget: s.tciaStudiesPerModality, trigger: o.trigger, resumed });

    // 2. Fetch.
    stage = 'download';
    const rejectedSeries: { series: string; reason: string }[] = [];
    const zips = new Map<string, string>();
    const progress = (phase: RotationProgress['phase']): void => o.onProgress?.({ phase, seriesDone, seriesTotal: plan?.series.length ?? 0, bytes: downloadedBytes, bytesTotal });
    await pool(plan.series, s.tciaConcurrency, async (x) => {
      const zip = join(downloads, `${x.seriesInstanceUid}.zip`);
      if (existsSync(zip)) {
        downloadedBytes += statSync(zip).size;
        zips.set(x.seriesInstanceUid, zip);
      } else {
        try {
          await client.downloadSeries(x.seriesInstanceUid, `${zip}.part`, { maxBytes: s.tciaMaxSeriesBytes, signal: o.signal, onBytes: (n) => ((downloadedBytes += n), progress('download')) });
          renameSync(`${zip}.part`, zip);
          zips.set(x.seriesInstanceUid, zip);
        } catch (err) {
          if (o.signal?.aborted || !(err instanceof NbiaError)) throw err;
          if (err.kind === 'auth') throw new RotationError('login', err.message);
          rejectedSeries.push({ series: x.seriesInstanceUid, reason: err.message });
        }
      }
      seriesDone++;
      progress('download');
    });
    if (o.signal?.aborted) throw new RotationError('download', 'interrupted');
    if (zips.size === 0) throw new RotationError('download', `no series could be downloaded (${rejectedSeries[0]?.reason ?? 'nothing selected'})`);

    // 3. Build the set aside.
    stage = 'build';
    const setDir = join(work, 'set');
    const extracted = join(work, 'extracted');
    rmSync(setDir, { recursive: true, force: true });
    rmSync(extracted, { recursive: true, force: true });
    const unpacked: { series: NbiaSeries; files: readonly string[]; license: string | null }[] = [];
    for (const x of plan.series) {
      const zip = zips.get(x.seriesInstanceUid);
      if (zip === undefined) continue;
      try {
        const u = await unzipSeries(zip, join(extracted, x.seriesInstanceUid), { maxEntries: s.tciaMaxFiles * 2 + 16, maxBytes: s.tciaMaxSeriesBytes });
        unpacked.push({ series: x, files: u.files, license: u.license });
      } catch (err) {
        if (!(err instanceof ZipError)) throw err;
        rmSync(zip, { force: true }); // fetched again by the next attempt
        rejectedSeries.push({ series: x.seriesInstanceUid, reason: err.message });
      }
      if (o.signal?.aborted) throw new RotationError('build', 'interrupted');
    }
    const ctx: ConvertContext = {
      installSecret: o.installSecret,
      reidentify: createReidentifyContext({
        installSecret: o.installSecret,
        referenceDate: todayDA(now()),
        charset: o.charset,
        extraTerms: [...new Set([...SOURCE_TELLS, ...plan.series.map((x) => x.collection).filter((c) => c.length >= 3)])],
      }),
      charset: o.charset,
      implementation: o.implementation,
      setName: plan.set,
      honeyUrlBase: o.honeyUrlBase,
      honeytokenShare: s.honeytokenShare,
    };
    for (const u of unpacked) noteSeriesFiles(u.files, ctx);
    const rejectedFiles: { series: string; file: string; reason: string }[] = [];
    const tokens: HoneytokenRecord[] = [];
    const studies = new Map<string, string>();
    let instances = 0;
    let bytes = 0;
    let builtSeries = 0;
    mkdirSync(setDir, { recursive: true });
    for (const u of unpacked) {
      const c = await convertSeries(u.files, u.license, u.series, setDir, ctx);
      for (const r of c.rejected) rejectedFiles.push({ series: u.series.seriesInstanceUid, ...r });
      if (c.files.length > 0) {
        builtSeries++;
        studies.set(u.series.studyInstanceUid, u.series.collection);
      } else rejectedSeries.push({ series: u.series.seriesInstanceUid, reason: `no usable file (${c.rejected[0]?.reason ?? 'empty ZIP'})` });
      instances += c.files.length;
      bytes += c.files.reduce((n, f) => n + f.bytes, 0);
      tokens.push(...c.tokens);
      rmSync(join(extracted, u.series.seriesInstanceUid), { recursive: true, force: true });
      progress('build');
      if (o.signal?.aborted) throw new RotationError('build', 'interrupted');
    }
    if (instances === 0) throw new RotationError('build', `no usable DICOM file in the downloaded series (${rejectedSeries[0]?.reason ?? rejectedFiles[0]?.reason ?? 'empty'})`);

    // 4. Swap.
    stage = 'swap';
    progress('swap');
    const target = integrityTarget(o.paths);
    const setsRoot = join(o.paths.archive, SETS_DIR);
    // A set directory is never reused: another rotation within the same second gets a suffix.
    let name = plan.set;
    for (let n = 2; existsSync(join(setsRoot, name)); n++) name = `${plan.set}-${n}`;
    const root = `${SETS_DIR}/${name}`;
    const setAbs = join(setsRoot, name);
    const others = (): string[] => (existsSync(setsRoot) ? readdirSync(setsRoot).filter((n) => n !== name).map((n) => `${SETS_DIR}/${n}`) : []);
    await withMaintenancePaused(target, async () => {
      mkdirSync(setsRoot, { recursive: true });
      renameSync(setDir, setAbs);
      let learned = false;
      try {
        await o.archive.rebuild({
          root,
          beforeSwap: async () => {
            if (o.signal?.aborted) throw new RotationError('swap', 'interrupted');
            learned = true;
            // The archive as it will be once the sets replaced are gone (they go below, after the swap).
            await learnManifest(target, { skip: others() });
          },
        });
      } catch (err) {
        rmSync(setAbs, { recursive: true, force: true });
        if (learned) await learnManifest(target).catch(() => undefined);
        throw err instanceof RotationError ? err : new RotationError('swap', (err as Error).message);
      }
      // In service. Older sets go once no query holds them (their files are not in the manifest any more).
      await o.archive.drained(30_000);
      for (const other of others()) rmSync(join(o.paths.archive, ...other.split('/')), { recursive: true, force: true });
    });
    const finishedAt = now().toISOString();
    const record = { set: name, finishedAt, studies: studies.size, series: builtSeries, instances, bytes };
    const done = TciaHistory.open(o.paths.db);
    try {
      done.recordRotation(record, [...studies].map(([studyUid, collection]) => ({ studyUid, collection })));
    } finally {
      done.close();
    }
    const registry = HoneytokenRegistry.open(o.paths.db);
    try {
      registry.replaceActive(TCIA_TOKEN_ORIGIN, tokens.map((t) => ({ ...t, path: t.path === null ? null : `${root}/${t.path}` })));
    } finally {
      registry.close();
    }
    rmSync(work, { recursive: true, force: true });
    const r = report({ ...plan, set: name }, selection.modalities, resumed, false, record, rejectedSeries, rejectedFiles, tokens.length, downloadedBytes, started);
    o.events?.emit('dicomhawk.tcia.sync.done', {
      set: r.set,
      studies: r.studies,
      series: r.series,
      instances: r.instances,
      bytes: r.bytes,
      downloaded_bytes: r.downloadedBytes,
      rejected_files: r.rejectedFiles.length,
      honeytokens: r.honeytokens,
      duration_ms: r.durationMs,
    });
    return r;
  } catch (err) {
    const e = err instanceof RotationError ? err : err instanceof NbiaError ? new RotationError(err.kind === 'auth' ? 'login' : stage, err.message) : new RotationError(stage, (err as Error).message ?? String(err));
    if (o.signal?.aborted && !/interrupted/.test(e.message)) e.message = `interrupted (${e.message})`;
    if (plan !== null && existsSync(work) && !o.dryRun && e.stage !== 'select') {
      writeFileSync(planPath, `${JSON.stringify(plan, null, 1)}\n`); // resumable, attempts counted
    }
    if (!o.dryRun) {
      o.events?.emit('dicomhawk.tcia.sync.failed', { reason: e.message.slice(0, 2048), stage: e.stage, series: seriesDone, bytes: downloadedBytes, serving: serving() });
    }
    throw e;
  } finally {
    unlock();
  }
}

function report(
  plan: Plan,
  modalities: readonly ModalityCount[],
  resumed: boolean,
  dryRun: boolean,
  r: { studies: number; series: number; instances: number; bytes: number },
  rejectedSeries: RotationReport['rejectedSeries'],
  rejectedFiles: RotationReport['rejectedFiles'],
  honeytokens: number,
  downloadedBytes: number,
  started: number,
): RotationReport {
  return {
    set: plan.set,
    dryRun,
    resumed,
    selected: plan.series,
    modalities,
    studies: r.studies,
    series: r.series,
    instances: r.instances,
    bytes: r.bytes,
    downloadedBytes,
    rejectedSeries,
    rejectedFiles,
    honeytokens,
    durationMs: Date.now() - started,
  };
}
