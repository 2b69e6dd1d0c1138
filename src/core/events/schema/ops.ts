/** Fields of data, intelligence and operations events (EVENTS.md, "Data, intelligence, operations"). */
import { z } from 'zod';
import { medium, sha256, short, uint } from './common.ts';

const nullableScore = z.number().min(0).nullable();

export const opsFields = {
  'dicomhawk.honeytoken.issued': z.object({
    token: short,
    kind: z.enum(['pdf', 'url', 'credential', 'admin_token']),
    object: short.nullable(),
    study: short.nullable(),
  }),
  'dicomhawk.honeytoken.triggered': z.object({
    token: short,
    kind: z.enum(['pdf', 'url', 'credential', 'admin_token']).nullable(),
    issued_session: short.nullable(),
    requester_ip: z.string().max(64).nullable(),
    headers: z.array(z.object({ name: short, value: medium })),
  }),
  'dicomhawk.intel.result': z.object({
    service: z.enum(['abuseipdb', 'ipqualityscore', 'virustotal', 'geoip']),
    ip: z.string().max(64),
    sessions: z.array(short),
    ok: z.boolean(),
    cached: z.boolean(),
    summary: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    error: medium.nullable(),
  }),
  'dicomhawk.score.update': z.object({
    abuse_score: nullableScore,
    malicious_score: nullableScore,
    threat_score: z.number().min(0).max(100),
    reasons: z.array(medium),
  }),
  'dicomhawk.scanner.identified': z.object({ entry: medium, name: short.nullable(), how: z.enum(['list', 'rdns', 'fingerprint']), blocked: z.boolean() }),
  'dicomhawk.integrity.violation': z.object({
    path: medium,
    change: z.enum(['modified', 'added', 'deleted']),
    expected_sha256: sha256.nullable(),
    actual_sha256: sha256.nullable(),
    restored: z.boolean(),
  }),
  'dicomhawk.tcia.sync.start': z.object({
    modalities: z.array(short),
    collections: z.array(short),
    /** Studies per modality. */
    budget: uint,
    trigger: z.enum(['start', 'schedule', 'cli']),
    resumed: z.boolean(),
  }),
  'dicomhawk.tcia.sync.done': z.object({
    set: short,
    studies: uint,
    series: uint,
    instances: uint,
    /** Bytes of the new archive set. */
    bytes: uint,
    downloaded_bytes: uint,
    rejected_files: uint,
    honeytokens: uint,
    duration_ms: uint,
  }),
  'dicomhawk.tcia.sync.failed': z.object({
    reason: medium,
    stage: z.enum(['login', 'list', 'select', 'download', 'build', 'swap']),
    series: uint,
    bytes: uint,
    /** What is still served: the synthetic archive or the last TCIA set. */
    serving: z.enum(['synthetic', 'tcia']),
  }),
  'dicomhawk.sensor.start': z.object({ version: short, surfaces: z.array(short), config_digest: short, pid: uint }),
  'dicomhawk.sensor.stop': z.object({ version: short, reason: short, uptime_ms: uint, dropped_events: uint }),
} as const;
