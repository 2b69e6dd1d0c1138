/**
 * The DUL state machine actions, PS3.8 §9.2.2 Tables 9-6 (AE), 9-7 (DT), 9-8 (AR) and 9-9 (AA),
 * one function each, named after the standard (`AE-6` → `AE_6`). Each does exactly what its table
 * entry says through the port and returns the next state. Honeypot-only actions carry a `T`
 * suffix (`AA_2T`), after DCMTK's naming of its own timeout action.
 *
 * Actions run only through `DulMachine`, which picks them from PS3.8 Table 9-10; each checks that it
 * was given an event it is defined for, so a table/action mismatch fails loudly.
 */
import {
  AbortReason,
  AbortSource,
  isAssociateRejection,
  type AssociateRejection,
} from './constants.ts';
import { DulActionError } from './errors.ts';
import type { DulInput, DulMachineEvent, DulPayloadTypes } from './events.ts';
import type { AssociateRqVerdict, DulPort, DulRole } from './port.ts';
import type { DulActionName } from './stateTable.ts';
import type { DulState } from './states.ts';

/** What an action may use: the port, the machine's role and fixed settings, and a fault channel. */
export interface DulActionContext<T extends DulPayloadTypes = DulPayloadTypes> {
  readonly port: DulPort<T>;
  readonly role: DulRole;
  /** The state the action runs in (the transition's `from`). */
  readonly state: DulState;
  /** Sent by AE-6/AE-8 when the policy's answer is unusable. */
  readonly fallbackRejection: AssociateRejection;
  /** The A-ASSOCIATE-RQ handed in with Evt1, kept by AE-1 for AE-2 (requestor only). */
  requested: { readonly associateRq: T['associateRq'] } | undefined;
  /** Report a fault that did not stop the action (e.g. a policy hook that threw). */
  report(error: Error): void;
}

/** An action: does its work through the port and returns the next state. */
export type DulAction = <T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>) => DulState;

type InputOf<T extends DulPayloadTypes, E extends DulMachineEvent> = Extract<DulInput<T>, { readonly event: E }>;

/** Narrow `input` to the events `action` is defined for; anything else is a table/action mismatch. */
function inputFor<T extends DulPayloadTypes, E extends DulMachineEvent>(
  input: DulInput<T>,
  action: DulActionName,
  ...events: E[]
): InputOf<T, E> {
  if ((events as readonly string[]).includes(input.event)) return input as InputOf<T, E>;
  throw new Error(`${action} is not defined for ${input.event}`);
}

const ABORT_REASONS: ReadonlySet<number> = new Set(Object.values(AbortReason));

/**
 * The provider reason to put in an A-ABORT we send (PS3.8 §9.3.8): what the socket layer diagnosed
 * for an unrecognized or invalid PDU (Evt19, default "unrecognized-PDU"), otherwise
 * "unexpected-PDU" — a well-formed PDU that arrived in the wrong state.
 */
function providerAbortReason<T extends DulPayloadTypes>(input: DulInput<T>): AbortReason {
  if (input.event !== 'Evt19') return AbortReason.UNEXPECTED_PDU;
  const reason = input.payload?.reason;
  return reason !== undefined && ABORT_REASONS.has(reason) ? reason : AbortReason.UNRECOGNIZED_PDU;
}

// ---------------------------------------------------------------------------------------------
// PS3.8 Table 9-6 — association establishment related actions
// ---------------------------------------------------------------------------------------------

/** AE-1: issue TRANSPORT CONNECT request primitive to local transport service → Sta4 (requestor). */
export function AE_1<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: associateRq } = inputFor(input, 'AE-1', 'Evt1');
  if (ctx.port.requestTransportConnection === undefined) {
    throw new Error('the port cannot open transport connections (requestor only)');
  }
  ctx.requested = { associateRq };
  ctx.port.requestTransportConnection(associateRq);
  return 'Sta4';
}

/** AE-2: send A-ASSOCIATE-RQ PDU → Sta5 (requestor; the RQ is the one given with Evt1). */
export function AE_2<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AE-2', 'Evt2');
  if (ctx.port.sendAssociateRq === undefined) throw new Error('the port cannot send A-ASSOCIATE-RQ (requestor only)');
  if (ctx.requested === undefined) throw new Error('no A-ASSOCIATE request (Evt1) to send');
  ctx.port.sendAssociateRq(ctx.requested.associateRq);
  return 'Sta5';
}

