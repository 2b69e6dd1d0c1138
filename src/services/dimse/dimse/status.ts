/**
 * DIMSE status codes (0000,0900) → status type, PS3.7 Annex C (Table C-1 "Status Type Encoding"):
 *
 * | type    | codes                                             |
 * |---------|---------------------------------------------------|
 * | success | 0000                                              |
 * | warning | 0001, Bxxx, 0107, 0116                            |
 * | failure | Axxx, Cxxx, 0100-01FF (except 0107, 0116), 0200-02FF |
 * | cancel  | FE00                                              |
 * | pending | FF00, FF01                                        |
 *
 * The table is total: any other code is `failure` with `known: false` (a peer that sends a code we do
 * not know has not succeeded). Names of the common codes come from PS3.7 Annex C and the service
 * classes in PS3.4 (C-STORE, C-FIND, C-GET, C-MOVE).
 */

export type StatusCategory = 'success' | 'pending' | 'cancel' | 'warning' | 'failure';

export interface StatusRule {
  readonly from: number;
  readonly to: number;
  readonly category: StatusCategory;
}

/** Checked in order: exact codes first, then ranges (PS3.7 Table C-1). */
export const STATUS_RULES: readonly StatusRule[] = Object.freeze([
  { from: 0x0000, to: 0x0000, category: 'success' },
  { from: 0xff00, to: 0xff01, category: 'pending' },
  { from: 0xfe00, to: 0xfe00, category: 'cancel' },
  { from: 0x0001, to: 0x0001, category: 'warning' },
  { from: 0x0107, to: 0x0107, category: 'warning' },
  { from: 0x0116, to: 0x0116, category: 'warning' },
  { from: 0xb000, to: 0xbfff, category: 'warning' },
  { from: 0x0100, to: 0x01ff, category: 'failure' },
  { from: 0x0200, to: 0x02ff, category: 'failure' },
  { from: 0xa000, to: 0xafff, category: 'failure' },
  { from: 0xc000, to: 0xcfff, category: 'failure' },
]);

/** Common status codes and their PS3.7/PS3.4 meanings. */
export const Status = Object.freeze({
  SUCCESS: 0x0000,
  PENDING: 0xff00,
  PENDING_WARNING: 0xff01,
  CANCEL: 0xfe00,
  WARNING_ATTRIBUTE_LIST_ERROR: 0x0107,
  WARNING_ATTRIBUTE_VALUE_OUT_OF_RANGE: 0x0116,
  WARNING_SUBOPERATIONS_FAILED: 0xb000,
  WARNING_ELEMENTS_DISCARDED: 0xb006,
  WARNING_DATASET_DOES_NOT_MATCH_SOP_CLASS: 0xb007,
  FAILURE_PROCESSING: 0x0110,
  FAILURE_DUPLICATE_SOP_INSTANCE: 0x0111,
  FAILURE_NO_SUCH_OBJECT_INSTANCE: 0x0112,
  FAILURE_SOP_CLASS_NOT_SUPPORTED: 0x0122,
  FAILURE_NOT_AUTHORIZED: 0x0124,
  FAILURE_DUPLICATE_INVOCATION: 0x0210,
  FAILURE_UNRECOGNIZED_OPERATION: 0x0211,
  FAILURE_MISTYPED_ARGUMENT: 0x0212,
  FAILURE_RESOURCE_LIMITATION: 0x0213,
  REFUSED_OUT_OF_RESOURCES: 0xa700,
  REFUSED_OUT_OF_RESOURCES_MATCHES: 0xa701,
  REFUSED_OUT_OF_RESOURCES_SUBOPERATIONS: 0xa702,
  REFUSED_MOVE_DESTINATION_UNKNOWN: 0xa801,
  FAILURE_IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  FAILURE_UNABLE_TO_PROCESS: 0xc000,
} as const);

const STATUS_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Status).map(([name, code]) => [code, name.toLowerCase().replace(/_/g, '-')]),
);

export interface StatusInfo {
  readonly code: number;
  readonly category: StatusCategory;
  /** False when no rule of Table C-1 covers the code (then the category is `failure`). */
  readonly known: boolean;
  /** A name for the common codes, else null. */
  readonly name: string | null;
}

export function describeStatus(code: number): StatusInfo {
  const rule = STATUS_RULES.find((r) => code >= r.from && code <= r.to);
  return { code, category: rule?.category ?? 'failure', known: rule !== undefined, name: STATUS_NAMES.get(code) ?? null };
}

/** The PS3.7 Annex C status type of a code; unknown codes are failures. */
export function statusCategory(code: number): StatusCategory {
  return describeStatus(code).category;
}
