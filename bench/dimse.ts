/**
 * `npm run bench -- dimse`: C-ECHO associations/s (connect → A-ASSOCIATE → C-ECHO → A-RELEASE → close) at
 * concurrency 1 and 8, and the latency of one C-ECHO inside an established association at concurrency 8,
 * measured in the same run against DICOMHawk (`bin/dicomhawk.js serve` as a child process, events into
 * SQLite + JSONL as in production) and Orthanc from Debian (`/usr/sbin/Orthanc`). Both are driven by the same
 * small TypeScript SCU below (built on our own encoders and PduFramer), so the client cost is identical;
 * DCMTK's echoscu drives both too, when installed. Everything runs on loopback with Nagle off on both sides
 * (our SCU sets noDelay; Orthanc's DCMTK reads TCP_NODELAY=1 from its environment).
 *
 * Environment: BENCH_SECONDS (per measurement, default 5), BENCH_WARMUP_SECONDS (default 3), BENCH_ECHOSCU=no to skip the echoscu figures,
 * BENCH_CPU_PROF=<dir> to run DICOMHawk under `node --cpu-prof` and leave the profile in <dir>,
 * BENCH_BREAKDOWN=yes to also measure a second DICOMHawk with its event sinks off (EVENTS_SQLITE=no EVENTS_JSONL=no)
 * and a "Node floor": a child node process that answers every PDU with canned bytes (no DUL, no events), the
 * least any single-threaded Node server can cost on this machine. Together they show where the time goes.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandField, encodeCommand } from '../src/services/dimse/dimse/command.ts';
import { encodeAssociateAc } from '../src/services/dimse/pdu/associateAc.ts';
import { encodePData } from '../src/services/dimse/pdu/pData.ts';
import { encodeReleaseRp } from '../src/services/dimse/pdu/releaseRp.ts';
import { freePort } from '../test/helpers/net.ts';
import { BENCH_IMPL_UID, CONTEXT_ID, HOST, IMPLICIT_LE, oneAssociation, openEchoAssociation, VERIFICATION } from './lib/echoScu.ts';
import type { Scu } from './lib/scu.ts';
import { cpuUs, fmtMs, fmtRate, percentile, ratio, table } from './lib/report.ts';
import { captured, children, killAll, startDicomHawk, startOrthanc, stopChild, waitServing, type Target } from './lib/servers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** Warm-up per server before measuring (JIT, thread pools, SQLite pages): a sensor runs for days, not seconds. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? Math.min(3, SECONDS));

/**
 * Only C-ECHO is measured, so the decoy archive is not generated (SEED_PATIENTS=0: seeding takes minutes on a
 * loaded machine and happens before the listener serves, so it never overlapped a measurement anyway). Everything
 * else is the production default, the PDU record (DICOM_PDU_RECORD=yes) included.
 */
const HAWK_OPTIONS = { extraEnv: { SEED_PATIENTS: '0' }, startTimeoutMs: 180_000 };

// ---- measurements ----------------------------------------------------------------------------------

interface RateResult {
  rate: number;
  ok: number;
  failed: number;
  firstError: string | null;
  /** Server CPU time per association (user + system), µs. */
  serverCpuUs: number | null;
  /** p50 / p99 of a whole association (connect → close), ms. */
  p50: number;
  p99: number;
}

interface LatencyResult {
  echoes: number;
  failed: number;
  firstError: string | null;
  p50: number;
  p99: number;
  max: number;
  rate: number;
}

