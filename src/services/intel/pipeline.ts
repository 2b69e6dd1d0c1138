/**
 * The enrichment pipeline: an in-process observer of the event bus, so it works for every surface (DICOM sessions,
 * web requests) without any surface knowing about it.
 *
 * On the protocol path (the bus callback) it only does constant work per event: it finds the session's state, folds
 * the event into the session's behaviour counts (behaviour.ts) and, on the first event of a session and at its end,
 * queues a task. Tasks run in one `setImmediate` drain, off the caller's stack:
 *
 * - **first event of a session with a source address** (session.connect for DIMSE, whatever comes first for HTTP):
 *   the address goes to the IntelQueue (rate-limited, cached, retried; results arrive later), the offline GeoIP
 *   database is read (→ `dicomhawk.intel.result` with `service: "geoip"` when a public address is in it), and the
 *   known-scanner list is consulted (→ `dicomhawk.scanner.identified`, `how: "list"`, `blocked` true when the
 *   kernel blackhole holds the list). Without a list match, forward-confirmed reverse DNS is tried in the background
 *   (`how: "rdns"`); a self-identifying User-Agent on a web request gives `how: "fingerprint"`. Only list entries
 *   are ever blocked — rDNS and fingerprints tag.
 * - **a reputation answer**: one `dicomhawk.intel.result` event PER SESSION that asked for the address while the
 *   lookup was pending (or per session served from the cache), emitted on that session's own identity (its session
 *   id, source address and protocol). `sessions[]` lists every session the same answer went to. Then the session's
 *   scores are recomputed.
 * - **end of a session** (`dicomhawk.session.closed`, or `dicomhawk.web.request`, which a web surface emits when it
 *   has answered) and every reputation answer: `dicomhawk.score.update` with the three scores of scores.ts and their
 *   reasons — only when something changed since the session's last update.
 *
 * Events this pipeline emits are not observed again (no feedback), carry `tags: ["known_scanner"]` for a tagged
 * session, and are never marked `late`: enrichment of a closed session is expected, not a surface's mistake.
 * API keys are scrubbed from every string that goes into an event (the clients never put one there).
 */
import type { EventFields, HawkEvent } from '../../core/events/catalogue.ts';
import type { EventBus } from '../../core/events/bus.ts';
import type { SessionIdentity, SessionLog } from '../../core/events/sessionLog.ts';
import type { Logger } from '../../core/log.ts';
import type { GeoIp } from '../../domain/intel/geo.ts';
import type { IntelQueue, IntelResultEvent } from '../../domain/intel/queue.ts';
import type { BehaviourSummary, IntelInputs } from '../../domain/intel/scores.ts';
import type { IntelService } from '../../domain/intel/types.ts';
import type { ScannerMatcher } from '../../domain/scanners/matcher.ts';
import type { RdnsMatch, RdnsOptions } from '../../domain/scanners/rdns.ts';
import { isPublicUnicast, normalizeIp, type NormalizedIp } from '../../domain/intel/address.ts';
import { computeScores } from '../../domain/intel/scores.ts';
import { matchRdns } from '../../domain/scanners/rdns.ts';
import { observe } from './behaviour.ts';
import { userAgentHint } from './fingerprints.ts';
import { EVENT_SERVICE, failureFields, flattenSummary } from './summary.ts';

type OwnEvent = 'dicomhawk.intel.result' | 'dicomhawk.score.update' | 'dicomhawk.scanner.identified';
/** Our own events: never folded back into a session. */
const OWN_EVENTS = new Set<string>(['dicomhawk.intel.result', 'dicomhawk.score.update', 'dicomhawk.scanner.identified'] satisfies OwnEvent[]);

