/**
 * The one event catalogue: every eventid is declared here once, with its typed fields. The published JSON
 * Schema (schema/events.schema.json) and the README's event table are generated from / checked against it.
 */
import { z } from 'zod';
import { envelope } from './schema/common.ts';
import { dimseFields } from './schema/dimse.ts';
import { opsFields } from './schema/ops.ts';
import { webFields } from './schema/web.ts';

export const EVENT_FIELDS = { ...dimseFields, ...webFields, ...opsFields } as const;

export type EventId = keyof typeof EVENT_FIELDS;
export const EVENT_IDS = Object.keys(EVENT_FIELDS) as EventId[];

/** The typed fields of one event (without the envelope). */
export type EventFields<Id extends EventId> = z.input<(typeof EVENT_FIELDS)[Id]>;

function eventSchema<Id extends EventId>(id: Id) {
  return EVENT_FIELDS[id].extend({ eventid: z.literal(id), ...envelope }).strict();
}

type EventSchemas = { [Id in EventId]: ReturnType<typeof eventSchema<Id>> };
const SCHEMAS = Object.fromEntries(EVENT_IDS.map((id) => [id, eventSchema(id)])) as EventSchemas;

/** Every event as a discriminated union on `eventid`. */
export const hawkEventSchema = z.discriminatedUnion(
  'eventid',
  EVENT_IDS.map((id) => SCHEMAS[id]) as unknown as [EventSchemas[EventId], ...Array<EventSchemas[EventId]>],
);

export type Envelope = z.output<z.ZodObject<typeof envelope>>;
/** One event: its id, the envelope, and its own typed fields. */
export type EventOf<Id extends EventId> = { eventid: Id } & Envelope & z.output<(typeof EVENT_FIELDS)[Id]>;
export type HawkEvent = { [Id in EventId]: EventOf<Id> }[EventId];

export function isEventId(s: string): s is EventId {
  return Object.prototype.hasOwnProperty.call(EVENT_FIELDS, s);
}

export function eventJsonSchema(): unknown {
  return z.toJSONSchema(hawkEventSchema, { target: 'draft-2020-12' });
}
