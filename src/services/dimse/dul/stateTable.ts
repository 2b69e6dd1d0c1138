/**
 * PS3.8 §9.2.3 Table 9-10, "DICOM Upper Layer Protocol State Transition Table", written out cell by
 * cell: 13 states × 19 events = 247 cells, every one present. A cell holds the action's name, or
 * `null` where the standard's table is blank (no action defined — see `noActionReason`). The next
 * state is not stored here: each action returns it, as Tables 9-6 to 9-9 define.
 *
 * Beside it, `HAWK_STATE_TABLE` holds the honeypot's own event (`Evt18T`) for every state, kept
 * apart so the standard's table stays exactly the standard's.
 */
import type { DulEvent, DulMachineEvent, HawkDulEvent } from './events.ts';
import type { DulState } from './states.ts';

/** Actions of PS3.8 Tables 9-6 to 9-9, plus honeypot actions with a visible `T` suffix. */
export const DUL_ACTION_NAMES = [
  'AE-1',
  'AE-2',
  'AE-3',
  'AE-4',
  'AE-5',
  'AE-6',
  'AE-7',
  'AE-8',
  'DT-1',
  'DT-2',
  'AR-1',
  'AR-2',
  'AR-3',
  'AR-4',
  'AR-5',
  'AR-6',
  'AR-7',
  'AR-8',
  'AR-9',
  'AR-10',
  'AA-1',
  'AA-2',
  'AA-3',
  'AA-4',
  'AA-5',
  'AA-6',
  'AA-7',
  'AA-8',
  'AA-2T',
] as const;

export type DulActionName = (typeof DUL_ACTION_NAMES)[number];

/** PS3.8 Tables 9-6 (AE), 9-7 (DT), 9-8 (AR), 9-9 (AA) definitions; `AA-2T` is ours. */
export const DUL_ACTION_DESCRIPTIONS: Readonly<Record<DulActionName, string>> = Object.freeze({
  'AE-1': 'Issue TRANSPORT CONNECT request primitive to local transport service; next state is Sta4',
  'AE-2': 'Send A-ASSOCIATE-RQ-PDU; next state is Sta5',
  'AE-3': 'Issue A-ASSOCIATE confirmation (accept) primitive; next state is Sta6',
  'AE-4': 'Issue A-ASSOCIATE confirmation (reject) primitive and close transport connection; next state is Sta1',
  'AE-5': 'Issue Transport connection response primitive; start ARTIM timer; next state is Sta2',
  'AE-6':
    'Stop ARTIM timer and if A-ASSOCIATE-RQ acceptable by service-provider: issue A-ASSOCIATE indication ' +
    'primitive, next state is Sta3; otherwise: issue A-ASSOCIATE-RJ-PDU and start ARTIM timer, next state is Sta13',
  'AE-7': 'Send A-ASSOCIATE-AC PDU; next state is Sta6',
  'AE-8': 'Send A-ASSOCIATE-RJ PDU and start ARTIM timer; next state is Sta13',
  'DT-1': 'Send P-DATA-TF PDU; next state is Sta6',
  'DT-2': 'Send P-DATA indication primitive; next state is Sta6',
  'AR-1': 'Send A-RELEASE-RQ PDU; next state is Sta7',
  'AR-2': 'Issue A-RELEASE indication primitive; next state is Sta8',
  'AR-3': 'Issue A-RELEASE confirmation primitive, and close transport connection; next state is Sta1',
  'AR-4': 'Issue A-RELEASE-RP PDU and start ARTIM timer; next state is Sta13',
  'AR-5': 'Stop ARTIM timer; next state is Sta1',
  'AR-6': 'Issue P-DATA indication; next state is Sta7',
  'AR-7': 'Issue P-DATA-TF PDU; next state is Sta8',
  'AR-8':
    'Issue A-RELEASE indication (release collision): if association-requestor, next state is Sta9; ' +
    'if not, next state is Sta10',
  'AR-9': 'Send A-RELEASE-RP PDU; next state is Sta11',
  'AR-10': 'Issue A-RELEASE confirmation primitive; next state is Sta12',
  'AA-1':
    'Send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM timer; ' +
    'next state is Sta13',
  'AA-2': 'Stop ARTIM timer if running. Close transport connection; next state is Sta1',
  'AA-3':
    'If (service-user initiated abort): issue A-ABORT indication and close transport connection; ' +
    'otherwise (service-provider initiated abort): issue A-P-ABORT indication and close transport ' +
    'connection; next state is Sta1',
  'AA-4': 'Issue A-P-ABORT indication primitive; next state is Sta1',
  'AA-5': 'Stop ARTIM timer; next state is Sta1',
  'AA-6': 'Ignore PDU; next state is Sta13',
  'AA-7': 'Send A-ABORT PDU; next state is Sta13',
  'AA-8':
    'Send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM timer; ' +
    'next state is Sta13',
  'AA-2T':
    'DICOMHawk, not in PS3.8: idle or lifetime timer expired — stop ARTIM timer if running, issue an ' +
    'A-P-ABORT indication if the service-user knows of an association, close transport connection; ' +
    'next state is Sta1',
});

