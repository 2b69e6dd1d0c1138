/**
 * `npm run bench -- qr`: Query/Retrieve throughput of DICOMHawk next to DCMTK's dcmqrscp and Orthanc (both
 * from Debian), measured in the same run, on the same files, by the same TypeScript SCU (bench/lib/scu.ts):
 *
 * 1. C-FIND, Study Root, STUDY level, `PatientName=A*` with 14 return keys a viewer asks for (patient
 *    name/ID/birth date/sex, study date/time/ID/description/UID, accession number, referring physician,
 *    ModalitiesInStudy, number of study-related series/instances), repeated on one association:
 *    queries/s at concurrency 1 and 8 (8 associations in parallel).
 * 2. C-GET of one series (every instance; a different series each time), Study Root, SERIES level: the
 *    SCU takes the storage SCP role and answers each C-STORE-RQ with Success; MB/s (data set bytes
 *    received, 10^6) and series/s at concurrency 1 and 8, repeated on one association per worker.
 *
 * The archive: 20 000 instances (100 patients × 5 studies × 4 series × 10 instances of a 64 × 64 CT/MR
 * image, bench/lib/qrArchive.ts), generated once and cached under the temp dir keyed by a hash of its
 * parameters, with dcmqrscp's index.dat and Orthanc's store prepared once next to it
 * (bench/lib/refStores.ts). Each run: DICOMHawk gets the files hard-linked into a temp DATA_DIR/archive and
 * indexes them at start (DATA_DIR/archive-index); dcmqrscp gets a copy of the index.dat; Orthanc a copy of
 * its SQLite index over the cached storage area. Every query is checked: the same number of matches from
 * every server, every C-GET's sub-operations all received and successful.
 *
 * Environment: BENCH_SECONDS (per measurement, default 5), BENCH_WARMUP_SECONDS (per server and operation,
 * default 3), BENCH_CPU_PROF=<dir> to run DICOMHawk under `node --cpu-prof` (profile written at its exit),
 * BENCH_KEEP=1 to keep the run's temp dir, BENCH_QR_PATIENTS to use a smaller archive (quick runs).
 * Loopback only; DCMTK under dcmqrscp and Orthanc gets TCP_NODELAY=1; every server is stopped at the end.
 */
import { copyFileSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeIdentifier, type IdentifierInput } from '../src/services/dimse/dataset/identifier.ts';
import { EXPLICIT_LE, IMPLICIT_LE } from './lib/echoScu.ts';
import { CT_IMAGE_STORAGE, ensureArchive, MR_IMAGE_STORAGE, type BuiltArchive, type SeriesEntry } from './lib/qrArchive.ts';
import { copyOrthancIndex, ensureDcmqrscpStore, ensureOrthancStore } from './lib/refStores.ts';
import { fmtMs, percentile, ratio, table, treeCpuUs } from './lib/report.ts';
import { QrScu, STUDY_ROOT_FIND, STUDY_ROOT_GET, type AssociateOptions } from './lib/scu.ts';
import { killAll, startDcmqrscp, startDicomHawk, startOrthanc, type Target } from './lib/servers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? Math.min(3, SECONDS));
const OP_TIMEOUT_MS = 30_000;

/** The C-FIND identifier: Study Root, STUDY level, a wildcard on the patient name, the keys a viewer's study list asks for. */
const FIND_KEYS: readonly IdentifierInput[] = [
  { tag: 0x00080052, vr: 'CS', value: 'STUDY' },
  { tag: 0x00100010, vr: 'PN', value: 'A*' },
  { tag: 0x00100020, vr: 'LO', value: '' },
  { tag: 0x00100030, vr: 'DA', value: '' },
  { tag: 0x00100040, vr: 'CS', value: '' },
  { tag: 0x00080020, vr: 'DA', value: '' },
  { tag: 0x00080030, vr: 'TM', value: '' },
  { tag: 0x00080050, vr: 'SH', value: '' },
  { tag: 0x00080061, vr: 'CS', value: '' },
  { tag: 0x00080090, vr: 'PN', value: '' },
  { tag: 0x00081030, vr: 'LO', value: '' },
  { tag: 0x0020000d, vr: 'UI', value: '' },
  { tag: 0x00200010, vr: 'SH', value: '' },
  { tag: 0x00201206, vr: 'IS', value: '' },
  { tag: 0x00201208, vr: 'IS', value: '' },
];

