import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BehaviourSummary, IntelInputs } from '../../../src/domain/intel/scores.ts';
import { KNOWN_SCANNER_CAP, abuseScore, computeScores, maliciousScore } from '../../../src/domain/intel/scores.ts';

const vt = (malicious: number, suspicious: number): IntelInputs['virustotal'] => ({
  last_analysis_stats: { malicious, suspicious, harmless: 0, undetected: 0, timeout: 0 },
});

describe('abuse score', () => {
  const cases: [string, IntelInputs, number | null, RegExp][] = [
    ['AbuseIPDB wins', { abuseipdb: { abuseConfidenceScore: 87, totalReports: 42 }, ipqs: { fraud_score: 10 } }, 87, /AbuseIPDB abuseConfidenceScore \(42 reports\)/],
    ['IPQS stands in', { ipqs: { fraud_score: 61 } }, 61, /IPQualityScore fraud_score/],
    ['null AbuseIPDB falls back', { abuseipdb: null, ipqs: { fraud_score: 5 } }, 5, /IPQualityScore/],
    ['clamped', { abuseipdb: { abuseConfidenceScore: 140, totalReports: null } }, 100, /abuse_score 100/],
    ['none', {}, null, /unknown/],
  ];
  for (const [name, intel, want, reason] of cases) {
    it(name, () => {
      const r = abuseScore(intel);
      assert.equal(r.score, want);
      assert.match(r.reasons.join('\n'), reason);
    });
  }
});

describe('malicious score', () => {
  const cases: [string, IntelInputs, number | null, RegExp][] = [
    ['sums malicious and suspicious', { virustotal: vt(7, 2) }, 9, /7 malicious \+ 2 suspicious/],
    ['clean', { virustotal: vt(0, 0) }, 0, /malicious_score 0/],
    ['missing', {}, null, /unknown/],
  ];
  for (const [name, intel, want, reason] of cases) {
    it(name, () => {
      const r = maliciousScore(intel);
      assert.equal(r.score, want);
      assert.match(r.reasons.join('\n'), reason);
    });
  }
});

