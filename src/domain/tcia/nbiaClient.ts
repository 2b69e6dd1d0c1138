/**
 * A client for the NBIA REST API behind The Cancer Imaging Archive (TCIA_API_URL is its root: `oauth/token`
 * and `services/v1|v2/...` live under it).
 *
 * - Without credentials it uses the public `services/v1` endpoints. With TCIA_USER_NAME/TCIA_PASSWORD it logs
 *   in with the OAuth password grant, sends the bearer token to `services/v2`, refreshes the token (refresh
 *   grant, else a new login) shortly before it expires, and logs in again once when a call answers 401.
 * - `getCollectionValues` lists collections, `getSeries` series by modality (and collection); `downloadSeries` streams a series' ZIP
 *   (`getImage?SeriesInstanceUID=`) into a file, resuming a partial file with a Range request when the
 *   server allows it.
 * - Every request has an idle timeout (no byte for `timeoutMs`), transient failures (network, timeout, 5xx,
 *   429) are retried with exponential backoff, answers are bounded (JSON size, ZIP size).
 * - The password never appears in an error message.
 */
import { createWriteStream, statSync, truncateSync } from 'node:fs';
import { backoffDelay, type BackoffOptions } from '../intel/backoff.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface NbiaClientOptions {
  /** NBIA API root, e.g. https://services.cancerimagingarchive.net/nbia-api (tests: a loopback fake). */
  readonly apiUrl: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** A request fails when no byte arrives for this long (default 60 s). */
  readonly timeoutMs?: number;
  /** Retries of a transient failure (default 3). */
  readonly retries?: number;
  readonly backoff?: BackoffOptions;
  readonly fetch?: FetchLike;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/** One series as getSeries lists it (the fields we use). */
export interface NbiaSeries {
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
  readonly patientId: string;
  readonly collection: string;
  readonly modality: string;
  readonly imageCount: number;
  /** Declared download size in bytes (0 when not given). */
  readonly fileSize: number;
  readonly licenseName: string;
  readonly licenseUri: string;
}

export type NbiaErrorKind = 'auth' | 'http' | 'network' | 'timeout' | 'protocol' | 'too-large' | 'aborted';

export class NbiaError extends Error {
  constructor(
    message: string,
    readonly kind: NbiaErrorKind,
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'NbiaError';
  }

  /** Whether trying again later may succeed. */
  get transient(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || (this.kind === 'http' && (this.status === 429 || (this.status ?? 0) >= 500));
  }
}

/** The OAuth client id NBIA expects with the password grant. */
export const NBIA_CLIENT_ID = 'NBIA';
const MAX_JSON_BYTES = 32 * 1024 * 1024;
/** Refresh this long before the token expires (or at half its life when shorter). */
const REFRESH_MARGIN_MS = 60_000;

interface Token {
  readonly access: string;
  readonly refresh: string | null;
  readonly expiresAt: number;
}

/** A response whose request resources (abort listener, controller) are released once its body was read. */
type BodyHandle = Response & { done?: () => void };

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref?.());

export class NbiaClient {
  readonly apiUrl: string;
  private readonly username: string | undefined;
  private readonly password: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoff: BackoffOptions;
  private readonly fetchFn: FetchLike;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private tokenState: Token | null = null;
  private tokenPending: Promise<Token> | null = null;

  constructor(opts: NbiaClientOptions) {
    this.apiUrl = opts.apiUrl.replace(/\/+$/, '');
    this.username = opts.username || undefined;
    this.password = opts.password || undefined;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.retries = opts.retries ?? 3;
    this.backoff = opts.backoff ?? { baseMs: 1000, maxMs: 30_000 };
    this.fetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? sleepMs;
    this.random = opts.random ?? Math.random;
  }

  /** Whether credentials are configured (then the v2 endpoints are used with a bearer token). */
  get authenticated(): boolean {
    return this.username !== undefined && this.password !== undefined;
  }

  private get servicesBase(): string {
    return `${this.apiUrl}/services/${this.authenticated ? 'v2' : 'v1'}`;
  }

  /** A valid access token (logging in or refreshing as needed); null without credentials. */
  async accessToken(): Promise<string | null> {
    if (!this.authenticated) return null;
    const t = this.tokenState;
    if (t !== null && this.now() < t.expiresAt) return t.access;
    this.tokenPending ??= (t?.refresh ? this.grant({ grant_type: 'refresh_token', refresh_token: t.refresh }).catch(() => this.login()) : this.login()).finally(() => {
      this.tokenPending = null;
    });
    this.tokenState = await this.tokenPending;
    return this.tokenState.access;
  }

  private login(): Promise<Token> {
    return this.grant({ grant_type: 'password', username: this.username ?? '', password: this.password ?? '' });
  }

