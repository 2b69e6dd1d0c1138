/**
 * Where the country and the network owner are in an `intel.result` summary: each service names them its own way
 * (offline GeoIP `country_code`, AbuseIPDB `countryCode` / `isp`, IPQualityScore `country_code` / `ISP`,
 * VirusTotal `country` / `as_owner`, ASN databases `as_org`). The sessions table and the console's live view
 * both read them through here.
 */

const COUNTRY_FIELDS = ['country_code', 'countryCode', 'country'] as const;
const ISP_FIELDS = ['isp', 'ISP', 'as_owner', 'as_org'] as const;

function firstText(summary: Readonly<Record<string, unknown>>, keys: readonly string[]): string | null {
  for (const k of keys) {
    const v = summary[k];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}

/** The country a lookup answered (as the service wrote it), or null when it named none. */
export const countryOf = (summary: Readonly<Record<string, unknown>>): string | null => firstText(summary, COUNTRY_FIELDS);

/** The network owner (ISP / AS organisation) a lookup answered, or null when it named none. */
export const ispOf = (summary: Readonly<Record<string, unknown>>): string | null => firstText(summary, ISP_FIELDS);
