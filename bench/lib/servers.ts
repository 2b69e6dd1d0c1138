/**
 * The servers the benchmarks measure, each started as a child process on a free loopback port and
 * considered up once a whole C-ECHO association succeeds: DICOMHawk (`bin/dicomhawk.js serve` with a
 * temp DATA_DIR, PROD=yes, the stdout sink and the console off, events into SQLite + JSONL as in
 * production), Orthanc from Debian (`/usr/sbin/Orthanc` with a JSON config) and DCMTK's dcmqrscp (one
 * storage area indexed by `dcmqridx`, forking a process per association as it does by default). DCMTK
 * leaves Nagle on unless TCP_NODELAY=1 is in its environment: set for Orthanc and dcmqrscp.
 *
 * Every child is killed on exit if it was not stopped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/net.ts';
import { DEFAULT_CALLED_AE, HOST, oneAssociation } from './echoScu.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Target {
  name: string;
  port: number;
  pid: number | undefined;
  /** The AE title to call (dcmqrscp checks it; the others accept any). */
  calledAe: string;
  /** Milliseconds from spawn until the first C-ECHO association succeeded. */
  startMs: number;
  stop(): Promise<void>;
}

export const children = new Set<ChildProcess>();
export function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('exit', killAll);

export async function stopChild(child: ChildProcess, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** Waits until a whole C-ECHO association succeeds against the port (the server is really serving). */
export async function waitServing(port: number, child: ChildProcess, name: string, log: () => string, timeoutMs = 60_000, calledAe = DEFAULT_CALLED_AE): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}): ${log().slice(-2000)}`);
    try {
      await oneAssociation(port, calledAe);
      return;
    } catch (err) {
      last = (err as Error).message;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${name} did not serve C-ECHO on ${port} within ${timeoutMs} ms (${last}): ${log().slice(-2000)}`);
}

