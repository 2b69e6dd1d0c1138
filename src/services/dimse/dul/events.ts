/**
 * DICOM Upper Layer protocol events, PS3.8 §9.2.3 (the rows of Table 9-10), the honeypot's own
 * timer event, the received-PDU-type → event map, and the payload each event carries.
 */
import type { AbortReason, AssociateRejection } from './constants.ts';

/** Every standard DUL event in PS3.8 order (the rows of Table 9-10). */
export const DUL_EVENTS = [
  'Evt1',
  'Evt2',
  'Evt3',
  'Evt4',
  'Evt5',
  'Evt6',
  'Evt7',
  'Evt8',
  'Evt9',
  'Evt10',
  'Evt11',
  'Evt12',
  'Evt13',
  'Evt14',
  'Evt15',
  'Evt16',
  'Evt17',
  'Evt18',
  'Evt19',
] as const;

/** A standard DUL event, PS3.8 Table 9-10. */
export type DulEvent = (typeof DUL_EVENTS)[number];

/** PS3.8 Table 9-10 event definitions. */
export const DUL_EVENT_DESCRIPTIONS: Readonly<Record<DulEvent, string>> = Object.freeze({
  Evt1: 'A-ASSOCIATE request (local user)',
  Evt2: 'Transport connect confirmation (local transport service)',
  Evt3: 'A-ASSOCIATE-AC PDU (received on transport connection)',
  Evt4: 'A-ASSOCIATE-RJ PDU (received on transport connection)',
  Evt5: 'Transport connection indication (local transport service)',
  Evt6: 'A-ASSOCIATE-RQ PDU (received on transport connection)',
  Evt7: 'A-ASSOCIATE response primitive (accept)',
  Evt8: 'A-ASSOCIATE response primitive (reject)',
  Evt9: 'P-DATA request primitive',
  Evt10: 'P-DATA-TF PDU (received on transport connection)',
  Evt11: 'A-RELEASE request primitive',
  Evt12: 'A-RELEASE-RQ PDU (received on transport connection)',
  Evt13: 'A-RELEASE-RP PDU (received on transport connection)',
  Evt14: 'A-RELEASE response primitive',
  Evt15: 'A-ABORT request primitive',
  Evt16: 'A-ABORT PDU (received on transport connection)',
  Evt17: 'Transport connection closed indication (local transport service)',
  Evt18: 'ARTIM timer expired (Association reject/release timer)',
  Evt19: 'Unrecognized or invalid PDU received',
});

/**
 * Honeypot-only events (not in PS3.8), named with a visible `T` suffix in the manner of DCMTK's
 * `AA-2T`. `Evt18T`: the connection's idle or lifetime timer expired — a sensor bounds every
 * connection, including states where PS3.8 runs no timer (ARTIM, §9.1.5, runs only in Sta2 and
 * Sta13; PS3.8 §9.1.4 note 2 leaves overseeing establishment and release to the layer above).
 */
export const HAWK_DUL_EVENTS = ['Evt18T'] as const;
export type HawkDulEvent = (typeof HAWK_DUL_EVENTS)[number];

export const HAWK_DUL_EVENT_DESCRIPTIONS: Readonly<Record<HawkDulEvent, string>> = Object.freeze({
  Evt18T: 'Idle or lifetime timer expired (DICOMHawk extension, not in PS3.8)',
});

/** Everything the machine accepts: the standard events plus the honeypot's own. */
export type DulMachineEvent = DulEvent | HawkDulEvent;

/** Descriptions for every machine event (standard and honeypot). */
export const DUL_MACHINE_EVENT_DESCRIPTIONS: Readonly<Record<DulMachineEvent, string>> = Object.freeze({
  ...DUL_EVENT_DESCRIPTIONS,
  ...HAWK_DUL_EVENT_DESCRIPTIONS,
});

