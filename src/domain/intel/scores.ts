/**
 * # Scores
 *
 * Three numbers per session, each delivered with the reasons that produced it (`reasons[]`, one line per input
 * that counted) so that an analyst can see *why*. All functions here are pure: same input, same output.
 *
 * ## `abuse_score` (0–100, or null)
 * The AbuseIPDB `abuseConfidenceScore` of the source address. When AbuseIPDB has no answer, the IPQualityScore
 * `fraud_score` stands in. `null` when neither service answered (no key configured, quota, error).
 *
 * ## `malicious_score` (0–N, or null)
 * VirusTotal's `last_analysis_stats.malicious + last_analysis_stats.suspicious`: how many engines flag the address.
 * `null` without a VirusTotal answer.
 *
 * ## `threat_score` (0–100) — ours, computed from behaviour even with no API key at all
 * 1. **Depth** — the deepest stage the session reached, on either surface (the highest one counts, not the sum):
 *
 *    | DIMSE            | points | web                 | points |
 *    |------------------|-------:|---------------------|-------:|
 *    | TCP connect only |      5 | HTTP request        |      5 |
 *    | association      |     15 | login attempt       |     20 |
 *    | C-ECHO           |     20 | login success       |     35 |
 *    | C-FIND           |     35 | download            |     50 |
 *    | C-GET / C-MOVE   |     55 | upload              |     55 |
 *    | C-STORE          |     60 |                     |        |
 *
 * 2. **Aggravating behaviour**, added once each:
 *    wildcard PHI harvesting (C-FIND / QIDO with `*` on PatientName or PatientID) +15,
 *    honey-credential used +20, honeytoken triggered +25, executable or polyglot uploaded +30.
 * 3. **Reputation**, added once each: abuse_score ≥ 80 → +10 (≥ 50 → +5); malicious_score ≥ 5 → +10 (≥ 1 → +5).
 * 4. **Known mass scanner** (maltrail list or forward-confirmed reverse DNS): the session is *tagged* either way.
 *    The tag never raises the score. If the session did nothing beyond reconnaissance — depth at most C-ECHO or a
 *    plain web request, and none of the aggravating behaviours — the score is capped at 10: a research scanner
 *    (Shodan, Censys, Shadowserver …) knocking on every port is background noise, not a threat to this PACS.
 *    If it went further (queried, harvested, logged in, retrieved, uploaded), behaviour wins and no cap applies:
 *    list membership is weak evidence (cloud addresses are re-assigned) and must not hide a real intrusion.
 *
 * The sum is clamped to 0–100.
 */
import type { AbuseIpdbSummary } from './clients/abuseipdb.ts';
import type { IpqsSummary } from './clients/ipqs.ts';
import type { VirusTotalSummary } from './clients/virustotal.ts';

/** Counts and flags of one session (or one source address), built by the caller from its events. Missing = 0/false. */
export interface BehaviourSummary {
  /** TCP connections opened (any surface). */
  connections?: number;
  // DIMSE
  associations?: number;
  echoes?: number;
  finds?: number;
  /** C-GET + C-MOVE. */
  retrieves?: number;
  stores?: number;
  /** C-FIND / QIDO requests with a `*` wildcard on PatientName or PatientID. */
  wildcardPhiQueries?: number;
  // web portal / DICOMweb
  webRequests?: number;
  loginAttempts?: number;
  loginSuccesses?: number;
  downloads?: number;
  uploads?: number;
  // traps
  honeyCredentialUses?: number;
  honeytokenTriggers?: number;
  /** Uploaded files recognised as executables or polyglots (e.g. PE/ELF inside a DICOM preamble). */
  executableUploads?: number;
  /** Set when the address matched a mass-scanner list or forward-confirmed rDNS. */
  knownScanner?: { name: string | null; how: 'list' | 'rdns' | 'fingerprint' } | null;
}

