// One GET that returns parsed JSON or a typed failure. Shared by the three reputation clients.
// Secrets (API keys) are replaced in every string that leaves this module: messages, URLs, bodies quoted in errors.
import type { IntelFailure } from '../types.ts';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Service base URL without a trailing path, e.g. https://api.abuseipdb.com (tests: a loopback fake). */
  baseUrl: string;
  apiKey: string;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
  /** Injected fetch (default: global fetch). */
  fetch?: FetchLike;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
/** Answers larger than this are refused (a VirusTotal IP object is usually < 100 kB). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export type JsonResponse =
  | { ok: true; status: number; json: unknown; headers: Headers }
  | { ok: false; error: IntelFailure };

export const REDACTED = '[REDACTED]';

/** Replaces every occurrence of each secret (raw and URL-encoded) in `text`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join(REDACTED);
  }
  return out;
}

/** Joins a base URL (with or without trailing slash, possibly with a path prefix) and an absolute path. */
export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, '') + path;
}

/** An IP as a path segment: percent-encoded, except ':' which RFC 3986 allows in a segment (IPv6 stays readable). */
export function ipPathSegment(ip: string): string {
  return encodeURIComponent(ip).replace(/%3A/gi, ':');
}

/** Retry-After is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns ms from `now`, or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return null;
  return Math.max(0, t - now);
}

/** X-RateLimit-Reset as AbuseIPDB sends it: epoch seconds when the quota resets. */
function parseResetEpoch(value: string | null, now: number): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null;
  const ms = Number(value.trim()) * 1000;
  return ms > now ? ms - now : null;
}

function shortText(text: string, secrets: readonly string[]): string {
  const t = scrub(text, secrets).replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

async function readBody(res: Response): Promise<string | null> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return null;
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export interface GetJsonArgs {
  url: string;
  headers: Record<string, string>;
  timeoutMs: number;
  secrets: readonly string[];
  fetch?: FetchLike;
  signal?: AbortSignal;
  /** Extracts a service error code/message from an error body (e.g. VirusTotal's error.code). */
  describeError?: (body: unknown) => { code: string | null; message: string | null };
}

export async function getJson(args: GetJsonArgs): Promise<JsonResponse> {
  const { secrets } = args;
  const doFetch: FetchLike = args.fetch ?? ((input, init) => fetch(input, init));
  const timeout = AbortSignal.timeout(args.timeoutMs);
  const signal = args.signal ? AbortSignal.any([timeout, args.signal]) : timeout;
  let res: Response;
  let text: string | null;
  try {
    // redirect 'error': a redirect would carry our key headers to wherever it points.
    res = await doFetch(args.url, { method: 'GET', headers: args.headers, signal, redirect: 'error' });
    text = await readBody(res);
  } catch (err) {
    if (timeout.aborted) {
      return { ok: false, error: { kind: 'timeout', timeoutMs: args.timeoutMs, message: `no answer within ${args.timeoutMs} ms` } };
    }
    if (args.signal?.aborted) return { ok: false, error: { kind: 'cancelled', message: 'lookup cancelled' } };
    return { ok: false, error: { kind: 'network', message: shortText(describeFetchError(err), secrets) } };
  }
  if (text === null) {
    return { ok: false, error: { kind: 'network', message: `answer larger than ${MAX_BODY_BYTES} bytes refused` } };
  }
  let json: unknown;
  let parsed = true;
  try {
    json = text.length ? JSON.parse(text) : null;
  } catch {
    parsed = false;
  }
  const now = Date.now();
  if (res.status === 429) {
    const retryAfterMs =
      parseRetryAfter(res.headers.get('retry-after'), now) ?? parseResetEpoch(res.headers.get('x-ratelimit-reset'), now);
    const d = parsed && args.describeError ? args.describeError(json) : null;
    const message = shortText(d?.message ?? 'rate limit or quota exceeded (HTTP 429)', secrets);
    return { ok: false, error: { kind: 'quota', status: 429, retryAfterMs, message } };
  }
  if (res.status < 200 || res.status > 299) {
    const d = parsed && args.describeError ? args.describeError(json) : null;
    const message = shortText(d?.message ?? `HTTP ${res.status}`, secrets);
    return { ok: false, error: { kind: 'http', status: res.status, code: d?.code ?? null, message } };
  }
  if (!parsed) {
    return { ok: false, error: { kind: 'parse', message: `HTTP ${res.status} body is not JSON: ${shortText(text.slice(0, 80), secrets)}` } };
  }
  return { ok: true, status: res.status, json, headers: res.headers };
}

function describeFetchError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    const causeText = cause instanceof Error ? `: ${cause.message}` : '';
    return `${err.message}${causeText}`;
  }
  return 'request failed';
}

// ---- small readers for untrusted JSON ----

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
export function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}
export function bool(v: unknown): boolean | null {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return null;
}
export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
