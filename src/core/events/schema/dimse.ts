/** Fields of the DICOM upper-layer and DIMSE events (EVENTS.md, "DIMSE"). */
import { z } from 'zod';
import { contentInfo, hex, medium, rawText, sha256, short, uid, uint } from './common.ts';

export const matchKind = z.enum(['single', 'universal', 'wildcard', 'range', 'list', 'sequence', 'empty']);

export const queryKey = z.object({
  tag: z.string().regex(/^[0-9A-F]{8}$/),
  keyword: short.nullable(),
  vr: z.string().max(2),
  value: medium,
  value_truncated: z.boolean().optional(),
  match: matchKind,
});

export const presentationContext = z.object({
  id: uint,
  abstract_syntax: short,
  transfer_syntaxes: z.array(short),
});

export const dimseFields = {
  'dicomhawk.session.connect': z.object({ listener_port: uint, tls: z.object({ protocol: short.nullable(), cipher: short.nullable(), sni: short.nullable() }).optional(), proxied: z.boolean().optional() }),
  'dicomhawk.session.closed': z.object({
    duration_ms: uint,
    bytes_in: uint,
    bytes_out: uint,
    pdus_in: uint,
    pdus_out: uint,
    close_reason: short,
    /**
     * The session's raw PDU record (DICOM_PDU_RECORD): pcapng file(s) under DATA_DIR whose packets carry the session
     * id as their comment; `file` is where it starts (null: nothing could be recorded). Absent when recording is off.
     */
    pdu_record: z
      .object({ file: short.nullable(), files: z.array(short), bytes: uint, pdus: uint, truncated: z.boolean() })
      .optional(),
  }),
  'dicomhawk.association.request': z.object({
    called_ae: rawText,
    calling_ae: rawText,
    app_context: short.nullable(),
    protocol_version: uint,
    max_pdu: uint.nullable(),
    impl_class_uid: short.nullable(),
    impl_version: short.nullable(),
    async_ops: z.object({ invoked: uint, performed: uint }).nullable(),
    contexts: z.array(presentationContext),
    roles: z.array(z.object({ sop_class: short, scu: z.boolean(), scp: z.boolean() })),
    ext_neg: z.array(z.object({ sop_class: short, info_hex: hex })),
    user_identity: z
      .object({ type: uint, positive_response: z.boolean(), primary: rawText, secondary: rawText.nullable() })
      .nullable(),
    unknown_items: z.array(z.object({ type: uint, offset: uint, hex })),
    anomalies: z.array(medium),
    client_fp: short,
    client_guess: short.nullable(),
    client_guess_reason: medium.nullable(),
  }),
  'dicomhawk.association.accept': z.object({
    contexts: z.array(z.object({ id: uint, abstract_syntax: short, result: uint, result_name: short, transfer_syntax: short.nullable() })),
    max_pdu: uint,
  }),
  'dicomhawk.association.reject': z.object({ result: uint, source: uint, reason: uint, reason_name: short }),
  'dicomhawk.association.release': z.object({ by: z.enum(['peer', 'local']) }),
  'dicomhawk.association.abort': z.object({ by: z.enum(['peer', 'local']), source: uint, reason: uint, reason_name: short }),
  'dicomhawk.pdu.malformed': z.object({ pdu_type: uint.nullable(), offset: uint, reason: medium, head_hex: hex }),
  'dicomhawk.limit.refused': z.object({ limit: short, value: z.number(), observed: z.number().optional() }),
  'dicomhawk.dimse.echo': z.object({ message_id: uint, status: uint }),
  'dicomhawk.dimse.find': z.object({
    message_id: uint,
    model: short,
    level: short.nullable(),
    keys: z.array(queryKey),
    charset: short.nullable(),
    matches: uint,
    status: uint,
  }),
  'dicomhawk.dimse.get': z.object({
    message_id: uint,
    model: short,
    level: short.nullable(),
    keys: z.array(queryKey),
    completed: uint,
    failed: uint,
    warning: uint,
    instances: z.array(uid),
    bytes: uint,
    status: uint,
  }),
  'dicomhawk.dimse.move': z.object({
    message_id: uint,
    model: short,
    level: short.nullable(),
    keys: z.array(queryKey),
    destination_ae: rawText,
    completed: uint,
    failed: uint,
    warning: uint,
    instances: z.array(uid),
    bytes: uint,
    status: uint,
  }),
  'dicomhawk.dimse.store': z.object({
    message_id: uint,
    sop_class: short,
    sop_instance: short,
    transfer_syntax: short.nullable(),
    size: uint,
    sha256: sha256.nullable(),
    quarantine_id: short.nullable(),
    status: uint,
    /** What the received bytes are (executable, polyglot …), from their content; absent for a refused context. */
    content: contentInfo.optional(),
  }),
  'dicomhawk.dimse.cancel': z.object({ message_id: uint }),
  'dicomhawk.dimse.malformed': z.object({ offset: uint, reason: medium, head_hex: hex, context_id: uint.nullable() }),
} as const;