/** Whatever reputation answers are at hand; each may be missing. */
export interface IntelInputs {
  abuseipdb?: Pick<AbuseIpdbSummary, 'abuseConfidenceScore' | 'totalReports'> | null;
  ipqs?: Pick<IpqsSummary, 'fraud_score'> | null;
  virustotal?: Pick<VirusTotalSummary, 'last_analysis_stats'> | null;
}

export interface ScoreWithReasons {
  score: number | null;
  reasons: string[];
}

export interface ThreatFactor {
  factor: string;
  points: number;
}

export interface ThreatScores {
  threat_score: number;
  abuse_score: number | null;
  malicious_score: number | null;
  reasons: string[];
  /** The same reasons as numbers: what each input added (negative for a cap). */
  factors: ThreatFactor[];
}

export const DEPTH_POINTS = {
  connect: 5,
  association: 15,
  echo: 20,
  find: 35,
  retrieve: 55,
  store: 60,
  webRequest: 5,
  loginAttempt: 20,
  loginSuccess: 35,
  download: 50,
  upload: 55,
} as const;

export const BONUS_POINTS = {
  wildcardPhi: 15,
  honeyCredential: 20,
  honeytoken: 25,
  executableUpload: 30,
  abuseHigh: 10,
  abuseMedium: 5,
  maliciousHigh: 10,
  maliciousLow: 5,
} as const;

/** Highest threat score a reconnaissance-only session from a known scanner can get. */
export const KNOWN_SCANNER_CAP = 10;

const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));
const count = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

export function abuseScore(intel: IntelInputs): ScoreWithReasons {
  const a = intel.abuseipdb;
  if (a && Number.isFinite(a.abuseConfidenceScore)) {
    const score = clamp(Math.round(a.abuseConfidenceScore), 0, 100);
    const reports = a.totalReports === null || a.totalReports === undefined ? '' : ` (${a.totalReports} reports)`;
    return { score, reasons: [`abuse_score ${score}: AbuseIPDB abuseConfidenceScore${reports}`] };
  }
  const q = intel.ipqs;
  if (q && Number.isFinite(q.fraud_score)) {
    const score = clamp(Math.round(q.fraud_score), 0, 100);
    return { score, reasons: [`abuse_score ${score}: IPQualityScore fraud_score (no AbuseIPDB answer)`] };
  }
  return { score: null, reasons: ['abuse_score unknown: no AbuseIPDB or IPQualityScore answer'] };
}

export function maliciousScore(intel: IntelInputs): ScoreWithReasons {
  const s = intel.virustotal?.last_analysis_stats;
  if (!s) return { score: null, reasons: ['malicious_score unknown: no VirusTotal answer'] };
  const m = count(s.malicious);
  const su = count(s.suspicious);
  return { score: m + su, reasons: [`malicious_score ${m + su}: VirusTotal ${m} malicious + ${su} suspicious engines`] };
}

interface Stage {
  points: number;
  label: string;
  recon: boolean;
}

function deepestStage(b: BehaviourSummary): Stage | null {
  const stages: [number | undefined, Stage][] = [
    [b.connections, { points: DEPTH_POINTS.connect, label: 'TCP connect only', recon: true }],
    [b.associations, { points: DEPTH_POINTS.association, label: 'DICOM association', recon: true }],
    [b.echoes, { points: DEPTH_POINTS.echo, label: 'C-ECHO', recon: true }],
    [b.finds, { points: DEPTH_POINTS.find, label: 'C-FIND query', recon: false }],
    [b.retrieves, { points: DEPTH_POINTS.retrieve, label: 'C-GET/C-MOVE retrieval', recon: false }],
    [b.stores, { points: DEPTH_POINTS.store, label: 'C-STORE upload', recon: false }],
    [b.webRequests, { points: DEPTH_POINTS.webRequest, label: 'web request', recon: true }],
    [b.loginAttempts, { points: DEPTH_POINTS.loginAttempt, label: 'web login attempt', recon: false }],
    [b.loginSuccesses, { points: DEPTH_POINTS.loginSuccess, label: 'web login success', recon: false }],
    [b.downloads, { points: DEPTH_POINTS.download, label: 'web download', recon: false }],
    [b.uploads, { points: DEPTH_POINTS.upload, label: 'web upload', recon: false }],
  ];
  let best: Stage | null = null;
  for (const [n, stage] of stages) if (count(n) > 0 && (!best || stage.points > best.points)) best = stage;
  return best;
}