/** The last 20 000 characters of a child's stdout + stderr. */
export function captured(child: ChildProcess): () => string {
  let text = '';
  const add = (d: Buffer): void => {
    text = (text + d.toString()).slice(-20_000);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => text;
}

export interface DicomHawkOptions {
  name?: string;
  extraEnv?: Record<string, string>;
  /** How long start-up (archive indexing included) may take (default 60 s). */
  startTimeoutMs?: number;
}

/**
 * DICOMHawk with DATA_DIR=<dir>/data. BENCH_CPU_PROF=<dir> runs it under `node --cpu-prof` (the profile is
 * written when it exits after SIGTERM).
 */
export async function startDicomHawk(dir: string, opts: DicomHawkOptions = {}): Promise<Target> {
  const name = opts.name ?? 'DICOMHawk';
  const port = await freePort();
  const apiPort = await freePort();
  const profDir = process.env.BENCH_CPU_PROF;
  const args = [...(profDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profDir)}`] : []), join(repoRoot, 'bin', 'dicomhawk.js'), 'serve'];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: {
      ...process.env,
      DATA_DIR: join(dir, 'data'),
      DICOM_PORT: String(port),
      DICOM_SERVER_HOST: HOST,
      API_PORT: String(apiPort),
      API_HOST: HOST,
      CONSOLE_ENABLED: 'no',
      PROD: 'yes',
      EVENTS_STDOUT: 'no',
      TCP_NODELAY: '1',
      ...opts.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const log = captured(child);
  await waitServing(port, child, name, log, opts.startTimeoutMs ?? 60_000);
  return { name, port, pid: child.pid, calledAe: DEFAULT_CALLED_AE, startMs: performance.now() - t0, stop: () => stopChild(child) };
}

const ORTHANC = '/usr/sbin/Orthanc';

export function ensureOrthanc(): void {
  if (existsSync(ORTHANC)) return;
  console.log('installing orthanc (apt-get install -y orthanc) …');
  const r = spawnSync('apt-get', ['install', '-y', 'orthanc'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0 || !existsSync(ORTHANC)) throw new Error('Orthanc is not installed and `apt-get install -y orthanc` failed (run it as root)');
}

/** A string that changes when the installed Orthanc binary does (part of cache keys for its stores). */
export function orthancStamp(): string {
  ensureOrthanc();
  const r = spawnSync(ORTHANC, ['--version'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n')[0]?.trim() || 'orthanc';
}

export interface OrthancOptions {
  /** Storage area (default <dir>/storage). */
  storageDir?: string;
  /** SQLite index directory (default <dir>/index). */
  indexDir?: string;
  startTimeoutMs?: number;
}

export interface OrthancTarget extends Target {
  /** Its REST API on loopback (no authentication). */
  httpPort: number;
}

/** Orthanc with a JSON config: DICOM and HTTP on free loopback ports, any called AE title accepted, BENCHSCU a known modality. */
export async function startOrthanc(dir: string, opts: OrthancOptions = {}): Promise<OrthancTarget> {
  ensureOrthanc();
  const port = await freePort();
  const httpPort = await freePort();
  const config = {
    Name: 'HAWKBENCH',
    StorageDirectory: opts.storageDir ?? join(dir, 'storage'),
    IndexDirectory: opts.indexDir ?? join(dir, 'index'),
    DicomServerEnabled: true,
    DicomAet: 'ORTHANC',
    DicomPort: port,
    DicomCheckCalledAet: false,
    DicomAlwaysAllowEcho: true,
    // Orthanc answers C-FIND / C-GET only to known modalities: the benchmarks' SCUs call as BENCHSCU.
    DicomModalities: { benchscu: { AET: 'BENCHSCU', Host: '127.0.0.1', Port: 104 } },
    HttpServerEnabled: true,
    HttpPort: httpPort,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    Plugins: [],
  };
  mkdirSync(config.StorageDirectory, { recursive: true });
  mkdirSync(config.IndexDirectory, { recursive: true });
  const file = join(dir, 'orthanc.json');
  writeFileSync(file, JSON.stringify(config, null, 2));
  const t0 = performance.now();
  // DCMTK, under Orthanc, leaves Nagle on unless TCP_NODELAY=1 is in its environment.
  const child = spawn(ORTHANC, [file], { cwd: dir, env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const log = captured(child);
  await waitServing(port, child, 'Orthanc', log, opts.startTimeoutMs ?? 60_000);
  return { name: 'Orthanc', port, httpPort, pid: child.pid, calledAe: DEFAULT_CALLED_AE, startMs: performance.now() - t0, stop: () => stopChild(child) };
}

/** The AE title of dcmqrscp's one storage area (it checks the called AE title against its AETable). */
export const DCMQRSCP_AE = 'COMMON';

export interface DcmqrscpOptions {
  /** The storage area holding `index.dat` (dcmqridx's output); the files it names may live anywhere. */
  storageDir: string;
  /** Most studies the area may hold (its quota; default and maximum 500, dcmqrdb's DB_UpperMaxStudies). */
  maxStudies?: number;
  startTimeoutMs?: number;
}

/**
 * DCMTK's dcmqrscp over an existing storage area: a config file in <dir>, a free loopback port, one
 * process per association (the default --fork; --single-process would exit after one association).
 * Log level fatal: dcmqrdb logs "DB ALERT: attempt to seek beyond 33554432 bytes" at error level for
 * every index record read past 32 MiB (an index of 20 000 instances is 160 MB, which works), and
 * formatting and writing those lines would be charged to dcmqrscp's queries.
 */
export async function startDcmqrscp(dir: string, opts: DcmqrscpOptions): Promise<Target> {
  const port = await freePort();
  const cfg = join(dir, 'dcmqrscp.cfg');
  writeFileSync(
    cfg,
    [
      `NetworkTCPPort = ${port}`,
      'MaxPDUSize = 16384',
      'MaxAssociations = 64',
      'HostTable BEGIN',
      'HostTable END',
      'VendorTable BEGIN',
      'VendorTable END',
      'AETable BEGIN',
      `${DCMQRSCP_AE} ${opts.storageDir} RW (${opts.maxStudies ?? 500}, 1024mb) ANY`,
      'AETable END',
      '',
    ].join('\n'),
  );
  const t0 = performance.now();
  const child = spawn('dcmqrscp', ['-ll', 'fatal', '-c', cfg], { cwd: dir, env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const log = captured(child);
  await waitServing(port, child, 'dcmqrscp', log, opts.startTimeoutMs ?? 30_000, DCMQRSCP_AE);
  // SIGTERM: dcmqrscp's children finish their associations (none are left open by then).
  return { name: 'dcmqrscp', port, pid: child.pid, calledAe: DCMQRSCP_AE, startMs: performance.now() - t0, stop: () => stopChild(child, 5000) };
}