const FIND_CONTEXT = 1;
const GET_CONTEXT = 1;

function findAssociation(calledAe: string): AssociateOptions {
  return { calledAe, contexts: [{ id: FIND_CONTEXT, abstractSyntax: STUDY_ROOT_FIND, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] }] };
}

/** C-GET: the Q/R context, and CT and MR storage (Explicit VR LE, as stored) with the SCP role for the SCU. */
function getAssociation(calledAe: string): AssociateOptions {
  return {
    calledAe,
    contexts: [
      { id: GET_CONTEXT, abstractSyntax: STUDY_ROOT_GET, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
      { id: 3, abstractSyntax: CT_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
      { id: 5, abstractSyntax: MR_IMAGE_STORAGE, transferSyntaxes: [EXPLICIT_LE] },
    ],
    roles: [
      { sopClassUid: CT_IMAGE_STORAGE, scu: 0, scp: 1 },
      { sopClassUid: MR_IMAGE_STORAGE, scu: 0, scp: 1 },
    ],
  };
}

function getIdentifier(s: SeriesEntry, ts: string): Buffer {
  return writeIdentifier(
    [
      { tag: 0x00080052, vr: 'CS', value: 'SERIES' },
      { tag: 0x0020000d, vr: 'UI', value: s.studyInstanceUid },
      { tag: 0x0020000e, vr: 'UI', value: s.seriesInstanceUid },
    ],
    ts,
  );
}

// ---- measurements ----------------------------------------------------------------------------------

interface Measured {
  ops: number;
  rate: number;
  /** Matches (C-FIND) or instances (C-GET) received. */
  items: number;
  /** Data set bytes received per second (identifiers for C-FIND, objects for C-GET). */
  bytesPerSec: number;
  /** Operations whose outcome was not the expected one (status, match count, sub-operations). */
  wrong: number;
  failed: number;
  firstError: string | null;
  p50: number;
  p99: number;
  /** Server CPU (process and children, user + system) per operation, µs. */
  cpuUs: number | null;
}

type Op = (scu: QrScu, worker: number) => Promise<{ ok: boolean; items: number; bytes: number; why?: string }>;

/**
 * Runs `op` back to back on `concurrency` associations (opened before the clock starts) for `seconds`;
 * an association that fails is reopened (at most 20 times per worker).
 */
async function measure(target: Target, assoc: AssociateOptions, op: Op, concurrency: number, seconds: number): Promise<Measured> {
  let ops = 0;
  let items = 0;
  let bytes = 0;
  let wrong = 0;
  let failed = 0;
  let firstError: string | null = null;
  const samples: number[] = [];
  const scus = await Promise.all(Array.from({ length: concurrency }, () => QrScu.connect(target.port, assoc, OP_TIMEOUT_MS)));
  const cpu0 = treeCpuUs(target.pid);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async (w: number): Promise<void> => {
    let scu: QrScu | null = scus[w]!;
    let reopen = 0;
    while (performance.now() < end) {
      try {
        scu ??= await QrScu.connect(target.port, assoc, OP_TIMEOUT_MS);
        const a = performance.now();
        const r = await op(scu, w);
        samples.push(performance.now() - a);
        ops += 1;
        items += r.items;
        bytes += r.bytes;
        if (!r.ok) {
          wrong += 1;
          firstError ??= r.why ?? 'unexpected outcome';
        }
      } catch (err) {
        failed += 1;
        firstError ??= (err as Error).message;
        scu?.close();
        scu = null;
        if ((reopen += 1) > 20) break;
      }
    }
    await scu?.release().catch(() => scu?.close());
  };
  await Promise.all(scus.map((_, w) => worker(w)));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = treeCpuUs(target.pid);
  samples.sort((x, y) => x - y);
  return {
    ops,
    rate: ops / elapsed,
    items,
    bytesPerSec: bytes / elapsed,
    wrong,
    failed,
    firstError,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    cpuUs: cpu0 !== null && cpu1 !== null && ops > 0 ? (cpu1 - cpu0) / ops : null,
  };
}

function findOp(expectedMatches: number, identifier: (scu: QrScu) => Buffer): Op {
  return async (scu) => {
    const r = await scu.find(FIND_CONTEXT, STUDY_ROOT_FIND, identifier(scu));
    const ok = r.status === 0 && r.matches === expectedMatches;
    return { ok, items: r.matches, bytes: r.bytes, ...(ok ? {} : { why: `C-FIND status 0x${r.status.toString(16)}, ${r.matches} matches (expected ${expectedMatches})` }) };
  };
}

/** Each C-GET takes the next series of a fixed stride through the archive (shared by the workers). */
function getOp(series: readonly SeriesEntry[]): Op {
  let next = 0;
  const stride = 37; // coprime with the series count: every series before any repeats
  return async (scu) => {
    const s = series[(next++ * stride) % series.length]!;
    const r = await scu.get(GET_CONTEXT, STUDY_ROOT_GET, getIdentifier(s, scu.accepted.get(GET_CONTEXT)!));
    const ok = r.status === 0 && r.stores === s.instances && r.completed === s.instances && r.failed === 0;
    return { ok, items: r.stores, bytes: r.bytes, ...(ok ? {} : { why: `C-GET status 0x${r.status.toString(16)}, ${r.stores} stores, ${r.completed} completed, ${r.failed} failed (expected ${s.instances})` }) };
  };
}

// ---- set-up ----------------------------------------------------------------------------------------

/** Hard links (or copies, across file systems) of every archive file under `into`. */
function linkArchive(archive: BuiltArchive, into: string): void {
  const dirs = new Set<string>();
  for (const rel of archive.manifest.files) {
    const to = join(into, rel);
    const d = dirname(to);
    if (!dirs.has(d)) {
      mkdirSync(d, { recursive: true });
      dirs.add(d);
    }
    try {
      linkSync(join(archive.root, rel), to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      copyFileSync(join(archive.root, rel), to);
    }
  }
}

// ---- the run ---------------------------------------------------------------------------------------

const fmtPerSec = (n: number, digits = 0): string => (Number.isFinite(n) ? `${n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })}/s` : 'n/a');
const fmtMBs = (bytesPerSec: number): string => `${(bytesPerSec / 1e6).toFixed(1)} MB/s`;
const fmtCpu = (us: number | null): string => (us === null ? 'n/a' : us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`);
const log = (s: string): void => console.log(s);

export async function run(): Promise<void> {
  const archive = ensureArchive();
  const m = archive.manifest;
  log(
    `archive: ${m.instances.toLocaleString('en-US')} instances, ${m.studies} studies, ${m.series.length} series, ${(m.bytes / 1e6).toFixed(0)} MB ` +
      `(${archive.generated ? `generated in ${(archive.generateMs / 1000).toFixed(1)} s` : 'cached'}: ${archive.cacheDir})`,
  );
  const dcmqrStore = await ensureDcmqrscpStore(archive, log);
  const orthancStore = await ensureOrthancStore(archive, log);

  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-qr-run-'));
  const targets: Target[] = [];
  try {
    const tLink = performance.now();
    linkArchive(archive, join(dir, 'hawk', 'data', 'archive'));
    log(`DICOMHawk's DATA_DIR/archive: ${m.instances} files linked in ${((performance.now() - tLink) / 1000).toFixed(1)} s`);
    const hawk = await startDicomHawk(join(dir, 'hawk'), { startTimeoutMs: 900_000 });
    targets.push(hawk);
    mkdirSync(join(dir, 'dcmqrscp', 'storage'), { recursive: true });
    copyFileSync(join(dcmqrStore, 'index.dat'), join(dir, 'dcmqrscp', 'storage', 'index.dat'));
    const dcmqrscp = await startDcmqrscp(join(dir, 'dcmqrscp'), { storageDir: join(dir, 'dcmqrscp', 'storage') });
    targets.push(dcmqrscp);
    mkdirSync(join(dir, 'orthanc'), { recursive: true });
    const orthanc = await startOrthanc(join(dir, 'orthanc'), { storageDir: orthancStore.storageDir, indexDir: copyOrthancIndex(orthancStore, join(dir, 'orthanc')) });
    targets.push(orthanc);
    for (const t of targets) log(`${t.name.padEnd(9)} on 127.0.0.1:${t.port} (pid ${t.pid}), serving ${(t.startMs / 1000).toFixed(1)} s after spawn${t === hawk ? ' (archive indexed at start)' : ''}`);
    const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
    log(`${SECONDS} s per measurement, ${WARMUP_SECONDS} s warm-up per server and operation; load average before: ${load()}`);

    // The same identifier bytes for every server, in the transfer syntax each accepted.
    const findIds = new Map<string, Buffer>();
    const findIdentifier = (scu: QrScu): Buffer => {
      const ts = scu.accepted.get(FIND_CONTEXT)!;
      let b = findIds.get(ts);
      if (!b) findIds.set(ts, (b = writeIdentifier(FIND_KEYS, ts)));
      return b;
    };

    // Check every server answers the same way before timing anything.
    const check = new Map<Target, { matches: number; findBytes: number; stores: number; getBytes: number }>();
    for (const t of targets) {
      const step = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
        try {
          return await f();
        } catch (err) {
          throw new Error(`${t.name}, ${what}: ${(err as Error).message}`, { cause: err });
        }
      };
      const f = await step('C-FIND association', () => QrScu.connect(t.port, findAssociation(t.calledAe), OP_TIMEOUT_MS));
      const fr = await step('C-FIND', () => f.find(FIND_CONTEXT, STUDY_ROOT_FIND, findIdentifier(f)));
      await step('release', () => f.release());
      const g = await step('C-GET association', () => QrScu.connect(t.port, getAssociation(t.calledAe), OP_TIMEOUT_MS));
      const s = m.series[0]!;
      const gr = await step('C-GET', () => g.get(GET_CONTEXT, STUDY_ROOT_GET, getIdentifier(s, g.accepted.get(GET_CONTEXT)!)));
      await step('release', () => g.release());
      if (fr.status !== 0) throw new Error(`${t.name}: C-FIND failed with status 0x${fr.status.toString(16)}`);
      if (gr.status !== 0 || gr.stores !== s.instances) throw new Error(`${t.name}: C-GET of a series: status 0x${gr.status.toString(16)}, ${gr.stores} of ${s.instances} instances`);
      check.set(t, { matches: fr.matches, findBytes: fr.bytes / Math.max(1, fr.matches), stores: gr.stores, getBytes: gr.bytes });
    }
    const expectedMatches = m.studiesMatchingA;
    for (const [t, c] of check) {
      if (c.matches !== expectedMatches) throw new Error(`${t.name} returned ${c.matches} studies for PatientName=A*, expected ${expectedMatches}`);
    }

    // Warm-up (JIT, caches, thread pools), not measured.
    const find = findOp(expectedMatches, findIdentifier);
    const get = getOp(m.series);
    for (const t of targets) {
      await measure(t, findAssociation(t.calledAe), find, 8, WARMUP_SECONDS);
      await measure(t, getAssociation(t.calledAe), get, 8, WARMUP_SECONDS);
    }

    // Interleaved, so that drift on the machine affects every server alike.
    const results = new Map<string, Map<Target, Measured>>();
    const record = async (key: string, kind: 'find' | 'get', c: number): Promise<void> => {
      const r = new Map<Target, Measured>();
      for (const t of targets) r.set(t, await measure(t, kind === 'find' ? findAssociation(t.calledAe) : getAssociation(t.calledAe), kind === 'find' ? find : get, c, SECONDS));
      results.set(key, r);
    };
    await record('find1', 'find', 1);
    await record('find8', 'find', 8);
    await record('get1', 'get', 1);
    await record('get8', 'get', 8);
    log(`load average after: ${load()}`);

    const R = (key: string, t: Target): Measured => results.get(key)!.get(t)!;
    const row = (label: string, value: (t: Target) => number, fmt: (n: number) => string, lowerIsBetter = false): string[] => {
      const [h, d, o] = [value(hawk), value(dcmqrscp), value(orthanc)];
      const rr = (a: number, b: number): string => (lowerIsBetter ? ratio(b, a) : ratio(a, b));
      return [label, fmt(h), fmt(d), fmt(o), rr(h, d), rr(h, o)];
    };
    const cpuRow = (label: string, key: string): string[] => {
      const v = (t: Target): number => R(key, t).cpuUs ?? NaN;
      return [label, fmtCpu(R(key, hawk).cpuUs), fmtCpu(R(key, dcmqrscp).cpuUs), fmtCpu(R(key, orthanc).cpuUs), ratio(v(dcmqrscp), v(hawk)), ratio(v(orthanc), v(hawk))];
    };
    log(`\nSame SCU (TypeScript, noDelay) against the three servers, ${m.instances.toLocaleString('en-US')} instances; ratios are "ours vs. theirs", > 1× = DICOMHawk better:`);
    table([
      ['measurement', 'DICOMHawk', 'dcmqrscp', 'Orthanc', 'ours/dcmqrscp', 'ours/Orthanc'],
      row('C-FIND STUDY PatientName=A*, queries/s, c=1', (t) => R('find1', t).rate, (n) => fmtPerSec(n, 1)),
      row('C-FIND queries/s, c=8 (8 associations)', (t) => R('find8', t).rate, (n) => fmtPerSec(n, 1)),
      row('C-FIND latency p50, c=1', (t) => R('find1', t).p50, fmtMs, true),
      row('C-FIND latency p99, c=8', (t) => R('find8', t).p99, fmtMs, true),
      cpuRow('server CPU per C-FIND, c=1', 'find1'),
      cpuRow('server CPU per C-FIND, c=8', 'find8'),
      row('C-GET of a series, MB/s, c=1', (t) => R('get1', t).bytesPerSec, fmtMBs),
      row('C-GET series/s, c=1', (t) => R('get1', t).rate, (n) => fmtPerSec(n, 1)),
      row('C-GET MB/s, c=8 (8 associations)', (t) => R('get8', t).bytesPerSec, fmtMBs),
      row('C-GET series/s, c=8', (t) => R('get8', t).rate, (n) => fmtPerSec(n, 1)),
      row('C-GET latency p50, c=1', (t) => R('get1', t).p50, fmtMs, true),
      row('C-GET latency p99, c=8', (t) => R('get8', t).p99, fmtMs, true),
      cpuRow('server CPU per C-GET, c=1', 'get1'),
      cpuRow('server CPU per C-GET, c=8', 'get8'),
    ]);
    const c = (t: Target): { matches: number; findBytes: number; stores: number; getBytes: number } => check.get(t)!;
    log(
      `\nAnswers: ${expectedMatches} matches per C-FIND from each; identifier bytes per match: ` +
        targets.map((t) => `${t.name} ${Math.round(c(t).findBytes)}`).join(', ') +
        ' (dcmqrscp leaves out the keys it does not index: ModalitiesInStudy, NumberOfStudyRelated…); ' +
        `one series = ${m.series[0]!.instances} instances, data set bytes received: ` +
        targets.map((t) => `${t.name} ${c(t).getBytes}`).join(', ') +
        ` (stored: ${m.series[0]!.datasetBytes}).`,
    );
    const problems: string[] = [];
    for (const [key, r] of results)
      for (const [t, x] of r) {
        if (x.failed) problems.push(`${t.name} ${key}: ${x.failed} failed (${x.firstError})`);
        if (x.wrong) problems.push(`${t.name} ${key}: ${x.wrong} of ${x.ops} with an unexpected outcome (${x.firstError})`);
      }
    log(problems.length ? `failures: ${problems.join('; ')}` : 'failures: none (every C-FIND returned the expected matches, every C-GET all its instances)');

    const goal = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    const ahead = (key: string, other: Target): boolean => R(key, hawk).rate > R(key, other).rate;
    const atLeast = (key: string): boolean => R(key, hawk).bytesPerSec >= R(key, orthanc).bytesPerSec;
    log('\nGoals (issue 4):');
    log(`  C-FIND ahead of dcmqrscp, c=1: ${goal(ahead('find1', dcmqrscp))} (${ratio(R('find1', hawk).rate, R('find1', dcmqrscp).rate)})`);
    log(`  C-FIND ahead of dcmqrscp, c=8: ${goal(ahead('find8', dcmqrscp))} (${ratio(R('find8', hawk).rate, R('find8', dcmqrscp).rate)})`);
    log(`  C-FIND ahead of Orthanc,  c=1: ${goal(ahead('find1', orthanc))} (${ratio(R('find1', hawk).rate, R('find1', orthanc).rate)})`);
    log(`  C-FIND ahead of Orthanc,  c=8: ${goal(ahead('find8', orthanc))} (${ratio(R('find8', hawk).rate, R('find8', orthanc).rate)})`);
    log(`  C-GET ≥ Orthanc (MB/s),   c=1: ${goal(atLeast('get1'))} (${ratio(R('get1', hawk).bytesPerSec, R('get1', orthanc).bytesPerSec)})`);
    log(`  C-GET ≥ Orthanc (MB/s),   c=8: ${goal(atLeast('get8'))} (${ratio(R('get8', hawk).bytesPerSec, R('get8', orthanc).bytesPerSec)})`);
  } finally {
    for (const t of [...targets].reverse()) await t.stop().catch(() => undefined);
    killAll();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