  private async grant(params: Record<string, string>): Promise<Token> {
    const body = new URLSearchParams({ ...params, client_id: NBIA_CLIENT_ID }).toString();
    const res = await this.withRetries(() => this.request(`${this.apiUrl}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body }));
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => undefined);
      throw new NbiaError(`TCIA login refused (HTTP ${res.status}): check TCIA_USER_NAME and TCIA_PASSWORD`, 'auth', res.status);
    }
    const json = (await this.readJson(res, 'oauth/token')) as Record<string, unknown> | null;
    const access = typeof json?.access_token === 'string' ? json.access_token : '';
    if (access === '') throw new NbiaError('TCIA login answered without an access_token', 'protocol');
    const lifeMs = Math.max(1, Number(json?.expires_in) || 3600) * 1000;
    const margin = Math.min(REFRESH_MARGIN_MS, lifeMs / 2);
    return { access, refresh: typeof json?.refresh_token === 'string' && json.refresh_token !== '' ? json.refresh_token : null, expiresAt: this.now() + lifeMs - margin };
  }

  /** Names of the collections this account (or the public) can see, as listed by getCollectionValues. */
  async getCollections(): Promise<string[]> {
    const res = await this.authorized((headers) => this.request(`${this.servicesBase}/getCollectionValues?format=json`, { method: 'GET', headers: { ...headers, accept: 'application/json' } }));
    const json = await this.readJson(res, 'getCollectionValues');
    if (json === null) return [];
    if (!Array.isArray(json)) throw new NbiaError('getCollectionValues did not answer a JSON list', 'protocol');
    const names = (json as unknown[]).map((r) => (typeof r === 'object' && r !== null && typeof (r as Record<string, unknown>).Collection === 'string' ? ((r as Record<string, unknown>).Collection as string).trim() : ''));
    return [...new Set(names.filter((n) => n !== '' && n.length <= 256))];
  }

  /** Series of one modality (optionally one collection), as listed by getSeries. */
  async getSeries(query: { modality: string; collection?: string }): Promise<NbiaSeries[]> {
    const params = new URLSearchParams({ Modality: query.modality, format: 'json' });
    if (query.collection) params.set('Collection', query.collection);
    const res = await this.authorized((headers) => this.request(`${this.servicesBase}/getSeries?${params.toString()}`, { method: 'GET', headers: { ...headers, accept: 'application/json' } }));
    const json = await this.readJson(res, 'getSeries');
    if (json === null) return [];
    if (!Array.isArray(json)) throw new NbiaError('getSeries did not answer a JSON list', 'protocol');
    const out: NbiaSeries[] = [];
    for (const raw of json as unknown[]) {
      if (typeof raw !== 'object' || raw === null) continue;
      const r = raw as Record<string, unknown>;
      const str = (k: string): string => (typeof r[k] === 'string' ? (r[k] as string).trim() : typeof r[k] === 'number' ? String(r[k]) : '');
      const series = str('SeriesInstanceUID');
      const study = str('StudyInstanceUID');
      if (!/^[0-9.]{1,64}$/.test(series) || !/^[0-9.]{1,64}$/.test(study)) continue;
      out.push({
        seriesInstanceUid: series,
        studyInstanceUid: study,
        patientId: str('PatientID'),
        collection: str('Collection'),
        modality: str('Modality') || query.modality,
        imageCount: Number(r.ImageCount) || 0,
        fileSize: Number(r.FileSize) || 0,
        licenseName: str('LicenseName'),
        licenseUri: str('LicenseURI'),
      });
    }
    return out;
  }

  /**
   * Downloads a series' ZIP into `dest`. A partial `dest` from an interrupted run is continued with a Range
   * request when the server answers 206, otherwise started over. Fails (too-large) past `maxBytes`.
   */
  async downloadSeries(seriesInstanceUid: string, dest: string, opts: { maxBytes: number; onBytes?: (n: number) => void; signal?: AbortSignal }): Promise<{ bytes: number; resumed: boolean }> {
    const url = `${this.servicesBase}/getImage?${new URLSearchParams({ SeriesInstanceUID: seriesInstanceUid }).toString()}`;
    let resumed = false;
    const attempt = async (): Promise<number> => {
      let have = 0;
      try {
        have = statSync(dest).size;
      } catch {
        have = 0;
      }
      if (have > opts.maxBytes) {
        truncateSync(dest, 0);
        have = 0;
      }
      const res = await this.authorized((headers) =>
        this.request(url, { method: 'GET', headers: { ...headers, accept: 'application/zip', ...(have > 0 ? { range: `bytes=${have}-` } : {}) } }, opts.signal),
        false, // this whole attempt is retried below (a body that breaks off is retried too)
      );
      let offset = 0;
      if (res.status === 206 && have > 0 && new RegExp(`^bytes ${have}-`).test(res.headers.get('content-range') ?? '')) {
        offset = have;
        resumed = true;
      } else if (res.status !== 200) {
        await res.body?.cancel().catch(() => undefined);
        throw new NbiaError(`getImage answered HTTP ${res.status}`, 'http', res.status);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && offset + declared > opts.maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new NbiaError(`series download is ${offset + declared} bytes, more than TCIA_MAX_SERIES_BYTES (${opts.maxBytes})`, 'too-large');
      }
      const out = createWriteStream(dest, offset > 0 ? { flags: 'a' } : { flags: 'w' });
      let total = offset;
      try {
        await this.pump(res, async (chunk) => {
          total += chunk.length;
          if (total > opts.maxBytes) throw new NbiaError(`series download exceeds TCIA_MAX_SERIES_BYTES (${opts.maxBytes})`, 'too-large');
          if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
          opts.onBytes?.(chunk.length);
        });
      } finally {
        await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      }
      return total;
    };
    const bytes = await this.withRetries(attempt, opts.signal);
    return { bytes, resumed };
  }

  /** Runs a request with the bearer token (when authenticated); a 401 logs in again once. */
  private async authorized(send: (headers: Record<string, string>) => Promise<Response>, retry = true): Promise<Response> {
    const headers = async (): Promise<Record<string, string>> => {
      const t = await this.accessToken();
      return t === null ? {} : { authorization: `Bearer ${t}` };
    };
    const once = async (): Promise<Response> => send(await headers());
    let res = retry ? await this.withRetries(once) : await once();
    if (res.status === 401 && this.authenticated) {
      await res.body?.cancel().catch(() => undefined);
      this.tokenState = null;
      res = retry ? await this.withRetries(once) : await once();
      if (res.status === 401) {
        await res.body?.cancel().catch(() => undefined);
        throw new NbiaError('TCIA refused the access token (HTTP 401)', 'auth', 401);
      }
    }
    return res;
  }

  /** Runs `fn`, retrying transient failures (and 5xx/429 answers) with backoff. */
  private async withRetries<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let failure: NbiaError;
      try {
        const r = await fn();
        if (r instanceof Response && (r.status === 429 || r.status >= 500)) {
          await r.body?.cancel().catch(() => undefined);
          failure = new NbiaError(`TCIA answered HTTP ${r.status}`, 'http', r.status);
        } else return r;
      } catch (err) {
        if (!(err instanceof NbiaError)) throw err;
        failure = err;
      }
      if (!failure.transient || attempt >= this.retries || signal?.aborted) throw failure;
      await this.sleep(backoffDelay(attempt, this.backoff, this.random));
    }
  }

  /** fetch with an idle timeout that covers the wait for the headers (the body is timed by `pump`). */
  private async request(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    if (signal?.aborted) throw new NbiaError('download cancelled', 'aborted');
    const ctl = new AbortController();
    const onAbort = (): void => ctl.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => ctl.abort(new NbiaError(`no answer from ${new URL(url).host} within ${this.timeoutMs} ms`, 'timeout')), this.timeoutMs);
    try {
      const res = await this.fetchFn(url, { ...init, signal: ctl.signal, redirect: 'follow' });
      // The caller's signal keeps covering the body until `pump` is done with it.
      (res as BodyHandle).done = () => {
        signal?.removeEventListener('abort', onAbort);
        ctl.abort();
      };
      return res;
    } catch (err) {
      signal?.removeEventListener('abort', onAbort);
      if (ctl.signal.reason instanceof NbiaError) throw ctl.signal.reason;
      if (signal?.aborted) throw new NbiaError('download cancelled', 'aborted');
      throw new NbiaError(`cannot reach ${new URL(url).host}: ${describe(err)}`, 'network');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Reads a body chunk by chunk; fails when no chunk arrives for `timeoutMs`. */
  private async pump(res: Response, onChunk: (chunk: Buffer) => Promise<void> | void): Promise<void> {
    if (res.body === null) return;
    const reader = res.body.getReader();
    try {
      for (;;) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NbiaError(`TCIA stopped sending for ${this.timeoutMs} ms`, 'timeout')), this.timeoutMs);
        });
        let step: { done: boolean; value?: Uint8Array | undefined };
        try {
          step = (await Promise.race([reader.read(), idle])) as { done: boolean; value?: Uint8Array };
        } catch (err) {
          if (err instanceof NbiaError) throw err;
          if ((err as Error)?.name === 'AbortError') throw new NbiaError('download cancelled', 'aborted');
          throw new NbiaError(`connection to TCIA broke: ${describe(err)}`, 'network');
        } finally {
          clearTimeout(timer);
        }
        if (step.done || step.value === undefined) return;
        await onChunk(Buffer.from(step.value.buffer, step.value.byteOffset, step.value.byteLength));
      }
    } finally {
      (res as BodyHandle).done?.();
      reader.releaseLock();
    }
  }

  private async readJson(res: Response, what: string): Promise<unknown> {
    if (res.status === 204) return null;
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new NbiaError(`${what} answered HTTP ${res.status}`, 'http', res.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    await this.pump(res, (c) => {
      size += c.length;
      if (size > MAX_JSON_BYTES) throw new NbiaError(`${what} answer larger than ${MAX_JSON_BYTES} bytes`, 'too-large');
      chunks.push(Buffer.from(c));
    });
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new NbiaError(`${what} did not answer JSON`, 'protocol');
    }
  }
}

function describe(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
