/**
 * SQLite sink (the embedded default): one transaction per batch into `events`, with the `sessions` row of
 * each session in the batch folded in the same transaction (first/last seen, counts, client, scores).
 * A batch is acknowledged only once its transaction has committed.
 *
 * The transactions run on a writer thread (sqliteWorker.ts) with its own connection to the same file, so that
 * SQLite's work (B-tree inserts into the events table and its indexes, WAL writes, checkpoints) uses another
 * core and never stalls the protocol path. The main thread only folds the sessions and encodes the rows' text
 * into shared memory (sqliteRows.ts).
 * A writer that dies fails the batches in flight (the SinkRunner retries them) and is started again.
 */
import { Worker } from 'node:worker_threads';
import type { HawkEvent } from '../core/events/catalogue.ts';
import type { Serialized, Sink } from './sink.ts';
import { type FromWriter, type ToWriter, type WriterData } from './sqliteProtocol.ts';
import { encodeRows, rowTextBatches } from './sqliteRows.ts';
import type { Utf8Batch } from './utf8Batch.ts';
import { countryOf, ispOf } from '../core/events/intelSummary.ts';

interface SessionFold {
  session: string;
  protocol: string;
  sensor: string;
  src_ip: string | null;
  src_port: number | null;
  dst_ip: string | null;
  dst_port: number | null;
  first: number;
  last: number;
  count: number;
  client_guess: string | null;
  client_fp: string | null;
  calling_ae: string | null;
  called_ae: string | null;
  closed_ms: number | null;
  close_reason: string | null;
  abuse_score: number | null;
  malicious_score: number | null;
  threat_score: number | null;
  country: string | null;
  isp: string | null;
}

function fold(into: SessionFold, e: Readonly<HawkEvent>, ms: number): void {
  into.first = Math.min(into.first, ms);
  into.last = Math.max(into.last, ms);
  into.count += 1;
  switch (e.eventid) {
    case 'dicomhawk.association.request':
      into.client_guess = e.client_guess;
      into.client_fp = e.client_fp;
      into.calling_ae = e.calling_ae.text;
      into.called_ae = e.called_ae.text;
      break;
    case 'dicomhawk.web.request':
      // Events stored before the portal named the tool carry no client_guess.
      if (typeof e.client_guess === 'string') into.client_guess = e.client_guess;
      break;
    case 'dicomhawk.session.closed':
      into.closed_ms = ms;
      into.close_reason = e.close_reason;
      break;
    case 'dicomhawk.score.update':
      into.abuse_score = e.abuse_score;
      into.malicious_score = e.malicious_score;
      into.threat_score = e.threat_score;
      break;
    case 'dicomhawk.intel.result':
      // The latest answer that names a country / network owner wins; a lookup without one changes nothing.
      if (e.ok) {
        into.country = countryOf(e.summary) ?? into.country;
        into.isp = ispOf(e.summary) ?? into.isp;
      }
      break;
    default:
      break;
  }
}

function sessionRow(s: SessionFold): unknown[] {
  return [
    s.session, s.protocol, s.sensor, s.src_ip, s.src_port, s.dst_ip, s.dst_port, s.first, s.last, s.count, s.client_guess, s.client_fp,
    s.calling_ae, s.called_ae, s.closed_ms, s.close_reason, s.abuse_score, s.malicious_score, s.threat_score, s.country, s.isp,
  ];
}

/** Starts the writer thread. From the TypeScript sources (tsx), the thread registers tsx's loader first: workers do not inherit it. */
function spawnWriter(data: WriterData): Worker {
  const url = new URL('./sqliteWorker.ts', import.meta.url);
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: data });
  const loader = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(loader)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: data });
}

interface Pending {
  resolve(): void;
  reject(err: Error): void;
}

