/**
 * Client-fingerprint hints: research scanners that name themselves in the HTTP User-Agent. A user agent is
 * attacker-controlled text, so a hint only TAGS a session (`dicomhawk.scanner.identified`, `how: "fingerprint"`);
 * it never blocks, and (scores.ts) a tagged session loses its reconnaissance cap the moment it does more than look.
 * Patterns are anchored on the product token each scanner documents, never on a loose substring.
 */

export interface FingerprintHint {
  /** What matched, as shown in the event: `user-agent ~ <pattern name>`. */
  entry: string;
  name: string;
}

const USER_AGENTS: ReadonlyArray<{ re: RegExp; token: string; name: string }> = [
  { re: /\bCensysInspect\/\d/, token: 'CensysInspect/', name: 'Censys' },
  { re: /\bExpanse, a Palo Alto Networks company\b/, token: 'Expanse, a Palo Alto Networks company', name: 'Palo Alto Networks Cortex Xpanse' },
  { re: /\bInternetMeasurement\/\d/, token: 'InternetMeasurement/', name: 'Driftnet (internet-measurement.com)' },
  { re: /\bModatScanner\/\d/, token: 'ModatScanner/', name: 'Modat' },
  { re: /\bl9(?:explore|tcpid)\/\d/, token: 'l9explore/ or l9tcpid/', name: 'LeakIX' },
  { re: /\bNetcraftSurveyAgent\/\d/, token: 'NetcraftSurveyAgent/', name: 'Netcraft' },
  { re: /^Mozilla\/5\.0 zgrab\/\d/, token: 'Mozilla/5.0 zgrab/', name: 'ZGrab' },
  { re: /^masscan\/\d/, token: 'masscan/', name: 'masscan' },
];

/** The scanner a User-Agent names, or null. */
export function userAgentHint(userAgent: string | null): FingerprintHint | null {
  if (!userAgent) return null;
  for (const u of USER_AGENTS) if (u.re.test(userAgent)) return { entry: `user-agent ~ ${u.token}`, name: u.name };
  return null;
}