export async function associationRate(port: number, concurrency: number, seconds: number, pid?: number): Promise<RateResult> {
  let ok = 0;
  let failed = 0;
  let firstError: string | null = null;
  const durations: number[] = [];
  const cpu0 = cpuUs(pid);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const a = performance.now();
      try {
        await oneAssociation(port);
        durations.push(performance.now() - a);
        ok += 1;
      } catch (err) {
        failed += 1;
        firstError ??= (err as Error).message;
        if (failed > 1000) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = cpuUs(pid);
  durations.sort((x, y) => x - y);
  return {
    rate: ok / elapsed,
    ok,
    failed,
    firstError,
    serverCpuUs: cpu0 !== null && cpu1 !== null && ok > 0 ? (cpu1 - cpu0) / ok : null,
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
  };
}

export async function echoLatency(port: number, concurrency: number, seconds: number): Promise<LatencyResult> {
  const samples: number[] = [];
  let failed = 0;
  let firstError: string | null = null;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const worker = async (): Promise<void> => {
    let scu: Scu | null = null;
    try {
      scu = await openEchoAssociation(port);
      while (performance.now() < end) {
        const a = performance.now();
        await scu.echo(CONTEXT_ID);
        samples.push(performance.now() - a);
      }
      await scu.release();
    } catch (err) {
      failed += 1;
      firstError ??= (err as Error).message;
    } finally {
      scu?.close();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  samples.sort((x, y) => x - y);
  return { echoes: samples.length, failed, firstError, p50: percentile(samples, 50), p99: percentile(samples, 99), max: samples.at(-1) ?? NaN, rate: samples.length / elapsed };
}

// ---- echoscu-driven figures ------------------------------------------------------------------------

function echoscu(port: number, extra: string[] = []): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('echoscu', ['-aec', 'ANY-SCP', ...extra, HOST, String(port)], { timeout: 30_000, env: { ...process.env, TCP_NODELAY: '1' } }, (err) => resolve(!err));
  });
}

async function echoscuRate(port: number, concurrency: number, seconds: number): Promise<{ rate: number; ok: number; failed: number }> {
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (await echoscu(port)) ok += 1;
        else failed += 1;
      }
    }),
  );
  return { rate: ok / ((performance.now() - t0) / 1000), ok, failed };
}

/** Mean time of one C-ECHO as echoscu sees it: (time of --repeat N+1) − (time of --repeat 1), over N. */
async function echoscuMeanEcho(port: number, n: number): Promise<number> {
  const time = async (repeat: number): Promise<number> => {
    const t = performance.now();
    if (!(await echoscu(port, ['--repeat', String(repeat)]))) throw new Error('echoscu failed');
    return performance.now() - t;
  };
  let best1 = Infinity;
  let bestN = Infinity;
  for (let i = 0; i < 3; i += 1) {
    best1 = Math.min(best1, await time(1));
    bestN = Math.min(bestN, await time(n + 1));
  }
  return Math.max(0, bestN - best1) / n;
}

// ---- the servers -----------------------------------------------------------------------------------

/** Canned-answer server (the Node floor): frames PDUs and answers RQ → AC, P-DATA → C-ECHO-RSP, RELEASE-RQ → RP. */
const FLOOR_SERVER = `
import { createServer } from 'node:net';
const [AC, RSP, RP] = ['FLOOR_AC', 'FLOOR_RSP', 'FLOOR_RP'].map((k) => Buffer.from(process.env[k], 'hex'));
createServer({ noDelay: true }, (s) => {
  s.on('error', () => {});
  let buf = null;
  s.on('data', (d) => {
    buf = buf && buf.length ? Buffer.concat([buf, d]) : d;
    while (buf.length >= 6) {
      const total = 6 + buf.readUInt32BE(2);
      if (buf.length < total) break;
      const type = buf[0];
      buf = buf.subarray(total);
      if (type === 1) s.write(AC); else if (type === 4) s.write(RSP); else if (type === 5) s.write(RP);
    }
  });
}).listen(Number(process.env.FLOOR_PORT), '${HOST}');
`;

async function startFloor(): Promise<Target> {
  const port = await freePort();
  const ac = encodeAssociateAc({
    calledAe: 'ANY-SCP',
    callingAe: 'BENCHSCU',
    contexts: [{ id: CONTEXT_ID, result: 0, transferSyntax: IMPLICIT_LE }],
    userInfo: { maxPdu: 16384, implClassUid: BENCH_IMPL_UID },
  });
  const command = encodeCommand({ commandField: CommandField.C_ECHO_RSP, messageIdBeingRespondedTo: 1, affectedSopClassUid: VERIFICATION, hasDataset: false, status: 0 });
  const rsp = encodePData([{ contextId: CONTEXT_ID, command: true, last: true, data: command }]);
  const env = { ...process.env, FLOOR_PORT: String(port), FLOOR_AC: ac.toString('hex'), FLOOR_RSP: rsp.toString('hex'), FLOOR_RP: encodeReleaseRp().toString('hex') };
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', FLOOR_SERVER], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  await waitServing(port, child, 'Node floor', captured(child));
  return { name: 'Node floor', port, pid: child.pid, calledAe: 'ANY-SCP', startMs: performance.now() - t0, stop: () => stopChild(child) };
}

