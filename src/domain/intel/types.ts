// Shared types of the reputation clients and the enrichment queue.
// A client never throws for an expected failure: it returns a typed IntelFailure whose text never holds the API key.

export type IntelService = 'abuseipdb' | 'ipqs' | 'virustotal';

export const INTEL_SERVICES: readonly IntelService[] = ['abuseipdb', 'ipqs', 'virustotal'];

/** Why a lookup failed. `message` is short, already scrubbed of secrets, and safe to log. */
export type IntelFailure =
  /** Non-2xx answer other than 429. */
  | { kind: 'http'; status: number; code: string | null; message: string }
  /** 429, or a 200 whose body says the quota is used up (IPQS). `retryAfterMs` from Retry-After / X-RateLimit-Reset. */
  | { kind: 'quota'; status: number; retryAfterMs: number | null; message: string }
  /** No answer within the client's timeout. */
  | { kind: 'timeout'; timeoutMs: number; message: string }
  /** Connection refused, DNS failure, TLS error, redirect refused, body too large ... */
  | { kind: 'network'; message: string }
  /** 2xx whose body is not the JSON shape the service documents. */
  | { kind: 'parse'; message: string }
  /** 2xx whose body reports a failure (IPQS `success: false`). */
  | { kind: 'api'; message: string }
  /** Cancelled by the caller (queue stopped). */
  | { kind: 'cancelled'; message: string };

export type IntelResult<T> = { ok: true; summary: T } | { ok: false; error: IntelFailure };

/** What every service client offers the queue. */
export interface IntelClient<T = unknown> {
  readonly service: IntelService;
  lookup(ip: string, signal?: AbortSignal): Promise<IntelResult<T>>;
}

/** Failures worth another try after a pause. */
export function isRetryable(error: IntelFailure): boolean {
  switch (error.kind) {
    case 'timeout':
    case 'network':
    case 'quota':
      return true;
    case 'http':
      return error.status >= 500;
    default:
      return false;
  }
}
