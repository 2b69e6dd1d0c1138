/**
 * The association policy (an intervention hook: its answer decides the wire). Given a decoded
 * A-ASSOCIATE-RQ and the persona, decides accept or reject and, per presentation context, the result and
 * the transfer syntax, as PS3.8 §9.3.3.2 and PS3.7 Annex D describe.
 */
import type { AssociateRq } from '../pdu/associateRq.ts';
import type { AssociateAcInit } from '../pdu/associateAc.ts';
import type { PresentationContextAcInit, PresentationContextResultCode } from '../pdu/items/presentationContext.ts';
import type { RoleSelection } from '../pdu/items/userInfo.ts';
import type { AssociateRejection } from '../dul/constants.ts';
import type { Persona } from '../../../domain/dicom/persona.ts';
import { STORAGE_SOP_CLASSES } from './storageClasses.ts';
import { AppContext, SopClass } from './uids.ts';

export interface AcceptedContext {
  readonly id: number;
  readonly abstractSyntax: string;
  readonly transferSyntax: string;
  /** The requestor may act as SCP for this SOP class (storage sub-operations of C-GET go back to it). */
  readonly peerIsScp: boolean;
}

export type Negotiation =
  | { readonly verdict: 'accept'; readonly ac: AssociateAcInit; readonly accepted: ReadonlyMap<number, AcceptedContext>; readonly results: readonly PresentationContextAcInit[] }
  | { readonly verdict: 'reject'; readonly rejection: AssociateRejection; readonly why: string };

/** Per persona, built once: a persona does not change while it is loaded (the sensor loads it at start). */
const syntaxesOf = new WeakMap<Persona, ReadonlyMap<string, 'storage' | 'other'>>();

/** The abstract syntaxes the persona accepts, and whether each is a storage SOP class (computed once per persona). */
export function acceptedAbstractSyntaxes(p: Persona): ReadonlyMap<string, 'storage' | 'other'> {
  let m = syntaxesOf.get(p);
  if (m === undefined) {
    m = buildAcceptedAbstractSyntaxes(p);
    syntaxesOf.set(p, m);
  }
  return m;
}

function buildAcceptedAbstractSyntaxes(p: Persona): Map<string, 'storage' | 'other'> {
  const m = new Map<string, 'storage' | 'other'>();
  if (p.services.verification) m.set(SopClass.Verification, 'other');
  if (p.services.patientRoot) for (const uid of [SopClass.PatientRootFind, SopClass.PatientRootMove, SopClass.PatientRootGet]) m.set(uid, 'other');
  if (p.services.studyRoot) for (const uid of [SopClass.StudyRootFind, SopClass.StudyRootMove, SopClass.StudyRootGet]) m.set(uid, 'other');
  if (p.services.patientStudyOnly) for (const uid of [SopClass.PatientStudyOnlyFind, SopClass.PatientStudyOnlyMove, SopClass.PatientStudyOnlyGet]) m.set(uid, 'other');
  if (p.services.storage) for (const uid of STORAGE_SOP_CLASSES.keys()) m.set(uid, 'storage');
  return m;
}

function chooseTransferSyntax(p: Persona, kind: 'storage' | 'other', proposed: readonly string[]): string | null {
  const ours = kind === 'storage' ? p.transferSyntaxes.storage : p.transferSyntaxes.nonStorage;
  if (p.transferSyntaxSelection === 'scp-preference') return ours.find((ts) => proposed.includes(ts)) ?? null;
  return proposed.find((ts) => ours.includes(ts)) ?? null;
}