/** One state's row: every standard event → action name, or `null` where Table 9-10 is blank. */
export type DulStateRow = Readonly<Record<DulEvent, DulActionName | null>>;

/** The 13 × 19 table. */
export type DulStateTable = Readonly<Record<DulState, DulStateRow>>;

/*
 * Reading guide (Table 9-10 columns become rows here):
 *  - Evt1–Evt4 drive a requestor's establishment, Evt5–Evt8 an acceptor's; either side may be
 *    sent any PDU, so the PDU rows are filled for both.
 *  - PDU events (3, 4, 6, 10, 12, 13, 16, 19) are blank in Sta1 and Sta4: there is no open
 *    transport connection to receive them on.
 *  - In Sta2 an out-of-place PDU gets AA-1 (no association exists yet, so no A-P-ABORT indication);
 *    from Sta3 to Sta12 it gets AA-8; in Sta13 AA-6 ignores it, except A-ASSOCIATE-RQ and an
 *    invalid PDU, which get AA-7.
 */
export const DUL_STATE_TABLE: DulStateTable = Object.freeze({
  // Sta1 — Idle
  Sta1: Object.freeze({
    Evt1: 'AE-1',
    Evt2: null,
    Evt3: null,
    Evt4: null,
    Evt5: 'AE-5',
    Evt6: null,
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: null,
    Evt11: null,
    Evt12: null,
    Evt13: null,
    Evt14: null,
    Evt15: null,
    Evt16: null,
    Evt17: null,
    Evt18: null,
    Evt19: null,
  }),
  // Sta2 — Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)
  Sta2: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-1',
    Evt4: 'AA-1',
    Evt5: null,
    Evt6: 'AE-6',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-1',
    Evt11: null,
    Evt12: 'AA-1',
    Evt13: 'AA-1',
    Evt14: null,
    Evt15: null,
    Evt16: 'AA-2',
    Evt17: 'AA-5',
    Evt18: 'AA-2',
    Evt19: 'AA-1',
  }),
  // Sta3 — Awaiting local A-ASSOCIATE response primitive (from local user)
  Sta3: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: 'AE-7',
    Evt8: 'AE-8',
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta4 — Awaiting transport connection opening to complete (from local transport service)
  Sta4: Object.freeze({
    Evt1: null,
    Evt2: 'AE-2',
    Evt3: null,
    Evt4: null,
    Evt5: null,
    Evt6: null,
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: null,
    Evt11: null,
    Evt12: null,
    Evt13: null,
    Evt14: null,
    Evt15: 'AA-2',
    Evt16: null,
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: null,
  }),
  // Sta5 — Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU
  Sta5: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AE-3',
    Evt4: 'AE-4',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta6 — Association established and ready for data transfer
  Sta6: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: 'DT-1',
    Evt10: 'DT-2',
    Evt11: 'AR-1',
    Evt12: 'AR-2',
    Evt13: 'AA-8',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta7 — Awaiting A-RELEASE-RP PDU
  Sta7: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AR-6',
    Evt11: null,
    Evt12: 'AR-8',
    Evt13: 'AR-3',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta8 — Awaiting local A-RELEASE response primitive (from local user)
  Sta8: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: 'AR-7',
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-4',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta9 — Release collision requestor side; awaiting A-RELEASE response (from local user)
  Sta9: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-9',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta10 — Release collision acceptor side; awaiting A-RELEASE-RP PDU
  Sta10: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AR-10',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta11 — Release collision requestor side; awaiting A-RELEASE-RP PDU
  Sta11: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AR-3',
    Evt14: null,
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta12 — Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)
  Sta12: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-8',
    Evt4: 'AA-8',
    Evt5: null,
    Evt6: 'AA-8',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-8',
    Evt11: null,
    Evt12: 'AA-8',
    Evt13: 'AA-8',
    Evt14: 'AR-4',
    Evt15: 'AA-1',
    Evt16: 'AA-3',
    Evt17: 'AA-4',
    Evt18: null,
    Evt19: 'AA-8',
  }),
  // Sta13 — Awaiting Transport Connection Close Indication (Association no longer exists)
  Sta13: Object.freeze({
    Evt1: null,
    Evt2: null,
    Evt3: 'AA-6',
    Evt4: 'AA-6',
    Evt5: null,
    Evt6: 'AA-7',
    Evt7: null,
    Evt8: null,
    Evt9: null,
    Evt10: 'AA-6',
    Evt11: null,
    Evt12: 'AA-6',
    Evt13: 'AA-6',
    Evt14: null,
    Evt15: null,
    Evt16: 'AA-2',
    Evt17: 'AR-5',
    Evt18: 'AA-2',
    Evt19: 'AA-7',
  }),
});

