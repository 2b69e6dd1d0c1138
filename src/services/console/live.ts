/**
 * The Live page's feed: an in-process observer of the event bus that keeps one row per DICOM session and one per
 * web request, updates it as the session goes on (association, requests, country, ISP, scores, scanner tag), and
 * pushes changed rows to every Server-Sent Events client. On the bus callback it does constant work (a Map
 * update); rows are coalesced and sent every FLUSH_MS, so a flood of events costs the browsers a bounded stream.
 */
import type { HawkEvent } from '../../core/events/catalogue.ts';
import { clientTool } from '../../domain/intel/clientTool.ts';
import { REQUEST_TYPES } from './store/fold.ts';
import { countryOf, ispOf } from '../../core/events/intelSummary.ts';

export interface LiveRow {
  id: string;
  session: string;
  /** Time of the row's first event (ISO 8601). */
  ts: string;
  protocol: string;
  src_ip: string | null;
  country: string | null;
  isp: string | null;
  /** What happened: the request types of a DICOM session, or a web request's method, path and status. */
  what: string;
  client: string | null;
  abuse_score: number | null;
  malicious_score: number | null;
  threat_score: number | null;
  scanner: string | null;
  honeytoken: boolean;
  closed: boolean;
}

interface SessionState {
  protocol: string;
  src_ip: string | null;
  country: string | null;
  isp: string | null;
  client: string | null;
  abuse_score: number | null;
  malicious_score: number | null;
  threat_score: number | null;
  scanner: string | null;
  /** Request types in order of first use, with counts. */
  ops: Map<string, number>;
  ae: string | null;
  /** The row this session's news updates (the DICOM session, or its latest web request). */
  row: LiveRow | null;
  requests: number;
}

export interface LiveClient {
  /** Writes one SSE chunk; returns false when the client is too slow and should be dropped. */
  send(chunk: string): boolean;
  close(): void;
}

export const LIVE_LIMITS = {
  sessions: 5000,
  recentRows: 200,
  clients: 32,
  flushMs: 250,
  rowsPerFlush: 500,
  heartbeatMs: 15_000,
} as const;