/** AE-3: issue A-ASSOCIATE confirmation (accept) primitive → Sta6 (requestor). */
export function AE_3<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: associateAc } = inputFor(input, 'AE-3', 'Evt3');
  ctx.port.indicate({ primitive: 'A-ASSOCIATE confirmation', result: 'accepted', associateAc });
  return 'Sta6';
}

/** AE-4: issue A-ASSOCIATE confirmation (reject) primitive and close transport connection → Sta1. */
export function AE_4<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload } = inputFor(input, 'AE-4', 'Evt4');
  const rejection = { result: payload.result, source: payload.source, reason: payload.reason };
  ctx.port.indicate({ primitive: 'A-ASSOCIATE confirmation', result: 'rejected', rejection });
  ctx.port.closeTransport();
  return 'Sta1';
}

/**
 * AE-5: issue transport connection response primitive; start ARTIM timer → Sta2. Over TCP the
 * listener has already accepted the connection, so the response needs no port call.
 */
export function AE_5<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AE-5', 'Evt5');
  ctx.port.startArtim();
  return 'Sta2';
}

/** Ask the policy hook; a throw or a malformed answer becomes the fallback rejection, reported. */
function examine<T extends DulPayloadTypes>(
  ctx: DulActionContext<T>,
  event: string,
  associateRq: T['associateRq'],
): AssociateRqVerdict {
  let verdict: unknown;
  try {
    verdict = ctx.port.examineAssociateRq(associateRq);
  } catch (cause) {
    ctx.report(new DulActionError(ctx.state, event, 'AE-6', 'examineAssociateRq threw; sent the fallback rejection', { cause }));
    return { reject: ctx.fallbackRejection };
  }
  if (verdict === 'accept') return verdict;
  if (typeof verdict === 'object' && verdict !== null && isAssociateRejection((verdict as { reject?: unknown }).reject)) {
    return verdict as AssociateRqVerdict;
  }
  ctx.report(
    new DulActionError(ctx.state, event, 'AE-6', 'examineAssociateRq answered no valid verdict; sent the fallback rejection'),
  );
  return { reject: ctx.fallbackRejection };
}

/**
 * AE-6: stop ARTIM timer and, if the A-ASSOCIATE-RQ is acceptable by the service-provider (the
 * port's `examineAssociateRq`, i.e. the persona policy), issue A-ASSOCIATE indication → Sta3;
 * otherwise send A-ASSOCIATE-RJ PDU and start ARTIM timer → Sta13.
 */
export function AE_6<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { event, payload: associateRq } = inputFor(input, 'AE-6', 'Evt6');
  ctx.port.stopArtim();
  const verdict = examine(ctx, event, associateRq);
  if (verdict === 'accept') {
    ctx.port.indicate({ primitive: 'A-ASSOCIATE indication', associateRq });
    return 'Sta3';
  }
  ctx.port.sendAssociateRj(verdict.reject);
  ctx.port.startArtim();
  return 'Sta13';
}

/** AE-7: send A-ASSOCIATE-AC PDU → Sta6. */
export function AE_7<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: associateAc } = inputFor(input, 'AE-7', 'Evt7');
  ctx.port.sendAssociateAc(associateAc);
  return 'Sta6';
}

/** AE-8: send A-ASSOCIATE-RJ PDU and start ARTIM timer → Sta13. */
export function AE_8<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { event, payload } = inputFor(input, 'AE-8', 'Evt8');
  let rejection: AssociateRejection = payload;
  if (!isAssociateRejection(payload)) {
    ctx.report(new DulActionError(ctx.state, event, 'AE-8', 'the A-ASSOCIATE response (reject) is not a PS3.8 §9.3.4 triple; sent the fallback rejection'));
    rejection = ctx.fallbackRejection;
  }
  ctx.port.sendAssociateRj(rejection);
  ctx.port.startArtim();
  return 'Sta13';
}

// ---------------------------------------------------------------------------------------------
// PS3.8 Table 9-7 — data transfer related actions
// ---------------------------------------------------------------------------------------------

/** DT-1: send P-DATA-TF PDU → Sta6. */
export function DT_1<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: pData } = inputFor(input, 'DT-1', 'Evt9');
  ctx.port.sendPData(pData);
  return 'Sta6';
}

/** DT-2: send P-DATA indication primitive → Sta6. */
export function DT_2<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: pData } = inputFor(input, 'DT-2', 'Evt10');
  ctx.port.indicate({ primitive: 'P-DATA indication', pData });
  return 'Sta6';
}

// ---------------------------------------------------------------------------------------------
// PS3.8 Table 9-8 — association release related actions
// ---------------------------------------------------------------------------------------------

