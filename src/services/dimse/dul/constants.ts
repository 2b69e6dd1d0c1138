/**
 * Field values of the A-ABORT PDU (PS3.8 §9.3.8) and the A-ASSOCIATE-RJ PDU (PS3.8 §9.3.4) that the
 * DUL machine *sends*. Values *received* from a peer are plain numbers (any byte an attacker chose)
 * and are never narrowed to these types without a check.
 */

/** A-ABORT PDU "Source" field, PS3.8 §9.3.8. */
export const AbortSource = Object.freeze({
  /** DICOM UL service-user (initiated abort). */
  SERVICE_USER: 0,
  /** DICOM UL service-provider (initiated abort). Value 1 is reserved and never sent. */
  SERVICE_PROVIDER: 2,
} as const);
export type AbortSource = (typeof AbortSource)[keyof typeof AbortSource];

/**
 * A-ABORT PDU "Reason/Diag." field, PS3.8 §9.3.8. Significant only when the source is the
 * service-provider; with the service-user source it is sent as 0. Value 3 is reserved.
 */
export const AbortReason = Object.freeze({
  REASON_NOT_SPECIFIED: 0,
  UNRECOGNIZED_PDU: 1,
  UNEXPECTED_PDU: 2,
  UNRECOGNIZED_PDU_PARAMETER: 4,
  UNEXPECTED_PDU_PARAMETER: 5,
  INVALID_PDU_PARAMETER_VALUE: 6,
} as const);
export type AbortReason = (typeof AbortReason)[keyof typeof AbortReason];

/** A-ASSOCIATE-RJ PDU "Result" field, PS3.8 §9.3.4. */
export const RejectResult = Object.freeze({
  REJECTED_PERMANENT: 1,
  REJECTED_TRANSIENT: 2,
} as const);
export type RejectResult = (typeof RejectResult)[keyof typeof RejectResult];

/** A-ASSOCIATE-RJ PDU "Source" field, PS3.8 §9.3.4. */
export const RejectSource = Object.freeze({
  /** DICOM UL service-user. */
  SERVICE_USER: 1,
  /** DICOM UL service-provider (ACSE related function). */
  SERVICE_PROVIDER_ACSE: 2,
  /** DICOM UL service-provider (Presentation related function). */
  SERVICE_PROVIDER_PRESENTATION: 3,
} as const);
export type RejectSource = (typeof RejectSource)[keyof typeof RejectSource];

/** "Reason/Diag." values for source 1, service-user (PS3.8 §9.3.4; 4–6 and 8–10 are reserved). */
export const RejectReasonServiceUser = Object.freeze({
  NO_REASON_GIVEN: 1,
  APPLICATION_CONTEXT_NAME_NOT_SUPPORTED: 2,
  CALLING_AE_TITLE_NOT_RECOGNIZED: 3,
  CALLED_AE_TITLE_NOT_RECOGNIZED: 7,
} as const);
export type RejectReasonServiceUser = (typeof RejectReasonServiceUser)[keyof typeof RejectReasonServiceUser];

/** "Reason/Diag." values for source 2, service-provider ACSE (PS3.8 §9.3.4). */
export const RejectReasonAcse = Object.freeze({
  NO_REASON_GIVEN: 1,
  PROTOCOL_VERSION_NOT_SUPPORTED: 2,
} as const);
export type RejectReasonAcse = (typeof RejectReasonAcse)[keyof typeof RejectReasonAcse];

/** "Reason/Diag." values for source 3, service-provider presentation (PS3.8 §9.3.4; 0 and 3–7 reserved). */
export const RejectReasonPresentation = Object.freeze({
  TEMPORARY_CONGESTION: 1,
  LOCAL_LIMIT_EXCEEDED: 2,
} as const);
export type RejectReasonPresentation = (typeof RejectReasonPresentation)[keyof typeof RejectReasonPresentation];

/**
 * An A-ASSOCIATE-RJ this side may send (AE-6 "otherwise" branch, AE-8). The reason is tied to the
 * source, so a persona cannot compose a pair PS3.8 §9.3.4 does not define.
 */
export type AssociateRejection =
  | {
      readonly result: RejectResult;
      readonly source: typeof RejectSource.SERVICE_USER;
      readonly reason: RejectReasonServiceUser;
    }
  | {
      readonly result: RejectResult;
      readonly source: typeof RejectSource.SERVICE_PROVIDER_ACSE;
      readonly reason: RejectReasonAcse;
    }
  | {
      readonly result: RejectResult;
      readonly source: typeof RejectSource.SERVICE_PROVIDER_PRESENTATION;
      readonly reason: RejectReasonPresentation;
    };

const REASONS_BY_SOURCE: Readonly<Record<RejectSource, readonly number[]>> = Object.freeze({
  [RejectSource.SERVICE_USER]: Object.freeze(Object.values(RejectReasonServiceUser)),
  [RejectSource.SERVICE_PROVIDER_ACSE]: Object.freeze(Object.values(RejectReasonAcse)),
  [RejectSource.SERVICE_PROVIDER_PRESENTATION]: Object.freeze(Object.values(RejectReasonPresentation)),
});

/** True when `value` is a result/source/reason triple PS3.8 §9.3.4 defines (for persona and hook checks). */
export function isAssociateRejection(value: unknown): value is AssociateRejection {
  if (typeof value !== 'object' || value === null) return false;
  const { result, source, reason } = value as Record<string, unknown>;
  if (result !== RejectResult.REJECTED_PERMANENT && result !== RejectResult.REJECTED_TRANSIENT) return false;
  if (typeof source !== 'number' || !Object.hasOwn(REASONS_BY_SOURCE, source)) return false;
  const reasons = REASONS_BY_SOURCE[source as RejectSource];
  return typeof reason === 'number' && reasons.includes(reason);
}

/**
 * What AE-6 sends when the association policy hook fails (throws or answers nonsense): "rejected
 * transient, presentation, temporary congestion" — what a busy PACS says, and an invitation to retry
 * rather than a fingerprint. Overridable per machine.
 */
export const FALLBACK_REJECTION: AssociateRejection = Object.freeze({
  result: RejectResult.REJECTED_TRANSIENT,
  source: RejectSource.SERVICE_PROVIDER_PRESENTATION,
  reason: RejectReasonPresentation.TEMPORARY_CONGESTION,
});