// ---- the run ---------------------------------------------------------------------------------------

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dh-bench-dimse-'));
  const targets: Target[] = [];
  try {
    mkdirSync(join(dir, 'hawk'));
    mkdirSync(join(dir, 'orthanc'));
    targets.push(await startDicomHawk(join(dir, 'hawk'), HAWK_OPTIONS));
    targets.push(await startOrthanc(join(dir, 'orthanc')));
    const [hawk, orthanc] = targets as [Target, Target];
    console.log(`DICOMHawk on ${HOST}:${hawk.port} (pid ${hawk.pid}), Orthanc on ${HOST}:${orthanc.port} (pid ${orthanc.pid}); ${SECONDS} s per measurement`);
    const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
    console.log(`load average before: ${load()} (the SCU, the server and anything else running share this machine's CPUs)`);

    // Warm-up (JIT, thread pools, SQLite pages), not measured.
    for (const t of targets) await associationRate(t.port, 8, WARMUP_SECONDS);

    // Interleaved so that drift on the machine affects both alike.
    const rate1 = new Map<Target, RateResult>();
    const rate8 = new Map<Target, RateResult>();
    const lat8 = new Map<Target, LatencyResult>();
    for (const t of targets) rate1.set(t, await associationRate(t.port, 1, SECONDS, t.pid));
    for (const t of targets) rate8.set(t, await associationRate(t.port, 8, SECONDS, t.pid));
    for (const t of targets) lat8.set(t, await echoLatency(t.port, 8, SECONDS));

    const h1 = rate1.get(hawk)!, o1 = rate1.get(orthanc)!, h8 = rate8.get(hawk)!, o8 = rate8.get(orthanc)!;
    const hl = lat8.get(hawk)!, ol = lat8.get(orthanc)!;
    const cpu = (r: RateResult): string => (r.serverCpuUs === null ? 'n/a' : `${Math.round(r.serverCpuUs)} µs`);
    console.log('\nSame SCU (TypeScript, noDelay) against both servers:');
    table([
      ['measurement', 'DICOMHawk', 'Orthanc', 'ours / Orthanc'],
      ['associations/s, concurrency 1', fmtRate(h1.rate), fmtRate(o1.rate), ratio(h1.rate, o1.rate)],
      ['associations/s, concurrency 8', fmtRate(h8.rate), fmtRate(o8.rate), ratio(h8.rate, o8.rate)],
      ['association p50, concurrency 1', fmtMs(h1.p50), fmtMs(o1.p50), ratio(h1.p50, o1.p50)],
      ['association p99, concurrency 8', fmtMs(h8.p99), fmtMs(o8.p99), ratio(h8.p99, o8.p99)],
      ['server CPU per association, c=1', cpu(h1), cpu(o1), ratio(h1.serverCpuUs ?? NaN, o1.serverCpuUs ?? NaN)],
      ['server CPU per association, c=8', cpu(h8), cpu(o8), ratio(h8.serverCpuUs ?? NaN, o8.serverCpuUs ?? NaN)],
      ['C-ECHO p50, concurrency 8', fmtMs(hl.p50), fmtMs(ol.p50), ratio(hl.p50, ol.p50)],
      ['C-ECHO p99, concurrency 8', fmtMs(hl.p99), fmtMs(ol.p99), ratio(hl.p99, ol.p99)],
      ['C-ECHO max, concurrency 8', fmtMs(hl.max), fmtMs(ol.max), ratio(hl.max, ol.max)],
      ['C-ECHO/s in 8 associations', fmtRate(hl.rate), fmtRate(ol.rate), ratio(hl.rate, ol.rate)],
    ]);
    const failures = [...rate1, ...rate8].filter(([, r]) => r.failed > 0).map(([t, r]) => `${t.name}: ${r.failed} failed (${r.firstError})`);
    failures.push(...[...lat8].filter(([, r]) => r.failed > 0).map(([t, r]) => `${t.name} latency: ${r.failed} failed (${r.firstError})`));
    console.log(failures.length ? `failures: ${failures.join('; ')}` : 'failures: none');

    if (process.env.BENCH_ECHOSCU !== 'no' && spawnSync('echoscu', ['--version']).status === 0) {
      const secs = Math.min(SECONDS, 3);
      const e = new Map<Target, { c1: number; c8: number; echo: number }>();
      for (const t of targets) {
        const c1 = await echoscuRate(t.port, 1, secs);
        const c8 = await echoscuRate(t.port, 8, secs);
        e.set(t, { c1: c1.rate, c8: c8.rate, echo: await echoscuMeanEcho(t.port, 2000) });
      }
      const he = e.get(hawk)!, oe = e.get(orthanc)!;
      console.log(`\nDCMTK echoscu (TCP_NODELAY=1; one process per association, so process start-up dominates the rate; ${secs} s each):`);
      table([
        ['measurement', 'DICOMHawk', 'Orthanc', 'ours / Orthanc'],
        ['echoscu associations/s, concurrency 1', fmtRate(he.c1), fmtRate(oe.c1), ratio(he.c1, oe.c1)],
        ['echoscu associations/s, concurrency 8', fmtRate(he.c8), fmtRate(oe.c8), ratio(he.c8, oe.c8)],
        ['echoscu --repeat: mean C-ECHO, c=1', fmtMs(he.echo), fmtMs(oe.echo), ratio(he.echo, oe.echo)],
      ]);
    }

    if (process.env.BENCH_BREAKDOWN === 'yes') {
      mkdirSync(join(dir, 'hawk-nosinks'));
      const extra: Target[] = [await startDicomHawk(join(dir, 'hawk-nosinks'), { ...HAWK_OPTIONS, name: 'DICOMHawk, sinks off', extraEnv: { ...HAWK_OPTIONS.extraEnv, EVENTS_SQLITE: 'no', EVENTS_JSONL: 'no' } }), await startFloor()];
      targets.push(...extra);
      const r = new Map<Target, { c1: RateResult; c8: RateResult; lat: LatencyResult }>();
      for (const t of extra) {
        await associationRate(t.port, 8, WARMUP_SECONDS);
        r.set(t, { c1: await associationRate(t.port, 1, SECONDS, t.pid), c8: await associationRate(t.port, 8, SECONDS, t.pid), lat: await echoLatency(t.port, 8, SECONDS) });
      }
      const [bare, floor] = extra.map((t) => r.get(t)!) as [{ c1: RateResult; c8: RateResult; lat: LatencyResult }, { c1: RateResult; c8: RateResult; lat: LatencyResult }];
      console.log('\nBreakdown (measured after the above): DICOMHawk with EVENTS_SQLITE=no EVENTS_JSONL=no (intel still on), and the');
      console.log('Node floor, a canned-answer node process (no DUL, no events):');
      table([
        ['measurement', 'DICOMHawk', 'sinks off', 'Node floor', 'Orthanc'],
        ['associations/s, concurrency 1', fmtRate(h1.rate), fmtRate(bare.c1.rate), fmtRate(floor.c1.rate), fmtRate(o1.rate)],
        ['associations/s, concurrency 8', fmtRate(h8.rate), fmtRate(bare.c8.rate), fmtRate(floor.c8.rate), fmtRate(o8.rate)],
        ['server CPU per association, c=1', cpu(h1), cpu(bare.c1), cpu(floor.c1), cpu(o1)],
        ['server CPU per association, c=8', cpu(h8), cpu(bare.c8), cpu(floor.c8), cpu(o8)],
        ['C-ECHO p50, concurrency 8', fmtMs(hl.p50), fmtMs(bare.lat.p50), fmtMs(floor.lat.p50), fmtMs(ol.p50)],
        ['C-ECHO p99, concurrency 8', fmtMs(hl.p99), fmtMs(bare.lat.p99), fmtMs(floor.lat.p99), fmtMs(ol.p99)],
      ]);
    }

    console.log(`load average after: ${load()}`);
    const goal = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    console.log('\nGoals (issue 3):');
    console.log(`  associations/s ≥ Orthanc's, concurrency 1: ${goal(h1.rate >= o1.rate)} (${ratio(h1.rate, o1.rate)})`);
    console.log(`  associations/s ≥ Orthanc's, concurrency 8: ${goal(h8.rate >= o8.rate)} (${ratio(h8.rate, o8.rate)})`);
    console.log(`  C-ECHO p99 < 5 ms at concurrency 8:       ${goal(hl.p99 < 5)} (${fmtMs(hl.p99)})`);
  } finally {
    for (const t of targets.reverse()) await t.stop();
    killAll();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  }
}