function describeOps(s: SessionState): string {
  const parts: string[] = [];
  if (s.ae) parts.push(s.ae);
  for (const [op, n] of s.ops) parts.push(n > 1 ? `${op} ×${n}` : op);
  return parts.length ? parts.join(' · ') : 'connected';
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class LiveHub {
  private readonly sessions = new Map<string, SessionState>();
  private readonly recent: LiveRow[] = [];
  private readonly dirty = new Set<LiveRow>();
  private readonly clients = new Set<LiveClient>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly heartbeat: ReturnType<typeof setInterval>;

  constructor() {
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), LIVE_LIMITS.heartbeatMs);
    this.heartbeat.unref();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Rows to show a client that just connected, newest last. */
  snapshot(): LiveRow[] {
    return [...this.recent];
  }

  /** Adds a client (false when the console already has its maximum of live clients). */
  add(client: LiveClient): boolean {
    if (this.clients.size >= LIVE_LIMITS.clients) return false;
    this.clients.add(client);
    if (!client.send(sse('snapshot', this.snapshot()))) this.drop(client);
    return true;
  }

  remove(client: LiveClient): void {
    this.clients.delete(client);
  }

  private drop(client: LiveClient): void {
    this.clients.delete(client);
    client.close();
  }

  private broadcast(chunk: string): void {
    for (const c of this.clients) if (!c.send(chunk)) this.drop(c);
  }

  private state(e: Readonly<HawkEvent>): SessionState {
    let s = this.sessions.get(e.session);
    if (s) {
      // Most recently active last: the oldest is forgotten first.
      this.sessions.delete(e.session);
      this.sessions.set(e.session, s);
      return s;
    }
    s = {
      protocol: e.protocol, src_ip: e.src_ip, country: null, isp: null, client: null, abuse_score: null, malicious_score: null,
      threat_score: null, scanner: null, ops: new Map(), ae: null, row: null, requests: 0,
    };
    this.sessions.set(e.session, s);
    if (this.sessions.size > LIVE_LIMITS.sessions) this.sessions.delete(this.sessions.keys().next().value as string);
    return s;
  }

  private newRow(e: Readonly<HawkEvent>, s: SessionState, id: string, what: string): LiveRow {
    const row: LiveRow = {
      id, session: e.session, ts: e.timestamp, protocol: e.protocol, src_ip: e.src_ip, country: s.country, isp: s.isp, what,
      client: s.client, abuse_score: s.abuse_score, malicious_score: s.malicious_score, threat_score: s.threat_score, scanner: s.scanner,
      honeytoken: false, closed: false,
    };
    s.row = row;
    this.recent.push(row);
    if (this.recent.length > LIVE_LIMITS.recentRows) this.recent.shift();
    return row;
  }

  /** Copies the session's knowledge into its current row and marks it for the next flush. */
  private touch(s: SessionState): void {
    const row = s.row;
    if (!row) return;
    row.country = s.country;
    row.isp = s.isp;
    row.client = s.client ?? row.client;
    row.abuse_score = s.abuse_score;
    row.malicious_score = s.malicious_score;
    row.threat_score = s.threat_score;
    row.scanner = s.scanner;
    if (row.protocol === 'dimse' || row.protocol === 'dimse-tls') row.what = describeOps(s);
    this.dirty.add(row);
    this.flushTimer ??= setTimeout(() => this.flush(), LIVE_LIMITS.flushMs);
  }

  private flush(): void {
    this.flushTimer = null;
    const rows = [...this.dirty].slice(-LIVE_LIMITS.rowsPerFlush);
    this.dirty.clear();
    if (rows.length > 0 && this.clients.size > 0) this.broadcast(sse('rows', rows));
  }

  /** The bus observer. */
  onEvent(e: Readonly<HawkEvent>): void {
    if (e.protocol === 'internal') return;
    const s = this.state(e);
    const dimse = e.protocol === 'dimse' || e.protocol === 'dimse-tls';
    const type = REQUEST_TYPES[e.eventid];
    if (dimse && !s.row) this.newRow(e, s, e.session, 'connected');
    switch (e.eventid) {
      case 'dicomhawk.association.request':
        s.client = e.client_guess ?? `unknown (${e.client_fp})`;
        s.ae = `${e.calling_ae.text || '""'} → ${e.called_ae.text || '""'}`;
        break;
      case 'dicomhawk.association.reject':
        s.ops.set('rejected', 1);
        break;
      case 'dicomhawk.association.abort':
        s.ops.set('aborted', 1);
        break;
      case 'dicomhawk.session.closed':
        if (s.row) s.row.closed = true;
        break;
      case 'dicomhawk.web.request': {
        s.requests += 1;
        s.client = typeof e.client_guess === 'string' ? e.client_guess : clientTool(e.user_agent); // older events carry none
        const q = e.query ? `?${e.query}` : '';
        this.newRow(e, s, `${e.session}#${s.requests}`, `${e.method} ${e.path}${q} → ${e.status}`);
        break;
      }
      case 'dicomhawk.web.login.success':
      case 'dicomhawk.web.login.failed':
        if (s.row) s.row.what += ` · login ${e.username}/${e.password} ${e.eventid.endsWith('success') ? 'OK' : 'failed'}`;
        break;
      case 'dicomhawk.intel.result':
        if (e.ok) {
          s.country = countryOf(e.summary) ?? s.country;
          s.isp = ispOf(e.summary) ?? s.isp;
        }
        break;
      case 'dicomhawk.score.update':
        s.abuse_score = e.abuse_score;
        s.malicious_score = e.malicious_score;
        s.threat_score = e.threat_score;
        break;
      case 'dicomhawk.scanner.identified':
        s.scanner = e.name ?? e.entry;
        break;
      case 'dicomhawk.honeytoken.triggered':
        if (s.row) s.row.honeytoken = true;
        break;
      default:
        if (type) {
          if (dimse) s.ops.set(type, (s.ops.get(type) ?? 0) + 1);
          else if (s.row) s.row.what += ` · ${type}`;
        }
    }
    this.touch(s);
  }

  stop(): void {
    clearInterval(this.heartbeat);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    for (const c of this.clients) c.close();
    this.clients.clear();
  }
}
