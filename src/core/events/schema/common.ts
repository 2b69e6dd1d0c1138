/** Building blocks of the event schema shared by every area. */
import { z } from 'zod';
import { LIMITS } from '../bounded.ts';

export const SCHEMA_VERSION = 1;

export const short = z.string().max(LIMITS.short);
export const medium = z.string().max(LIMITS.medium);
export const long = z.string().max(LIMITS.long);
export const uint = z.number().int().nonnegative();
export const hex = z.string().regex(/^[0-9a-f]*$/);
export const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
export const uid = z.string().max(64);

/** Text an attacker sent, with its raw bytes (hex) beside it, since padding and binary bytes are evidence. */
export const rawText = z.object({ text: short, hex, truncated: z.boolean().optional() });

export const protocol = z.enum(['dimse', 'dimse-tls', 'http', 'dicomweb', 'internal']);

/** Fields every event carries; the identity fields are bound once per session and cannot be overwritten. */
export const envelope = {
  timestamp: z.string().regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
  session: z.string().min(1).max(64),
  sensor: short,
  protocol,
  src_ip: z.string().max(64).nullable(),
  src_port: z.number().int().min(0).max(65535).nullable(),
  dst_ip: z.string().max(64).nullable(),
  dst_port: z.number().int().min(0).max(65535).nullable(),
  schema_version: z.literal(SCHEMA_VERSION),
  message: long,
  tags: z.array(short).max(32).optional(),
  /** Set on events emitted after their session closed. */
  late: z.literal(true).optional(),
};

export const ENVELOPE_KEYS = Object.keys(envelope).concat(['eventid']);
