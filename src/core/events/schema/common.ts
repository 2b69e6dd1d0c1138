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

/** What an uploaded file is by its bytes (src/domain/quarantine/contentKind.ts). */
export const CONTENT_KINDS = [
  'dicom', 'dicom-dataset', 'pe', 'elf', 'macho', 'java-class', 'dex', 'script', 'zip', 'gzip', 'rar', '7z', 'ole', 'pdf',
  'png', 'jpeg', 'gif', 'tiff', 'html', 'text', 'empty', 'unknown',
] as const;
export const contentKinds = z.enum(CONTENT_KINDS);
/** On upload and store events: the file's format, and whether it is an executable or a polyglot (two formats at once). */
export const contentInfo = z.object({ kind: contentKinds, polyglot: z.boolean(), embedded: contentKinds.nullable(), executable: z.boolean() });

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
  /** Set on every event whose source address is on the known-scanner list (absent otherwise). */
  known_scanner: z.literal(true).optional(),
  /** The list entry the source matched ("129.82.138.12", "5.63.151.0/24"); only with known_scanner. */
  scanner_entry: short.optional(),
  /** The scanner's name from the list, null when the list gives none; only with known_scanner. */
  scanner_name: short.nullable().optional(),
};

export const ENVELOPE_KEYS = Object.keys(envelope).concat(['eventid']);
