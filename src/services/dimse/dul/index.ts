/** DICOM Upper Layer protocol state machine (PS3.8 §9.2): the public surface of `dul/`. */
export { DUL_STATES, DUL_STATE_DESCRIPTIONS, isDulState, type DulState } from './states.ts';
export {
  DUL_EVENTS,
  DUL_EVENT_DESCRIPTIONS,
  DUL_MACHINE_EVENT_DESCRIPTIONS,
  HAWK_DUL_EVENTS,
  HAWK_DUL_EVENT_DESCRIPTIONS,
  PDU_TYPE_EVENTS,
  eventForPduType,
  type DulEvent,
  type DulEventPayloads,
  type DulInput,
  type DulMachineEvent,
  type DulPayloadArgs,
  type DulPayloadTypes,
  type HawkDulEvent,
  type HawkTimerExpiry,
  type InvalidPdu,
  type ReceivedAbort,
  type ReceivedAssociateRj,
} from './events.ts';
export {
  AbortReason,
  AbortSource,
  FALLBACK_REJECTION,
  RejectReasonAcse,
  RejectReasonPresentation,
  RejectReasonServiceUser,
  RejectResult,
  RejectSource,
  isAssociateRejection,
  type AssociateRejection,
} from './constants.ts';
export {
  DUL_ACTION_DESCRIPTIONS,
  DUL_ACTION_NAMES,
  DUL_STATE_TABLE,
  HAWK_STATE_TABLE,
  lookupAction,
  noActionReason,
  type DulActionName,
  type DulStateRow,
  type DulStateTable,
} from './stateTable.ts';
export { DUL_ACTIONS, type DulAction, type DulActionContext } from './actions.ts';
export type { AssociateRqVerdict, DulIndication, DulPort, DulPrimitive, DulRole } from './port.ts';
export { DulActionError, InvalidDulEventError } from './errors.ts';
export { DulMachine, type DulMachineOptions, type DulTransition } from './machine.ts';