/** PDU-type byte (PS3.8 §9.3.1, first byte of every PDU) → receive event, per Table 9-10. */
export const PDU_TYPE_EVENTS: Readonly<Record<number, DulEvent>> = Object.freeze({
  0x01: 'Evt6', // A-ASSOCIATE-RQ, §9.3.2
  0x02: 'Evt3', // A-ASSOCIATE-AC, §9.3.3
  0x03: 'Evt4', // A-ASSOCIATE-RJ, §9.3.4
  0x04: 'Evt10', // P-DATA-TF, §9.3.5
  0x05: 'Evt12', // A-RELEASE-RQ, §9.3.6
  0x06: 'Evt13', // A-RELEASE-RP, §9.3.7
  0x07: 'Evt16', // A-ABORT, §9.3.8
});

/**
 * The event for a received PDU-type byte; any other value is an unrecognized PDU (Evt19). The
 * socket layer also raises Evt19 itself for a known type whose body fails to decode.
 */
export function eventForPduType(pduType: number): DulEvent {
  return Object.hasOwn(PDU_TYPE_EVENTS, pduType) ? (PDU_TYPE_EVENTS[pduType] as DulEvent) : 'Evt19';
}

/**
 * The contents the machine carries but never inspects. The PDU codec layer chooses the concrete
 * shapes; the machine is generic over them so it never imports codec code. Each defaults to
 * `unknown`.
 */
export interface DulPayloadTypes {
  /** A-ASSOCIATE-RQ contents: decoded from a received PDU (Evt6), or handed in with Evt1. */
  readonly associateRq: unknown;
  /** A-ASSOCIATE-AC contents: handed in by the upper layer with Evt7, or decoded (Evt3). */
  readonly associateAc: unknown;
  /** P-DATA-TF contents: handed in with Evt9, or decoded from a received PDU (Evt10). */
  readonly pData: unknown;
}

/** A received A-ASSOCIATE-RJ PDU's fields (PS3.8 §9.3.4), as the peer sent them. */
export interface ReceivedAssociateRj {
  readonly result: number;
  readonly source: number;
  readonly reason: number;
}

/** A received A-ABORT PDU's fields (PS3.8 §9.3.8), as the peer sent them. */
export interface ReceivedAbort {
  readonly source: number;
  readonly reason: number;
}

/**
 * Why a received PDU raised Evt19: the A-ABORT reason to send (PS3.8 §9.3.8; default
 * `UNRECOGNIZED_PDU`) and diagnostics for the trace. `detail` may quote attacker bytes: data only.
 */
export interface InvalidPdu {
  readonly reason?: AbortReason;
  readonly pduType?: number;
  readonly detail?: string;
}

/** Which honeypot timer raised Evt18T. */
export interface HawkTimerExpiry {
  readonly timer: 'idle' | 'lifetime';
}

/** The payload each event carries into the machine. */
export interface DulEventPayloads<T extends DulPayloadTypes = DulPayloadTypes> {
  Evt1: T['associateRq'];
  Evt2: undefined;
  Evt3: T['associateAc'];
  Evt4: ReceivedAssociateRj;
  Evt5: undefined;
  Evt6: T['associateRq'];
  Evt7: T['associateAc'];
  Evt8: AssociateRejection;
  Evt9: T['pData'];
  Evt10: T['pData'];
  Evt11: undefined;
  Evt12: undefined;
  Evt13: undefined;
  Evt14: undefined;
  Evt15: undefined;
  Evt16: ReceivedAbort;
  Evt17: undefined;
  Evt18: undefined;
  Evt19: InvalidPdu | undefined;
  Evt18T: HawkTimerExpiry | undefined;
}

/** One event with its payload, as queued and as handed to an action. */
export type DulInput<T extends DulPayloadTypes = DulPayloadTypes> = {
  [E in DulMachineEvent]: { readonly event: E; readonly payload: DulEventPayloads<T>[E] };
}[DulMachineEvent];

/** `handle()`'s payload argument: optional where the payload may be `undefined`, required otherwise. */
export type DulPayloadArgs<T extends DulPayloadTypes, E extends DulMachineEvent> =
  undefined extends DulEventPayloads<T>[E] ? [payload?: DulEventPayloads<T>[E]] : [payload: DulEventPayloads<T>[E]];
