/** Fields of the web portal and DICOMweb events (EVENTS.md, "Web and DICOMweb"). */
import { z } from 'zod';
import { contentInfo, long, medium, sha256, short, uid, uint } from './common.ts';

export const webFields = {
  'dicomhawk.web.request': z.object({
    method: short,
    path: medium,
    query: medium,
    headers: z.array(z.object({ name: short, value: medium })),
    user_agent: medium.nullable(),
    /** The tool the User-Agent names (curl, Nmap, zgrab, browser …; "no User-Agent", "other (<first token>)"). */
    client_guess: short,
    body_size: uint,
    body_sha256: sha256.nullable(),
    status: uint,
    duration_ms: z.number().nonnegative(),
    web_session: short.nullable(),
  }),
  'dicomhawk.web.login.success': z.object({ username: short, password: short, credential_kind: z.enum(['honey', 'leaked', 'other']) }),
  'dicomhawk.web.login.failed': z.object({ username: short, password: short, credential_kind: z.enum(['honey', 'leaked', 'other']), reason: short }),
  /** robots.txt or one of the endpoints it disallows was read. */
  'dicomhawk.web.hidden': z.object({
    resource: z.enum(['robots.txt', 'admin', 'admin-config', 'secure', 'ensurance_data']),
    /** The fake admin token handed out (admin, admin-config), else null. */
    token: short.nullable(),
    /** Decoy records shown (secure, ensurance_data). */
    records: uint,
  }),
  'dicomhawk.web.download': z.object({
    level: short,
    /** The study and series asked for (null when not part of the request). */
    study: uid.nullable().optional(),
    series: uid.nullable().optional(),
    /** SOP Instance UIDs sent (at most 1000; `uids_truncated` when more). */
    uids: z.array(uid),
    uids_truncated: z.boolean().optional(),
    count: uint,
    bytes: uint,
    /** The transfer ended before everything was sent (client went away, limit reached). */
    complete: z.boolean().optional(),
  }),
  'dicomhawk.web.upload': z.object({
    files: z.array(z.object({ name: medium, size: uint, sha256, quarantine_id: short.nullable(), accepted: z.boolean(), reason: short.nullable(), content: contentInfo.optional() })),
  }),
  'dicomhawk.dicomweb.query': z.object({
    level: short,
    /** The query parameters as sent (names and values are attacker data). */
    params: z.array(z.object({ name: short, value: medium, value_truncated: z.boolean().optional() })),
    /** The matching keys the query was turned into (keyword, tag, how each matches). */
    keys: z.array(z.object({ tag: z.string().regex(/^[0-9A-F]{8}$/), keyword: short.nullable(), value: medium, match: short })),
    limit: uint.nullable(),
    offset: uint,
    fuzzy: z.boolean(),
    matches: uint,
    status: uint,
    detail: long.optional(),
  }),
  'dicomhawk.dicomweb.retrieve': z.object({
    /** study, series, instance; with `_metadata` when only the metadata was asked for. */
    level: short,
    uids: z.array(uid),
    accept: medium.nullable(),
    count: uint,
    bytes: uint,
    status: uint,
    detail: long.optional(),
  }),
  'dicomhawk.dicomweb.store': z.object({
    /** The Study Instance UID of the request URL (POST /studies/{uid}), as sent. */
    study: short.nullable(),
    content_type: medium.nullable(),
    instances: z.array(
      z.object({
        sop_class: short.nullable(),
        sop_instance: short.nullable(),
        size: uint,
        sha256,
        quarantine_id: short.nullable(),
        accepted: z.boolean(),
        /** PS3.18 FailureReason (0xA700, 0xA900, 0xC000 …) when refused. */
        failure_reason: uint.nullable(),
        reason: short.nullable(),
        /** What the part's bytes are (contentKind): executable, polyglot … */
        content: contentInfo.optional(),
      }),
    ),
    status: uint,
    detail: long.optional(),
  }),
  'dicomhawk.dicomweb.auth': z.object({
    /** The scheme of the Authorization header as sent (Basic, Bearer, anything else). */
    scheme: short,
    username: short.nullable(),
    password: short.nullable(),
    token: medium.nullable(),
    /** What DICOMWEB_AUTH asked for. */
    required: z.enum(['none', 'basic', 'bearer']),
    outcome: z.enum(['accepted', 'rejected', 'not_required', 'malformed']),
  }),
} as const;