export function negotiate(rq: AssociateRq, persona: Persona, ourAeTitle: string): Negotiation {
  // PS3.8 §9.3.4: protocol version bit 0 must be set, else source 2 (ACSE) reason 2.
  if ((rq.protocolVersion & 1) === 0) {
    return { verdict: 'reject', rejection: { result: 1, source: 2, reason: 2 } as AssociateRejection, why: `protocol version ${rq.protocolVersion} not supported` };
  }
  if (rq.appContext !== AppContext.DICOM) {
    return { verdict: 'reject', rejection: { result: 1, source: 1, reason: 2 } as AssociateRejection, why: `application context ${JSON.stringify(rq.appContext)} not supported` };
  }
  if (!persona.association.acceptAnyCalledAe && rq.calledAe.text !== ourAeTitle) {
    return { verdict: 'reject', rejection: { result: 1, source: 1, reason: 7 } as AssociateRejection, why: 'called AE title not recognised' };
  }
  const syntaxes = acceptedAbstractSyntaxes(persona);
  const proposedRoles = rq.roles.length === 0 ? null : new Map<string, RoleSelection>(rq.roles.map((r) => [r.sopClassUid, r]));
  const results: PresentationContextAcInit[] = [];
  const accepted = new Map<number, AcceptedContext>();
  const seen = new Set<number>();
  for (const pc of rq.contexts) {
    let result: PresentationContextResultCode;
    let ts: string | null = null;
    const kind = pc.abstractSyntax === null ? undefined : syntaxes.get(pc.abstractSyntax);
    if (seen.has(pc.id) || pc.id % 2 === 0) result = 2; // duplicate or even ID: PS3.8 §9.3.2.2 requires unique odd IDs
    else if (kind === undefined || pc.abstractSyntax === null) result = 3;
    else {
      ts = chooseTransferSyntax(persona, kind, pc.transferSyntaxes);
      result = ts === null ? 4 : 0;
    }
    seen.add(pc.id);
    // The AC carries one transfer syntax sub-item per context; on rejection its value is not significant,
    // and DCMTK/dcm4che send the first proposed (or implicit LE) — so do we.
    results.push({ id: pc.id, result, transferSyntax: ts ?? pc.transferSyntaxes[0] ?? '1.2.840.10008.1.2' } as PresentationContextAcInit);
    if (result === 0 && pc.abstractSyntax !== null && ts !== null) {
      const role = proposedRoles?.get(pc.abstractSyntax);
      const peerIsScp = kind === 'storage' && persona.association.acceptScpRoleForStorage && role !== undefined && role.scp === 1;
      accepted.set(pc.id, { id: pc.id, abstractSyntax: pc.abstractSyntax, transferSyntax: ts, peerIsScp });
    }
  }
  if (accepted.size === 0 && persona.association.rejectWhenNoContextAccepted) {
    return { verdict: 'reject', rejection: { result: 1, source: 1, reason: 1 } as AssociateRejection, why: 'no presentation context accepted' };
  }
  // SCP/SCU role selection (PS3.7 D.3.3.4): answer each proposed one; we accept the peer as SCP for storage
  // SOP classes we accepted (C-GET sub-operations), and leave every other role as the default.
  const roles: RoleSelection[] = [];
  if (rq.roles.length > 0) {
    const peerScp = new Set<string>();
    for (const c of accepted.values()) if (c.peerIsScp) peerScp.add(c.abstractSyntax);
    for (const r of rq.roles) roles.push({ sopClassUid: r.sopClassUid, scu: r.scu === 1 ? 1 : 0, scp: peerScp.has(r.sopClassUid) ? 1 : 0 });
  }
  const ac: AssociateAcInit = {
    calledAe: rq.calledAe.raw,
    callingAe: rq.callingAe.raw,
    applicationContext: AppContext.DICOM,
    contexts: results,
    userInfo: {
      maxPdu: persona.maxPdu,
      implClassUid: persona.implementation.classUid,
      implVersionName: persona.implementation.versionName,
      ...(persona.association.asyncOpsWindow && rq.asyncOps ? { asyncOps: { invoked: persona.association.asyncOpsWindow.invoked, performed: persona.association.asyncOpsWindow.performed } as never } : {}),
      ...(roles.length > 0 ? { roles } : {}),
    },
  };
  return { verdict: 'accept', ac, accepted, results };
}