/** All three scores with their reasons. */
export function computeScores(behaviour: BehaviourSummary, intel: IntelInputs = {}): ThreatScores {
  const reasons: string[] = [];
  const factors: ThreatFactor[] = [];
  const add = (factor: string, points: number, reason: string): void => {
    factors.push({ factor, points });
    reasons.push(`${points >= 0 ? '+' : ''}${points} ${reason}`);
  };

  const stage = deepestStage(behaviour);
  if (stage) add('depth', stage.points, `deepest interaction: ${stage.label}`);
  else reasons.push('+0 no interaction recorded');

  let aggravated = false;
  const bonus = (n: number | undefined, factor: string, points: number, what: string): void => {
    const c = count(n);
    if (c === 0) return;
    aggravated = true;
    add(factor, points, `${what} (×${c})`);
  };
  bonus(behaviour.wildcardPhiQueries, 'wildcard_phi', BONUS_POINTS.wildcardPhi, 'wildcard PHI harvesting on PatientName/PatientID');
  bonus(behaviour.honeyCredentialUses, 'honey_credential', BONUS_POINTS.honeyCredential, 'honey credential used');
  bonus(behaviour.honeytokenTriggers, 'honeytoken', BONUS_POINTS.honeytoken, 'honeytoken triggered');
  bonus(behaviour.executableUploads, 'executable_upload', BONUS_POINTS.executableUpload, 'executable/polyglot uploaded');

  const abuse = abuseScore(intel);
  const malicious = maliciousScore(intel);
  if (abuse.score !== null && abuse.score >= 80) add('abuse_high', BONUS_POINTS.abuseHigh, `abuse_score ${abuse.score} ≥ 80`);
  else if (abuse.score !== null && abuse.score >= 50) add('abuse_medium', BONUS_POINTS.abuseMedium, `abuse_score ${abuse.score} ≥ 50`);
  if (malicious.score !== null && malicious.score >= 5) add('malicious_high', BONUS_POINTS.maliciousHigh, `malicious_score ${malicious.score} ≥ 5 engines`);
  else if (malicious.score !== null && malicious.score >= 1) add('malicious_low', BONUS_POINTS.maliciousLow, `malicious_score ${malicious.score} ≥ 1 engine`);

  let total = clamp(factors.reduce((s, f) => s + f.points, 0), 0, 100);
  const scanner = behaviour.knownScanner;
  if (scanner) {
    const who = `${scanner.name ?? 'unnamed entry'} via ${scanner.how}`;
    const reconOnly = (!stage || stage.recon) && !aggravated;
    if (reconOnly && total > KNOWN_SCANNER_CAP) {
      add('known_scanner_cap', KNOWN_SCANNER_CAP - total, `known mass scanner (${who}), reconnaissance only: capped at ${KNOWN_SCANNER_CAP}`);
      total = KNOWN_SCANNER_CAP;
    } else if (reconOnly) {
      reasons.push(`+0 known mass scanner (${who}), reconnaissance only`);
    } else {
      reasons.push(`+0 known mass scanner (${who}), but behaviour went beyond reconnaissance: no cap`);
    }
  }

  return {
    threat_score: total,
    abuse_score: abuse.score,
    malicious_score: malicious.score,
    reasons: [...reasons, ...abuse.reasons, ...malicious.reasons],
    factors,
  };
}