export const PIPELINE_LIMITS = {
  /** Sessions tracked at once; beyond it the oldest is forgotten. */
  maxSessions: 50_000,
  /** Tasks waiting for the drain; beyond it new ones are dropped and counted. */
  maxTasks: 100_000,
  /** A closed session is kept this long for late answers once nothing is pending. */
  closedGraceMs: 5 * 60_000,
  /** A session that never closes (web) is kept this long after its last event once nothing is pending. */
  idleGraceMs: 60 * 60_000,
  /** Forgotten after this long without events even if answers are still pending (quota backlog). */
  maxIdleMs: 24 * 60 * 60_000,
  sweepEveryMs: 60_000,
  /** Reverse-DNS lookups in flight / waiting / remembered. */
  rdnsConcurrency: 4,
  rdnsBacklog: 1000,
  rdnsCacheSize: 20_000,
  rdnsTtlMs: 6 * 60 * 60_000,
  /** Entries of `sessions[]` in one intel.result event. */
  maxSessionsListed: 100,
  /** Parsed source addresses remembered (scanners come back from the same address many times). */
  addressCacheSize: 4096,
} as const;

type ScannerTag = { entry: string; name: string | null; how: 'list' | 'rdns' | 'fingerprint' };

interface SessionState {
  readonly id: string;
  readonly identity: SessionIdentity;
  /** Canonical source address (IPv4-mapped IPv6 as IPv4), or null when the surface gave none we can parse. */
  readonly ip: string | null;
  /** Whether the address may be looked up (public unicast, or INTEL_LOOKUP_PRIVATE). */
  readonly eligible: boolean;
  log: SessionLog | null;
  readonly behaviour: BehaviourSummary;
  readonly intel: IntelInputs;
  scanner: ScannerTag | null;
  /** Answers still expected (reputation services, reverse DNS); made when the first is. */
  pending: Set<IntelService | 'rdns'> | null;
  closed: boolean;
  lastSeen: number;
  lastScore: string | null;
  scoreQueued: boolean;
}

export interface PipelineStats {
  sessions: number;
  droppedTasks: number;
  forgottenSessions: number;
  rdnsLookups: number;
  rdnsSkipped: number;
}

export interface IntelPipelineOptions {
  bus: EventBus;
  log: Logger;
  /** Null when no reputation service has a key. */
  queue: IntelQueue | null;
  geo: GeoIp | null;
  matcher: ScannerMatcher | null;
  /** True when the kernel blackhole holds the current list. */
  blocking: boolean;
  /** Null when SCANNER_RDNS=no. */
  rdns: RdnsOptions | null;
  lookupPrivate: boolean;
  /** API keys, scrubbed from every event string as a second lock. */
  secrets: readonly string[];
  now?: () => number;
}

export class IntelPipeline {
  readonly #o: IntelPipelineOptions;
  readonly #now: () => number;
  readonly #sessions = new Map<string, SessionState>();
  /**
   * Session ids in the order they were first tracked (the Map's own order), so that forgetting the oldest is O(1):
   * `keys().next()` on a Map walks over every entry deleted since its last rehash, thousands once it is full.
   * Ids of sessions the sweep already forgot are skipped when reached; the sweep rebuilds the list.
   */
  #order: string[] = [];
  #orderHead = 0;
  #tasks: Array<() => void> = [];
  #drainScheduled = false;
  #unsubscribe: (() => void) | null = null;
  #sweep: ReturnType<typeof setInterval> | null = null;
  #matcher: ScannerMatcher | null;
  #blocking: boolean;
  #lookups = true;
  readonly #rdnsCache = new Map<string, { match: RdnsMatch | null; expires: number }>();
  readonly #addresses = new Map<string, NormalizedIp | null>();
  readonly #rdnsWaiting = new Map<string, Set<string>>();
  readonly #rdnsBacklog: string[] = [];
  #rdnsInflight = 0;
  readonly #stats: PipelineStats = { sessions: 0, droppedTasks: 0, forgottenSessions: 0, rdnsLookups: 0, rdnsSkipped: 0 };

  constructor(opts: IntelPipelineOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#matcher = opts.matcher;
    this.#blocking = opts.blocking;
  }

  /** Starts observing the bus. */
  start(): void {
    this.#unsubscribe ??= this.#o.bus.subscribe((e) => this.#onEvent(e));
    this.#sweep ??= setInterval(() => this.#sweepSessions(), PIPELINE_LIMITS.sweepEveryMs);
    this.#sweep.unref();
  }

