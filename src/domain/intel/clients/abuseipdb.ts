// AbuseIPDB APIv2 CHECK endpoint (docs.abuseipdb.com/#check-endpoint):
//   GET {base}/api/v2/check?ipAddress=<url-encoded ip>&maxAgeInDays=90[&verbose]
//   headers  Key: <api key>, Accept: application/json
// 200 → { data: { ipAddress, isPublic, ipVersion, isWhitelisted, abuseConfidenceScore, countryCode, usageType, isp,
//                 domain, hostnames[], isTor, totalReports, numDistinctUsers, lastReportedAt, [countryName, reports[]] } }
// errors → { errors: [{ detail, status }] }; 429 carries Retry-After and X-RateLimit-* headers.
import type { IntelClient, IntelResult } from '../types.ts';
import type { ClientOptions } from './http.ts';
import { DEFAULT_TIMEOUT_MS, bool, getJson, isRecord, joinUrl, num, str, strList } from './http.ts';

export const ABUSEIPDB_DEFAULT_URL = 'https://api.abuseipdb.com';

export interface AbuseIpdbOptions extends ClientOptions {
  /** 1–365; default 90. */
  maxAgeInDays?: number;
  /** Adds `verbose` (reports and countryName). Default false. */
  verbose?: boolean;
}

export interface AbuseIpdbSummary {
  ipAddress: string;
  abuseConfidenceScore: number;
  countryCode: string | null;
  countryName: string | null;
  usageType: string | null;
  isp: string | null;
  domain: string | null;
  hostnames: string[];
  isTor: boolean | null;
  isPublic: boolean | null;
  isWhitelisted: boolean | null;
  totalReports: number | null;
  numDistinctUsers: number | null;
  lastReportedAt: string | null;
  /** Only with verbose: how many reports came back and their distinct category ids. */
  reportCount: number | null;
  reportCategories: number[];
}

export function describeAbuseIpdbError(body: unknown): { code: string | null; message: string | null } {
  if (!isRecord(body) || !Array.isArray(body.errors) || body.errors.length === 0) return { code: null, message: null };
  const first: unknown = body.errors[0];
  if (!isRecord(first)) return { code: null, message: null };
  const status = num(first.status);
  return { code: status === null ? null : String(status), message: str(first.detail) };
}

export function parseAbuseIpdb(body: unknown): AbuseIpdbSummary | null {
  if (!isRecord(body) || !isRecord(body.data)) return null;
  const d = body.data;
  const score = num(d.abuseConfidenceScore);
  const ip = str(d.ipAddress);
  if (score === null || ip === null) return null;
  const reports = Array.isArray(d.reports) ? d.reports : null;
  const categories = new Set<number>();
  for (const r of reports ?? []) {
    if (!isRecord(r) || !Array.isArray(r.categories)) continue;
    for (const c of r.categories) if (typeof c === 'number' && Number.isInteger(c)) categories.add(c);
  }
  return {
    ipAddress: ip,
    abuseConfidenceScore: score,
    countryCode: str(d.countryCode),
    countryName: str(d.countryName),
    usageType: str(d.usageType),
    isp: str(d.isp),
    domain: str(d.domain),
    hostnames: strList(d.hostnames),
    isTor: bool(d.isTor),
    isPublic: bool(d.isPublic),
    isWhitelisted: bool(d.isWhitelisted),
    totalReports: num(d.totalReports),
    numDistinctUsers: num(d.numDistinctUsers),
    lastReportedAt: str(d.lastReportedAt),
    reportCount: reports ? reports.length : null,
    reportCategories: [...categories].sort((a, b) => a - b),
  };
}

export class AbuseIpdbClient implements IntelClient<AbuseIpdbSummary> {
  readonly service = 'abuseipdb' as const;
  readonly #opts: AbuseIpdbOptions;

  constructor(opts: AbuseIpdbOptions) {
    const age = opts.maxAgeInDays ?? 90;
    if (!Number.isInteger(age) || age < 1 || age > 365) throw new RangeError('maxAgeInDays must be an integer 1–365');
    this.#opts = { ...opts, maxAgeInDays: age };
  }

  /** The request URL for `ip` (holds no secret: the key travels in a header). */
  url(ip: string): string {
    const q = new URLSearchParams({ ipAddress: ip, maxAgeInDays: String(this.#opts.maxAgeInDays) });
    let query = q.toString();
    if (this.#opts.verbose) query += '&verbose';
    return `${joinUrl(this.#opts.baseUrl, '/api/v2/check')}?${query}`;
  }

  async lookup(ip: string, signal?: AbortSignal): Promise<IntelResult<AbuseIpdbSummary>> {
    const res = await getJson({
      url: this.url(ip),
      headers: { Key: this.#opts.apiKey, Accept: 'application/json' },
      timeoutMs: this.#opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      secrets: [this.#opts.apiKey],
      describeError: describeAbuseIpdbError,
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) return res;
    const summary = parseAbuseIpdb(res.json);
    if (!summary) return { ok: false, error: { kind: 'parse', message: 'AbuseIPDB answer lacks data.abuseConfidenceScore / data.ipAddress' } };
    return { ok: true, summary };
  }
}
