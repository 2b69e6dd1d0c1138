// VirusTotal API v3, IP address object (docs.virustotal.com/reference/ip-info, /reference/ip-object):
//   GET {base}/api/v3/ip_addresses/<ip>      header  x-apikey: <api key>
// 200 → { data: { id, type: "ip_address", attributes: { last_analysis_stats: { harmless, malicious, suspicious,
//         undetected, timeout }, reputation, as_owner, asn, country, continent, network, last_analysis_date, total_votes } } }
// errors → { error: { code, message } } (401 WrongCredentialsError, 404 NotFoundError, 429 QuotaExceededError ...).
import type { IntelClient, IntelResult } from '../types.ts';
import type { ClientOptions } from './http.ts';
import { DEFAULT_TIMEOUT_MS, getJson, ipPathSegment, isRecord, joinUrl, num, str } from './http.ts';

export const VIRUSTOTAL_DEFAULT_URL = 'https://www.virustotal.com';

export type VirusTotalOptions = ClientOptions;

export interface VirusTotalSummary {
  id: string;
  last_analysis_stats: { malicious: number; suspicious: number; harmless: number; undetected: number; timeout: number };
  reputation: number | null;
  as_owner: string | null;
  asn: number | null;
  country: string | null;
  continent: string | null;
  network: string | null;
  /** Unix seconds, as VirusTotal sends it. */
  last_analysis_date: number | null;
  total_votes: { harmless: number; malicious: number } | null;
}

export function describeVirusTotalError(body: unknown): { code: string | null; message: string | null } {
  if (!isRecord(body) || !isRecord(body.error)) return { code: null, message: null };
  const code = str(body.error.code);
  const message = str(body.error.message);
  return { code, message: code && message ? `${code}: ${message}` : (message ?? code) };
}

export function parseVirusTotal(body: unknown): VirusTotalSummary | null {
  if (!isRecord(body) || !isRecord(body.data) || !isRecord(body.data.attributes)) return null;
  const a = body.data.attributes;
  const s = a.last_analysis_stats;
  if (!isRecord(s)) return null;
  const malicious = num(s.malicious);
  const suspicious = num(s.suspicious);
  if (malicious === null || suspicious === null) return null;
  const votes = isRecord(a.total_votes) ? a.total_votes : null;
  return {
    id: str(body.data.id) ?? '',
    last_analysis_stats: {
      malicious,
      suspicious,
      harmless: num(s.harmless) ?? 0,
      undetected: num(s.undetected) ?? 0,
      timeout: num(s.timeout) ?? 0,
    },
    reputation: num(a.reputation),
    as_owner: str(a.as_owner),
    asn: num(a.asn),
    country: str(a.country),
    continent: str(a.continent),
    network: str(a.network),
    last_analysis_date: num(a.last_analysis_date),
    total_votes: votes ? { harmless: num(votes.harmless) ?? 0, malicious: num(votes.malicious) ?? 0 } : null,
  };
}

export class VirusTotalClient implements IntelClient<VirusTotalSummary> {
  readonly service = 'virustotal' as const;
  readonly #opts: VirusTotalOptions;

  constructor(opts: VirusTotalOptions) {
    this.#opts = { ...opts };
  }

  /** The request URL for `ip` (holds no secret: the key travels in the x-apikey header). */
  url(ip: string): string {
    return `${joinUrl(this.#opts.baseUrl, '/api/v3/ip_addresses')}/${ipPathSegment(ip)}`;
  }

  async lookup(ip: string, signal?: AbortSignal): Promise<IntelResult<VirusTotalSummary>> {
    const res = await getJson({
      url: this.url(ip),
      headers: { 'x-apikey': this.#opts.apiKey, Accept: 'application/json' },
      timeoutMs: this.#opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      secrets: [this.#opts.apiKey],
      describeError: describeVirusTotalError,
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) return res;
    const summary = parseVirusTotal(res.json);
    if (!summary) return { ok: false, error: { kind: 'parse', message: 'VirusTotal answer lacks data.attributes.last_analysis_stats' } };
    return { ok: true, summary };
  }
}