/** AR-1: send A-RELEASE-RQ PDU → Sta7. */
export function AR_1<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-1', 'Evt11');
  ctx.port.sendReleaseRq();
  return 'Sta7';
}

/** AR-2: issue A-RELEASE indication primitive → Sta8. */
export function AR_2<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-2', 'Evt12');
  ctx.port.indicate({ primitive: 'A-RELEASE indication', collision: false });
  return 'Sta8';
}

/** AR-3: issue A-RELEASE confirmation primitive, and close transport connection → Sta1. */
export function AR_3<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-3', 'Evt13');
  ctx.port.indicate({ primitive: 'A-RELEASE confirmation' });
  ctx.port.closeTransport();
  return 'Sta1';
}

/** AR-4: issue A-RELEASE-RP PDU and start ARTIM timer → Sta13. */
export function AR_4<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-4', 'Evt14');
  ctx.port.sendReleaseRp();
  ctx.port.startArtim();
  return 'Sta13';
}

/** AR-5: stop ARTIM timer → Sta1 (the peer closed the transport after our RP/RJ/abort). */
export function AR_5<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-5', 'Evt17');
  ctx.port.stopArtim();
  return 'Sta1';
}

/** AR-6: issue P-DATA indication → Sta7 (data still arriving after our A-RELEASE-RQ). */
export function AR_6<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: pData } = inputFor(input, 'AR-6', 'Evt10');
  ctx.port.indicate({ primitive: 'P-DATA indication', pData });
  return 'Sta7';
}

/** AR-7: issue P-DATA-TF PDU → Sta8 (we may still send before answering the peer's release). */
export function AR_7<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload: pData } = inputFor(input, 'AR-7', 'Evt9');
  ctx.port.sendPData(pData);
  return 'Sta8';
}

/**
 * AR-8: issue A-RELEASE indication (release collision): if association-requestor, next state is
 * Sta9; if not, Sta10.
 */
export function AR_8<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-8', 'Evt12');
  ctx.port.indicate({ primitive: 'A-RELEASE indication', collision: true });
  return ctx.role === 'requestor' ? 'Sta9' : 'Sta10';
}

/** AR-9: send A-RELEASE-RP PDU → Sta11 (requestor side of a collision). */
export function AR_9<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-9', 'Evt14');
  ctx.port.sendReleaseRp();
  return 'Sta11';
}

/** AR-10: issue A-RELEASE confirmation primitive → Sta12 (acceptor side of a collision). */
export function AR_10<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AR-10', 'Evt13');
  ctx.port.indicate({ primitive: 'A-RELEASE confirmation' });
  return 'Sta12';
}

// ---------------------------------------------------------------------------------------------
// PS3.8 Table 9-9 — association abort related actions
// ---------------------------------------------------------------------------------------------

/**
 * AA-1: send A-ABORT PDU (service-user source) and start (or restart if already started) ARTIM
 * timer → Sta13. With the service-user source the reason is not significant and is sent as 0
 * (PS3.8 §9.3.8). Runs for a local A-ABORT request and for any out-of-place PDU in Sta2.
 */
export function AA_1<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-1', 'Evt3', 'Evt4', 'Evt10', 'Evt12', 'Evt13', 'Evt15', 'Evt19');
  ctx.port.sendAbort(AbortSource.SERVICE_USER, AbortReason.REASON_NOT_SPECIFIED);
  ctx.port.startArtim();
  return 'Sta13';
}

/** AA-2: stop ARTIM timer if running; close transport connection → Sta1. */
export function AA_2<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-2', 'Evt15', 'Evt16', 'Evt18');
  ctx.port.stopArtim();
  ctx.port.closeTransport();
  return 'Sta1';
}

/**
 * AA-3: if service-user initiated abort (A-ABORT source 0): issue A-ABORT indication; otherwise
 * (service-provider initiated, or a reserved source) issue A-P-ABORT indication; in both cases
 * close transport connection → Sta1.
 */
export function AA_3<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload } = inputFor(input, 'AA-3', 'Evt16');
  const { source, reason } = payload;
  if (source === AbortSource.SERVICE_USER) {
    ctx.port.indicate({ primitive: 'A-ABORT indication', source, reason });
  } else {
    ctx.port.indicate({ primitive: 'A-P-ABORT indication', origin: 'peer', source, reason });
  }
  ctx.port.closeTransport();
  return 'Sta1';
}

