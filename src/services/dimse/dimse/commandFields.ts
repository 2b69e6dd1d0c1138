/**
 * DIMSE command field values (0000,0100), PS3.7 §9.3 (DIMSE-C, Tables 9.3-1 ff.) and §10.3 (DIMSE-N),
 * and the command elements of group 0000 with their VRs, PS3.7 Annex E (Table E.1-1; retired elements
 * in Table E.2-1 are not listed and decode as unknown).
 */

export const CommandField = Object.freeze({
  C_STORE_RQ: 0x0001,
  C_STORE_RSP: 0x8001,
  C_GET_RQ: 0x0010,
  C_GET_RSP: 0x8010,
  C_FIND_RQ: 0x0020,
  C_FIND_RSP: 0x8020,
  C_MOVE_RQ: 0x0021,
  C_MOVE_RSP: 0x8021,
  C_ECHO_RQ: 0x0030,
  C_ECHO_RSP: 0x8030,
  N_EVENT_REPORT_RQ: 0x0100,
  N_EVENT_REPORT_RSP: 0x8100,
  N_GET_RQ: 0x0110,
  N_GET_RSP: 0x8110,
  N_SET_RQ: 0x0120,
  N_SET_RSP: 0x8120,
  N_ACTION_RQ: 0x0130,
  N_ACTION_RSP: 0x8130,
  N_CREATE_RQ: 0x0140,
  N_CREATE_RSP: 0x8140,
  N_DELETE_RQ: 0x0150,
  N_DELETE_RSP: 0x8150,
  C_CANCEL_RQ: 0x0fff,
} as const);
export type CommandFieldCode = (typeof CommandField)[keyof typeof CommandField];

export const COMMAND_FIELD_NAMES: Readonly<Record<CommandFieldCode, string>> = Object.freeze(
  Object.fromEntries(Object.entries(CommandField).map(([k, v]) => [v, k.replace(/_/g, '-')])) as Record<CommandFieldCode, string>,
);

export function isCommandField(code: number): code is CommandFieldCode {
  return Object.hasOwn(COMMAND_FIELD_NAMES, code);
}

/** `C-FIND-RQ`, or `unknown-0x1234`. */
export function commandFieldName(code: number): string {
  return isCommandField(code) ? COMMAND_FIELD_NAMES[code] : `unknown-0x${code.toString(16).padStart(4, '0')}`;
}

/** Responses have bit 15 set (PS3.7 §9.3: RSP = RQ | 8000H); C-CANCEL-RQ is a request. */
export function isResponse(code: number): boolean {
  return (code & 0x8000) !== 0;
}

/** (0000,0800) value meaning "no data set" (PS3.7 Table E.1-1); any other value means one follows. */
export const NO_DATASET = 0x0101;

/** (0000,0700) Priority, PS3.7 Table E.1-1. */
export const Priority = Object.freeze({ MEDIUM: 0x0000, HIGH: 0x0001, LOW: 0x0002 } as const);

/** Value representations used in group 0000. */
export type CommandVr = 'UL' | 'UI' | 'US' | 'AE' | 'AT' | 'LO';

export interface CommandElementSpec {
  readonly tag: number;
  readonly keyword: string;
  readonly vr: CommandVr;
}

/** Group 0000 command elements, PS3.7 Table E.1-1 (element number → spec). */
export const COMMAND_ELEMENTS: ReadonlyMap<number, CommandElementSpec> = new Map(
  (
    [
      [0x0000, 'CommandGroupLength', 'UL'],
      [0x0002, 'AffectedSOPClassUID', 'UI'],
      [0x0003, 'RequestedSOPClassUID', 'UI'],
      [0x0100, 'CommandField', 'US'],
      [0x0110, 'MessageID', 'US'],
      [0x0120, 'MessageIDBeingRespondedTo', 'US'],
      [0x0600, 'MoveDestination', 'AE'],
      [0x0700, 'Priority', 'US'],
      [0x0800, 'CommandDataSetType', 'US'],
      [0x0900, 'Status', 'US'],
      [0x0901, 'OffendingElement', 'AT'],
      [0x0902, 'ErrorComment', 'LO'],
      [0x0903, 'ErrorID', 'US'],
      [0x1000, 'AffectedSOPInstanceUID', 'UI'],
      [0x1001, 'RequestedSOPInstanceUID', 'UI'],
      [0x1002, 'EventTypeID', 'US'],
      [0x1005, 'AttributeIdentifierList', 'AT'],
      [0x1008, 'ActionTypeID', 'US'],
      [0x1020, 'NumberOfRemainingSuboperations', 'US'],
      [0x1021, 'NumberOfCompletedSuboperations', 'US'],
      [0x1022, 'NumberOfFailedSuboperations', 'US'],
      [0x1023, 'NumberOfWarningSuboperations', 'US'],
      [0x1030, 'MoveOriginatorApplicationEntityTitle', 'AE'],
      [0x1031, 'MoveOriginatorMessageID', 'US'],
    ] as const
  ).map(([element, keyword, vr]) => [element, { tag: element, keyword, vr }]),
);