  /**
   * Stops every lookup (reputation, reverse DNS). Scoring keeps following the bus until the bus stops, so sessions
   * that surfaces close after this still get their final `dicomhawk.score.update`.
   */
  stopLookups(): void {
    this.#lookups = false;
    this.#rdnsBacklog.length = 0;
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  /** Stops observing the bus altogether (tests, or a pipeline replaced by another). */
  detach(): void {
    this.stopLookups();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }

  /** Swaps the scanner list (refreshed) and whether the kernel blackhole holds it. */
  setScanners(matcher: ScannerMatcher | null, blocking: boolean): void {
    this.#matcher = matcher;
    this.#blocking = blocking;
  }

  stats(): PipelineStats {
    return { ...this.#stats, sessions: this.#sessions.size };
  }

  /** Called by the IntelQueue with each answer. */
  onIntelResult(r: IntelResultEvent): void {
    const sessions = r.sessions.map((id) => this.#sessions.get(id)).filter((s): s is SessionState => s !== undefined);
    if (sessions.length < r.sessions.length) this.#o.log.debug({ service: r.service, missing: r.sessions.length - sessions.length }, 'intel answer for sessions no longer tracked');
    const listed = r.sessions.slice(0, PIPELINE_LIMITS.maxSessionsListed);
    const secrets = this.#o.secrets;
    const fields = r.ok
      ? { summary: flattenSummary(r.summary, secrets), error: null }
      : failureFields(r.error, secrets);
    for (const st of sessions) {
      st.pending?.delete(r.service);
      if (r.ok) {
        if (r.service === 'abuseipdb') st.intel.abuseipdb = r.summary;
        else if (r.service === 'ipqs') st.intel.ipqs = r.summary;
        else st.intel.virustotal = r.summary;
      }
      this.#emit(st, 'dicomhawk.intel.result', { service: EVENT_SERVICE[r.service], ip: r.ip, sessions: listed, ok: r.ok, cached: r.cached, ...fields });
      this.#queueScore(st);
    }
  }

  /** Called by the IntelQueue for each lookup dropped from a full backlog. */
  onIntelDrop(d: { service: IntelService; ip: string; sessions: string[] }): void {
    const fields = failureFields({ kind: 'dropped', message: `${d.service} backlog full; lookup dropped` });
    for (const id of d.sessions) {
      const st = this.#sessions.get(id);
      if (!st) continue;
      st.pending?.delete(d.service);
      this.#emit(st, 'dicomhawk.intel.result', { service: EVENT_SERVICE[d.service], ip: d.ip, sessions: d.sessions.slice(0, PIPELINE_LIMITS.maxSessionsListed), ok: false, cached: false, ...fields });
    }
  }

  // ---- the bus callback: constant work, never awaits ----

  #onEvent(e: Readonly<HawkEvent>): void {
    if (e.protocol === 'internal' || e.src_ip === null || OWN_EVENTS.has(e.eventid)) return;
    let st = this.#sessions.get(e.session);
    if (!st) {
      st = this.#track(e);
      const first = st;
      this.#task(() => this.#firstEvent(first));
    }
    st.lastSeen = this.#now();
    observe(st.behaviour, e);
    if (e.eventid === 'dicomhawk.web.request' && !st.scanner) {
      const hint = userAgentHint(e.user_agent);
      if (hint) {
        const tagged = st;
        this.#task(() => this.#tag(tagged, { entry: hint.entry, name: hint.name, how: 'fingerprint' }, false));
      }
    }
    if (e.eventid === 'dicomhawk.session.closed') {
      st.closed = true;
      this.#queueScore(st);
    } else if (e.eventid === 'dicomhawk.web.request') {
      this.#queueScore(st);
    }
  }

  #track(e: Readonly<HawkEvent>): SessionState {
    const n = e.src_ip === null ? null : this.#normalize(e.src_ip);
    const st: SessionState = {
      id: e.session,
      identity: { session: e.session, protocol: e.protocol, src_ip: e.src_ip, src_port: e.src_port, dst_ip: e.dst_ip, dst_port: e.dst_port },
      ip: n ? n.ip : null,
      // Like the reputation services, GeoIP and reverse DNS answer only for public addresses (a documentation or
      // private range has no meaningful country), unless INTEL_LOOKUP_PRIVATE.
      eligible: n !== null && (this.#o.lookupPrivate || isPublicUnicast(n)),
      log: null,
      behaviour: {},
      intel: {},
      scanner: null,
      pending: null,
      closed: false,
      lastSeen: this.#now(),
      lastScore: null,
      scoreQueued: false,
    };
    this.#sessions.set(st.id, st);
    this.#order.push(st.id);
    this.#stats.sessions++;
    if (this.#sessions.size > PIPELINE_LIMITS.maxSessions) this.#forgetOldest();
    return st;
  }

  #forgetOldest(): void {
    while (this.#orderHead < this.#order.length) {
      const oldest = this.#order[this.#orderHead++]!;
      if (this.#sessions.delete(oldest)) {
        this.#stats.forgottenSessions++;
        break;
      }
    }
    if (this.#orderHead > 1024 && this.#orderHead * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#orderHead);
      this.#orderHead = 0;
    }
  }

  #task(fn: () => void): void {
    if (this.#tasks.length >= PIPELINE_LIMITS.maxTasks) {
      this.#stats.droppedTasks++;
      return;
    }
    this.#tasks.push(fn);
    if (!this.#drainScheduled) {
      this.#drainScheduled = true;
      setImmediate(() => this.#drain());
    }
  }

  #queueScore(st: SessionState): void {
    if (st.scoreQueued) return;
    st.scoreQueued = true;
    this.#task(() => {
      st.scoreQueued = false;
      this.#score(st);
    });
  }

  #drain(): void {
    this.#drainScheduled = false;
    const tasks = this.#tasks;
    this.#tasks = [];
    for (const t of tasks) {
      try {
        t();
      } catch (err) {
        this.#o.log.error({ err }, 'intel task failed');
      }
    }
  }

  // ---- tasks (off the protocol path) ----

  #firstEvent(st: SessionState): void {
    if (st.ip === null) return;
    const ip = st.ip;
    if (this.#lookups && this.#o.queue) {
      const outcome = this.#o.queue.enqueue(ip, st.id);
      if (outcome.status === 'accepted') for (const s of Object.keys(outcome.services) as IntelService[]) (st.pending ??= new Set()).add(s);
    }
    const geo = st.eligible ? (this.#o.geo?.lookup(ip) ?? null) : null;
    if (geo) {
      this.#emit(st, 'dicomhawk.intel.result', {
        service: 'geoip', ip, sessions: [st.id], ok: true, cached: false, summary: flattenSummary(geo, this.#o.secrets), error: null,
      });
    }
    const hit = this.#matcher?.match(ip) ?? null;
    if (hit) {
      this.#tag(st, { entry: hit.entry, name: hit.name, how: 'list' }, this.#blocking);
      return;
    }
    if (this.#o.rdns && this.#lookups && st.eligible) this.#rdns(st, ip);
  }

  /** normalizeIp, remembered per address text (a pure function; bounded: emptied when full). */
  #normalize(text: string): NormalizedIp | null {
    let n = this.#addresses.get(text);
    if (n === undefined) {
      n = normalizeIp(text);
      if (n) Object.freeze(n);
      if (this.#addresses.size >= PIPELINE_LIMITS.addressCacheSize) this.#addresses.clear(); // O(1), unlike dropping the oldest
      this.#addresses.set(text, n);
    }
    return n;
  }

  #tag(st: SessionState, tag: ScannerTag, blocked: boolean): void {
    // A list match outranks an rDNS or fingerprint hint; one tag per session otherwise.
    if (st.scanner && !(tag.how === 'list' && st.scanner.how !== 'list')) return;
    st.scanner = tag;
    st.behaviour.knownScanner = { name: tag.name, how: tag.how };
    this.#emit(st, 'dicomhawk.scanner.identified', { entry: tag.entry, name: tag.name, how: tag.how, blocked: blocked && tag.how === 'list' });
    if (st.lastScore !== null) this.#queueScore(st);
  }

  #score(st: SessionState): void {
    const s = computeScores(st.behaviour, st.intel);
    const key = JSON.stringify([s.threat_score, s.abuse_score, s.malicious_score, s.reasons]);
    if (key === st.lastScore) return;
    st.lastScore = key;
    this.#emit(st, 'dicomhawk.score.update', { abuse_score: s.abuse_score, malicious_score: s.malicious_score, threat_score: s.threat_score, reasons: s.reasons });
  }

  #emit<Id extends OwnEvent>(st: SessionState, id: Id, fields: EventFields<Id>): void {
    st.log ??= this.#o.bus.forSession(st.identity);
    st.log.emit(id, fields, st.scanner ? ['known_scanner'] : undefined);
  }

  // ---- reverse DNS: bounded concurrency and backlog, cached per address ----

  #rdns(st: SessionState, ip: string): void {
    const now = this.#now();
    const cached = this.#rdnsCache.get(ip);
    if (cached && cached.expires > now) {
      if (cached.match) this.#tag(st, { entry: cached.match.entry, name: cached.match.name, how: 'rdns' }, false);
      return;
    }
    const waiting = this.#rdnsWaiting.get(ip);
    if (waiting) {
      waiting.add(st.id);
      (st.pending ??= new Set()).add('rdns');
      return;
    }
    if (this.#rdnsBacklog.length >= PIPELINE_LIMITS.rdnsBacklog) {
      this.#stats.rdnsSkipped++;
      return;
    }
    this.#rdnsWaiting.set(ip, new Set([st.id]));
    (st.pending ??= new Set()).add('rdns');
    this.#rdnsBacklog.push(ip);
    this.#pumpRdns();
  }

  #pumpRdns(): void {
    const opts = this.#o.rdns;
    while (opts && this.#lookups && this.#rdnsInflight < PIPELINE_LIMITS.rdnsConcurrency && this.#rdnsBacklog.length > 0) {
      const ip = this.#rdnsBacklog.shift()!;
      this.#rdnsInflight++;
      this.#stats.rdnsLookups++;
      void matchRdns(ip, opts)
        .catch(() => null)
        .then((match) => {
          this.#rdnsInflight--;
          this.#rdnsDone(ip, match);
          this.#pumpRdns();
        });
    }
  }

  #rdnsDone(ip: string, match: RdnsMatch | null): void {
    this.#rdnsCache.delete(ip);
    this.#rdnsCache.set(ip, { match, expires: this.#now() + PIPELINE_LIMITS.rdnsTtlMs });
    if (this.#rdnsCache.size > PIPELINE_LIMITS.rdnsCacheSize) {
      const oldest = this.#rdnsCache.keys().next().value;
      if (oldest !== undefined) this.#rdnsCache.delete(oldest);
    }
    const ids = this.#rdnsWaiting.get(ip) ?? new Set<string>();
    this.#rdnsWaiting.delete(ip);
    for (const id of ids) {
      const st = this.#sessions.get(id);
      if (!st) continue;
      st.pending?.delete('rdns');
      if (match) this.#tag(st, { entry: match.entry, name: match.name, how: 'rdns' }, false);
    }
  }

  // ---- forgetting sessions ----

  #sweepSessions(): void {
    const now = this.#now();
    for (const [id, st] of this.#sessions) {
      const idle = now - st.lastSeen;
      const grace = st.closed ? PIPELINE_LIMITS.closedGraceMs : PIPELINE_LIMITS.idleGraceMs;
      if (((st.pending?.size ?? 0) === 0 && idle > grace) || idle > PIPELINE_LIMITS.maxIdleMs) this.#sessions.delete(id);
    }
    this.#order = [...this.#sessions.keys()];
    this.#orderHead = 0;
  }
}