describe('threat score', () => {
  const cases: [string, BehaviourSummary, IntelInputs, number, RegExp[]][] = [
    ['nothing', {}, {}, 0, [/no interaction/]],
    ['connect only', { connections: 1 }, {}, 5, [/TCP connect only/]],
    ['association', { connections: 1, associations: 1 }, {}, 15, [/DICOM association/]],
    ['echo', { associations: 1, echoes: 3 }, {}, 20, [/C-ECHO/]],
    ['find', { associations: 1, echoes: 1, finds: 4 }, {}, 35, [/C-FIND query/]],
    ['retrieve', { finds: 1, retrieves: 2 }, {}, 55, [/C-GET\/C-MOVE/]],
    ['store', { finds: 1, retrieves: 2, stores: 1 }, {}, 60, [/C-STORE upload/]],
    ['web request', { webRequests: 10 }, {}, 5, [/web request/]],
    ['login attempt', { webRequests: 10, loginAttempts: 3 }, {}, 20, [/web login attempt/]],
    ['login success', { loginAttempts: 3, loginSuccesses: 1 }, {}, 35, [/web login success/]],
    ['download', { loginSuccesses: 1, downloads: 1 }, {}, 50, [/web download/]],
    ['upload', { downloads: 1, uploads: 1 }, {}, 55, [/web upload/]],
    ['deepest surface counts, not the sum', { stores: 1, uploads: 1 }, {}, 60, [/C-STORE/]],
    ['wildcard PHI harvesting', { finds: 5, wildcardPhiQueries: 5 }, {}, 50, [/\+15 wildcard PHI harvesting .*×5/]],
    ['honey credential', { loginSuccesses: 1, honeyCredentialUses: 1 }, {}, 55, [/\+20 honey credential used/]],
    ['honeytoken', { downloads: 1, honeytokenTriggers: 2 }, {}, 75, [/\+25 honeytoken triggered \(×2\)/]],
    ['executable upload', { stores: 1, executableUploads: 1 }, {}, 90, [/\+30 executable\/polyglot uploaded/]],
    ['everything is clamped at 100', { stores: 1, wildcardPhiQueries: 1, honeyCredentialUses: 1, honeytokenTriggers: 1, executableUploads: 1 }, { abuseipdb: { abuseConfidenceScore: 100, totalReports: 9 }, virustotal: vt(10, 0) }, 100, [/honeytoken/]],
    ['high abuse score adds 10', { echoes: 1 }, { abuseipdb: { abuseConfidenceScore: 80, totalReports: 1 } }, 30, [/\+10 abuse_score 80 ≥ 80/]],
    ['medium abuse score adds 5', { echoes: 1 }, { ipqs: { fraud_score: 50 } }, 25, [/\+5 abuse_score 50 ≥ 50/]],
    ['low abuse score adds nothing', { echoes: 1 }, { abuseipdb: { abuseConfidenceScore: 49, totalReports: 1 } }, 20, [/abuse_score 49: AbuseIPDB/]],
    ['many engines add 10', { echoes: 1 }, { virustotal: vt(4, 1) }, 30, [/\+10 malicious_score 5 ≥ 5/]],
    ['one engine adds 5', { echoes: 1 }, { virustotal: vt(0, 1) }, 25, [/\+5 malicious_score 1 ≥ 1 engine/]],
    ['known scanner, recon only: capped', { associations: 1, echoes: 1, knownScanner: { name: 'scan-02h.shadowserver.org', how: 'list' } }, {}, KNOWN_SCANNER_CAP, [/known mass scanner \(scan-02h.shadowserver.org via list\), reconnaissance only: capped at 10/]],
    ['known scanner, recon with bad reputation: still capped', { echoes: 1, knownScanner: { name: 'Shodan', how: 'rdns' } }, { abuseipdb: { abuseConfidenceScore: 100, totalReports: 900 } }, KNOWN_SCANNER_CAP, [/capped/]],
    ['known scanner under the cap stays as is', { connections: 1, knownScanner: { name: null, how: 'list' } }, {}, 5, [/unnamed entry via list\), reconnaissance only$/]],
    ['known scanner that queried is not capped', { finds: 1, knownScanner: { name: 'censys.io', how: 'list' } }, {}, 35, [/beyond reconnaissance: no cap/]],
    ['known scanner that harvested PHI is not capped', { echoes: 1, wildcardPhiQueries: 1, knownScanner: { name: 'x', how: 'list' } }, {}, 35, [/no cap/]],
  ];
  for (const [name, behaviour, intel, want, reasons] of cases) {
    it(name, () => {
      const r = computeScores(behaviour, intel);
      assert.equal(r.threat_score, want, r.reasons.join('\n'));
      for (const re of reasons) assert.ok(r.reasons.some((l) => re.test(l)), `${re} not in:\n${r.reasons.join('\n')}`);
    });
  }

  it('returns all three scores, and factors that add up to the threat score', () => {
    const r = computeScores({ finds: 2, wildcardPhiQueries: 2 }, { abuseipdb: { abuseConfidenceScore: 90, totalReports: 5 }, virustotal: vt(1, 0) });
    assert.equal(r.abuse_score, 90);
    assert.equal(r.malicious_score, 1);
    assert.equal(r.threat_score, 35 + 15 + 10 + 5);
    assert.equal(r.factors.reduce((s, f) => s + f.points, 0), r.threat_score);
    assert.deepEqual(r.factors.map((f) => f.factor), ['depth', 'wildcard_phi', 'abuse_high', 'malicious_low']);
  });

  it('ignores negative or non-finite counts', () => {
    assert.equal(computeScores({ stores: -1, finds: Number.NaN, echoes: 1 }).threat_score, 20);
  });
});
