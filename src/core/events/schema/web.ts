/** Fields of the web portal and DICOMweb events (EVENTS.md, "Web and DICOMweb"). */
import { z } from 'zod';
import { long, medium, sha256, short, uid, uint } from './common.ts';

export const webFields = {
  'dicomhawk.web.request': z.object({
    method: short,
    path: medium,
    query: medium,
    headers: z.array(z.object({ name: short, value: medium })),
    user_agent: medium.nullable(),
    body_size: uint,
    body_sha256: sha256.nullable(),
    status: uint,
    duration_ms: z.number().nonnegative(),
    web_session: short.nullable(),
  }),
  'dicomhawk.web.login.success': z.object({ username: short, password: short, credential_kind: z.enum(['honey', 'leaked', 'other']) }),
  'dicomhawk.web.login.failed': z.object({ username: short, password: short, credential_kind: z.enum(['honey', 'leaked', 'other']), reason: short }),
  'dicomhawk.web.download': z.object({ level: short, uids: z.array(uid), count: uint, bytes: uint }),
  'dicomhawk.web.upload': z.object({
    files: z.array(z.object({ name: medium, size: uint, sha256, quarantine_id: short.nullable(), accepted: z.boolean(), reason: short.nullable() })),
  }),
  'dicomhawk.dicomweb.query': z.object({ level: short, params: z.array(z.object({ name: short, value: medium })), matches: uint, status: uint }),
  'dicomhawk.dicomweb.retrieve': z.object({ level: short, uids: z.array(uid), count: uint, bytes: uint, status: uint }),
  'dicomhawk.dicomweb.store': z.object({
    instances: z.array(z.object({ sop_instance: short.nullable(), size: uint, sha256, quarantine_id: short.nullable(), accepted: z.boolean() })),
    status: uint,
    detail: long.optional(),
  }),
} as const;
