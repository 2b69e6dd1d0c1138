// IPQualityScore Proxy & VPN Detection API (ipqualityscore.com/documentation/proxy-detection/overview):
//   GET {base}/api/json/ip/<api key>/<ip>?strictness=<0-3>&allow_public_access_points=true[&fast=true][&lighter_penalties=true]
// The key is a PATH SEGMENT, so the URL itself is a secret: it is never logged, returned or quoted in an error.
// 200 → { success, message, fraud_score, country_code, region, city, ISP, ASN, organization, is_crawler, timezone,
//         mobile, host, proxy, vpn, tor, active_vpn, active_tor, recent_abuse, bot_status, connection_type,
//         abuse_velocity, latitude, longitude, request_id }
// Failures come back as 200 with success:false and a message (bad key, exhausted credits).
import type { IntelClient, IntelResult } from '../types.ts';
import type { ClientOptions } from './http.ts';
import { DEFAULT_TIMEOUT_MS, REDACTED, bool, getJson, ipPathSegment, isRecord, joinUrl, num, scrub, str } from './http.ts';

export const IPQS_DEFAULT_URL = 'https://ipqualityscore.com';

export interface IpqsOptions extends ClientOptions {
  /** 0–3, IPQS recommends starting at 0; default 0. */
  strictness?: number;
  /** Skip slower forensic checks. Default false (parameter not sent). */
  fast?: boolean;
  /** Lower penalties for mixed-quality IPs. Default false (parameter not sent). */
  lighterPenalties?: boolean;
}

export interface IpqsSummary {
  fraud_score: number;
  proxy: boolean | null;
  vpn: boolean | null;
  tor: boolean | null;
  active_vpn: boolean | null;
  active_tor: boolean | null;
  bot_status: boolean | null;
  recent_abuse: boolean | null;
  is_crawler: boolean | null;
  connection_type: string | null;
  abuse_velocity: string | null;
  ISP: string | null;
  organization: string | null;
  ASN: number | null;
  host: string | null;
  city: string | null;
  region: string | null;
  country_code: string | null;
  request_id: string | null;
}

const QUOTA_WORDS = /(credit|quota|exceeded|limit)/i;

export function parseIpqs(body: unknown): IpqsSummary | null {
  if (!isRecord(body)) return null;
  const score = num(body.fraud_score);
  if (score === null) return null;
  return {
    fraud_score: score,
    proxy: bool(body.proxy),
    vpn: bool(body.vpn),
    tor: bool(body.tor),
    active_vpn: bool(body.active_vpn),
    active_tor: bool(body.active_tor),
    bot_status: bool(body.bot_status),
    recent_abuse: bool(body.recent_abuse),
    is_crawler: bool(body.is_crawler),
    connection_type: str(body.connection_type),
    abuse_velocity: str(body.abuse_velocity),
    ISP: str(body.ISP),
    organization: str(body.organization),
    ASN: num(body.ASN),
    host: str(body.host),
    city: str(body.city),
    region: str(body.region),
    country_code: str(body.country_code),
    request_id: str(body.request_id),
  };
}

export class IpqsClient implements IntelClient<IpqsSummary> {
  readonly service = 'ipqs' as const;
  readonly #opts: IpqsOptions;

  constructor(opts: IpqsOptions) {
    const s = opts.strictness ?? 0;
    if (!Number.isInteger(s) || s < 0 || s > 3) throw new RangeError('strictness must be an integer 0–3');
    this.#opts = { ...opts, strictness: s };
  }

  #url(ip: string, key: string): string {
    const q = new URLSearchParams({ strictness: String(this.#opts.strictness), allow_public_access_points: 'true' });
    if (this.#opts.fast) q.set('fast', 'true');
    if (this.#opts.lighterPenalties) q.set('lighter_penalties', 'true');
    return `${joinUrl(this.#opts.baseUrl, '/api/json/ip')}/${encodeURIComponent(key)}/${ipPathSegment(ip)}?${q.toString()}`;
  }

  /** The request URL with the key replaced by [REDACTED]: the only form of it that may be shown. */
  redactedUrl(ip: string): string {
    return this.#url(ip, REDACTED);
  }

  async lookup(ip: string, signal?: AbortSignal): Promise<IntelResult<IpqsSummary>> {
    const key = this.#opts.apiKey;
    const res = await getJson({
      url: this.#url(ip, key),
      headers: { Accept: 'application/json' },
      timeoutMs: this.#opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      secrets: [key],
      describeError: (b) => ({ code: null, message: isRecord(b) ? str(b.message) : null }),
      ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) return res;
    const body = res.json;
    if (isRecord(body) && bool(body.success) === false) {
      const message = scrub(str(body.message) ?? 'IPQS reported failure', [key]).slice(0, 200);
      if (QUOTA_WORDS.test(message)) return { ok: false, error: { kind: 'quota', status: 200, retryAfterMs: null, message } };
      return { ok: false, error: { kind: 'api', message } };
    }
    const summary = parseIpqs(body);
    if (!summary) return { ok: false, error: { kind: 'parse', message: 'IPQS answer lacks fraud_score' } };
    return { ok: true, summary };
  }
}