/**
 * The honeypot's extension column (not in PS3.8): the idle/lifetime timer closes any open
 * connection. Total over the 13 states like the standard table; Sta1 has nothing to close.
 */
export const HAWK_STATE_TABLE: Readonly<Record<DulState, Readonly<Record<HawkDulEvent, DulActionName | null>>>> =
  Object.freeze({
    Sta1: Object.freeze({ Evt18T: null }),
    Sta2: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta3: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta4: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta5: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta6: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta7: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta8: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta9: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta10: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta11: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta12: Object.freeze({ Evt18T: 'AA-2T' }),
    Sta13: Object.freeze({ Evt18T: 'AA-2T' }),
  });

/**
 * The action for `event` in `state`: `null` for a blank cell, `undefined` when `state` or `event`
 * is not a name the machine knows (only possible from untyped callers).
 */
export function lookupAction(state: DulState, event: DulMachineEvent): DulActionName | null | undefined {
  const row = Object.hasOwn(DUL_STATE_TABLE, state) ? DUL_STATE_TABLE[state] : undefined;
  if (row === undefined) return undefined;
  if (Object.hasOwn(row, event)) return row[event as DulEvent];
  const hawk = HAWK_STATE_TABLE[state];
  if (Object.hasOwn(hawk, event)) return hawk[event as HawkDulEvent];
  return undefined;
}

const LOCAL_USER_PRIMITIVES: ReadonlySet<string> = new Set(['Evt1', 'Evt7', 'Evt8', 'Evt9', 'Evt11', 'Evt14', 'Evt15']);
const RECEIVED_PDUS: ReadonlySet<string> = new Set(['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt16', 'Evt19']);

/**
 * Why a cell is blank — the reason carried by `InvalidDulEventError`. Blank cells mean the event
 * cannot legitimately occur in that state: a caller bug (local primitive out of turn, a PDU fed
 * with no transport, a stale timer), never something a peer can cause through a well-driven
 * socket layer.
 */
export function noActionReason(state: DulState, event: string): string {
  if (LOCAL_USER_PRIMITIVES.has(event)) return `local service-user primitive ${event} is not valid in ${state}`;
  if (RECEIVED_PDUS.has(event)) return `no open transport connection in ${state} to receive a PDU (${event}) on`;
  if (event === 'Evt2') return `transport connect confirmation only completes Sta4, not ${state}`;
  if (event === 'Evt5') return `a transport connection indication starts a machine in Sta1, not ${state}`;
  if (event === 'Evt17') return `no transport connection to close in ${state}`;
  if (event === 'Evt18') return `ARTIM runs only in Sta2 and Sta13, not ${state}`;
  if (event === 'Evt18T') return `no connection for the idle/lifetime timer to cut in ${state}`;
  return `${event} is not a DUL event`;
}