export class SqliteSink implements Sink {
  readonly name = 'sqlite';
  /** A backlog is committed in large transactions: each write is a round trip to the writer thread. */
  readonly maxBatch = 8192;
  private worker: Worker | null = null;
  private starting: Promise<Worker> | null = null;
  private stopped = true;
  private readonly pending = new Map<number, Pending>();
  private drained: Array<() => void> = [];
  private nextId = 1;
  private readonly rowText = rowTextBatches();
  /** The rows' text of each write in flight: its memory serves the next batch once the writer has answered. */
  private readonly inFlightText = new Map<number, Utf8Batch>();

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.writer();
  }

  /** The running writer, started (again) when there is none. */
  private writer(): Promise<Worker> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= new Promise<Worker>((resolve, reject) => {
      const w = spawnWriter({ path: this.path });
      let ready = false;
      w.on('message', (m: FromWriter) => {
        if (m.type === 'ready') {
          ready = true;
          this.worker = w;
          this.starting = null;
          w.unref();
          resolve(w);
        } else if (m.type === 'start-failed') {
          reject(new Error(`sqlite sink cannot open ${this.path}: ${m.message}`));
          void w.terminate();
        } else if (m.type === 'written' || m.type === 'failed') {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          this.inFlightText.get(m.id)?.release();
          this.inFlightText.delete(m.id);
          if (this.pending.size === 0) this.idle(w);
          if (m.type === 'written') p?.resolve();
          else p?.reject(new Error(`sqlite: ${m.message}`));
        }
      });
      w.on('error', (err) => {
        if (!ready) reject(err);
      });
      w.on('exit', (code) => {
        if (this.worker === w) this.worker = null;
        if (!ready) {
          this.starting = null;
          reject(new Error(`sqlite writer exited (${code}) before it was ready`));
          return;
        }
        // Every batch still in flight on this writer fails; the SinkRunner retries it on a new one.
        const lost = [...this.pending.values()];
        for (const t of this.inFlightText.values()) t.release(); // the writer that read them is gone
        this.inFlightText.clear();
        this.pending.clear();
        this.idle(null);
        for (const p of lost) p.reject(new Error(`sqlite writer exited (${code})`));
      });
    });
    return this.starting;
  }

  /** Nothing is in flight any more: the writer no longer keeps the process alive, and stop() may close it. */
  private idle(w: Worker | null): void {
    w?.unref();
    const waiters = this.drained;
    this.drained = [];
    for (const r of waiters) r();
  }

  /** Folds the batch into its sessions rows, and hands both to the writer; resolves once they are committed. */
  write(batch: readonly Serialized[]): Promise<void> {
    if (this.stopped) throw new Error('sqlite sink not started');
    const sessions = new Map<string, SessionFold>();
    const ms = new Float64Array(batch.length);
    let lastTimestamp = '';
    let t = NaN;
    for (let i = 0; i < batch.length; i += 1) {
      const e = batch[i]!.event;
      if (e.timestamp !== lastTimestamp) {
        lastTimestamp = e.timestamp;
        t = Date.parse(lastTimestamp); // events of one millisecond share their timestamp
      }
      ms[i] = t;
      if (e.protocol === 'internal') continue;
      let s = sessions.get(e.session);
      if (!s) {
        s = {
          session: e.session, protocol: e.protocol, sensor: e.sensor, src_ip: e.src_ip, src_port: e.src_port, dst_ip: e.dst_ip,
          dst_port: e.dst_port, first: t, last: t, count: 0, client_guess: null, client_fp: null, calling_ae: null, called_ae: null,
          closed_ms: null, close_reason: null, abuse_score: null, malicious_score: null, threat_score: null, country: null, isp: null,
        };
        sessions.set(e.session, s);
      }
      fold(s, e, t);
    }
    const { rows, text } = encodeRows(this.rowText, batch, ms);
    const message: ToWriter = { type: 'write', id: this.nextId++, rows, sessions: Array.from(sessions.values(), sessionRow) };
    this.inFlightText.set(message.id, text);
    const post = (w: Worker): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        if (this.pending.size === 0) w.ref(); // an acknowledgement is awaited: keep the process alive for it
        this.pending.set(message.id, { resolve, reject });
        w.postMessage(message);
      });
    const w = this.worker;
    return w ? post(w) : this.writer().then(post);
  }

  /** Closes the writer's connection once every batch handed to it has been answered (the bus flushes before). */
  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker ?? (await this.starting?.catch(() => null)) ?? null;
    if (!w) return;
    if (this.pending.size > 0) await new Promise<void>((r) => this.drained.push(r));
    if (this.worker !== w) return; // it exited meanwhile
    w.ref();
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.postMessage({ type: 'close' } satisfies ToWriter);
    await exited;
  }
}
