/**
 * The decoded A-ASSOCIATE-RQ as the typed fields of the `dicomhawk.association.request` event
 * (EVENTS.md; shape of `core/events/schema/dimse.ts`). Pure mapping — no emission, no clock. Attacker
 * text is bounded here (text 256 characters, hex 4096 digits) with truncation recorded, and binary
 * fields keep their hex beside a latin1 text view.
 */
import type { ClientIdentification } from './fingerprint.ts';
import type { AssociateRq } from './pdu/associateRq.ts';

const TEXT_MAX = 256;
const HEX_MAX = 4096;

export interface RawTextField {
  readonly text: string;
  readonly hex: string;
  readonly truncated?: true;
}

export interface AssociationRequestFields {
  readonly called_ae: RawTextField;
  readonly calling_ae: RawTextField;
  readonly app_context: string | null;
  readonly protocol_version: number;
  readonly max_pdu: number | null;
  readonly impl_class_uid: string | null;
  readonly impl_version: string | null;
  readonly async_ops: { readonly invoked: number; readonly performed: number } | null;
  readonly contexts: readonly { readonly id: number; readonly abstract_syntax: string; readonly transfer_syntaxes: readonly string[] }[];
  readonly roles: readonly { readonly sop_class: string; readonly scu: boolean; readonly scp: boolean }[];
  readonly ext_neg: readonly { readonly sop_class: string; readonly info_hex: string }[];
  readonly user_identity: {
    readonly type: number;
    readonly positive_response: boolean;
    readonly primary: RawTextField;
    readonly secondary: RawTextField | null;
  } | null;
  readonly unknown_items: readonly { readonly type: number; readonly offset: number; readonly hex: string }[];
  readonly anomalies: readonly string[];
  readonly client_fp: string;
  readonly client_guess: string | null;
  readonly client_guess_reason: string | null;
}

function clipText(s: string, max = TEXT_MAX): string {
  return s.length <= max ? s : s.slice(0, max);
}

function raw(text: string, bytes: Buffer): RawTextField {
  const hex = bytes.toString('hex');
  const truncated = text.length > TEXT_MAX || hex.length > HEX_MAX;
  return { text: clipText(text), hex: hex.slice(0, HEX_MAX), ...(truncated ? { truncated: true as const } : {}) };
}

export function associationRequestFields(rq: AssociateRq, client: ClientIdentification): AssociationRequestFields {
  const identity = rq.userIdentity;
  return {
    called_ae: raw(rq.calledAe.text, rq.calledAe.raw),
    calling_ae: raw(rq.callingAe.text, rq.callingAe.raw),
    app_context: rq.appContext === null ? null : clipText(rq.appContext),
    protocol_version: rq.protocolVersion,
    max_pdu: rq.maxPdu,
    impl_class_uid: rq.implClassUid === null ? null : clipText(rq.implClassUid),
    impl_version: rq.implVersionName === null ? null : clipText(rq.implVersionName),
    async_ops: rq.asyncOps,
    contexts: rq.contexts.map((c) => ({
      id: c.id,
      abstract_syntax: clipText(c.abstractSyntax ?? ''),
      transfer_syntaxes: c.transferSyntaxes.map((t) => clipText(t)),
    })),
    roles: rq.roles.map((r) => ({ sop_class: clipText(r.sopClassUid), scu: r.scu !== 0, scp: r.scp !== 0 })),
    ext_neg: rq.extNeg.map((e) => ({ sop_class: clipText(e.sopClassUid), info_hex: e.info.hex.slice(0, HEX_MAX) })),
    user_identity:
      identity === null
        ? null
        : {
            type: identity.type,
            positive_response: identity.positiveResponseRequested,
            primary: raw(identity.primary.text, identity.primary.raw),
            secondary: identity.secondary.raw.length === 0 ? null : raw(identity.secondary.text, identity.secondary.raw),
          },
    unknown_items: rq.unknownItems.map((u) => ({ type: u.type, offset: u.offset, hex: u.raw.toString('hex').slice(0, HEX_MAX) })),
    anomalies: rq.anomalies.map((a) => clipText(a, 2048)),
    client_fp: client.fp,
    client_guess: client.guess,
    client_guess_reason: client.reason,
  };
}
