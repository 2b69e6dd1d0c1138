/**
 * Item and sub-item type codes of the A-ASSOCIATE-RQ/AC variable fields, with where each may appear.
 * PS3.8 §9.3.2.1–§9.3.3.3 (Tables 9-12 to 9-20), PS3.8 Annex D.1 (maximum length) and PS3.7 Annex D.3.3
 * (the extended user-information sub-items). One table for the decoders, the encoders and the error
 * messages; a code missing from it is an unknown item, skipped by its length and kept raw.
 */

export const ItemType = Object.freeze({
  APPLICATION_CONTEXT: 0x10,
  PRESENTATION_CONTEXT_RQ: 0x20,
  PRESENTATION_CONTEXT_AC: 0x21,
  ABSTRACT_SYNTAX: 0x30,
  TRANSFER_SYNTAX: 0x40,
  USER_INFORMATION: 0x50,
  MAXIMUM_LENGTH: 0x51,
  IMPLEMENTATION_CLASS_UID: 0x52,
  ASYNCHRONOUS_OPERATIONS_WINDOW: 0x53,
  SCP_SCU_ROLE_SELECTION: 0x54,
  IMPLEMENTATION_VERSION_NAME: 0x55,
  SOP_CLASS_EXTENDED_NEGOTIATION: 0x56,
  SOP_CLASS_COMMON_EXTENDED_NEGOTIATION: 0x57,
  USER_IDENTITY_RQ: 0x58,
  USER_IDENTITY_AC: 0x59,
} as const);
export type ItemTypeCode = (typeof ItemType)[keyof typeof ItemType];

/** Where an item lives: directly in the PDU, inside a presentation context item, or inside user information. */
export type ItemLevel = 'pdu' | 'presentation-context' | 'user-information';

/** The two PDUs with variable items. */
export type AssociatePduKind = 'A-ASSOCIATE-RQ' | 'A-ASSOCIATE-AC';

export interface ItemSpec {
  readonly code: ItemTypeCode;
  readonly name: string;
  readonly level: ItemLevel;
  readonly allowedIn: readonly AssociatePduKind[];
  /** Where the standard defines the layout. */
  readonly reference: string;
  /** Exact value length the standard prescribes, when it does. */
  readonly fixedLength?: number;
  /** Largest value length the standard allows, when it bounds it. */
  readonly maxLength?: number;
}

const BOTH: readonly AssociatePduKind[] = Object.freeze(['A-ASSOCIATE-RQ', 'A-ASSOCIATE-AC']);
const RQ: readonly AssociatePduKind[] = Object.freeze(['A-ASSOCIATE-RQ']);
const AC: readonly AssociatePduKind[] = Object.freeze(['A-ASSOCIATE-AC']);

export const ITEM_SPECS: Readonly<Record<ItemTypeCode, ItemSpec>> = Object.freeze({
  0x10: { code: 0x10, name: 'application context item', level: 'pdu', allowedIn: BOTH, reference: 'PS3.8 Table 9-12', maxLength: 64 },
  0x20: { code: 0x20, name: 'presentation context item (RQ)', level: 'pdu', allowedIn: RQ, reference: 'PS3.8 Table 9-13' },
  0x21: { code: 0x21, name: 'presentation context item (AC)', level: 'pdu', allowedIn: AC, reference: 'PS3.8 Table 9-18' },
  0x30: { code: 0x30, name: 'abstract syntax sub-item', level: 'presentation-context', allowedIn: RQ, reference: 'PS3.8 Table 9-14', maxLength: 64 },
  0x40: { code: 0x40, name: 'transfer syntax sub-item', level: 'presentation-context', allowedIn: BOTH, reference: 'PS3.8 Tables 9-15, 9-19', maxLength: 64 },
  0x50: { code: 0x50, name: 'user information item', level: 'pdu', allowedIn: BOTH, reference: 'PS3.8 Tables 9-16, 9-20' },
  0x51: { code: 0x51, name: 'maximum length sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.8 Annex D.1 (Tables D.1-1, D.1-2)', fixedLength: 4 },
  0x52: { code: 0x52, name: 'implementation class uid sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.7 D.3.3.2.1 (Table D.3-1)', maxLength: 64 },
  0x53: { code: 0x53, name: 'asynchronous operations window sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.7 D.3.3.3 (Table D.3-7)', fixedLength: 4 },
  0x54: { code: 0x54, name: 'scp/scu role selection sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.7 D.3.3.4 (Table D.3-9)' },
  0x55: { code: 0x55, name: 'implementation version name sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.7 D.3.3.2.3 (Table D.3-3)', maxLength: 16 },
  0x56: { code: 0x56, name: 'sop class extended negotiation sub-item', level: 'user-information', allowedIn: BOTH, reference: 'PS3.7 D.3.3.5 (Table D.3-11)' },
  0x57: { code: 0x57, name: 'sop class common extended negotiation sub-item', level: 'user-information', allowedIn: RQ, reference: 'PS3.7 D.3.3.6 (Table D.3-12)' },
  0x58: { code: 0x58, name: 'user identity sub-item (RQ)', level: 'user-information', allowedIn: RQ, reference: 'PS3.7 D.3.3.7.1 (Table D.3-14)' },
  0x59: { code: 0x59, name: 'user identity sub-item (AC)', level: 'user-information', allowedIn: AC, reference: 'PS3.7 D.3.3.7.2 (Table D.3-15)' },
});

export function isItemType(code: number): code is ItemTypeCode {
  return Object.hasOwn(ITEM_SPECS, code);
}

export function itemSpec(code: number): ItemSpec | undefined {
  return isItemType(code) ? ITEM_SPECS[code] : undefined;
}

/** `presentation context item (RQ) (0x20)`, or `unknown item (0x7f)` for codes outside the table. */
export function itemLabel(code: number): string {
  const spec = itemSpec(code);
  return `${spec ? spec.name : 'unknown item'} (0x${code.toString(16).padStart(2, '0')})`;
}

/** True when the code is a known item that belongs at `level` in a PDU of `kind`. */
export function itemBelongs(code: number, level: ItemLevel, kind: AssociatePduKind): boolean {
  const spec = itemSpec(code);
  return spec !== undefined && spec.level === level && spec.allowedIn.includes(kind);
}
