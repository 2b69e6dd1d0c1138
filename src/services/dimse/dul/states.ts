/**
 * DICOM Upper Layer protocol states, PS3.8 §9.2.1 (Tables 9-1 to 9-5).
 *
 * The list is the single source for the `DulState` union; the descriptions are the standard's own
 * wording so a trace reads like the table it came from.
 */

/** Every DUL state in PS3.8 order (the columns of Table 9-10). */
export const DUL_STATES = [
  'Sta1',
  'Sta2',
  'Sta3',
  'Sta4',
  'Sta5',
  'Sta6',
  'Sta7',
  'Sta8',
  'Sta9',
  'Sta10',
  'Sta11',
  'Sta12',
  'Sta13',
] as const;

/** A DUL protocol state, PS3.8 §9.2.1. */
export type DulState = (typeof DUL_STATES)[number];

/** PS3.8 §9.2.1 state definitions, grouped as in Tables 9-1 to 9-5. */
export const DUL_STATE_DESCRIPTIONS: Readonly<Record<DulState, string>> = Object.freeze({
  // Table 9-1, no association
  Sta1: 'Idle',
  // Table 9-2, association establishment
  Sta2: 'Transport connection open (Awaiting A-ASSOCIATE-RQ PDU)',
  Sta3: 'Awaiting local A-ASSOCIATE response primitive (from local user)',
  Sta4: 'Awaiting transport connection opening to complete (from local transport service)',
  Sta5: 'Awaiting A-ASSOCIATE-AC or A-ASSOCIATE-RJ PDU',
  // Table 9-3, data transfer
  Sta6: 'Association established and ready for data transfer',
  // Table 9-4, association release
  Sta7: 'Awaiting A-RELEASE-RP PDU',
  Sta8: 'Awaiting local A-RELEASE response primitive (from local user)',
  Sta9: 'Release collision requestor side; awaiting A-RELEASE response (from local user)',
  Sta10: 'Release collision acceptor side; awaiting A-RELEASE-RP PDU',
  Sta11: 'Release collision requestor side; awaiting A-RELEASE-RP PDU',
  Sta12: 'Release collision acceptor side; awaiting A-RELEASE response primitive (from local user)',
  // Table 9-5, waiting for transport connection close
  Sta13: 'Awaiting Transport Connection Close Indication (Association no longer exists)',
});

/** Runtime check for a state name (e.g. one read back from a trace). */
export function isDulState(value: unknown): value is DulState {
  return typeof value === 'string' && Object.hasOwn(DUL_STATE_DESCRIPTIONS, value);
}