/** AA-4: issue A-P-ABORT indication primitive → Sta1 (the transport is already gone). */
export function AA_4<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-4', 'Evt17');
  ctx.port.indicate({ primitive: 'A-P-ABORT indication', origin: 'transport' });
  return 'Sta1';
}

/** AA-5: stop ARTIM timer → Sta1 (the peer closed before sending an A-ASSOCIATE-RQ). */
export function AA_5<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-5', 'Evt17');
  ctx.port.stopArtim();
  return 'Sta1';
}

/** AA-6: ignore PDU → Sta13 (the association no longer exists; the trace still records it). */
export function AA_6<T extends DulPayloadTypes>(_ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-6', 'Evt3', 'Evt4', 'Evt10', 'Evt12', 'Evt13');
  return 'Sta13';
}

/**
 * AA-7: send A-ABORT PDU → Sta13. PS3.8 names no source; the provider is the one reacting, so the
 * source is service-provider with "unexpected-PDU" (Evt6) or the diagnosed reason (Evt19). ARTIM
 * keeps running from the action that entered Sta13.
 */
export function AA_7<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-7', 'Evt6', 'Evt19');
  ctx.port.sendAbort(AbortSource.SERVICE_PROVIDER, providerAbortReason(input));
  return 'Sta13';
}

/**
 * AA-8: send A-ABORT PDU (service-provider source), issue an A-P-ABORT indication, and start ARTIM
 * timer → Sta13. Reason: "unexpected-PDU" for a valid PDU out of place, the diagnosed reason for
 * an unrecognized or invalid one (Evt19).
 */
export function AA_8<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  inputFor(input, 'AA-8', 'Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt19');
  const reason = providerAbortReason(input);
  ctx.port.sendAbort(AbortSource.SERVICE_PROVIDER, reason);
  ctx.port.indicate({ primitive: 'A-P-ABORT indication', origin: 'local', reason });
  ctx.port.startArtim();
  return 'Sta13';
}

// ---------------------------------------------------------------------------------------------
// DICOMHawk actions (not in PS3.8)
// ---------------------------------------------------------------------------------------------

/** States in which the service-user has been told of an association (or asked for one). */
const USER_KNOWS_ASSOCIATION: ReadonlySet<DulState> = new Set([
  'Sta3', 'Sta4', 'Sta5', 'Sta6', 'Sta7', 'Sta8', 'Sta9', 'Sta10', 'Sta11', 'Sta12',
]);

/**
 * AA-2T (honeypot): the idle or lifetime timer expired. Like AA-2: stop ARTIM timer if running and
 * close transport connection → Sta1; in addition, where the service-user knows of an association
 * (Sta3–Sta12), issue an A-P-ABORT indication so the session ends on record. No A-ABORT is sent:
 * the connection is simply cut, as DCMTK's AA-2T does on a read timeout.
 */
export function AA_2T<T extends DulPayloadTypes>(ctx: DulActionContext<T>, input: DulInput<T>): DulState {
  const { payload } = inputFor(input, 'AA-2T', 'Evt18T');
  ctx.port.stopArtim();
  if (USER_KNOWS_ASSOCIATION.has(ctx.state)) {
    ctx.port.indicate(
      payload === undefined
        ? { primitive: 'A-P-ABORT indication', origin: 'timer' }
        : { primitive: 'A-P-ABORT indication', origin: 'timer', timer: payload.timer },
    );
  }
  ctx.port.closeTransport();
  return 'Sta1';
}

/** Action name → function, joined once (PS3.8 names on the left, our functions on the right). */
export const DUL_ACTIONS: Readonly<Record<DulActionName, DulAction>> = Object.freeze({
  'AE-1': AE_1,
  'AE-2': AE_2,
  'AE-3': AE_3,
  'AE-4': AE_4,
  'AE-5': AE_5,
  'AE-6': AE_6,
  'AE-7': AE_7,
  'AE-8': AE_8,
  'DT-1': DT_1,
  'DT-2': DT_2,
  'AR-1': AR_1,
  'AR-2': AR_2,
  'AR-3': AR_3,
  'AR-4': AR_4,
  'AR-5': AR_5,
  'AR-6': AR_6,
  'AR-7': AR_7,
  'AR-8': AR_8,
  'AR-9': AR_9,
  'AR-10': AR_10,
  'AA-1': AA_1,
  'AA-2': AA_2,
  'AA-3': AA_3,
  'AA-4': AA_4,
  'AA-5': AA_5,
  'AA-6': AA_6,
  'AA-7': AA_7,
  'AA-8': AA_8,
  'AA-2T': AA_2T,
});
